import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memory } from '../../test/memory';
import type { Capture } from '../core/daemon';
import { CaptureQueue, MAX_QUEUED, type Queued, type SendResult } from './queue';

const capture = (n: number, text = `Paragraph ${n}`): Capture => ({
  url: `https://news.example/${n}`,
  title: `Article ${n}`,
  blocks: [{ kind: 'p', text }],
  captured_at: '2026-11-27T09:00:00Z',
  source: 'browser',
  extractor: 'readability@0.6.0',
});

const urls = (qs: Queued[]): string[] => qs.map((q) => q.capture.url);

const D = 'http://127.0.0.1:7710';
const OTHER = 'http://127.0.0.1:7711';

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
    await q.add(capture(n), 10 + n, D);
    assert.equal(await q.flush(D, send), 0);
  }
  assert.deepEqual(await q.status(), { waiting: 3, dropped: 0, unpaired: 0, unpairedThrough: 0, byDaemon: { [D]: 3 } });

  // The background restarts (a new worker): the queue is still there.
  const again = new CaptureQueue(kv);
  daemonUp = true;
  assert.equal(await again.flush(D, send), 3);
  assert.deepEqual(urls(received), ['https://news.example/1', 'https://news.example/2', 'https://news.example/3']);
  assert.deepEqual(received.map((r) => r.tabId), [11, 12, 13]);
  assert.deepEqual(await again.status(), { waiting: 0, dropped: 0, unpaired: 0, unpairedThrough: 0, byDaemon: {} });
});

test('a capture the daemon refuses for good leaves the queue; the rest still go', async () => {
  const q = new CaptureQueue(memory());
  await q.add(capture(1), undefined, D);
  await q.add(capture(2), undefined, D);
  const seen: string[] = [];
  const sent = await q.flush(D, async (item) => {
    seen.push(item.capture.url);
    return item.capture.url.endsWith('/1') ? 'rejected' : 'sent';
  });
  assert.equal(sent, 2);
  assert.deepEqual(seen, ['https://news.example/1', 'https://news.example/2']);
  assert.equal((await q.status()).waiting, 0);
});

test('the queue is bounded: the oldest captures give way, and the loss is counted', async () => {
  const q = new CaptureQueue(memory());
  for (let n = 1; n <= MAX_QUEUED + 5; n++) await q.add(capture(n), undefined, D);
  const full = await q.status();
  assert.deepEqual([full.waiting, full.dropped], [MAX_QUEUED, 5]);
  const first: string[] = [];
  await q.flush(D, async (item) => {
    first.push(item.capture.url);
    return 'retry';
  });
  assert.deepEqual(first, ['https://news.example/6']);

  // Bounded in bytes too: a few huge captures do not fill storage.
  const big = new CaptureQueue(memory());
  for (let n = 1; n <= 8; n++) await big.add(capture(n, 'x'.repeat(1024 * 1024)), undefined, D);
  const st = await big.status();
  assert.ok(st.waiting < 8 && st.waiting >= 1, `${st.waiting} waiting`);
  assert.equal(st.waiting + st.dropped, 8);
});

test('captures added during a flush wait their turn and are not lost', async () => {
  const q = new CaptureQueue(memory());
  await q.add(capture(1), undefined, D);
  const order: string[] = [];
  let added: Promise<void> | undefined;
  await q.flush(D, async (item) => {
    order.push(item.capture.url);
    added ??= q.add(capture(2), undefined, D);
    return 'sent';
  });
  await added;
  await q.flush(D, async (item) => {
    order.push(item.capture.url);
    return 'sent';
  });
  assert.deepEqual(order, ['https://news.example/1', 'https://news.example/2']);
});

/** A send that takes everything and records it. */
function taker() {
  const got: Queued[] = [];
  return { got, send: async (q: Queued): Promise<SendResult> => (got.push(q), 'sent') };
}

