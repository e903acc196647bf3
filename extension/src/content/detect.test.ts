import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blankDocument, loadPage, pageNames, pageURL } from '../../test/corpus';
import { isArticle, signals } from './detect';

for (const name of pageNames()) {
  test(`${name}: a real news article is recognised`, () => {
    const page = loadPage(name);
    const s = signals(page.source);
    assert.equal(s.readerable, true);
    assert.equal(isArticle(page.source, pageURL(name)), true);
  });
}

const longText = '<p>' + 'The council met on Tuesday to decide the budget for the coming year, and the vote was delayed again. '.repeat(6) + '</p>';

test("a site's front page is not an article, even with article text", () => {
  const doc = blankDocument(`<!doctype html><head><meta property="og:type" content="article"></head><body><article>${longText.repeat(3)}</article></body>`);
  assert.equal(isArticle(doc, 'https://news.example/'), false);
  assert.equal(isArticle(doc, 'https://news.example/2026/budget'), true);
});

test('a page that declares itself something else is not an article, unless its JSON-LD says it is', () => {
  const page = (head: string) => blankDocument(`<!doctype html><head>${head}</head><body><article>${longText.repeat(3)}</article></body>`);
  assert.equal(isArticle(page('<meta property="og:type" content="video.other">'), 'https://news.example/v/1'), false);
  assert.equal(isArticle(page('<meta property="og:type" content="website">'), 'https://news.example/about'), false);
  const ld = '<meta property="og:type" content="website"><script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebPage"},{"@type":["NewsArticle"],"headline":"Budget"}]}</script>';
  assert.equal(signals(page(ld)).jsonLdArticle, true);
  assert.equal(isArticle(page(ld), 'https://news.example/2026/budget'), true);
  assert.equal(signals(page('<script type="application/ld+json">{not json</script>')).jsonLdArticle, false);
});

test('a short page is not an article, whatever it declares', () => {
  const doc = blankDocument('<!doctype html><head><meta property="og:type" content="article"></head><body><p>Subscribe to read this story.</p></body>');
  assert.equal(isArticle(doc, 'https://news.example/2026/paywalled'), false);
});
