import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memory } from '../../test/memory';
import { mayCapture, normalizeSettings, type SiteRules } from '../core/settings';
import { type SiteAPI, SiteLists, SITES_KEY } from './sites';

/** A daemon keeping lists; `up` false makes it unreachable. */
function daemon(start: SiteRules = { allow: [], deny: [] }) {
  const d = { lists: structuredClone(start), up: true, writes: 0 };
  const api: SiteAPI = {
    async get() {
      if (!d.up) throw new Error('Redline is not running');
      return structuredClone(d.lists);
    },
    async set(lists) {
      if (!d.up) throw new Error('Redline is not running');
      if ([...(lists.allow ?? []), ...(lists.deny ?? [])].some((s) => s.includes(' '))) throw new Error('"a b" is not a site');
      d.writes++;
      d.lists = { allow: lists.allow ?? d.lists.allow, deny: lists.deny ?? d.lists.deny };
      return structuredClone(d.lists);
    },
  };
  return { d, api };
}

const settings = normalizeSettings({});

test('sites denied in an older version’s own settings move to the daemon once paired, and are not lost on the way', async () => {
  const kv = memory();
  const { d, api } = daemon({ allow: [], deny: ['tracker.example'] });
  d.up = false;
  const lists = new SiteLists(kv);
  await lists.load({ seconds: 5, deny: ['www.bank.example', 'tracker.example'] });
  // Not moved yet: still obeyed, and kept across a restart of the worker.
  assert.equal(mayCapture(settings, lists.rules(), 'https://online.bank.example/statement'), false);
  await assert.rejects(lists.sync(api));
  const restarted = new SiteLists(kv);
  await restarted.load({ seconds: 5 }); // the settings were written back without the lists
  assert.equal(mayCapture(settings, restarted.rules(), 'https://online.bank.example/statement'), false);
  assert.equal(restarted.moving(), true);

  d.up = true;
  assert.deepEqual(await restarted.sync(api), { allow: [], deny: ['tracker.example', 'bank.example'] });
  assert.deepEqual(d.lists.deny, ['tracker.example', 'bank.example'], 'the daemon has both its own and the moved sites');
  assert.deepEqual(d.lists.allow, [], 'the allow list is left alone: nothing to move there');
  assert.equal(restarted.moving(), false);
  const writes = d.writes;
  await restarted.sync(api);
  assert.equal(d.writes, writes, 'moved once');
});

test('the copy of the daemon’s list keeps denied sites out while the daemon is down', async () => {
  const kv = memory();
  const { d, api } = daemon({ allow: [], deny: ['private.example'] });
  const lists = new SiteLists(kv);
  await lists.load({});
  assert.equal(mayCapture(settings, lists.rules(), 'https://www.private.example/a'), true, 'nothing known before the first sync');
  await lists.sync(api);
  d.up = false;
  const restarted = new SiteLists(kv);
  await restarted.load({});
  assert.equal(mayCapture(settings, restarted.rules(), 'https://www.private.example/a'), false);
  assert.equal(mayCapture(settings, restarted.rules(), 'https://news.example/a'), true);
});

test('saving replaces the daemon’s list; a refusal changes nothing', async () => {
  const kv = memory();
  const { d, api } = daemon({ allow: ['news.example'], deny: ['old.example'] });
  const lists = new SiteLists(kv);
  await lists.load({});
  assert.deepEqual(await lists.save(api, { deny: ['new.example'] }), { allow: ['news.example'], deny: ['new.example'] });
  assert.deepEqual(kv.data.get(SITES_KEY), { allow: ['news.example'], deny: ['new.example'] });
  await assert.rejects(lists.save(api, { deny: ['a b'] }), /not a site/);
  assert.deepEqual(d.lists.deny, ['new.example']);
  assert.deepEqual(lists.rules().deny, ['new.example']);
});

test('a list the daemon sends is checked like anything stored', async () => {
  const kv = memory();
  const lists = new SiteLists(kv);
  await lists.load({});
  const hostile: SiteAPI = {
    async get() {
      return { allow: 'x', deny: ['<b>x</b>.example', 7, 'Shop.Example'] } as unknown as SiteRules;
    },
    async set() {
      throw new Error('unused');
    },
  };
  assert.deepEqual(await lists.sync(hostile), { allow: [], deny: ['shop.example'] });
});
