// Takes the re-check jobs the daemon offers on the event stream and does
// each (recheck.ts): the page is read with a DOMParser where the
// background has one (Firefox's background page), else in Chrome's
// offscreen document, made when first needed. Nothing here opens a tab or
// a window.
import { ext } from '../core/browser';
import type { PageCapture } from '../core/messages';
import type { Config } from './config';
import { fetchWithSession, type RecheckRequest, runRecheck } from './recheck';
import { parseArticle } from './recheckparse';
import type { SiteLists } from './sites';

const OFFSCREEN = 'offscreen.html';

type OffscreenAPI = {
  createDocument(p: { url: string; reasons: string[]; justification: string }): Promise<void>;
  hasDocument?: () => Promise<boolean>;
};

export class Rechecks {
  #config: Config;
  #sites: SiteLists;
  #ready: Promise<unknown>;
  #offscreen: Promise<void> | null = null;

  constructor(deps: { config: Config; sites: SiteLists; ready: Promise<unknown> }) {
    this.#config = deps.config;
    this.#sites = deps.sites;
    this.#ready = deps.ready;
  }

  /** Does a job the daemon offered, and answers it. */
  take(req: RecheckRequest): void {
    void this.#run(req);
  }

  async #run(req: RecheckRequest): Promise<void> {
    await this.#ready;
    const answer = await runRecheck(req, {
      settings: () => this.#config.settings,
      inPrivate: () => ext.extension?.inIncognitoContext === true,
      sites: () => this.#sites.rules(),
      fetchPage: fetchWithSession,
      parse: (html, url) => this.#parse(html, url),
      now: () => new Date(),
    });
    try {
      await this.#config.client().answerRecheck(req.job_id, answer);
    } catch {
      // The daemon left or the job was taken back: it is offered again.
    }
  }

  async #parse(html: string, url: string): Promise<PageCapture | null> {
    if (typeof DOMParser !== 'undefined') return parseArticle(html, url, new DOMParser());
    await this.#ensureOffscreen();
    const r = (await ext.runtime.sendMessage({ type: 'offscreen.parse', html, url })) as { capture?: PageCapture | null } | undefined;
    return r?.capture ?? null;
  }

  #ensureOffscreen(): Promise<void> {
    const api = (ext as unknown as { offscreen?: OffscreenAPI }).offscreen;
    if (!api) return Promise.reject(new Error('no offscreen documents in this browser'));
    this.#offscreen ??= (async () => {
      if (api.hasDocument && (await api.hasDocument())) return;
      try {
        await api.createDocument({ url: OFFSCREEN, reasons: ['DOM_PARSER'], justification: 'Read the article out of a page fetched for a re-check, without opening it in a tab.' });
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
