import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserCheckLine, noticeLines, type PopupState } from './notice';

const queue = (q: Partial<PopupState['queue']>): PopupState['queue'] => ({ waiting: 0, dropped: 0, unpaired: 0, elsewhere: [], ...q });

test('unpaired, the popup still counts the captures waiting, and says they arrive once pairing is confirmed', () => {
  const lines = noticeLines({ paired: false, connection: 'idle', queue: queue({ unpaired: 1 }) });
  assert.match(lines.join(' '), /`redline pair`/);
  assert.match(lines.join(' '), /confirm in the Redline tab/);
  assert.match(lines.join(' '), /1 capture waiting: it reaches the daemon you confirm when pairing/);
  assert.match(noticeLines({ paired: false, connection: 'idle', queue: queue({ unpaired: 3 }) }).join(' '), /3 captures waiting: they reach/);
  assert.doesNotMatch(noticeLines({ paired: false, connection: 'idle', queue: queue({}) }).join(' '), /waiting/);
});

test('a daemon not running comes with the commands that start it', () => {
  const lines = noticeLines({ paired: true, connection: 'offline', queue: queue({ waiting: 2 }) }).join(' ');
  assert.match(lines, /`make run` in the project folder, or `redline serve`/);
  assert.match(lines, /2 captures waiting for the daemon/);
  assert.deepEqual(noticeLines({ paired: true, connection: 'connected', queue: queue({}) }), []);
});

test('captures for another daemon, or read while unpaired, are counted with where they may go', () => {
  const lines = noticeLines({ paired: true, connection: 'connected', queue: queue({ unpaired: 1, elsewhere: [{ daemon: 'http://127.0.0.1:7711', count: 4 }] }) }).join(' ');
  assert.match(lines, /1 capture read while Redline was not paired: run `redline pair` and confirm to send them/);
  assert.match(lines, /4 captures waiting for the daemon at http:\/\/127\.0\.0\.1:7711: sent only if Redline is paired with it again/);
  assert.doesNotMatch(lines, /waiting for the daemon\./);
});

test('the popup says when this browser last checked the page, or that a check waits for it', () => {
  const now = new Date('2026-11-27T09:12:00Z');
  assert.equal(browserCheckLine(undefined, now), null);
  assert.equal(browserCheckLine({ state: 'watching' }, now), null, 'checked by fetch: nothing to say');
  assert.equal(browserCheckLine({ state: 'not_checkable', via: 'browser', browser: { state: 'idle', last_checked: '2026-11-27T09:00:00Z' } }, now), 'Checked through your browser 12 minutes ago.');
  assert.equal(browserCheckLine({ state: 'not_checkable', via: 'browser', browser: { state: 'waiting', message: 'waiting for your browser: none is connected' } }, now), 'Waiting for your browser: none is connected.');
  assert.equal(browserCheckLine({ state: 'not_checkable', via: 'browser', browser: { state: 'waiting' } }, now), 'Waiting for your browser.');
  assert.equal(browserCheckLine({ state: 'watching', via: 'browser', browser: { state: 'running' } }, now), 'Your browser is checking it now.');
  assert.equal(browserCheckLine({ state: 'not_checkable', via: 'browser' }, now), 'Checked through your browser: the first check is coming.');
});
