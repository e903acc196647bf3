import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonOrigin, defaultSettings, mayCapture, normalizeSettings } from './settings';

test('the daemon is on this computer or nowhere', () => {
  assert.equal(daemonOrigin('http://127.0.0.1:7710/'), 'http://127.0.0.1:7710');
  assert.equal(daemonOrigin(' http://localhost:8080 '), 'http://localhost:8080');
  assert.equal(daemonOrigin('http://[::1]:7710'), 'http://[::1]:7710');
  for (const bad of ['https://127.0.0.1:7710', 'http://192.168.1.2:7710', 'http://127.0.0.1.evil.example:7710', 'http://user@127.0.0.1:7710', 'nonsense']) {
    assert.equal(daemonOrigin(bad), null, bad);
  }
});

test('stored settings are checked when read back', () => {
  assert.deepEqual(normalizeSettings(undefined), { ...defaultSettings, deny: [], allow: [] });
  const s = normalizeSettings({ daemon: 'http://evil.example', seconds: 1e9, readingMode: 'nope', deny: ['WWW.Example.co.uk', 'https://news.example/x', 3, ''], notifications: 'yes' });
  assert.equal(s.daemon, defaultSettings.daemon);
  assert.equal(s.seconds, 600);
  assert.equal(s.readingMode, 'visible');
  assert.deepEqual(s.deny, ['example.co.uk', 'news.example']);
  assert.equal(s.notifications, false);
});

test('what may be captured: not when paused, not the daemon’s pages, not denied sites, only allowed ones', () => {
  const s = normalizeSettings({ daemon: 'http://127.0.0.1:7710' });
  assert.equal(mayCapture(s, 'https://news.example/2026/a'), true);
  assert.equal(mayCapture({ ...s, paused: true }, 'https://news.example/2026/a'), false);
  assert.equal(mayCapture(s, 'http://127.0.0.1:7710/articles/3'), false);
  assert.equal(mayCapture(s, 'http://localhost:7710/'), false, 'the daemon under another loopback name');
  assert.equal(mayCapture(s, 'http://127.0.0.1:8000/2026/a'), true, 'another local server is a site like any other');
  assert.equal(mayCapture(s, 'chrome://settings'), false);
  assert.equal(mayCapture(normalizeSettings({ deny: ['example.com'] }), 'https://www.example.com/story'), false);
  const only = normalizeSettings({ allow: ['news.example'] });
  assert.equal(mayCapture(only, 'https://www.news.example/story'), true);
  assert.equal(mayCapture(only, 'https://other.example/story'), false);
});
