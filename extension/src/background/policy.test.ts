import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memory } from '../../test/memory';
import type { AlertOn } from '../core/alerts';
import { ALERT_ON_KEY, type AlertAPI, AlertPolicy } from './policy';

/** A daemon keeping the policy; `up` false makes it unreachable. */
function daemon(start: AlertOn = 'substantive') {
  const d = { on: start, up: true };
  const api: AlertAPI = {
    async get() {
      if (!d.up) throw new Error('Redline is not running');
      return d.on;
    },
    async set(p) {
      if (!d.up) throw new Error('Redline is not running');
      d.on = p;
      return d.on;
    },
  };
  return { d, api };
}

test('the policy is substantive until the daemon says otherwise, and what it said last holds while it is away', async () => {
  const kv = memory();
  let repaints = 0;
  const p = new AlertPolicy(kv, () => {
    repaints++;
  });
  await p.load();
  assert.equal(p.on, 'substantive');
  await p.learn('minor'); // a settings.changed on the stream
  assert.equal(p.on, 'minor');
  assert.equal(repaints, 1, 'a new policy repaints the badge');
  await p.learn('minor');
  assert.equal(repaints, 1, 'the same policy again changes nothing');
  // The background restarts with the daemon away: the last policy learned.
  const restarted = new AlertPolicy(kv);
  await restarted.load();
  assert.equal(restarted.on, 'minor');
  const { d, api } = daemon('minor');
  d.up = false;
  await assert.rejects(restarted.sync(api));
  assert.equal(restarted.on, 'minor');
});

test('what the daemon or storage holds that is not a policy is ignored', async () => {
  const kv = memory();
  await kv.set(ALERT_ON_KEY, 'everything');
  const p = new AlertPolicy(kv);
  await p.load();
  assert.equal(p.on, 'substantive');
  for (const bad of [undefined, null, '', 'trivial', 'Minor', 1, { alert_on: 'minor' }]) await p.learn(bad);
  assert.equal(p.on, 'substantive');
  assert.equal(kv.data.get(ALERT_ON_KEY), 'everything', 'nothing was written');
});

test('the options save the policy at the daemon, which answers it as kept', async () => {
  const kv = memory();
  const p = new AlertPolicy(kv);
  await p.load();
  const { d, api } = daemon();
  assert.equal(await p.save(api, 'minor'), 'minor');
  assert.equal(d.on, 'minor');
  assert.equal(p.on, 'minor');
  assert.equal(kv.data.get(ALERT_ON_KEY), 'minor');
  d.up = false;
  await assert.rejects(p.save(api, 'substantive'));
  assert.equal(p.on, 'minor', 'a refused save changes nothing');
});
