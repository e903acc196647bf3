// One article at the daemon, as the banner, the popup and the options
// ask about it: its unseen change, its diff, marking it seen, tracking a
// page, forgetting one. What changes here reaches the badge and the tabs
// that show the article.
import { summaryAlerts } from '../core/alerts';
import type { Watch } from '../core/daemon';
import type { BannerModel, DiffAnswer } from '../core/messages';
import type { Done, Said } from '../core/replies';
import { DaemonError, messageOf } from './client';
import type { Config } from './config';
import type { AlertPolicy } from './policy';
import type { Tabs } from './tabs';
import type { Unseen } from './unseen';

export type ArticlesDeps = { config: Config; unseen: Unseen; tabs: Tabs; policy: AlertPolicy };

export class Articles {
  #deps: ArticlesDeps;

  constructor(deps: ArticlesDeps) {
    this.#deps = deps;
  }

  /** The banner for the article's newest unseen change; null when the reader saw it all, or when it does not alert. */
  async banner(articleId: number): Promise<BannerModel | null> {
    const { config, policy } = this.#deps;
    const c = config.client();
    const a = await c.article(articleId);
    const last = a?.unseen?.at(-1);
    if (!a || !last || !summaryAlerts(policy.on, last)) return null;
    const d = await c.diff(articleId);
    if (!summaryAlerts(policy.on, d.summary)) return null;
    return { articleId, version: d.to.number, summary: d.summary, at: last.at };
  }

  /** What changed since the reader read it. */
  async diff(articleId: number): Promise<DiffAnswer> {
    try {
      return { diff: await this.#deps.config.client().diff(articleId) };
    } catch (e) {
      return { error: messageOf(e, 'Redline could not load the changes.') };
    }
  }

  /** Marks the article seen up to version; its banner goes from every tab. */
  async seen(articleId: number, version: number): Promise<Done> {
    const { config, unseen, tabs } = this.#deps;
    try {
      await config.client().seen(articleId, version);
    } catch (e) {
      return { error: messageOf(e, 'Redline could not mark it seen.') };
    }
    // The article.seen event will arrive too; clear now so the badge is right at once.
    await unseen.seen(articleId, version);
    await tabs.tellArticle(articleId, { type: 'banner.hide', articleId });
    return {};
  }

  /** Asks the daemon to check the page at url for changes. */
  async track(url: string): Promise<Said> {
    try {
      await this.#deps.config.client().watch(url);
      return { message: 'Redline will check this page for changes.' };
    } catch (e) {
      if (e instanceof DaemonError && (e.status === 404 || e.status === 405)) return { error: 'This daemon cannot track pages yet: update Redline.' };
      return { error: messageOf(e, 'Redline could not track this page.') };
    }
  }

  /** How the daemon checks the page at url (null: it holds nothing of it). */
  async watch(url: string): Promise<{ watch: Watch | null } | { error: string }> {
    try {
      const a = await this.#deps.config.client().lookup(url);
      return { watch: a?.watch ?? null };
    } catch (e) {
      return { error: messageOf(e, 'Redline could not look this page up.') };
    }
  }

  /** Deletes every version of the page at url. */
  async forget(url: string): Promise<Said> {
    const { config, unseen, tabs } = this.#deps;
    try {
      const a = await config.client().lookup(url);
      if (!a) return { message: 'Redline holds nothing about this page.' };
      await config.client().forget(a.id);
      await unseen.forget(a.id);
      await tabs.tellArticle(a.id, { type: 'banner.hide', articleId: a.id });
      return { message: 'Redline forgot this page: every version of it is gone.' };
    } catch (e) {
      return { error: messageOf(e, 'Redline could not forget this page.') };
    }
  }
}
