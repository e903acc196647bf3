// Which sites Redline keeps is the daemon's to say: it holds one allow
// list and one deny list, which its dashboard and the extension's options
// both show (GET/POST /api/v1/settings/sites). The extension keeps a copy
// in storage.local, so a denied site is not even captured while the daemon
// is down. Lists that older versions kept in the extension's own settings
// wait here until they are moved to the daemon, and count meanwhile.
import { hasSites, legacySiteRules, mergeSiteRules, noSiteRules, normalizeSiteRules, type SiteRules } from '../core/settings';
import { type KeyValue, Serial } from './kv';

/** The daemon's lists as last seen. */
export const SITES_KEY = 'sites';
/** Lists from the extension's own settings, not yet at the daemon. */
export const SITES_TO_MOVE_KEY = 'sitesToMove';

/** The daemon's endpoints for the lists (DaemonClient's, bound to one daemon and token). */
export interface SiteAPI {
  get(): Promise<SiteRules>;
  set(lists: Partial<SiteRules>): Promise<SiteRules>;
}

export class SiteLists {
  #kv: KeyValue;
  #daemon: SiteRules = noSiteRules;
  #toMove: SiteRules = noSiteRules;
  #serial = new Serial();

  constructor(kv: KeyValue) {
    this.#kv = kv;
  }

  /**
   * Reads the copy and the lists still to move; rawSettings are the stored
   * settings, whose own lists (from an older version) join those to move.
   * Call before the settings are written back without them.
   */
  load(rawSettings: unknown): Promise<void> {
    return this.#serial.run(async () => {
      this.#daemon = normalizeSiteRules(await this.#kv.get(SITES_KEY));
      this.#toMove = normalizeSiteRules(await this.#kv.get(SITES_TO_MOVE_KEY));
      const legacy = legacySiteRules(rawSettings);
      if (hasSites(legacy)) {
        this.#toMove = mergeSiteRules(this.#toMove, legacy);
        await this.#kv.set(SITES_TO_MOVE_KEY, this.#toMove);
      }
    });
  }

  /** The lists captures obey now: the daemon's, and those still to move. */
  rules(): SiteRules {
    return mergeSiteRules(this.#daemon, this.#toMove);
  }

  /** Whether some sites still wait to be moved to the daemon. */
  moving(): boolean {
    return hasSites(this.#toMove);
  }

  /**
   * Reads the daemon's lists, first adding to them the sites still to move
   * (which are forgotten here only once the daemon kept them). Throws when
   * the daemon cannot be reached or refuses; the copy stays as it was.
   */
  sync(api: SiteAPI): Promise<SiteRules> {
    return this.#serial.run(() => this.#sync(api));
  }

  async #sync(api: SiteAPI): Promise<SiteRules> {
    let got = normalizeSiteRules(await api.get());
    if (hasSites(this.#toMove)) {
      const merged = mergeSiteRules(got, this.#toMove);
      const lists: Partial<SiteRules> = {};
      if (this.#toMove.allow.length > 0) lists.allow = merged.allow;
      if (this.#toMove.deny.length > 0) lists.deny = merged.deny;
      got = normalizeSiteRules(await api.set(lists));
      this.#toMove = noSiteRules;
      await this.#kv.set(SITES_TO_MOVE_KEY, this.#toMove);
    }
    this.#daemon = got;
    await this.#kv.set(SITES_KEY, got);
    return got;
  }

  /**
   * Replaces the daemon's lists with what the user wrote (the lists given;
   * the sites still to move were shown to them, so they are moved first).
   * Throws with the daemon's message when it refuses; nothing changes then.
   */
  save(api: SiteAPI, lists: Partial<SiteRules>): Promise<SiteRules> {
    return this.#serial.run(async () => {
      await this.#sync(api);
      const got = normalizeSiteRules(await api.set(lists));
      this.#daemon = got;
      await this.#kv.set(SITES_KEY, got);
      return got;
    });
  }
}
