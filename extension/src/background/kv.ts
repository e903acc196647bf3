// Storage plumbing for the background's stores (the capture queue, the
// site lists): the slice of storage.local they use, and a lock that keeps
// each read-edit-write step whole.

/** The slice of storage.local a store uses (tests pass a Map-backed one). */
export interface KeyValue {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

/**
 * Runs steps one at a time, in the order they were asked for: a step that
 * reads, edits and writes a stored state never interleaves with another.
 * A step that fails does not stop the ones after it.
 */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn, fn);
    this.#tail = run.catch(() => undefined);
    return run;
  }
}
