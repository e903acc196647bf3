// The alert policy as this browser knows it: the one the daemon said last
// (core/alerts.ts), kept in storage.local so that it holds while the
// daemon is away. Learned from the event stream, read and changed through
// the daemon's API (GET/POST /api/v1/settings/alerts).
import { type AlertOn, DEFAULT_ALERT_ON, parseAlertOn } from '../core/alerts';
import type { KeyValue } from './kv';

export const ALERT_ON_KEY = 'alertOn';

/** The daemon's endpoint for the policy (DaemonClient's, bound to one daemon and token). */
export interface AlertAPI {
  get(): Promise<AlertOn>;
  set(p: AlertOn): Promise<AlertOn>;
}

export class AlertPolicy {
  #kv: KeyValue;
  #on: AlertOn = DEFAULT_ALERT_ON;
  #changed: () => Promise<void> | void;

  /** changed runs after the policy in force changed (to repaint the badge). */
  constructor(kv: KeyValue, changed: () => Promise<void> | void = () => undefined) {
    this.#kv = kv;
    this.#changed = changed;
  }

  /** Takes the policy as stored (the default when none or not one). */
  async load(): Promise<void> {
    this.#on = parseAlertOn(await this.#kv.get(ALERT_ON_KEY)) ?? DEFAULT_ALERT_ON;
  }

  /** The policy in force. */
  get on(): AlertOn {
    return this.#on;
  }

  /** Takes the policy the daemon said; anything else is ignored. */
  async learn(raw: unknown): Promise<void> {
    const p = parseAlertOn(raw);
    if (p === null || p === this.#on) return;
    this.#on = p;
    await this.#kv.set(ALERT_ON_KEY, p);
    await this.#changed();
  }

  /** Reads the daemon's policy. Throws when it cannot; the copy stays. */
  async sync(api: AlertAPI): Promise<AlertOn> {
    await this.learn(await api.get());
    return this.#on;
  }

  /** Changes the daemon's policy to p. Throws with the daemon's message when it refuses; nothing changes then. */
  async save(api: AlertAPI, p: AlertOn): Promise<AlertOn> {
    await this.learn(await api.set(p));
    return this.#on;
  }
}
