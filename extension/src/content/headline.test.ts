// Runs the cases of shared/vectors/headline.json, which the daemon's
// extractor runs too: the headline the reader sees wins over stale
// metadata, and an <h1> nothing else names does not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { blankDocument } from '../../test/corpus';
import { extract } from './extract';
import { headlineWords } from './headline';

type Vectors = { description: string; article: string; cases: { name: string; description: string; html: string; title: string }[] };

const vectors = JSON.parse(readFileSync(join(process.cwd(), 'shared', 'vectors', 'headline.json'), 'utf8')) as Vectors;
const reading = { dwell_ms: 5000, scroll: 0.4 };

test('the headline vectors are there', () => {
  assert.ok(vectors.cases.length >= 10, `${vectors.cases.length} cases`);
});

for (const c of vectors.cases) {
  test(`headline: ${c.name}`, () => {
    assert.ok(c.html.includes('{{article}}'), 'the page holds {{article}}');
    const url = 'https://news.example/2026/11/story';
    const doc = blankDocument(c.html.replaceAll('{{article}}', vectors.article), url);
    const capture = extract(doc, url, reading);
    assert.ok(capture, 'an article was extracted');
    assert.equal(capture.title, c.title, c.description);
  });
}

test('headline words: case, punctuation and quotation marks aside; unspaced scripts by character', () => {
  assert.deepEqual(headlineWords('Mayor Calls Flood ‘Worst in Memory’ | The Example'), ['mayor', 'calls', 'flood', 'worst', 'in', 'memory', 'the', 'example']);
  assert.deepEqual(headlineWords('DeepMind新电脑 AI_科技'), ['deepmind', '新', '电', '脑', 'ai', '科', '技']);
  assert.deepEqual(headlineWords('ΟΔΟΣ Café'), ['οδοσ', 'café']);
});
