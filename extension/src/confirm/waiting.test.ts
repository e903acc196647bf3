import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type QueueView, waitingLines } from './waiting';

const FAKE = 'http://127.0.0.1:7799';
const OWN = 'http://127.0.0.1:7710';
const q = (v: Partial<QueueView>): QueueView => ({ waiting: 0, unpaired: 0, unpairedThrough: 0, elsewhere: [], ...v });

test('the page says how many captures would go to the daemon, and which stay for another', () => {
  assert.deepEqual(waitingLines(FAKE, null, q({ unpaired: 1, unpairedThrough: 4 })), ['1 capture read while Redline was not paired would be sent to it.']);
  assert.deepEqual(waitingLines(FAKE, OWN, q({ waiting: 3 })), [`3 captures waiting for the daemon at ${OWN} stay for it.`]);
  // Pairing back with a daemon gets what waited for it.
  assert.deepEqual(waitingLines(OWN, null, q({ elsewhere: [{ daemon: OWN, count: 2 }, { daemon: FAKE, count: 1 }] })), [
    '2 captures read while paired with it before would be sent to it.',
    `1 capture waiting for the daemon at ${FAKE} stays for it.`,
  ]);
  assert.deepEqual(waitingLines(OWN, OWN, q({ waiting: 2 })), ['2 captures read while paired with it before would be sent to it.']);
  assert.deepEqual(waitingLines(FAKE, null, q({})), ['No capture waits to be sent.']);
});
