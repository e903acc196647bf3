import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { blankDocument, loadPage, pageNames, pageURL } from '../../test/corpus';
import { type Block, normalizeText } from '../core/canonical';
import { MAX_BLOCK_CHARS, MAX_BLOCKS, MAX_PAGE_TEXT_BYTES, MAX_TEXT_BYTES, isCapture, textBytes } from '../core/messages';
import { blocksOf, clip, EXTRACTOR, extract, fitBlocks, pageTextOf } from './extract';

const reading = { dwell_ms: 5000, scroll: 0.4 };

for (const name of pageNames()) {
  test(`${name}: the capture holds the article's text as Readability expects it`, () => {
    const page = loadPage(name);
    const before = page.source.documentElement.outerHTML;
    const c = extract(page.source, pageURL(name), reading);
    assert.ok(c, 'an article was extracted');
    assert.equal(page.source.documentElement.outerHTML, before, 'the page itself is untouched');

    assert.equal(c.title, normalizeText(page.meta.title));
    if (page.meta.byline) assert.equal(c.byline, normalizeText(page.meta.byline));
    assert.equal(c.extractor, EXTRACTOR);
    assert.deepEqual(c.reading, reading);

    // Same blocks as the expected article, in the same order (the
    // headline, when it opens the body, is the title instead).
    const want = blocksOf(page.expected.body).filter((b, i) => !(i === 0 && b.kind === 'h' && b.text === c.title));
    assert.deepEqual(c.blocks, want);
    assert.ok(c.blocks.length >= 5, `${c.blocks.length} blocks`);
    for (const b of c.blocks) assert.equal(b.text, b.kind === 'pre' ? b.text : normalizeText(b.text), 'text is normalised');
  });
}

test('blocks keep headings, paragraphs, list items, quotes and preformatted text apart, in reading order', () => {
  const doc = blankDocument(`<!doctype html><body><div id="a">
    <h2>Before  the vote</h2>
    <p>First <b>paragraph</b> with\u00ADsoft hyphen.</p>
    <div>Loose text in a div</div>
    <ul><li>One</li><li>Two <ul><li>Two and a half</li></ul></li></ul>
    <blockquote><p>Quoted one.</p><p>Quoted two.</p></blockquote>
    <pre>  line 1\n  line 2   \n</pre>
    <script>var x = "not text";</script>
  </div></body>`);
  assert.deepEqual(blocksOf(doc.getElementById('a')!), [
    { kind: 'h', text: 'Before the vote' },
    { kind: 'p', text: 'First paragraph withsoft hyphen.' },
    { kind: 'p', text: 'Loose text in a div' },
    { kind: 'li', text: 'One' },
    { kind: 'li', text: 'Two' },
    { kind: 'li', text: 'Two and a half' },
    { kind: 'quote', text: 'Quoted one.' },
    { kind: 'quote', text: 'Quoted two.' },
    { kind: 'pre', text: '  line 1\n  line 2' },
  ]);
});

test('markup in the page stays text in the capture', () => {
  const paragraph = 'The council said &lt;img src=x onerror=alert(1)&gt; was only a test of its website, and nothing more; ';
  const doc = blankDocument(
    `<!doctype html><html lang="en"><head><title>Council site test</title><link rel="canonical" href="/story?utm_source=x"></head><body><article><h1>Council site test</h1>${`<p>${paragraph.repeat(3)}</p>`.repeat(6)}</article></body></html>`,
    'https://news.example/2026/council',
  );
  const c = extract(doc, 'https://news.example/2026/council', reading);
  assert.ok(c);
  assert.match(c.blocks[0]!.text, /<img src=x onerror=alert\(1\)>/);
  assert.equal(c.canonical_url, 'https://news.example/story?utm_source=x');
  assert.equal(c.lang, 'en');
});

test('a page without article text gives no capture', () => {
  const doc = blankDocument('<!doctype html><title>Empty</title><body><nav><a href="/">Home</a></nav></body>');
  assert.equal(extract(doc, 'https://news.example/empty', reading), null);
});

test('a page with more text than a capture may hold is captured from its start, cut to the limits', () => {
  // 2-byte and 3-byte characters: the daemon's limits count UTF-8 bytes.
  const para = (i: number): string => `Section ${i}. Le comité a étudié le pont, 橋の点検 and the roads; `.repeat(14);
  const paras = Array.from({ length: 800 }, (_, i) => `<p>${para(i)}</p>`).join('\n');
  const doc = blankDocument(`<!doctype html><html lang="en"><head><title>The whole report</title></head><body><article><h1>The whole report</h1>${paras}</article></body></html>`, 'https://news.example/report');
  const pageBytes = textBytes(Array.from({ length: 800 }, (_, i) => ({ text: para(i) })));
  assert.ok(pageBytes > 1.5 * MAX_TEXT_BYTES, `the page holds ${pageBytes} bytes`);

  const c = extract(doc, 'https://news.example/report', reading);
  assert.ok(c, 'the page is captured');
  const bytes = textBytes(c.blocks);
  assert.ok(bytes <= MAX_TEXT_BYTES && bytes > MAX_TEXT_BYTES - 2000, `${bytes} bytes of text, want at most and near ${MAX_TEXT_BYTES}`);
  assert.ok(c.blocks[0]!.text.startsWith('Section 0.'), 'the start of the article is kept');
  assert.equal(c.blocks.at(-1)!.text.includes('\uFFFD'), false, 'no character is cut in two');
  assert.ok(isCapture(c), 'the background takes the capture');
});

