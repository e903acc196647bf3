// Pairing as the user goes through it (pairing.ts holds its rules). A
// /pair page hands over its code (pair.request): it becomes the pending
// pairing and the extension's confirmation page opens, or comes to the
// front. That page asks what waits (confirm.state) and answers: Pair
// claims the token and pairs, Cancel or closing the tab drops it. The
// /pair page hears how it went (pair.result).
import { ext } from '../core/browser';
import { CONFIRM_PAGE } from '../core/messages';
import type { ConfirmState, PairAnswer } from '../core/replies';
import type { Captures } from './captures';
import { DaemonClient } from './client';
import type { Config } from './config';
import { claimPending, type Pending, PendingPairing, type PendingStorage, pendingFromLink } from './pairing';
import type { Handlers, MessageSender } from './router';
import { session } from './storage';
import type { Tabs } from './tabs';

export type PairFlowDeps = {
  config: Config;
  tabs: Tabs;
  captures: Captures;
  /** Pairs with the daemon at origin, sending it the captures read while unpaired up to seq through. */
  pair: (origin: string, token: string, through: number) => Promise<void>;
};

const PENDING_KEY = 'pairPending';

/**
 * The pending pairing lives in storage.session (kept while the browser
 * runs, through the background's sleeps, and never shown to content
 * scripts); where the browser has none, in memory: a background that went
 * to sleep then forgets it, and the confirmation page says to open the
 * link again.
 */
function pendingStorage(): PendingStorage {
  let inMemory: Pending | undefined;
  return {
    async get() {
      try {
        return await session.get(PENDING_KEY);
      } catch {
        return inMemory;
      }
    },
    async set(p) {
      try {
        if (p === null) await session.remove(PENDING_KEY);
        else await session.set(PENDING_KEY, p);
      } catch {
        inMemory = p ?? undefined;
      }
    },
  };
}

export class PairFlow {
  #deps: PairFlowDeps;
  #pendings = new PendingPairing(pendingStorage());

  constructor(deps: PairFlowDeps) {
    this.#deps = deps;
  }

  handlers(): Pick<Handlers, 'pair.request' | 'confirm.state' | 'confirm.pair' | 'confirm.cancel'> {
    return {
      'pair.request': (msg, sender) => this.#request(msg.code, sender),
      'confirm.state': () => this.#state(),
      'confirm.pair': (msg) => this.#confirm(msg.id, msg.through),
      'confirm.cancel': (msg) => this.#cancel(msg.id),
    };
  }

  /** Tells the /pair page of p how its pairing went. */
  async #tell(p: Pending, ok: boolean, message: string): Promise<void> {
    if (p.pairTab === undefined) return;
    await this.#deps.tabs.tell(p.pairTab, { type: 'pair.result', ok, message }, { frameId: 0 });
  }

  /**
   * A /pair page handed over its code: it becomes the pending pairing (in
   * place of an older one), and the confirmation page shows it. Nothing is
   * claimed, saved or sent here.
   */
  async #request(code: string, sender: MessageSender): Promise<PairAnswer> {
    const p = pendingFromLink(sender.url ?? '', code, Date.now(), crypto.randomUUID());
    if ('error' in p) return { ok: false, message: p.error };
    if (sender.tab?.id !== undefined) p.pairTab = sender.tab.id;
    const older = await this.#pendings.replace(p);
    if (older && older.pairTab !== undefined && older.pairTab !== p.pairTab) await this.#tell(older, false, 'A newer pairing link replaced this one: nothing was paired from this page.');
    await this.#showConfirmPage(p, sender.tab);
    return { ok: null, message: `Confirm in the Redline tab that opened: it shows the daemon to pair with (${p.address}).` };
  }

  /** Focuses the open confirmation page (telling it to show p), or opens one next to the /pair page. */
  async #showConfirmPage(p: Pending, near: chrome.tabs.Tab | undefined): Promise<void> {
    // An open confirmation page answers with its tab: it is reused, never doubled.
    const open = (await ext.runtime.sendMessage({ type: 'confirm.changed' }).catch(() => undefined)) as { tabId?: unknown } | undefined;
    let tab: chrome.tabs.Tab | undefined;
    if (typeof open?.tabId === 'number') tab = await ext.tabs.update(open.tabId, { active: true }).catch(() => undefined);
    tab ??= await ext.tabs.create({
      url: ext.runtime.getURL(CONFIRM_PAGE),
      ...(near?.windowId === undefined ? {} : { windowId: near.windowId }),
      ...(near?.index === undefined ? {} : { index: near.index + 1 }),
      ...(near?.id === undefined ? {} : { openerTabId: near.id }),
    });
    if (tab?.windowId !== undefined) await ext.windows?.update(tab.windowId, { focused: true }).catch(() => undefined);
    if (tab?.id !== undefined) await this.#pendings.setConfirmTab(p.id, tab.id);
  }

  async #state(): Promise<ConfirmState> {
    const p = await this.#pendings.current(Date.now());
    const { config, captures } = this.#deps;
    return {
      pending: p ? { id: p.id, address: p.address, expires: p.expires } : null,
      paired: config.paired ? config.settings.daemon : null,
      queue: await captures.view(),
    };
  }

  async #confirm(id: string, through: number): Promise<PairAnswer> {
    const p = await this.#pendings.take(id, Date.now());
    if (!p) return { ok: false, message: 'This pairing no longer waits: it expired, was cancelled, or a newer link replaced it. Nothing was paired.' };
    const r = await claimPending(p, (address, c) => new DaemonClient(address, '').claim(c));
    if (r.ok) await this.#deps.pair(r.address, r.token, through);
    await this.#tell(p, r.ok, r.message);
    return { ok: r.ok, message: r.message };
  }

  async #cancel(id: string): Promise<PairAnswer> {
    const p = await this.#pendings.take(id, Date.now());
    if (p) await this.#tell(p, false, 'Cancelled in the Redline tab: nothing was paired.');
    return { ok: false, message: 'Cancelled: Redline stays as it was.' };
  }

  /** Closing the confirmation page without an answer cancels the pairing. */
  async tabClosed(tabId: number): Promise<void> {
    const p = await this.#pendings.current(Date.now());
    if (p?.confirmTab !== tabId || !(await this.#pendings.take(p.id, Date.now()))) return;
    await this.#tell(p, false, 'The Redline tab was closed without pairing: nothing was paired.');
  }
}
