import assert from 'node:assert/strict';
import { test } from 'node:test';
import { domParser, pageNames, pageURL, parse, sourceHTML, withScripting } from '../../test/corpus';
import { isArticle } from '../content/detect';
import { extract } from '../content/extract';
import { snapshot } from '../content/snapshot';
import { type ContentMessage, MAX_PAGE_HTML, type PageCapture, parseContentMessage, type Reading } from '../core/messages';
import { readPage } from './pageread';

const parser = domParser();
const reading: Reading = { dwell_ms: 7400, scroll: 0.62 };

/** What the content script did in the page before: judge, then extract, on the live document. */
function inPage(doc: Document, url: string): PageCapture | null {
  return isArticle(doc, url) ? extract(doc, url, reading) : null;
}

/** What it does now: the page's snapshot, through the message, read in the background. */
function offThread(doc: Document, url: string): PageCapture | null {
  const snap = snapshot(doc);
  if ('error' in snap) throw new Error(snap.error);
  // A message is copied on its way (JSON in Chrome, a structured clone in Firefox).
  const sent = JSON.parse(JSON.stringify({ type: 'page.read', url, html: snap.html, page_text: snap.pageText, reading }));
  const msg = parseContentMessage(sent) as Extract<ContentMessage, { type: 'page.read' }> | null;
  assert.ok(msg, 'the background takes the message');
  return readPage({ html: msg.html, url: msg.url, reading: msg.reading, pageText: msg.page_text, detect: true }, parser);
}

for (const name of pageNames()) {
  test(`${name}: the capture read off the page's main thread is the one read in the page`, () => {
    const url = pageURL(name);
    const doc = parse(sourceHTML(name), url);
    const before = doc.documentElement.outerHTML;
    const want = inPage(doc, url);
    assert.ok(want, 'the page is an article');
    const got = offThread(doc, url);
    assert.equal(doc.documentElement.outerHTML, before, 'the page itself is untouched');
    // Everything: title (the headline the reader sees), byline, blocks,
    // extractor, reading, canonical URL, site, date, language, page text.
    assert.deepEqual(got, want);
  });
}

test('a page that is no article gives no capture off the page either', () => {
  const url = 'https://news.example/section/world';
  const doc = parse('<!doctype html><html><head><title>World</title><meta property="og:type" content="website"></head><body><ul>' + '<li><a href="/a">A headline of some story about the world and its many news today</a></li>'.repeat(40) + '</ul></body></html>', url);
  assert.equal(inPage(doc, url), null);
  assert.equal(offThread(doc, url), null);
  const front = parse(sourceHTML(pageNames()[0]!), 'https://news.example/');
  assert.equal(inPage(front, 'https://news.example/'), null, 'a front page is no article');
  assert.equal(offThread(front, 'https://news.example/'), null);
});

test('text a page holds only for readers without scripts does not make it an article off the page', () => {
  const url = 'https://news.example/app/story';
  const para = '<p>' + 'Turn on scripts in your browser to read the story, the comments and everything else this site has to offer today. '.repeat(3) + '</p>';
  // One short paragraph of its own: too little for an article.
  const teaser = '<p>' + 'The council met on Tuesday to talk about the bridge and the roads. '.repeat(4) + '</p>';
  const doc = withScripting(`<!doctype html><html><head><title>Story</title></head><body><div id="app">${teaser}</div><noscript>${para.repeat(8)}</noscript></body></html>`, url);
  assert.equal(inPage(doc, url), null, 'in the page, with scripts on, it holds no paragraph');
  assert.equal(offThread(doc, url), null);
});

test('a page over the HTML limit is sent without its scripts and styles, and read the same', () => {
  const name = pageNames()[0]!;
  const url = pageURL(name);
  const tracker = `<script>var t = "${'x'.repeat(MAX_PAGE_HTML)}";</script><style>.a{}</style>`;
  const doc = parse(sourceHTML(name).replace('</body>', `${tracker}</body>`), url);
  assert.ok(doc.documentElement.outerHTML.length > MAX_PAGE_HTML);
  const snap = snapshot(doc);
  assert.ok('html' in snap);
  assert.ok(snap.html.length < MAX_PAGE_HTML && !snap.html.includes('var t ='), 'no script sent');
  assert.ok(snap.html.includes('application/ld+json') === sourceHTML(name).includes('application/ld+json'), 'structured data stays');
  assert.deepEqual(offThread(doc, url), inPage(doc, url));
});

test('a page still over the limit without its scripts is not captured, and says why', () => {
  const url = 'https://news.example/huge';
  const doc = parse(`<!doctype html><html><head><title>Huge</title></head><body><article><h1>Huge</h1>${`<p>${'word '.repeat(1000)}</p>`.repeat(Math.ceil(MAX_PAGE_HTML / 5000) + 1)}</article></body></html>`, url);
  const snap = snapshot(doc);
  assert.ok('error' in snap);
  assert.match(snap.error, /^This page is too large to capture: 8\.0 MiB of HTML without its scripts and styles, at most 8\.0 MiB\.$/);
});
