import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blankDocument, loadPage, pageNames, pageURL } from '../../test/corpus';
import { normalizeText } from '../core/canonical';
import { blocksOf, EXTRACTOR, extract } from './extract';

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
