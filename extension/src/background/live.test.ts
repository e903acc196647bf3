import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memory } from '../../test/memory';
import type { Summary } from '../core/daemon';
import type { TabMessage } from '../core/messages';

// The browser as the background's unseen changes use it: storage.local
// and the toolbar badge. Set before the modules that read it are loaded.
const badge = { text: '' };
const stored = new Map<string, unknown>();
(globalThis as { browser?: unknown }).browser = {
  storage: {
    local: {
      async get(k: string) {
        return { [k]: stored.get(k) };
      },
      async set(o: Record<string, unknown>) {
        for (const [k, v] of Object.entries(o)) stored.set(k, structuredClone(v));
      },
    },
  },
  action: {
    async setBadgeBackgroundColor() {},
    async setBadgeText(o: { text: string }) {
      badge.text = o.text;
    },
  },
};

/** A WebSocket the test plays the daemon's side of. */
class FakeSocket {
  static OPEN = 1;
  static last: FakeSocket | null = null;
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor() {
    FakeSocket.last = this;
  }
  send() {}
  close() {}
  say(v: unknown) {
    this.onmessage?.({ data: JSON.stringify(v) });
  }
}

const flush = () => new Promise<void>((r) => setImmediate(r));

const summary = (significance: Summary['significance']): Summary => ({
  title_changed: false,
  byline_changed: false,
  blocks_added: 0,
  blocks_removed: 0,
  blocks_changed: 1,
  words_added: 1,
  words_removed: 1,
  correction: false,
  significance,
});

const changed = (id: number, from: number, to: number, sig: Summary['significance']) => ({
  event_id: id,
  type: 'article.changed',
  article_id: 7,
  url: 'https://news.example/council',
  title: 'Council debates the budget',
  from_version: from,
  to_version: to,
  summary: summary(sig),
  at: `2026-11-27T09:0${id}:00Z`,
});

test('a minor change raises no banner, badge or notification until the daemon says minor changes alert', async () => {
  (globalThis as { WebSocket?: unknown }).WebSocket = FakeSocket;
  const { Live } = await import('./live');
  const { Unseen } = await import('./unseen');
  const { AlertPolicy, ALERT_ON_KEY } = await import('./policy');
  const told: TabMessage[] = [];
  const notified: string[] = [];
  const unseen = new Unseen(() => policy.on);
  const kv = memory();
  const policy = new AlertPolicy(kv, () => unseen.paint());
  await policy.load();
  const live = new Live({
    config: { settings: { notifications: true }, token: 'tok', client: () => ({ eventsURL: () => 'ws://127.0.0.1:7710/api/v1/events' }) } as never,
    unseen,
    tabs: {
      async tellArticle(_id: number, msg: TabMessage) {
        told.push(msg);
      },
    } as never,
    notifier: {
      async notify(_id: number, _title: string, s: Summary) {
        notified.push(s.significance);
      },
    } as never,
    policy,
    ready: Promise.resolve(),
    onConnected: () => undefined,
  });
  live.ensure();
  // Stopped however the test ends: its ping timer would keep node running.
  try {
    await converse(FakeSocket.last!);
  } finally {
    live.stop();
  }

  async function converse(ws: FakeSocket): Promise<void> {
    ws.onopen?.();
    await flush();
    ws.say({ type: 'welcome', last_event_id: 0, settings: { alert_on: 'substantive' } });
    ws.say(changed(1, 1, 2, 'minor'));
    await flush();
    assert.equal(badge.text, '');
    assert.deepEqual(
      told.map((m) => m.type),
      ['banner.hide'],
      'no banner; one that showed goes',
    );
    assert.deepEqual(notified, []);
    assert.equal(unseen.of(7), undefined);

    // The user opts in (the dashboard or the options): the stream says so,
    // the change already unseen counts at once, and the next minor one alerts.
    ws.say({ type: 'settings.changed', settings: { alert_on: 'minor' } });
    await flush();
    assert.equal(policy.on, 'minor');
    assert.equal(badge.text, '1');
    told.length = 0;
    ws.say(changed(2, 1, 3, 'minor'));
    await flush();
    assert.equal(badge.text, '1');
    assert.deepEqual(
      told.map((m) => m.type),
      ['banner.show'],
    );
    assert.deepEqual(notified, ['minor']);
    assert.equal(kv.data.get(ALERT_ON_KEY), 'minor', 'kept for when the daemon is away');
  }
});
