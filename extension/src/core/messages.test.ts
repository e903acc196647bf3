import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifySender, isCapture, MAX_PAGE_HTML, MAX_PAGE_TEXT_BYTES, MAX_TEXT_BYTES, parseConfirmMessage, parseContentMessage, parsePageMessage, textBytes } from './messages';

const ID = 'pefbhbjklgdhmmiknnjkgangfknghlip';
const BASE = `chrome-extension://${ID}/`;
const tab = { id: 3, incognito: false };

test('only this extension’s own parts are heard', () => {
  assert.equal(classifySender({ id: ID, url: `${BASE}popup.html` }, ID, BASE), 'extension-page');
  assert.equal(classifySender({ id: ID, url: `${BASE}options.html`, tab, frameId: 0 }, ID, BASE), 'extension-page');
  // Only the pairing confirmation page itself is the confirmation page.
  assert.equal(classifySender({ id: ID, url: `${BASE}confirm-pair.html`, tab, frameId: 0 }, ID, BASE), 'confirm-page');
  assert.equal(classifySender({ id: ID, url: `${BASE}confirm-pair.html?x#y`, tab, frameId: 0 }, ID, BASE), 'confirm-page');
  assert.equal(classifySender({ id: ID, url: `${BASE}confirm-pair.html.evil`, tab, frameId: 0 }, ID, BASE), 'extension-page');
  assert.equal(classifySender({ id: ID, url: `${BASE}popup.html#confirm-pair.html` }, ID, BASE), 'extension-page');
  assert.equal(classifySender({ id: ID, url: 'http://127.0.0.1:7710/confirm-pair.html', tab, frameId: 0 }, ID, BASE), 'content');
  assert.equal(classifySender({ id: 'abcdefghijklmnopabcdefghijklmnop', url: `${BASE}confirm-pair.html` }, ID, BASE), 'stranger');
  assert.equal(classifySender({ id: ID, url: 'https://news.example/a', tab, frameId: 0 }, ID, BASE), 'content');
  assert.equal(classifySender({ id: ID, url: 'http://127.0.0.1:7710/pair', tab, frameId: 0 }, ID, BASE), 'pair-page');
  assert.equal(classifySender({ id: ID, url: 'http://localhost:9999/pair', tab, frameId: 0 }, ID, BASE), 'pair-page');

  // Another extension, even one that claims our pages.
  assert.equal(classifySender({ id: 'abcdefghijklmnopabcdefghijklmnop', url: `${BASE}popup.html` }, ID, BASE), 'stranger');
  assert.equal(classifySender({ url: 'https://evil.example/' }, ID, BASE), 'stranger');
  // Frames inside a page, private windows, odd schemes.
  assert.equal(classifySender({ id: ID, url: 'https://news.example/a', tab, frameId: 4 }, ID, BASE), 'stranger');
  assert.equal(classifySender({ id: ID, url: 'https://news.example/a', tab: { id: 3, incognito: true }, frameId: 0 }, ID, BASE), 'stranger');
  assert.equal(classifySender({ id: ID, url: 'file:///etc/passwd', tab, frameId: 0 }, ID, BASE), 'stranger');
  // A /pair page anywhere but on loopback is an ordinary page.
  assert.equal(classifySender({ id: ID, url: 'https://evil.example/pair', tab, frameId: 0 }, ID, BASE), 'content');
  assert.equal(classifySender({ id: ID, url: 'https://127.0.0.1.evil.example/pair', tab, frameId: 0 }, ID, BASE), 'content');
});

test('a capture the background read is queued only within the daemon\'s limits', () => {
  const capture = {
    url: 'https://news.example/a',
    title: 'T',
    blocks: [{ kind: 'p', text: 'x' }],
    extractor: 'readability@0.6.0',
    reading: { dwell_ms: 1000, scroll: 0.5 },
  };
  assert.ok(isCapture(capture));
  const atTheLimit = { ...capture, blocks: Array.from({ length: 4 }, () => ({ kind: 'p', text: 'é'.repeat(MAX_TEXT_BYTES / 8) })) };
  assert.equal(textBytes(atTheLimit.blocks), MAX_TEXT_BYTES);
  assert.ok(isCapture(atTheLimit));
  for (const bad of [
    { ...capture, blocks: [] },
    { ...capture, blocks: [{ kind: 'script', text: 'x' }] },
    { ...capture, reading: { dwell_ms: 1, scroll: 2 } },
    { ...capture, title: 7 },
    // Within the limit of each block, over the limit of the whole text
    // (the daemon's, in UTF-8 bytes: 3 a character here).
    { ...capture, blocks: Array.from({ length: 6 }, () => ({ kind: 'p', text: '日'.repeat(MAX_TEXT_BYTES / 18 + 1) })) },
  ]) {
    assert.equal(isCapture(bad), false, JSON.stringify(bad).slice(0, 200));
  }
});

