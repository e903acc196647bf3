// Pairing through the daemon's one-time link, confirmed by the user. The
// /pair page's content script hands over the code in its fragment; the
// background only remembers it as the pending pairing (the page's origin
// as the daemon's address, for as long as the daemon's code lives) and
// opens its own confirmation page. That page shows the address and port,
// what Redline is paired with now and which waiting captures would go
// there; only the Pair button there trades the code for the token.
// Another program on this computer can serve a /pair page of its own on
// another port, while the daemon is down or before the extension was ever
// paired: without the user's click it gets nothing, not even the code.

/** A pairing link the user has yet to confirm. */
export type Pending = {
  /** Names this pending pairing: the confirmation page confirms this one and no newer one. */
  id: string;
  /** The daemon's origin, e.g. http://127.0.0.1:7710. */
  address: string;
  code: string;
  /** When the code stops working (ms since the epoch), as the daemon's does. */
  expires: number;
  /** The tab of the /pair page, told how it went. */
  pairTab?: number;
  /** The confirmation page's tab, focused again rather than opened twice. */
  confirmTab?: number;
};

/** How long the daemon keeps a pairing code (PairingTTL): 10 minutes. */
export const PENDING_TTL_MS = 10 * 60 * 1000;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The pending pairing a /pair page at pageURL asks for, or a message for
 * the user when that page may not ask: only http on loopback, path /pair.
 */
export function pendingFromLink(pageURL: string, code: string, now: number, id: string): Pending | { error: string } {
  let page: URL;
  try {
    page = new URL(pageURL);
  } catch {
    return { error: 'Redline pairs only with a daemon on this computer.' };
  }
  if (page.protocol !== 'http:' || !LOOPBACK.has(page.hostname) || page.pathname !== '/pair' || page.username !== '' || page.password !== '') {
    return { error: 'Redline pairs only with a daemon on this computer.' };
  }
  if (!/^[0-9a-f]{32}$/.test(code)) return { error: 'This pairing link is incomplete. Run redline pair again and open the link it prints.' };
  return { id, address: page.origin, code, expires: now + PENDING_TTL_MS };
}

/** Where the pending pairing is kept: storage.session where the browser has it, else memory. */
export interface PendingStorage {
  get(): Promise<unknown>;
  set(p: Pending | null): Promise<void>;
}

const isPending = (v: unknown): v is Pending => {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  const tab = (t: unknown): boolean => t === undefined || (typeof t === 'number' && Number.isSafeInteger(t));
  return typeof p.id === 'string' && typeof p.address === 'string' && typeof p.code === 'string' && typeof p.expires === 'number' && tab(p.pairTab) && tab(p.confirmTab);
};

/** The one pending pairing: a newer link replaces an older one; an expired one is gone. */
export class PendingPairing {
  #store: PendingStorage;

  constructor(store: PendingStorage) {
    this.#store = store;
  }

  /** The pending pairing, unless there is none or its code has expired. */
  async current(now: number): Promise<Pending | null> {
    const p = await this.#store.get();
    if (!isPending(p)) return null;
    if (p.expires <= now) {
      await this.#store.set(null);
      return null;
    }
    return p;
  }

  /** Keeps p in place of any older pending pairing; returns the one it replaced. */
  async replace(p: Pending): Promise<Pending | null> {
    const old = await this.#store.get();
    await this.#store.set(p);
    return isPending(old) ? old : null;
  }

  /** Records the confirmation page's tab for p, if p is still the pending one. */
  async setConfirmTab(id: string, tab: number): Promise<void> {
    const p = await this.#store.get();
    if (isPending(p) && p.id === id) await this.#store.set({ ...p, confirmTab: tab });
  }

  /** Takes the pending pairing named id out (to confirm or cancel it); null when it is no longer the pending one. */
  async take(id: string, now: number): Promise<Pending | null> {
    const p = await this.current(now);
    if (!p || p.id !== id) return null;
    await this.#store.set(null);
    return p;
  }
}

/** Trades the code for the token at the address; throws with a message for the user. */
export type Claim = (address: string, code: string) => Promise<{ token: string }>;

export type PairingResult = { ok: true; address: string; token: string; message: string } | { ok: false; message: string };

/** Claims the token of a pending pairing the user confirmed. */
export async function claimPending(p: Pending, claim: Claim): Promise<PairingResult> {
  let claimed: { token: string };
  try {
    claimed = await claim(p.address, p.code);
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : 'Pairing failed.' };
  }
  if (typeof claimed?.token !== 'string' || !/^[0-9a-f]{64}$/.test(claimed.token)) {
    return { ok: false, message: 'The daemon answered with something that is not a Redline token.' };
  }
  return { ok: true, address: p.address, token: claimed.token, message: `Paired with the daemon at ${p.address}: Redline will now keep the articles you read. You can close this tab.` };
}
