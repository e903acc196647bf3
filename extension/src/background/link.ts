// The link to the paired daemon: pairing and unpairing, and keeping in
// touch. When the event stream connects, and at every alarm (the browser
// may have stopped the background meanwhile), it reconnects, sends the
// captures that wait and refreshes the copy of the site lists.
import type { Captures } from './captures';
import type { Config } from './config';
import type { Live } from './live';
import type { SiteLists } from './sites';
import type { Unseen } from './unseen';

export type LinkDeps = { config: Config; unseen: Unseen; captures: Captures; live: Live; sites: SiteLists };

export class Link {
  #deps: LinkDeps;

  constructor(deps: LinkDeps) {
    this.#deps = deps;
  }

  /**
   * Pairs with the daemon at origin, which the user confirmed on an
   * extension page (the confirmation page, or the token typed in the
   * options): the only way the address changes. The captures read while
   * unpaired that the page said would go there (up to seq through) go with
   * the daemon's own.
   */
  async pair(origin: string, token: string, through: number): Promise<void> {
    const { config, unseen, captures, live } = this.#deps;
    // Another daemon has another event log. Both states change at once; the
    // changes are written first, so that a background stopped between the
    // two writes replays the old daemon's log rather than keep its ids.
    const writes = origin === config.settings.daemon ? [] : [unseen.reset()];
    writes.push(config.pair(origin, token));
    await Promise.all(writes);
    await captures.adopt(origin, through);
    live.restart();
    void captures.flush();
    void this.syncSites();
  }

  /** Forgets the token. The captures waiting for this daemon stay for it (they go if it is paired again); the options offer to discard them. */
  async unpair(): Promise<void> {
    await this.#deps.config.unpair();
    this.#deps.live.stop();
  }

  /** Refreshes the copy of the daemon's site lists (moving old local ones there); quiet when it cannot. */
  async syncSites(): Promise<void> {
    const { config, sites } = this.#deps;
    if (!config.paired) return;
    await sites.sync(config.siteAPI()).catch(() => undefined);
  }

  /** The event stream connected. */
  connected(): void {
    void this.#deps.captures.flush();
    void this.syncSites();
  }

  /** Once loaded: connect, send what waits. */
  start(): void {
    this.#deps.live.ensure();
    void this.#deps.captures.flush();
  }

  /** The alarm: as start, and the site lists while connected (the dashboard may have changed them). */
  wake(): void {
    this.start();
    if (this.#deps.live.state === 'connected') void this.syncSites();
  }
}