test('a page sent to be read is taken within its limits; anything else is dropped', () => {
  const read = { type: 'page.read', url: 'https://news.example/a', html: '<!DOCTYPE html><html><body><p>x</p></body></html>', page_text: 'x', reading: { dwell_ms: 1000, scroll: 0.5 } };
  assert.deepEqual(parseContentMessage(read), read);
  assert.deepEqual(parseContentMessage({ ...read, extra: 1 }), read, 'only the known fields are kept');
  const biggest = { ...read, html: 'a'.repeat(MAX_PAGE_HTML), page_text: 'é'.repeat(MAX_PAGE_TEXT_BYTES / 2) };
  assert.deepEqual(parseContentMessage(biggest), biggest, 'at the limits');
  for (const [bad, why] of [
    [{ ...read, html: 'a'.repeat(MAX_PAGE_HTML + 1) }, 'HTML over its limit'],
    [{ ...read, html: 7 }, 'HTML not a string'],
    [{ ...read, html: undefined }, 'no HTML'],
    [{ ...read, page_text: 'é'.repeat(MAX_PAGE_TEXT_BYTES / 2 + 1) }, 'page text over its limit in bytes'],
    [{ ...read, page_text: null }, 'page text not a string'],
    [{ ...read, url: 42 }, 'URL not a string'],
    [{ ...read, url: 'https://news.example/' + 'a'.repeat(8192) }, 'URL too long'],
    [{ ...read, reading: { dwell_ms: 1, scroll: 2 } }, 'scrolled past the end'],
    [{ ...read, reading: { dwell_ms: -1, scroll: 0 } }, 'negative dwell'],
    [{ ...read, reading: undefined }, 'no reading'],
  ] as const) {
    assert.equal(parseContentMessage(bad), null, why);
  }
});

