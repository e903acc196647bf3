import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noticeLines } from './notice';

test('unpaired, the popup still counts the captures waiting, and says they arrive once paired', () => {
  const lines = noticeLines({ paired: false, connection: 'idle', queue: { waiting: 1, dropped: 0 } });
  assert.match(lines.join(' '), /`redline pair`/);
  assert.match(lines.join(' '), /1 capture waiting: it reaches the daemon once Redline is paired/);
  assert.match(noticeLines({ paired: false, connection: 'idle', queue: { waiting: 3, dropped: 0 } }).join(' '), /3 captures waiting: they reach/);
  assert.doesNotMatch(noticeLines({ paired: false, connection: 'idle', queue: { waiting: 0, dropped: 0 } }).join(' '), /waiting/);
});

test('a daemon not running comes with the commands that start it', () => {
  const lines = noticeLines({ paired: true, connection: 'offline', queue: { waiting: 2, dropped: 0 } }).join(' ');
  assert.match(lines, /`make run` in the project folder, or `redline serve`/);
  assert.match(lines, /2 captures waiting for the daemon/);
  assert.deepEqual(noticeLines({ paired: true, connection: 'connected', queue: { waiting: 0, dropped: 0 } }), []);
});
