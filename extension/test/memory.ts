// storage.local for the tests: a Map, with values copied in and out as
// the browser's storage copies them.
import type { KeyValue } from '../src/background/kv';

export function memory(): KeyValue & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    async get(k) {
      const v = data.get(k);
      return v === undefined ? undefined : structuredClone(v);
    },
    async set(k, v) {
      data.set(k, structuredClone(v));
    },
  };
}