test('blocks are cut to the limits in reading order, never inside a character', () => {
  const big = (ch: string, n: number): Block => ({ kind: 'p', text: ch.repeat(n) });
  // Each block over the block limit, with 3-byte characters.
  const fitted = fitBlocks(Array.from({ length: 8 }, () => big('日', MAX_BLOCK_CHARS / 3 + 10)));
  assert.ok(textBytes(fitted) <= MAX_TEXT_BYTES && textBytes(fitted) > MAX_TEXT_BYTES - 3);
  for (const b of fitted) assert.ok(new TextEncoder().encode(b.text).length <= MAX_BLOCK_CHARS && !b.text.includes('\uFFFD'));
  assert.equal(fitBlocks(Array.from({ length: MAX_BLOCKS + 5 }, () => big('w', 1))).length, MAX_BLOCKS);
  const small = [big('a', 10), { kind: 'li' as const, text: 'é' }];
  assert.deepEqual(fitBlocks(small), small);
  assert.equal(clip('aé', 2), 'a');
  assert.equal(clip('aé', 3), 'aé');
});

test('the capture carries the visible text of the whole page beside the article, as the daemon reads a fetched page', () => {
  const story = 'The council delayed the budget vote on Tuesday after the auditor warned about the levy. '.repeat(4);
  const doc = blankDocument(
    `<!doctype html><html lang="en"><head><title>Budget vote delayed</title>
    <meta name="description" content="  The council   waits for the auditor. ">
    <style>.x { color: red }</style><script>var head = 1</script></head>
    <body><nav><a href="/">Home</a> <a href="/politics">Politics</a></nav>
    <article><h1>Budget vote delayed</h1><p>${story}</p><p>${story}</p><p>${story}</p></article>
    <aside><p>Story continues: the mayor defended the plan.</p></aside>
    <div hidden>Hidden by attribute.</div><p style="display: none">Hidden by style.</p>
    <script>var body = "script text"</script><noscript>Turn on scripts.</noscript>
    <footer>© The Example</footer></body></html>`,
    'https://news.example/budget',
  );
  const c = extract(doc, 'https://news.example/budget', reading);
  assert.ok(c);
  assert.equal(
    c.page_text,
    ['The council waits for the auditor.', 'Home Politics', 'Budget vote delayed', story.trim(), story.trim(), story.trim(), 'Story continues: the mayor defended the plan.', '© The Example'].join('\n'),
  );
  assert.ok(isCapture(c), 'the background takes the capture');
});

test('page text is cut to its limit at a character boundary, and the background refuses more', () => {
  const line = 'Le comité a étudié le pont, 橋の点検 and the roads. ';
  const doc = blankDocument(`<!doctype html><body>${`<p>${line.repeat(40)}</p>`.repeat(Math.ceil(MAX_PAGE_TEXT_BYTES / (line.length * 40)) + 50)}</body>`);
  const text = pageTextOf(doc);
  const bytes = new TextEncoder().encode(text).length;
  assert.ok(bytes <= MAX_PAGE_TEXT_BYTES && bytes > MAX_PAGE_TEXT_BYTES - 4, `${bytes} bytes, want at most and near ${MAX_PAGE_TEXT_BYTES}`);
  assert.equal(text.includes('\uFFFD'), false, 'no character is cut in two');
  assert.ok(text.startsWith('Le comité'), 'the start of the page is kept');
  const capture = { url: 'https://news.example/a', title: 'T', blocks: [{ kind: 'p', text: 'x' }], extractor: EXTRACTOR, reading };
  assert.ok(isCapture({ ...capture, page_text: text }));
  assert.equal(isCapture({ ...capture, page_text: text + 'ééé' }), false, 'over the limit in bytes');
  assert.equal(isCapture({ ...capture, page_text: 42 }), false, 'not a string');
});

test('a page parsed from HTML, which no window lays out, gives its text without scripts, styles or hidden elements, whatever its innerText says', () => {
  const { JSDOM } = createRequire(import.meta.url)('jsdom') as { JSDOM: new () => { window: { DOMParser: new () => DOMParser } } };
  const doc = new new JSDOM().window.DOMParser().parseFromString(
    '<!doctype html><html><head><title>T</title><style>.ad { display: none }</style></head><body><p>The council voted.</p><script>var tracker = "script text";</script><div hidden>Hidden.</div></body></html>',
    'text/html',
  );
  assert.equal(doc.defaultView, null, 'a parsed document has no window');
  // A browser answers innerText on a document it does not lay out with the
  // bare text of every node, as here.
  Object.defineProperty(doc.body, 'innerText', { get: () => doc.body.textContent });
  assert.equal(pageTextOf(doc), 'The council voted.');
});
