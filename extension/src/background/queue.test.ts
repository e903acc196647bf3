import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Capture } from '../core/daemon';
import { CaptureQueue, type KeyValue, MAX_QUEUED, type Queued, type SendResult } from './queue';

/** storage.local as a Map, values copied as storage does. */
function memory(): KeyValue & { data: Map<string, unknown> } {
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

const capture = (n: number, text = `Paragraph ${n}`): Capture => ({
  url: `https://news.example/${n}`,
  title: `Article ${n}`,
  blocks: [{ kind: 'p', text }],
  captured_at: '2026-11-27T09:00:00Z',
  source: 'browser',
  extractor: 'readability@0.6.0',
});

const urls = (qs: Queued[]): string[] => qs.map((q) => q.capture.url);

test('captures read while the daemon is away reach it later, in the order they were read', async () => {
  const kv = memory();
  let daemonUp = false;
  const received: Queued[] = [];
  const send = async (q: Queued): Promise<SendResult> => {
    if (!daemonUp) return 'retry';
    received.push(q);
    return 'sent';
  };
  const q = new CaptureQueue(kv);
  for (const n of [1, 2, 3]) {
    await q.add(capture(n), 10 + n);
    assert.equal(await q.flush(send), 0);
  }
  assert.deepEqual(await q.status(), { waiting: 3, dropped: 0 });

  // The background restarts (a new worker): the queue is still there.
  const again = new CaptureQueue(kv);
  daemonUp = true;
  assert.equal(await again.flush(send), 3);
  assert.deepEqual(urls(received), ['https://news.example/1', 'https://news.example/2', 'https://news.example/3']);
  assert.deepEqual(received.map((r) => r.tabId), [11, 12, 13]);
  assert.deepEqual(await again.status(), { waiting: 0, dropped: 0 });
});

test('a capture the daemon refuses for good leaves the queue; the rest still go', async () => {
  const q = new CaptureQueue(memory());
  await q.add(capture(1));
  await q.add(capture(2));
  const seen: string[] = [];
  const sent = await q.flush(async (item) => {
    seen.push(item.capture.url);
    return item.capture.url.endsWith('/1') ? 'rejected' : 'sent';
  });
  assert.equal(sent, 2);
  assert.deepEqual(seen, ['https://news.example/1', 'https://news.example/2']);
  assert.equal((await q.status()).waiting, 0);
});

test('the queue is bounded: the oldest captures give way, and the loss is counted', async () => {
  const q = new CaptureQueue(memory());
  for (let n = 1; n <= MAX_QUEUED + 5; n++) await q.add(capture(n));
  assert.deepEqual(await q.status(), { waiting: MAX_QUEUED, dropped: 5 });
  const first: string[] = [];
  await q.flush(async (item) => {
    first.push(item.capture.url);
    return 'retry';
  });
  assert.deepEqual(first, ['https://news.example/6']);

  // Bounded in bytes too: a few huge captures do not fill storage.
  const big = new CaptureQueue(memory());
  for (let n = 1; n <= 8; n++) await big.add(capture(n, 'x'.repeat(1024 * 1024)));
  const st = await big.status();
  assert.ok(st.waiting < 8 && st.waiting >= 1, `${st.waiting} waiting`);
  assert.equal(st.waiting + st.dropped, 8);
});

test('captures added during a flush wait their turn and are not lost', async () => {
  const q = new CaptureQueue(memory());
  await q.add(capture(1));
  const order: string[] = [];
  let added: Promise<void> | undefined;
  await q.flush(async (item) => {
    order.push(item.capture.url);
    added ??= q.add(capture(2));
    return 'sent';
  });
  await added;
  await q.flush(async (item) => {
    order.push(item.capture.url);
    return 'sent';
  });
  assert.deepEqual(order, ['https://news.example/1', 'https://news.example/2']);
});
