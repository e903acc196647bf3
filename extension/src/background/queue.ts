// Captures wait here, in storage.local, until the daemon takes them: a
// reader's captures are never lost because the daemon was down, and they
// reach it in the order they were read. The queue is bounded; when full,
// the oldest capture gives way and the loss is counted so the popup can
// say so.
//
// Each capture is for the daemon Redline was paired with when it was read
// (none when unpaired), and goes to that daemon only. Captures read while
// unpaired go to a daemon only once the user confirmed pairing with it on
// a page that said how many they are (adopt).
import type { Capture } from '../core/daemon';
import { type KeyValue, Serial } from './kv';

/** daemon: the address it is for; absent when read while unpaired. */
export type Queued = { seq: number; capture: Capture; tabId?: number; daemon?: string };

/** What happened to one capture sent to the daemon. */
export type SendResult = 'sent' | 'retry' | 'rejected';

/** v: 2 once every capture says which daemon it is for (older versions kept no address). */
type State = { v?: 2; next: number; items: Queued[]; dropped: number };

/** How many captures wait, and for which daemon. */
export type QueueStatus = {
  waiting: number;
  dropped: number;
  /** Captures read while unpaired, and the newest one's seq (0 when none). */
  unpaired: number;
  unpairedThrough: number;
  /** Captures for each daemon address. */
  byDaemon: Record<string, number>;
};

export const QUEUE_KEY = 'queue';
export const MAX_QUEUED = 200;
/** storage.local holds about 10 MB without the unlimitedStorage permission. */
export const MAX_QUEUED_BYTES = 6 * 1024 * 1024;

const size = (q: Queued): number => JSON.stringify(q.capture).length;

export class CaptureQueue {
  #kv: KeyValue;
  // Every change reads, edits and writes the whole state under one lock:
  // the background has one queue, and its steps never interleave.
  #serial = new Serial();

  constructor(kv: KeyValue) {
    this.#kv = kv;
  }

  async #load(): Promise<State> {
    const raw = (await this.#kv.get(QUEUE_KEY)) as Partial<State> | undefined;
    return {
      ...(raw?.v === 2 ? { v: 2 as const } : {}),
      next: typeof raw?.next === 'number' ? raw.next : 1,
      items: Array.isArray(raw?.items) ? raw.items.map((q) => (typeof q.daemon === 'string' ? q : { seq: q.seq, capture: q.capture, ...(q.tabId === undefined ? {} : { tabId: q.tabId }) })) : [],
      dropped: typeof raw?.dropped === 'number' ? raw.dropped : 0,
    };
  }

  /**
   * Gives the captures an older version queued (which kept no address) the
   * daemon they were meant for: the one paired now (it would have sent
   * them there), or none when unpaired, so that they wait for the user to
   * confirm a pairing. Runs once; later calls change nothing.
   */
  migrate(paired: string | undefined): Promise<void> {
    return this.#serial.run(async () => {
      const st = await this.#load();
      if (st.v === 2) return;
      if (paired !== undefined) st.items = st.items.map((q) => ({ ...q, daemon: paired }));
      st.v = 2;
      await this.#kv.set(QUEUE_KEY, st);
    });
  }

  /** Adds a capture for daemon (undefined: read while unpaired) at the end; drops the oldest ones beyond the bounds. */
  add(capture: Capture, tabId?: number, daemon?: string): Promise<void> {
    return this.#serial.run(async () => {
      const st = await this.#load();
      st.items.push({ seq: st.next++, capture, ...(tabId === undefined ? {} : { tabId }), ...(daemon === undefined ? {} : { daemon }) });
      let bytes = st.items.reduce((n, q) => n + size(q), 0);
      while (st.items.length > 1 && (st.items.length > MAX_QUEUED || bytes > MAX_QUEUED_BYTES)) {
        const gone = st.items.shift();
        if (gone) bytes -= size(gone);
        st.dropped++;
      }
      await this.#kv.set(QUEUE_KEY, st);
    });
  }

  /** How many captures wait, for which daemon, and how many were dropped because the queue was full. */
  async status(): Promise<QueueStatus> {
    const st = await this.#serial.run(() => this.#load());
    const byDaemon: Record<string, number> = {};
    let unpaired = 0;
    let unpairedThrough = 0;
    for (const q of st.items) {
      if (q.daemon === undefined) {
        unpaired++;
        unpairedThrough = Math.max(unpairedThrough, q.seq);
      } else {
        byDaemon[q.daemon] = (byDaemon[q.daemon] ?? 0) + 1;
      }
    }
    return { waiting: st.items.length, dropped: st.dropped, unpaired, unpairedThrough, byDaemon };
  }

  /**
   * Makes the captures read while unpaired, up to seq through (those the
   * user was shown), captures for daemon. Returns how many.
   */
  adopt(daemon: string, through: number): Promise<number> {
    return this.#serial.run(async () => {
      const st = await this.#load();
      let n = 0;
      st.items = st.items.map((q) => {
        if (q.daemon !== undefined || q.seq > through) return q;
        n++;
        return { ...q, daemon };
      });
      if (n > 0) await this.#kv.set(QUEUE_KEY, st);
      return n;
    });
  }

  /** Drops the captures waiting for daemon (null: those read while unpaired). Returns how many. */
  discard(daemon: string | null): Promise<number> {
    return this.#serial.run(async () => {
      const st = await this.#load();
      const before = st.items.length;
      st.items = st.items.filter((q) => (q.daemon ?? null) !== daemon);
      if (st.items.length !== before) await this.#kv.set(QUEUE_KEY, st);
      return before - st.items.length;
    });
  }

  /**
   * Sends the captures waiting for daemon in order, oldest first, each
   * removed once the daemon took it (or refused it for good: it would be
   * refused forever). Stops at the first one to retry later. Captures for
   * another daemon, or read while unpaired, stay. Returns how many left
   * the queue.
   */
  flush(daemon: string, send: (q: Queued) => Promise<SendResult>): Promise<number> {
    return this.#serial.run(async () => {
      let done = 0;
      for (;;) {
        const st = await this.#load();
        const head = st.items.find((q) => q.daemon === daemon);
        if (!head) return done;
        const result = await send(head);
        if (result === 'retry') return done;
        // Re-read: add() cannot run meanwhile (same lock), but be exact
        // about which item leaves.
        const now = await this.#load();
        now.items = now.items.filter((q) => q.seq !== head.seq);
        await this.#kv.set(QUEUE_KEY, now);
        done++;
      }
    });
  }
}
