// Captures wait here, in storage.local, until the daemon takes them: a
// reader's captures are never lost because the daemon was down, and they
// reach it in the order they were read. The queue is bounded; when full,
// the oldest capture gives way and the loss is counted so the popup can
// say so.
import type { Capture } from '../core/daemon';

/** The slice of storage.local the queue uses (tests pass a Map-backed one). */
export interface KeyValue {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

export type Queued = { seq: number; capture: Capture; tabId?: number };

/** What happened to one capture sent to the daemon. */
export type SendResult = 'sent' | 'retry' | 'rejected';

type State = { next: number; items: Queued[]; dropped: number };

export const QUEUE_KEY = 'queue';
export const MAX_QUEUED = 200;
/** storage.local holds about 10 MB without the unlimitedStorage permission. */
export const MAX_QUEUED_BYTES = 6 * 1024 * 1024;

const size = (q: Queued): number => JSON.stringify(q.capture).length;

export class CaptureQueue {
  #kv: KeyValue;
  #lock: Promise<unknown> = Promise.resolve();

  constructor(kv: KeyValue) {
    this.#kv = kv;
  }

  // Every change reads, edits and writes the whole state under one lock:
  // the background has one queue, and its steps never interleave.
  #locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  async #load(): Promise<State> {
    const raw = (await this.#kv.get(QUEUE_KEY)) as Partial<State> | undefined;
    return {
      next: typeof raw?.next === 'number' ? raw.next : 1,
      items: Array.isArray(raw?.items) ? raw.items : [],
      dropped: typeof raw?.dropped === 'number' ? raw.dropped : 0,
    };
  }

  /** Adds a capture at the end; drops the oldest ones beyond the bounds. */
  add(capture: Capture, tabId?: number): Promise<void> {
    return this.#locked(async () => {
      const st = await this.#load();
      st.items.push({ seq: st.next++, capture, ...(tabId === undefined ? {} : { tabId }) });
      let bytes = st.items.reduce((n, q) => n + size(q), 0);
      while (st.items.length > 1 && (st.items.length > MAX_QUEUED || bytes > MAX_QUEUED_BYTES)) {
        const gone = st.items.shift();
        if (gone) bytes -= size(gone);
        st.dropped++;
      }
      await this.#kv.set(QUEUE_KEY, st);
    });
  }

  /** How many captures wait, and how many were dropped because the queue was full. */
  async status(): Promise<{ waiting: number; dropped: number }> {
    const st = await this.#locked(() => this.#load());
    return { waiting: st.items.length, dropped: st.dropped };
  }

  /**
   * Sends the waiting captures in order, oldest first, each removed once
   * the daemon took it (or refused it for good: it would be refused
   * forever). Stops at the first one to retry later. Returns how many left
   * the queue.
   */
  flush(send: (q: Queued) => Promise<SendResult>): Promise<number> {
    return this.#locked(async () => {
      let done = 0;
      for (;;) {
        const st = await this.#load();
        const head = st.items[0];
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
