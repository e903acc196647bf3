// What each tab shows: the page's URL (from its last hello) and the
// article, once known. The background tells the tabs showing an article
// when its banner should show or hide; a page may ask only about the
// article its tab shows. Kept in storage.session across the background's
// sleeps (in memory only where the browser has none).
import { ext } from '../core/browser';
import type { TabMessage } from '../core/messages';
import { session } from './storage';

export type TabPage = { url: string; articleId: number | null };

const TABS_KEY = 'tabs';

export class Tabs {
  #pages = new Map<number, TabPage>();

  /** Reads the map kept before the background last slept. */
  async load(): Promise<void> {
    try {
      const kept = (await session.get(TABS_KEY)) ?? {};
      for (const [tab, page] of Object.entries(kept as Record<string, TabPage>)) this.#pages.set(Number(tab), page);
    } catch {
      // No session storage: the map starts empty.
    }
  }

  async #save(): Promise<void> {
    try {
      await session.set(TABS_KEY, Object.fromEntries(this.#pages));
    } catch {
      // Memory only.
    }
  }

  /** What tab shows, if the background heard from it. */
  get(tabId: number): TabPage | undefined {
    return this.#pages.get(tabId);
  }

  /** Records what a tab shows now. */
  async remember(tabId: number | undefined, page: TabPage): Promise<void> {
    if (tabId === undefined) return;
    this.#pages.set(tabId, page);
    await this.#save();
  }

  /** Forgets a closed tab. */
  closed(tabId: number): void {
    if (this.#pages.delete(tabId)) void this.#save();
  }

  /** Tells one tab; a tab that is gone or has no content script is passed over. */
  async tell(tabId: number, msg: TabMessage, options?: chrome.tabs.MessageSendOptions): Promise<void> {
    const sent = options === undefined ? ext.tabs.sendMessage(tabId, msg) : ext.tabs.sendMessage(tabId, msg, options);
    await sent.catch(() => undefined);
  }

  /** Tells every tab that shows the article. */
  async tellArticle(articleId: number, msg: TabMessage): Promise<void> {
    for (const [tabId, page] of this.#pages) {
      if (page.articleId === articleId) await this.tell(tabId, msg);
    }
  }
}
