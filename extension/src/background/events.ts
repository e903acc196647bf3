// One WebSocket to the daemon's event stream. The first message is the
// hello with the token and the last event id handled, so a reconnect gets
// every event it missed, in order, and none twice. An application ping
// every 20 s keeps Chrome's service worker alive while connected; after a
// drop it reconnects with backoff, and an alarm (set up by the caller)
// calls ensure() in case the worker or event page slept meanwhile.
import type { ArticleEvent } from '../core/daemon';
import { parseRecheckRequest, type RecheckRequest } from './recheck';

export type StreamState = 'idle' | 'connecting' | 'connected' | 'unauthorized' | 'offline';

export type StreamHooks = {
  url: () => string;
  token: () => string;
  /** The id of the last event fully handled (0 when none yet: replay everything). */
  lastEventID: () => Promise<number>;
  /** Handles one event; the next waits until it resolves. */
  onEvent: (e: ArticleEvent) => Promise<void>;
  onState: (s: StreamState) => void;
  /** The newest event id when the daemon welcomed us: later ones happen live. */
  onWelcome: (latest: number) => void;
  /** The settings every client applies (the welcome's, then each settings.changed). */
  onSettings: (settings: unknown) => Promise<void> | void;
  /**
   * Re-check jobs (recheck.ts): when set, the hello says the extension
   * takes them, and each well-formed recheck.request is handed here, apart
   * from the events (a job never holds up an event, nor the reverse).
   */
  onRecheck?: (req: RecheckRequest) => void;
};

export const PING_MS = 20_000;
const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

export class EventStream {
  #hooks: StreamHooks;
  #ws: WebSocket | null = null;
  #ping: ReturnType<typeof setInterval> | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #backoff = BACKOFF_MIN_MS;
  #handling: Promise<void> = Promise.resolve();
  state: StreamState = 'idle';

  constructor(hooks: StreamHooks) {
    this.#hooks = hooks;
  }

  #set(s: StreamState): void {
    this.state = s;
    this.#hooks.onState(s);
  }

  /** Connects unless connected or connecting (or refused until re-paired). */
  ensure(): void {
    if (this.#ws !== null || this.state === 'unauthorized' || this.#hooks.token() === '') return;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#connect();
  }

  /** Drops the connection and starts again (new address or token). */
  restart(): void {
    this.stop();
    this.state = 'idle';
    this.#backoff = BACKOFF_MIN_MS;
    this.ensure();
  }

  /**
   * Tells the daemon that the extension may now do the re-check jobs it
   * declined (capture resumed, a site allowed): it offers them again at
   * once instead of at their next due time. Only when connected and taking
   * jobs; a new connection's hello says as much.
   */
  rechecksReady(): void {
    const ws = this.#ws;
    if (!this.#hooks.onRecheck || ws === null || this.state !== 'connected' || ws.readyState !== WebSocket.OPEN) return;
    ws.send('{"type":"recheck.ready"}');
  }

  stop(): void {
    clearTimeout(this.#retry);
    clearInterval(this.#ping);
    this.#retry = undefined;
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      ws.onclose = null;
      ws.close();
    }
  }

  #connect(): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.#hooks.url());
    } catch {
      this.#set('offline');
      this.#scheduleRetry();
      return;
    }
    this.#ws = ws;
    this.#set('connecting');
    ws.onopen = async () => {
      const last = await this.#hooks.lastEventID();
      if (this.#ws !== ws) return;
      const hello: Record<string, unknown> = { type: 'hello', token: this.#hooks.token(), last_event_id: last };
      if (this.#hooks.onRecheck) hello.rechecks = true;
      ws.send(JSON.stringify(hello));
      clearInterval(this.#ping);
      this.#ping = setInterval(() => {
        if (ws.readyState === WebSocket.OPEN) ws.send('{"type":"ping"}');
      }, PING_MS);
    };
    ws.onmessage = (m) => {
      let msg: { type?: unknown; code?: unknown } & Partial<ArticleEvent>;
      try {
        msg = JSON.parse(String(m.data));
      } catch {
        return;
      }
      switch (msg.type) {
        case 'welcome':
          this.#backoff = BACKOFF_MIN_MS;
          this.#hooks.onWelcome(typeof (msg as { last_event_id?: unknown }).last_event_id === 'number' ? (msg as { last_event_id: number }).last_event_id : 0);
          this.#settings((msg as { settings?: unknown }).settings);
          this.#set('connected');
          return;
        case 'settings.changed':
          this.#settings((msg as { settings?: unknown }).settings);
          return;
        case 'pong':
          return;
        case 'recheck.request': {
          const req = parseRecheckRequest(msg);
          if (req && this.#hooks.onRecheck) this.#hooks.onRecheck(req);
          return;
        }
        case 'error':
          if (msg.code === 'unauthorized') {
            this.stop();
            this.#set('unauthorized');
          }
          return;
      }
      if (typeof msg.event_id === 'number' && typeof msg.type === 'string') {
        const e = msg as ArticleEvent;
        this.#handling = this.#handling.then(() => this.#hooks.onEvent(e)).catch(() => undefined);
      }
    };
    ws.onclose = () => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      clearInterval(this.#ping);
      if (this.state !== 'unauthorized') {
        this.#set('offline');
        this.#scheduleRetry();
      }
    };
  }

  /** Hands the settings on in turn with the events, so that events that came first are handled under the policy they came with. */
  #settings(settings: unknown): void {
    if (settings === undefined) return;
    this.#handling = this.#handling.then(() => this.#hooks.onSettings(settings)).catch(() => undefined);
  }

  #scheduleRetry(): void {
    clearTimeout(this.#retry);
    const wait = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, BACKOFF_MAX_MS);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.ensure();
    }, wait);
  }
}