test('malformed messages are dropped', () => {
  for (const bad of [
    null,
    'page.hello',
    { type: 'page.nope' },
    // A capture made elsewhere: the background makes captures itself.
    { type: 'page.capture', capture: { url: 'https://news.example/a', title: 'T', blocks: [{ kind: 'p', text: 'x' }], extractor: 'readability@0.6.0', reading: { dwell_ms: 1000, scroll: 0.5 } } },
    { type: 'page.dismiss', articleId: 1.5, version: 2 },
    { type: 'page.diff', articleId: -1 },
    { type: 'pair.request', code: 'ABC' },
    { type: 'pair.request', code: '0123456789abcdef0123456789abcdeg' },
    { type: 'pair.claim', code: '0123456789abcdef0123456789abcdef' },
  ]) {
    assert.equal(parseContentMessage(bad), null, JSON.stringify(bad));
  }
  assert.deepEqual(parseContentMessage({ type: 'pair.request', code: '0123456789abcdef0123456789abcdef', extra: 1 }), { type: 'pair.request', code: '0123456789abcdef0123456789abcdef' });
  assert.equal(parsePageMessage({ type: 'ui.seen', articleId: 3 }), null);
  // Opening the dashboard: a page asks only for an article's page, by id;
  // the popup for the home page (null) or an article's; never a path.
  assert.deepEqual(parseContentMessage({ type: 'page.dashboard', articleId: 7 }), { type: 'page.dashboard', articleId: 7 });
  assert.deepEqual(parsePageMessage({ type: 'ui.dashboard', articleId: null }), { type: 'ui.dashboard', articleId: null });
  assert.deepEqual(parsePageMessage({ type: 'ui.dashboard', articleId: 7 }), { type: 'ui.dashboard', articleId: 7 });
  for (const bad of [{ type: 'page.dashboard' }, { type: 'page.dashboard', articleId: 0 }, { type: 'page.dashboard', articleId: '/settings' }, { type: 'page.dashboard', articleId: 2.5 }]) {
    assert.equal(parseContentMessage(bad), null, JSON.stringify(bad));
  }
  for (const bad of [{ type: 'ui.dashboard' }, { type: 'ui.dashboard', articleId: '//evil.example/' }, { type: 'ui.dashboard', articleId: -3 }]) {
    assert.equal(parsePageMessage(bad), null, JSON.stringify(bad));
  }
  // Pairing by hand says which unpaired captures the page showed.
  assert.deepEqual(parsePageMessage({ type: 'ui.token', daemon: 'http://127.0.0.1:7710', token: 't', through: 4 }), { type: 'ui.token', daemon: 'http://127.0.0.1:7710', token: 't', through: 4 });
  assert.equal(parsePageMessage({ type: 'ui.token', daemon: 'http://127.0.0.1:7710', token: 't' }), null);
  assert.equal(parsePageMessage({ type: 'ui.token', daemon: 'http://127.0.0.1:7710', token: 't', through: -1 }), null);
  assert.deepEqual(parsePageMessage({ type: 'ui.queue.discard', daemon: null }), { type: 'ui.queue.discard', daemon: null });
  assert.equal(parsePageMessage({ type: 'ui.queue.discard' }), null);
  // The confirmation page's messages are its own: no other page's parser takes them.
  assert.deepEqual(parseConfirmMessage({ type: 'confirm.pair', id: 'abc', through: 0 }), { type: 'confirm.pair', id: 'abc', through: 0 });
  assert.deepEqual(parseConfirmMessage({ type: 'confirm.cancel', id: 'abc' }), { type: 'confirm.cancel', id: 'abc' });
  for (const bad of [{ type: 'confirm.pair', id: 'abc' }, { type: 'confirm.pair', id: 3, through: 0 }, { type: 'confirm.cancel' }, { type: 'ui.state' }]) {
    assert.equal(parseConfirmMessage(bad), null, JSON.stringify(bad));
  }
  assert.equal(parsePageMessage({ type: 'confirm.pair', id: 'abc', through: 0 }), null);
  assert.equal(parseContentMessage({ type: 'confirm.pair', id: 'abc', through: 0 }), null);
  assert.equal(parsePageMessage({ type: 'page.hello', url: 'x' }), null, 'content messages are not page messages');
  assert.deepEqual(parsePageMessage({ type: 'ui.forget', url: 'https://news.example/a' }), { type: 'ui.forget', url: 'https://news.example/a' });
  assert.deepEqual(parsePageMessage({ type: 'ui.sites.save', allow: [], deny: ['bank.example'] }), { type: 'ui.sites.save', allow: [], deny: ['bank.example'] });
  assert.equal(parsePageMessage({ type: 'ui.sites.save', deny: ['bank.example'] }), null);
  assert.equal(parsePageMessage({ type: 'ui.sites.save', allow: [], deny: [3] }), null);
  assert.equal(parsePageMessage({ type: 'ui.sites.save', allow: [], deny: 'bank.example' }), null);
});

test('the options may read the alert policy and save one of its two values, nothing else', () => {
  assert.deepEqual(parsePageMessage({ type: 'ui.alerts' }), { type: 'ui.alerts' });
  assert.deepEqual(parsePageMessage({ type: 'ui.alerts.save', alertOn: 'minor' }), { type: 'ui.alerts.save', alertOn: 'minor' });
  assert.deepEqual(parsePageMessage({ type: 'ui.alerts.save', alertOn: 'substantive' }), { type: 'ui.alerts.save', alertOn: 'substantive' });
  for (const bad of [{ type: 'ui.alerts.save' }, { type: 'ui.alerts.save', alertOn: 'trivial' }, { type: 'ui.alerts.save', alertOn: 'MINOR' }, { type: 'ui.alerts.save', alertOn: 1 }]) {
    assert.equal(parsePageMessage(bad), null, JSON.stringify(bad));
  }
  assert.equal(parseContentMessage({ type: 'ui.alerts.save', alertOn: 'minor' }), null, 'a web page cannot change the policy');
});

test('the options ask for and save the re-check settings in their shape only', () => {
  assert.deepEqual(parsePageMessage({ type: 'ui.recheck', extra: 1 }), { type: 'ui.recheck' });
  const good = { type: 'ui.recheck.save', enabled: false, daily_budget: 50, sites: ['news.example'] };
  assert.deepEqual(parsePageMessage(good), good);
  for (const bad of [
    { ...good, enabled: 'no' },
    { ...good, daily_budget: -1 },
    { ...good, daily_budget: 5001 },
    { ...good, daily_budget: 2.5 },
    { ...good, sites: 'news.example' },
    { ...good, sites: [7] },
    { type: 'ui.recheck.save', enabled: true, daily_budget: 10 },
  ]) {
    assert.equal(parsePageMessage(bad), null, JSON.stringify(bad));
  }
});
