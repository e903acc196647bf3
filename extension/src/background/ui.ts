// What the popup and the options page ask (the ui.* messages): the state
// to show, the user's choices, pairing by hand and unpairing, the captures
// waiting for another daemon, the site lists, and the page or article the
// user acts on.
import type { AlertOn } from '../core/alerts';
import type { RecheckSettings } from '../core/daemon';
import { daemonOrigin, type SiteRules } from '../core/settings';
import type { AlertsAnswer, Done, SitesAnswer, UIState } from '../core/replies';
import type { Articles } from './articles';
import type { Captures } from './captures';
import { DaemonClient, messageOf } from './client';
import type { Config } from './config';
import { articlePage, type DashboardOpener } from './dashboard';
import type { Link } from './link';
import type { Live } from './live';
import type { AlertPolicy } from './policy';
import type { Handlers } from './router';
import type { SiteLists } from './sites';
import type { Unseen } from './unseen';

export type UIDeps = { config: Config; unseen: Unseen; captures: Captures; live: Live; sites: SiteLists; articles: Articles; link: Link; policy: AlertPolicy; dashboard: DashboardOpener };

type UIHandlers = Pick<Handlers, Extract<keyof Handlers, `ui.${string}`>>;

export class UIRequests {
  #deps: UIDeps;

  constructor(deps: UIDeps) {
    this.#deps = deps;
  }

  handlers(): UIHandlers {
    const { config, captures, articles, link } = this.#deps;
    return {
      'ui.state': () => this.#state(),
      'ui.settings': (msg) => this.#choose(msg.settings),
      'ui.token': (msg) => this.#token(msg.daemon, msg.token, msg.through),
      'ui.unpair': async () => {
        await link.unpair();
        return {};
      },
      'ui.queue.discard': async (msg) => ({ discarded: await captures.discard(msg.daemon) }),
      'ui.sites': () => this.#sites(),
      'ui.sites.save': (msg) => this.#saveSites({ allow: msg.allow, deny: msg.deny }),
      'ui.alerts': () => this.#alerts(),
      'ui.alerts.save': (msg) => this.#saveAlerts(msg.alertOn),
      'ui.recheck': () => this.#recheck(() => this.#deps.config.client().recheckSettings()),
      'ui.recheck.save': (msg) => this.#recheck(() => this.#deps.config.client().setRecheckSettings({ enabled: msg.enabled, daily_budget: msg.daily_budget, sites: msg.sites })),
      'ui.track': (msg) => articles.track(msg.url),
      'ui.watch': (msg) => articles.watch(msg.url),
      'ui.forget': (msg) => articles.forget(msg.url),
      'ui.diff': (msg) => articles.diff(msg.articleId),
      'ui.seen': (msg) => articles.seen(msg.articleId, msg.version),
      'ui.dashboard': (msg) => this.#deps.dashboard.open(msg.articleId === null ? '/' : articlePage(msg.articleId)),
    };
  }

  async #state(): Promise<UIState> {
    const { config, captures, live, unseen } = this.#deps;
    const queue = await captures.view();
    return { settings: config.settings, paired: config.paired, connection: live.state, queue, changes: unseen.list() };
  }

  /** Pairs by hand: the address and the token the user typed, once the daemon there takes the token. */
  async #token(daemon: string, token: string, through: number): Promise<Done> {
    const origin = daemonOrigin(daemon);
    const t = token.trim();
    if (!origin) return { error: 'The daemon address must be http://127.0.0.1:PORT or http://localhost:PORT.' };
    if (!/^[0-9a-f]{64}$/.test(t)) return { error: 'A token is 64 hexadecimal digits: copy it from `redline token`.' };
    try {
      await new DaemonClient(origin, t).status();
    } catch (e) {
      return { error: messageOf(e, 'The daemon refused the token.') };
    }
    await this.#deps.link.pair(origin, t, through);
    return {};
  }

  /** The daemon's lists; its copy when the daemon is away or unpaired. */
  async #sites(): Promise<SitesAnswer> {
    const { config, sites } = this.#deps;
    if (!config.paired) return { sites: sites.rules(), fromDaemon: false, moving: sites.moving() };
    try {
      return { sites: await sites.sync(config.siteAPI()), fromDaemon: true, moving: false };
    } catch (e) {
      return { sites: sites.rules(), fromDaemon: false, moving: sites.moving(), error: messageOf(e, 'Redline could not read the site lists.') };
    }
  }

  /** The daemon's alert policy; the one last learned when the daemon is away or unpaired. */
  async #alerts(): Promise<AlertsAnswer> {
    const { config, policy } = this.#deps;
    if (!config.paired) return { alertOn: policy.on, fromDaemon: false };
    try {
      return { alertOn: await policy.sync(config.alertAPI()), fromDaemon: true };
    } catch (e) {
      return { alertOn: policy.on, fromDaemon: false, error: messageOf(e, 'Redline could not read which changes alert you.') };
    }
  }

  /** Changes the daemon's alert policy (it tells every client, this one too). */
  async #saveAlerts(p: AlertOn): Promise<{ alertOn: AlertOn } | { error: string }> {
    const { config, policy } = this.#deps;
    if (!config.paired) return { error: 'Pair the extension first: which changes alert you is kept by the Redline daemon.' };
    try {
      return { alertOn: await policy.save(config.alertAPI(), p) };
    } catch (e) {
      return { error: messageOf(e, 'Redline could not save which changes alert you.') };
    }
  }

  /** Re-checks through the browser are the daemon's settings: paired only. */
  async #recheck(call: () => Promise<RecheckSettings>): Promise<{ recheck: RecheckSettings } | { error: string }> {
    if (!this.#deps.config.paired) return { error: 'Pair the extension first: re-checks through the browser are set in the Redline daemon.' };
    try {
      return { recheck: await call() };
    } catch (e) {
      return { error: messageOf(e, 'Redline could not reach the daemon.') };
    }
  }

  /**
   * Saves the user's choices. Capture on after the change (resumed, say):
   * the daemon may offer again the re-check jobs this browser declined.
   */
  async #choose(choices: Record<string, unknown>): ReturnType<Config['choose']> {
    const { config, live } = this.#deps;
    const r = await config.choose(choices);
    if ('settings' in r && !r.settings.paused) live.rechecksReady();
    return r;
  }

  async #saveSites(lists: SiteRules): Promise<{ sites: SiteRules } | { error: string }> {
    const { config, sites, live } = this.#deps;
    if (!config.paired) return { error: 'Pair the extension first: the site lists are kept by the Redline daemon.' };
    try {
      const saved = await sites.save(config.siteAPI(), lists);
      // A site allowed now may be re-checked: the jobs declined for it come again.
      if (!config.settings.paused) live.rechecksReady();
      return { sites: saved };
    } catch (e) {
      return { error: messageOf(e, 'Redline could not save the site lists.') };
    }
  }
}
