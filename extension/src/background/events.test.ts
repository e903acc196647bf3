import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import type { ArticleEvent } from '../core/daemon';
import { EventStream, PING_MS, type StreamState } from './events';

/** A WebSocket the test plays the daemon's side of. */
class FakeSocket {
  static OPEN = 1;
  static all: FakeSocket[] = [];
  url: string;
  readyState = 0;
  sent: unknown[] = [];
  closed = false;
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(url: string) {
    this.url = url;
    FakeSocket.all.push(this);
  }
  send(s: string) {
    this.sent.push(JSON.parse(s));
  }
  close() {
    this.closed = true;
  }
  // The daemon's side:
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  say(v: unknown) {
    this.onmessage?.({ data: JSON.stringify(v) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.();
  }
}

const flush = () => new Promise<void>((r) => setImmediate(r));

function setup(lastID: { n: number }) {
  FakeSocket.all = [];
  (globalThis as { WebSocket?: unknown }).WebSocket = FakeSocket;
  const events: number[] = [];
  const states: StreamState[] = [];
  const settings: unknown[] = [];
  const stream = new EventStream({
    url: () => 'ws://127.0.0.1:7710/api/v1/events',
    token: () => 'tok',
    lastEventID: async () => lastID.n,
    onEvent: async (e: ArticleEvent) => {
      events.push(e.event_id);
      lastID.n = e.event_id;
    },
    onState: (s) => states.push(s),
    onWelcome: () => undefined,
    onSettings: async (v) => {
      settings.push(v);
    },
  });
  return { stream, events, states, settings };
}

const ev = (id: number) => ({ event_id: id, type: 'article.changed', article_id: 1, url: 'u', title: 't', at: '2026-11-27T09:00:00Z' });

test('hello carries the token and the last event handled; a reconnect resumes after it', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  try {
    const last = { n: 0 };
    const { stream, events, states } = setup(last);
    stream.ensure();
    const first = FakeSocket.all[0]!;
    first.open();
    await flush();
    assert.deepEqual(first.sent, [{ type: 'hello', token: 'tok', last_event_id: 0 }]);
    first.say({ type: 'welcome', last_event_id: 2 });
    first.say(ev(1));
    first.say(ev(2));
    await flush();
    assert.deepEqual(events, [1, 2]);
    assert.equal(stream.state, 'connected');

    // A ping every 20 s keeps the worker alive.
    mock.timers.tick(PING_MS);
    assert.deepEqual(first.sent.at(-1), { type: 'ping' });

    // The daemon goes away; the stream retries after a backoff, and asks
    // for what came after event 2.
    first.drop();
    assert.equal(stream.state, 'offline');
    assert.equal(FakeSocket.all.length, 1);
    mock.timers.tick(1000);
    assert.equal(FakeSocket.all.length, 2);
    const second = FakeSocket.all[1]!;
    second.open();
    await flush();
    assert.deepEqual(second.sent, [{ type: 'hello', token: 'tok', last_event_id: 2 }]);
    second.say({ type: 'welcome', last_event_id: 3 });
    second.say(ev(3));
    await flush();
    assert.deepEqual(events, [1, 2, 3]);
    assert.deepEqual(states, ['connecting', 'connected', 'offline', 'connecting', 'connected']);
    stream.stop();
  } finally {
    mock.timers.reset();
  }
});

test('backoff grows while the daemon stays away, and ensure() (the alarm) connects at once', () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  try {
    const { stream } = setup({ n: 0 });
    stream.ensure();
    FakeSocket.all[0]!.drop(); // retry in 1 s
    mock.timers.tick(1000);
    FakeSocket.all[1]!.drop(); // retry in 2 s
    mock.timers.tick(1000);
    assert.equal(FakeSocket.all.length, 2, 'still waiting');
    mock.timers.tick(1000);
    assert.equal(FakeSocket.all.length, 3);
    FakeSocket.all[2]!.drop(); // retry in 4 s
    stream.ensure();
    assert.equal(FakeSocket.all.length, 4, 'the alarm does not wait for the backoff');
    stream.ensure();
    assert.equal(FakeSocket.all.length, 4, 'one connection at a time');
    stream.stop();
  } finally {
    mock.timers.reset();
  }
});

test('a refused token stops the retries until the extension is paired again', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  try {
    const { stream } = setup({ n: 0 });
    stream.ensure();
    const ws = FakeSocket.all[0]!;
    ws.open();
    await flush();
    ws.say({ type: 'error', code: 'unauthorized', message: 'wrong token: pair again' });
    ws.drop();
    assert.equal(stream.state, 'unauthorized');
    mock.timers.tick(60_000);
    stream.ensure();
    assert.equal(FakeSocket.all.length, 1);
    stream.restart(); // paired again
    assert.equal(FakeSocket.all.length, 2);
    stream.stop();
  } finally {
    mock.timers.reset();
  }
});

