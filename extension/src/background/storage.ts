// The browser's storage as the background's features use it.
// storage.local keeps what must outlive a restart of the browser: the
// settings, the token, the queue, the site lists, the unseen changes.
// storage.session keeps, while the browser runs and through the
// background's sleeps, what is only for now (which tab shows which
// article, the pending pairing); content scripts cannot read it.
import { ext } from '../core/browser';
import type { KeyValue } from './kv';

export const local: KeyValue = {
  async get(key) {
    return (await ext.storage.local.get(key))[key];
  },
  async set(key, value) {
    await ext.storage.local.set({ [key]: value });
  },
};

/** storage.session; each call fails where the browser has none, and its caller keeps the value in memory instead. */
export const session = {
  async get(key: string): Promise<unknown> {
    return (await ext.storage.session.get(key))[key];
  },
  async set(key: string, value: unknown): Promise<void> {
    await ext.storage.session.set({ [key]: value });
  },
  async remove(key: string): Promise<void> {
    await ext.storage.session.remove(key);
  },
};
