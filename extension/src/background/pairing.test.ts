import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pairByLink, type PairingDeps } from './pairing';

const TOKEN = 'a'.repeat(64);
const CODE = '0123456789abcdef0123456789abcdef';

function deps(opts: { oldAnswers?: boolean; token?: unknown; fail?: string } = {}) {
  const claims: string[] = [];
  const d: PairingDeps = {
    answers: async () => opts.oldAnswers ?? false,
    claim: async (address, code) => {
      claims.push(`${address} ${code}`);
      if (opts.fail) throw new Error(opts.fail);
      return { token: (opts.token ?? TOKEN) as string };
    },
  };
  return { d, claims };
}

const unpaired = { address: 'http://127.0.0.1:7710', token: '' };

test('the link pairs with the daemon that served it', async () => {
  const { d, claims } = deps();
  const r = await pairByLink('http://127.0.0.1:7711/pair', CODE, unpaired, d);
  assert.deepEqual(r, { ok: true, address: 'http://127.0.0.1:7711', token: TOKEN, message: r.message });
  assert.deepEqual(claims, [`http://127.0.0.1:7711 ${CODE}`]);
});

test('only a /pair page on this computer can pair', async () => {
  for (const url of ['https://127.0.0.1:7710/pair', 'http://192.168.1.5:7710/pair', 'http://127.0.0.1.evil.example/pair', 'http://127.0.0.1:7710/other', 'nonsense']) {
    const { d, claims } = deps();
    const r = await pairByLink(url, CODE, unpaired, d);
    assert.equal(r.ok, false, url);
    assert.deepEqual(claims, [], `${url}: nothing claimed`);
  }
});

test('a pairing page of another daemon cannot take over while the paired one answers', async () => {
  const paired = { address: 'http://127.0.0.1:7710', token: 'b'.repeat(64) };
  const held = deps({ oldAnswers: true });
  const r = await pairByLink('http://127.0.0.1:9999/pair', CODE, paired, held.d);
  assert.equal(r.ok, false);
  assert.match(r.message, /already paired with the daemon at http:\/\/127\.0\.0\.1:7710/);
  assert.deepEqual(held.claims, [], 'the other daemon never saw the code');

  // The same daemon again (a new token after `redline token` changed) is fine.
  assert.equal((await pairByLink('http://127.0.0.1:7710/pair', CODE, paired, deps({ oldAnswers: true }).d)).ok, true);
  // The old daemon is gone for good: the user means the new one.
  assert.equal((await pairByLink('http://127.0.0.1:9999/pair', CODE, paired, deps({ oldAnswers: false }).d)).ok, true);
});

test('a refused code or an odd answer leaves the extension as it was', async () => {
  const refused = await pairByLink('http://127.0.0.1:7710/pair', CODE, unpaired, deps({ fail: 'this pairing link was used already' }).d);
  assert.deepEqual(refused, { ok: false, message: 'this pairing link was used already' });
  const odd = await pairByLink('http://127.0.0.1:7710/pair', CODE, unpaired, deps({ token: '<script>' }).d);
  assert.equal(odd.ok, false);
});