test('the settings come with the welcome and with settings.changed, in turn with the events', async () => {
  const { stream, events, settings } = setup({ n: 0 });
  stream.ensure();
  const ws = FakeSocket.all[0]!;
  ws.open();
  await flush();
  ws.say({ type: 'welcome', last_event_id: 1, settings: { alert_on: 'substantive' } });
  ws.say(ev(1));
  ws.say({ type: 'settings.changed', settings: { alert_on: 'minor' } });
  await flush();
  assert.deepEqual(events, [1]);
  assert.deepEqual(settings, [{ alert_on: 'substantive' }, { alert_on: 'minor' }]);
  assert.equal(stream.state, 'connected');
  stream.stop();
});

test('with re-checks taken, the hello says so and each well-formed job is handed over apart from the events', async () => {
  FakeSocket.all = [];
  (globalThis as { WebSocket?: unknown }).WebSocket = FakeSocket;
  const events: number[] = [];
  const jobs: string[] = [];
  const stream = new EventStream({
    url: () => 'ws://127.0.0.1:7710/api/v1/events',
    token: () => 'tok',
    lastEventID: async () => 0,
    onEvent: async (e: ArticleEvent) => {
      events.push(e.event_id);
    },
    onState: () => undefined,
    onWelcome: () => undefined,
    onSettings: () => undefined,
    onRecheck: (req) => jobs.push(req.job_id),
  });
  stream.ensure();
  const ws = FakeSocket.all[0]!;
  ws.open();
  await flush();
  assert.deepEqual(ws.sent, [{ type: 'hello', token: 'tok', last_event_id: 0, rechecks: true }]);
  ws.say({ type: 'welcome', last_event_id: 0 });
  const job = '0123456789abcdef0123456789abcdef';
  ws.say({ type: 'recheck.request', job_id: job, article_id: 3, url: 'https://news.example/a', validators: {}, lease_until: '2026-11-27T09:02:00Z' });
  ws.say({ type: 'recheck.request', job_id: 'nope', article_id: 3, url: 'https://news.example/a' });
  ws.say({ type: 'recheck.request', job_id: job, article_id: 3, url: 'javascript:alert(1)' });
  ws.say(ev(1));
  await flush();
  assert.deepEqual(jobs, [job], 'only the well-formed request');
  assert.deepEqual(events, [1], 'a request is not an event');
  stream.stop();
});

test('with re-checks taken, rechecksReady tells the connected daemon the declined jobs may be done now', async () => {
  FakeSocket.all = [];
  (globalThis as { WebSocket?: unknown }).WebSocket = FakeSocket;
  const stream = new EventStream({
    url: () => 'ws://127.0.0.1:7710/api/v1/events',
    token: () => 'tok',
    lastEventID: async () => 0,
    onEvent: async () => undefined,
    onState: () => undefined,
    onWelcome: () => undefined,
    onSettings: () => undefined,
    onRecheck: () => undefined,
  });
  stream.rechecksReady(); // not connected: nothing to tell, and nothing breaks
  stream.ensure();
  const ws = FakeSocket.all[0]!;
  ws.open();
  await flush();
  stream.rechecksReady(); // before the welcome: the hello is news enough
  assert.deepEqual(ws.sent, [{ type: 'hello', token: 'tok', last_event_id: 0, rechecks: true }]);
  ws.say({ type: 'welcome', last_event_id: 0 });
  stream.rechecksReady();
  assert.deepEqual(ws.sent.slice(1), [{ type: 'recheck.ready' }]);
  stream.stop();
});

test('without re-checks taken, the hello does not offer them and requests are ignored', async () => {
  const { stream, events } = setup({ n: 0 });
  stream.ensure();
  const ws = FakeSocket.all[0]!;
  ws.open();
  await flush();
  assert.deepEqual(ws.sent, [{ type: 'hello', token: 'tok', last_event_id: 0 }]);
  ws.say({ type: 'recheck.request', job_id: '0123456789abcdef0123456789abcdef', article_id: 3, url: 'https://news.example/a' });
  await flush();
  assert.deepEqual(events, []);
  ws.say({ type: 'welcome', last_event_id: 0 });
  stream.rechecksReady();
  assert.deepEqual(ws.sent, [{ type: 'hello', token: 'tok', last_event_id: 0 }], 'a client that takes no jobs says nothing of them');
  stream.stop();
});
