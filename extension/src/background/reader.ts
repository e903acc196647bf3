// Where the background reads pages (pageread.ts): with a DOMParser where
// it has one (Firefox's background page), else in Chrome's offscreen
// document, made when first needed and found again by a worker woken
// later. Read captures and re-checks both come here.
import { ext } from '../core/browser';
import type { PageCapture } from '../core/messages';
import { type PageRead, readPage } from './pageread';

const OFFSCREEN = 'offscreen.html';

type OffscreenAPI = {
  createDocument(p: { url: string; reasons: string[]; justification: string }): Promise<void>;
  hasDocument?: () => Promise<boolean>;
};

export class PageReader {
  #offscreen: Promise<void> | null = null;

  /** Reads the article out of a page's HTML (null: none). */
  async read(req: PageRead): Promise<PageCapture | null> {
    if (typeof DOMParser !== 'undefined') return readPage(req, new DOMParser());
    await this.#ensureOffscreen();
    const r = (await ext.runtime.sendMessage({ type: 'offscreen.read', ...req })) as { capture?: PageCapture | null } | undefined;
    return r?.capture ?? null;
  }

  #ensureOffscreen(): Promise<void> {
    const api = (ext as unknown as { offscreen?: OffscreenAPI }).offscreen;
    if (!api) return Promise.reject(new Error('no offscreen documents in this browser'));
    this.#offscreen ??= (async () => {
      if (api.hasDocument && (await api.hasDocument())) return;
      try {
        await api.createDocument({ url: OFFSCREEN, reasons: ['DOM_PARSER'], justification: 'Read the article out of a page, off the page’s own main thread: the page the reader reads, or one fetched for a re-check, without opening it in a tab.' });
      } catch (e) {
        // Only one offscreen document may exist: a worker woken again finds the one it made.
        if (!(e instanceof Error && /single offscreen|only a single/i.test(e.message))) {
          this.#offscreen = null;
          throw e;
        }
      }
    })();
    return this.#offscreen;
  }
}
