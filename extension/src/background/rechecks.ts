// Takes the re-check jobs the daemon offers on the event stream and does
// each (recheck.ts): the page is read where the background reads every
// page (reader.ts: Firefox's background page, Chrome's offscreen
// document). Nothing here opens a tab or a window.
import { ext } from '../core/browser';
import type { Config } from './config';
import type { PageReader } from './reader';
import { fetchWithSession, type RecheckRequest, runRecheck } from './recheck';
import type { SiteLists } from './sites';

export class Rechecks {
  #config: Config;
  #sites: SiteLists;
  #ready: Promise<unknown>;
  #reader: PageReader;

  constructor(deps: { config: Config; sites: SiteLists; ready: Promise<unknown>; reader: PageReader }) {
    this.#config = deps.config;
    this.#sites = deps.sites;
    this.#ready = deps.ready;
    this.#reader = deps.reader;
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
      parse: (html, url) => this.#reader.read({ html, url }),
      now: () => new Date(),
    });
    try {
      await this.#config.client().answerRecheck(req.job_id, answer);
    } catch {
      // The daemon left or the job was taken back: it is offered again.
    }
  }
}
