// The changes the reader has not seen yet (changes.ts folds them from the
// event log), kept in storage.local and counted on the toolbar badge. What
// it shows (the badge, the list, an article's change) is what alerts under
// the user's policy, which it asks for each time: a new policy shows at
// the next paint.
import type { AlertOn } from '../core/alerts';
import { ext } from '../core/browser';
import type { ArticleEvent } from '../core/daemon';
import { alertingChange, applyEvent, badgeText, type Change, type Changes, emptyChanges, listChanges } from './changes';

export class Unseen {
  #changes: Changes = emptyChanges();
  #policy: () => AlertOn;

  constructor(policy: () => AlertOn) {
    this.#policy = policy;
  }

  /** Takes the changes as stored, when they are. */
  load(raw: unknown): void {
    const c = raw as Changes | undefined;
    if (c && typeof c.lastEventID === 'number' && typeof c.byArticle === 'object') this.#changes = c;
  }

  async #save(): Promise<void> {
    await ext.storage.local.set({ changes: this.#changes });
    await this.paint();
  }

  /** Shows the count on the badge. */
  async paint(): Promise<void> {
    await ext.action.setBadgeBackgroundColor({ color: '#c62828' });
    await ext.action.setBadgeText({ text: badgeText(this.#changes, this.#policy()) });
  }

  /** The id of the last event handled (0: none yet). */
  get lastEventID(): number {
    return this.#changes.lastEventID;
  }

  /** The article's unseen change, if it has one that alerts. */
  of(articleId: number | string): Change | undefined {
    return alertingChange(this.#changes, articleId, this.#policy());
  }

  /** The changes that alert, newest first. */
  list(): Change[] {
    return listChanges(this.#changes, this.#policy());
  }

  /** Folds in an event from the daemon; returns the article's unseen change after it, if it alerts. */
  async apply(e: ArticleEvent): Promise<Change | undefined> {
    this.#changes = applyEvent(this.#changes, e);
    await this.#save();
    return this.of(e.article_id);
  }

  /** The reader saw the article up to version: its change (alerting or not) goes once it is seen whole. */
  async seen(articleId: number, version: number): Promise<void> {
    const c = this.#changes.byArticle[String(articleId)];
    if (c && version >= c.to) await this.forget(articleId);
  }

  /** The article is gone: so is its change. */
  async forget(articleId: number): Promise<void> {
    const byArticle = { ...this.#changes.byArticle };
    delete byArticle[String(articleId)];
    this.#changes = { ...this.#changes, byArticle };
    await this.#save();
  }

  /**
   * Starts again from nothing, for another daemon (another event log).
   * The new state holds from the call on; the promise is its write.
   */
  reset(): Promise<void> {
    this.#changes = emptyChanges();
    return this.#save();
  }
}
