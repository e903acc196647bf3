import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Handlers, handleMessages, type MessageSender, type MessageType, type Runtime } from './router';

const ID = 'pefbhbjklgdhmmiknnjkgangfknghlip';
const BASE = `chrome-extension://${ID}/`;
const tab = { id: 3, index: 0, incognito: false } as chrome.tabs.Tab;

const reader: MessageSender = { id: ID, url: 'https://news.example/a', tab, frameId: 0 };
const pairPage: MessageSender = { id: ID, url: 'http://127.0.0.1:7710/pair', tab, frameId: 0 };
const popup: MessageSender = { id: ID, url: `${BASE}popup.html` };
const confirmPage: MessageSender = { id: ID, url: `${BASE}confirm-pair.html`, tab, frameId: 0 };
const otherExtension: MessageSender = { id: 'abcdefghijklmnopabcdefghijklmnop', url: `${BASE}popup.html` };

const TYPES: MessageType[] = [
  'page.hello',
  'page.read',
  'page.diff',
  'page.dismiss',
  'pair.request',
  'confirm.state',
  'confirm.pair',
  'confirm.cancel',
  'ui.state',
  'ui.settings',
  'ui.token',
  'ui.queue.discard',
  'ui.unpair',
  'ui.sites',
  'ui.sites.save',
  'ui.track',
  'ui.forget',
  'ui.diff',
  'ui.seen',
];

/** A background whose every handler answers with the type it handled; send() is a message from sender, resolving with the answer or 'no answer'. */
function background(ready: Promise<unknown> = Promise.resolve(), fail?: Error) {
  const handled: string[] = [];
  const handlers = Object.fromEntries(
    TYPES.map((t) => [
      t,
      async (msg: { type: string }) => {
        handled.push(msg.type);
        if (fail) throw fail;
        return { handled: msg.type };
      },
    ]),
  ) as unknown as Handlers;
  let listener: Parameters<Runtime['onMessage']['addListener']>[0] | undefined;
  const runtime: Runtime = { id: ID, getURL: (p) => BASE + p, onMessage: { addListener: (fn) => (listener = fn) } };
  handleMessages(runtime, ready, handlers);
  const send = (raw: unknown, sender: MessageSender): Promise<unknown> =>
    new Promise((resolve) => {
      if (!listener!(raw, sender, resolve)) resolve('no answer');
    });
  return { handled, send };
}

const CODE = '0123456789abcdef0123456789abcdef';

test('each message reaches the handler of its type, and its answer goes back', async () => {
  const bg = background();
  assert.deepEqual(await bg.send({ type: 'page.hello', url: 'https://news.example/a' }, reader), { handled: 'page.hello' });
  assert.deepEqual(await bg.send({ type: 'ui.forget', url: 'https://news.example/a' }, popup), { handled: 'ui.forget' });
  assert.deepEqual(await bg.send({ type: 'confirm.pair', id: 'x', through: 0 }, confirmPage), { handled: 'confirm.pair' });
  assert.deepEqual(await bg.send({ type: 'pair.request', code: CODE }, pairPage), { handled: 'pair.request' });
  assert.deepEqual(bg.handled, ['page.hello', 'ui.forget', 'confirm.pair', 'pair.request']);
});

test('each sender may send only its own messages; the rest get no answer and change nothing', async () => {
  const bg = background();
  const refused: [unknown, MessageSender][] = [
    // A web page's content script asks for pairing or for the popup's powers.
    [{ type: 'pair.request', code: CODE }, reader],
    [{ type: 'ui.unpair' }, reader],
    [{ type: 'confirm.pair', id: 'x', through: 0 }, reader],
    // The popup and options confirm no pairing; the confirmation page does nothing else.
    [{ type: 'confirm.pair', id: 'x', through: 0 }, popup],
    [{ type: 'page.capture', capture: {} }, popup],
    [{ type: 'page.read', url: 'https://news.example/a', html: '<p>x</p>', page_text: 'x', reading: { dwell_ms: 0, scroll: 0 } }, popup],
    [{ type: 'ui.token', daemon: 'http://127.0.0.1:7710', token: 'a'.repeat(64), through: 0 }, confirmPage],
    [{ type: 'ui.state' }, confirmPage],
    // Another extension, even one that claims our pages.
    [{ type: 'ui.state' }, otherExtension],
    // Malformed and unknown messages.
    [{ type: 'page.hello' }, reader],
    [{ type: 'ui.seen', articleId: -1, version: 1 }, popup],
    [{ type: 'ui.nope' }, popup],
    ['ui.state', popup],
    [null, reader],
  ];
  for (const [raw, sender] of refused) assert.equal(await bg.send(raw, sender), 'no answer', `${JSON.stringify(raw)} from ${sender.url}`);
  assert.deepEqual(bg.handled, []);
});

test('a handler that fails answers its error', async () => {
  const bg = background(Promise.resolve(), new Error('Redline is not running at http://127.0.0.1:7710'));
  assert.deepEqual(await bg.send({ type: 'ui.state' }, popup), { error: 'Redline is not running at http://127.0.0.1:7710' });
});

test('a background that could not load its state acts on no message and says why', async () => {
  const bg = background(Promise.reject(new Error('storage is unavailable')));
  assert.deepEqual(await bg.send({ type: 'ui.unpair' }, popup), { error: 'storage is unavailable' });
  assert.deepEqual(bg.handled, []);
});
