import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonOrigin, defaultSettings, legacySiteRules, mayCapture, mergeSiteRules, noSiteRules, normalizeSettings, normalizeSiteRules } from './settings';

test('the daemon is on this computer or nowhere', () => {
  assert.equal(daemonOrigin('http://127.0.0.1:7710/'), 'http://127.0.0.1:7710');
  assert.equal(daemonOrigin(' http://localhost:8080 '), 'http://localhost:8080');
  assert.equal(daemonOrigin('http://[::1]:7710'), 'http://[::1]:7710');
  for (const bad of ['https://127.0.0.1:7710', 'http://192.168.1.2:7710', 'http://127.0.0.1.evil.example:7710', 'http://user@127.0.0.1:7710', 'nonsense']) {
    assert.equal(daemonOrigin(bad), null, bad);
  }
});

test('stored settings are checked when read back', () => {
  assert.deepEqual(normalizeSettings(undefined), { ...defaultSettings });
  const raw = { daemon: 'http://evil.example', seconds: 1e9, readingMode: 'nope', deny: ['WWW.Example.co.uk', 'https://news.example/x', 3, ''], notifications: 'yes' };
  const s = normalizeSettings(raw);
  assert.equal(s.daemon, defaultSettings.daemon);
  assert.equal(s.seconds, 600);
  assert.equal(s.readingMode, 'visible');
  assert.equal(s.notifications, false);
  assert.equal('deny' in s, false, 'the site lists are the daemon’s, not the extension’s settings');
  // An older version's own list is read once, to move it to the daemon.
  assert.deepEqual(legacySiteRules(raw), { allow: [], deny: ['example.co.uk', 'news.example'] });
});

test('site lists: checked when read, merged without repeats', () => {
  assert.deepEqual(normalizeSiteRules(null), noSiteRules);
  assert.deepEqual(normalizeSiteRules({ deny: ['b.example', 'www.b.example', 'a.example'] }), { allow: [], deny: ['b.example', 'a.example'] });
  assert.deepEqual(mergeSiteRules({ allow: [], deny: ['a.example', 'b.example'] }, { allow: ['c.example'], deny: ['b.example', 'd.example'] }), {
    allow: ['c.example'],
    deny: ['a.example', 'b.example', 'd.example'],
  });
});

test('what may be captured: not when paused, not the daemon’s pages, not denied sites, only allowed ones', () => {
  const s = normalizeSettings({ daemon: 'http://127.0.0.1:7710' });
  const none = noSiteRules;
  assert.equal(mayCapture(s, none, 'https://news.example/2026/a'), true);
  assert.equal(mayCapture({ ...s, paused: true }, none, 'https://news.example/2026/a'), false);
  assert.equal(mayCapture(s, none, 'http://127.0.0.1:7710/articles/3'), false);
  assert.equal(mayCapture(s, none, 'http://localhost:7710/'), false, 'the daemon under another loopback name');
  assert.equal(mayCapture(s, none, 'http://127.0.0.1:8000/2026/a'), true, 'another local server is a site like any other');
  assert.equal(mayCapture(s, none, 'chrome://settings'), false);
  assert.equal(mayCapture(s, normalizeSiteRules({ deny: ['example.com'] }), 'https://www.example.com/story'), false);
  const only = normalizeSiteRules({ allow: ['news.example'] });
  assert.equal(mayCapture(s, only, 'https://www.news.example/story'), true);
  assert.equal(mayCapture(s, only, 'https://other.example/story'), false);
});
