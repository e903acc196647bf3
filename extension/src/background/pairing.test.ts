import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimPending, type Pending, PENDING_TTL_MS, PendingPairing, type PendingStorage, pendingFromLink } from './pairing';

const TOKEN = 'a'.repeat(64);
const CODE = '0123456789abcdef0123456789abcdef';
const NOW = Date.UTC(2026, 10, 27, 9);

/** storage.session as one value, copied as storage does. */
function memory(): PendingStorage & { value: unknown } {
  const box = {
    value: undefined as unknown,
    async get() {
      return box.value === undefined ? undefined : structuredClone(box.value);
    },
    async set(p: Pending | null) {
      box.value = p === null ? undefined : structuredClone(p);
    },
  };
  return box;
}

const pending = (url: string, id = 'one', now = NOW): Pending => {
  const p = pendingFromLink(url, CODE, now, id);
  if ('error' in p) throw new Error(p.error);
  return p;
};

test('a link asks to pair with the daemon that served it, for as long as its code lives', () => {
  assert.deepEqual(pendingFromLink('http://127.0.0.1:7711/pair', CODE, NOW, 'x'), { id: 'x', address: 'http://127.0.0.1:7711', code: CODE, expires: NOW + PENDING_TTL_MS });
  assert.equal(pending('http://localhost:7712/pair').address, 'http://localhost:7712');
  assert.equal(pending('http://[::1]:7713/pair').address, 'http://[::1]:7713');
});

test('only a /pair page on this computer can ask, with a well-formed code', () => {
  for (const url of ['https://127.0.0.1:7710/pair', 'http://192.168.1.5:7710/pair', 'http://127.0.0.1.evil.example/pair', 'http://127.0.0.1:7710/other', 'http://u:p@127.0.0.1:7710/pair', 'nonsense']) {
    assert.ok('error' in pendingFromLink(url, CODE, NOW, 'x'), url);
  }
  assert.ok('error' in pendingFromLink('http://127.0.0.1:7710/pair', 'ABC', NOW, 'x'));
});

test('one pairing waits at a time: a newer link replaces the older, and an expired one is gone', async () => {
  const store = memory();
  const pp = new PendingPairing(store);
  assert.equal(await pp.current(NOW), null);
  assert.equal(await pp.replace(pending('http://127.0.0.1:7710/pair', 'one')), null);
  const older = await pp.replace(pending('http://127.0.0.1:7799/pair', 'two'));
  assert.equal(older?.id, 'one');
  assert.equal((await pp.current(NOW))?.address, 'http://127.0.0.1:7799');

  // The confirmation page confirms what it showed, not a link that came after.
  assert.equal(await pp.take('one', NOW), null);
  assert.equal((await pp.current(NOW))?.id, 'two', 'a stale confirmation takes nothing');

  // The confirmation tab is recorded on the pending pairing it was opened for only.
  await pp.setConfirmTab('one', 5);
  assert.equal((await pp.current(NOW))?.confirmTab, undefined);
  await pp.setConfirmTab('two', 6);
  assert.equal((await pp.current(NOW))?.confirmTab, 6);

  // It survives the background stopping: the next one reads it from storage.
  const again = new PendingPairing(store);
  assert.equal((await again.current(NOW + PENDING_TTL_MS - 1))?.id, 'two');
  assert.equal(await again.current(NOW + PENDING_TTL_MS), null, 'expired with the daemon’s code');
  assert.equal(store.value, undefined, 'an expired code is not kept');
  assert.equal(await again.take('two', NOW), null);

  // Taken once: confirming twice claims once.
  await pp.replace(pending('http://127.0.0.1:7710/pair', 'three'));
  assert.equal((await pp.take('three', NOW))?.code, CODE);
  assert.equal(await pp.take('three', NOW), null);

  // Whatever else storage holds is no pending pairing.
  store.value = { id: 'x', address: 'http://127.0.0.1:1', code: CODE, expires: 'later' };
  assert.equal(await pp.current(NOW), null);
});

test('a confirmed pairing claims the token at the address shown', async () => {
  const claims: string[] = [];
  const r = await claimPending(pending('http://127.0.0.1:7711/pair'), async (address, code) => {
    claims.push(`${address} ${code}`);
    return { token: TOKEN };
  });
  assert.deepEqual(r, { ok: true, address: 'http://127.0.0.1:7711', token: TOKEN, message: r.message });
  assert.match(r.message, /Paired with the daemon at http:\/\/127\.0\.0\.1:7711/);
  assert.deepEqual(claims, [`http://127.0.0.1:7711 ${CODE}`]);
});

test('a refused code or an odd answer pairs nothing', async () => {
  const p = pending('http://127.0.0.1:7710/pair');
  const refused = await claimPending(p, async () => {
    throw new Error('this pairing link was used already');
  });
  assert.deepEqual(refused, { ok: false, message: 'this pairing link was used already' });
  for (const token of ['<script>', 'A'.repeat(64), undefined, 7]) {
    const odd = await claimPending(p, async () => ({ token }) as { token: string });
    assert.equal(odd.ok, false, String(token));
  }
});
