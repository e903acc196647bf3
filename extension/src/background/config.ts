// The pairing as stored: the daemon's address (in the settings) and its
// token, with the user's other choices of this browser. The address
// changes only by pairing (pair), which the user confirmed on an
// extension page; a token goes only to the address it was paired with.
import { ext } from '../core/browser';
import { daemonOrigin, normalizeSettings, type Settings } from '../core/settings';
import { DaemonClient } from './client';
import type { AlertAPI } from './policy';
import type { SiteAPI } from './sites';

export class Config {
  #settings: Settings = normalizeSettings({});
  #token = '';

  /**
   * Takes the settings and token as stored. Site lists an older version
   * kept in the settings are dropped from them here: read them first
   * (SiteLists.load).
   */
  async load(rawSettings: unknown, rawToken: unknown): Promise<void> {
    this.#settings = normalizeSettings(rawSettings);
    if (typeof rawSettings === 'object' && rawSettings !== null && ('deny' in rawSettings || 'allow' in rawSettings)) {
      await ext.storage.local.set({ settings: this.#settings });
    }
    this.#token = typeof rawToken === 'string' ? rawToken : '';
    // When storage holds no valid address (normalizeSettings put the
    // default there), Redline is unpaired rather than paired with a daemon
    // the user never confirmed.
    const stored = (rawSettings as { daemon?: unknown } | null | undefined)?.daemon;
    if (this.#token !== '' && (typeof stored !== 'string' || daemonOrigin(stored) !== this.#settings.daemon)) {
      this.#token = '';
      await ext.storage.local.set({ token: this.#token });
    }
  }

  get settings(): Settings {
    return this.#settings;
  }

  get token(): string {
    return this.#token;
  }

  get paired(): boolean {
    return this.#token !== '';
  }

  /** The daemon captures read now are for: the paired one; none when unpaired. */
  get daemon(): string | undefined {
    return this.paired ? this.#settings.daemon : undefined;
  }

  /** The paired daemon (or, unpaired, the address in the settings, with no token). */
  client(): DaemonClient {
    return new DaemonClient(this.#settings.daemon, this.#token);
  }

  /** The daemon's site lists, at the paired daemon. */
  siteAPI(): SiteAPI {
    const c = this.client();
    return { get: () => c.siteRules(), set: (lists) => c.setSiteRules(lists) };
  }

  /** The daemon's alert policy, at the paired daemon. */
  alertAPI(): AlertAPI {
    const c = this.client();
    return { get: () => c.alertOn(), set: (p) => c.setAlertOn(p) };
  }

  /** Applies the user's choices and keeps them; the address is not among them. */
  async choose(choices: Record<string, unknown>): Promise<{ settings: Settings } | { error: string }> {
    if ('daemon' in choices) return { error: 'The daemon’s address changes only by pairing: run `redline pair`, or enter the token by hand.' };
    this.#settings = { ...normalizeSettings({ ...this.#settings, ...choices }), daemon: this.#settings.daemon };
    await ext.storage.local.set({ settings: this.#settings });
    return { settings: this.#settings };
  }

  /**
   * Pairs with the daemon at origin, which the user confirmed. The new
   * address and token hold from the call on; the promise is their write.
   */
  pair(origin: string, token: string): Promise<void> {
    this.#settings = { ...this.#settings, daemon: origin };
    this.#token = token;
    return ext.storage.local.set({ settings: this.#settings, token: this.#token });
  }

  /** Forgets the token (the address stays, to pair again). */
  async unpair(): Promise<void> {
    this.#token = '';
    await ext.storage.local.set({ token: this.#token });
  }
}