test('a capture goes only to the daemon it was queued for', async () => {
  const q = new CaptureQueue(memory());
  await q.add(capture(1), undefined, D);
  await q.add(capture(2), undefined, OTHER);
  await q.add(capture(3)); // read while unpaired
  await q.add(capture(4), undefined, D);
  const toOther = taker();
  assert.equal(await q.flush(OTHER, toOther.send), 1);
  assert.deepEqual(urls(toOther.got), ['https://news.example/2']);
  const toD = taker();
  assert.equal(await q.flush(D, toD.send), 2);
  assert.deepEqual(urls(toD.got), ['https://news.example/1', 'https://news.example/4']);
  // A daemon nobody queued for gets nothing; the unpaired capture stays.
  const stranger = taker();
  assert.equal(await q.flush('http://127.0.0.1:9999', stranger.send), 0);
  assert.deepEqual(stranger.got, []);
  assert.deepEqual(await q.status(), { waiting: 1, dropped: 0, unpaired: 1, unpairedThrough: 3, byDaemon: {} });
});

test('captures read while unpaired go only where the user confirmed, and only those shown', async () => {
  const q = new CaptureQueue(memory());
  await q.add(capture(1));
  await q.add(capture(2), undefined, OTHER);
  await q.add(capture(3));
  const shown = await q.status();
  assert.deepEqual([shown.unpaired, shown.unpairedThrough], [2, 3]);
  await q.add(capture(4)); // read after the confirmation page counted
  assert.equal(await q.adopt(D, shown.unpairedThrough), 2);
  const toD = taker();
  await q.flush(D, toD.send);
  assert.deepEqual(urls(toD.got), ['https://news.example/1', 'https://news.example/3']);
  assert.deepEqual(await q.status(), { waiting: 2, dropped: 0, unpaired: 1, unpairedThrough: 4, byDaemon: { [OTHER]: 1 } });
});

test('the captures for one daemon, or those read while unpaired, can be discarded', async () => {
  const q = new CaptureQueue(memory());
  await q.add(capture(1), undefined, OTHER);
  await q.add(capture(2));
  await q.add(capture(3), undefined, D);
  await q.add(capture(4), undefined, OTHER);
  assert.equal(await q.discard(OTHER), 2);
  assert.equal(await q.discard(null), 1);
  assert.equal(await q.discard(OTHER), 0);
  assert.deepEqual(await q.status(), { waiting: 1, dropped: 0, unpaired: 0, unpairedThrough: 0, byDaemon: { [D]: 1 } });
});

test('captures an older version queued are for the daemon paired now, or wait for a confirmation when unpaired', async () => {
  const legacy = { next: 3, dropped: 1, items: [{ seq: 1, capture: capture(1), tabId: 4 }, { seq: 2, capture: capture(2) }] };
  const paired = memory();
  paired.data.set('queue', structuredClone(legacy));
  const p = new CaptureQueue(paired);
  await p.migrate(D);
  assert.deepEqual(await p.status(), { waiting: 2, dropped: 1, unpaired: 0, unpairedThrough: 0, byDaemon: { [D]: 2 } });
  // Once only: a later start, paired elsewhere, changes nothing.
  await new CaptureQueue(paired).migrate(OTHER);
  assert.deepEqual((await p.status()).byDaemon, { [D]: 2 });

  const unpaired = memory();
  unpaired.data.set('queue', structuredClone(legacy));
  const u = new CaptureQueue(unpaired);
  await u.migrate(undefined);
  assert.deepEqual(await u.status(), { waiting: 2, dropped: 1, unpaired: 2, unpairedThrough: 2, byDaemon: {} });
  const anyone = taker();
  assert.equal(await u.flush(D, anyone.send), 0);
  // New captures keep counting from where the old queue stopped.
  await u.add(capture(3), undefined, D);
  assert.equal((await u.flush(D, anyone.send)), 1);
  assert.equal(anyone.got[0]?.seq, 3);
});
