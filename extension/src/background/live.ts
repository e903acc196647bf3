// The daemon's events as they come (events.ts keeps the WebSocket): each
// is folded into the unseen changes and the badge, and an article whose
// change alerts under the user's policy shows its banner in the tabs that
// show it, and a notification when it changed just now; an article seen
// elsewhere, or whose change does not alert, hides its banner. The
// daemon's settings (the alert policy) come on the same stream.
import { alertOnOf } from '../core/alerts';
import type { ArticleEvent } from '../core/daemon';
import type { Config } from './config';
import { EventStream, type StreamState } from './events';
import type { Notifier } from './notify';
import type { AlertPolicy } from './policy';
import type { RecheckRequest } from './recheck';
import type { Tabs } from './tabs';
import type { Unseen } from './unseen';

export type LiveDeps = {
  config: Config;
  unseen: Unseen;
  tabs: Tabs;
  notifier: Notifier;
  policy: AlertPolicy;
  /** The background's state is loaded. */
  ready: Promise<unknown>;
  /** The stream connected: a good time to send what waits. */
  onConnected: () => void;
  /** Takes the re-check jobs the daemon offers (rechecks.ts). */
  onRecheck?: (req: RecheckRequest) => void;
};

export class Live {
  #deps: LiveDeps;
  #stream: EventStream;
  #state: StreamState = 'idle';
  /** Events above the welcome's id happen now (the others are replayed). */
  #liveAfter = Number.MAX_SAFE_INTEGER;

  constructor(deps: LiveDeps) {
    this.#deps = deps;
    const { config, unseen, ready, policy } = deps;
    this.#stream = new EventStream({
      url: () => config.client().eventsURL(),
      token: () => config.token,
      lastEventID: async () => {
        await ready;
        return unseen.lastEventID;
      },
      onEvent: (e) => this.#handle(e),
      onState: (s) => {
        this.#state = s;
        if (s === 'connected') deps.onConnected();
      },
      onWelcome: (latest) => {
        this.#liveAfter = latest;
      },
      onSettings: async (settings) => {
        await ready;
        await policy.learn(alertOnOf(settings));
      },
      onRecheck: deps.onRecheck,
    });
  }

  /** How the connection stands, as the popup and options say it. */
  get state(): StreamState {
    return this.#state;
  }

  /** Connects unless connected or connecting. */
  ensure(): void {
    this.#stream.ensure();
  }

  /** Connects anew (another address or token). */
  restart(): void {
    this.#stream.restart();
  }

  /** The re-check jobs declined may be done now (events.ts rechecksReady). */
  rechecksReady(): void {
    this.#stream.rechecksReady();
  }

  /** Disconnects (unpaired). */
  stop(): void {
    this.#stream.stop();
    this.#state = 'idle';
  }

  async #handle(e: ArticleEvent): Promise<void> {
    const { unseen, tabs, notifier, config, ready } = this.#deps;
    await ready;
    const change = await unseen.apply(e);
    if (e.type === 'article.changed' && change && e.to_version) {
      await tabs.tellArticle(e.article_id, { type: 'banner.show', banner: { articleId: e.article_id, version: e.to_version, summary: change.summary, at: e.at } });
      if (config.settings.notifications && e.event_id > this.#liveAfter && e.summary) await notifier.notify(e.article_id, e.title, e.summary);
    } else if ((e.type === 'article.seen' || e.type === 'article.changed') && !change) {
      await tabs.tellArticle(e.article_id, { type: 'banner.hide', articleId: e.article_id });
    }
  }
}
