import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Summary } from './daemon';
import { describeChange, timeAgo } from './summary';

const base: Summary = {
  title_changed: false,
  byline_changed: false,
  blocks_added: 0,
  blocks_removed: 0,
  blocks_changed: 0,
  blocks_moved: 0,
  words_added: 0,
  words_removed: 0,
  correction: false,
  significance: 'minor',
};

test('the banner sentence names what changed, most telling first', () => {
  assert.equal(describeChange({ ...base, title_changed: true, blocks_changed: 2, correction: true, significance: 'substantive' }), 'Headline changed · 2 paragraphs edited · correction added');
  assert.equal(describeChange({ ...base, blocks_added: 1, blocks_removed: 3 }), '1 paragraph added · 3 paragraphs removed');
  assert.equal(describeChange({ ...base, byline_changed: true, blocks_moved: 1 }), 'Byline changed · 1 paragraph moved');
  assert.equal(describeChange({ ...base, words_added: 1, words_removed: 1 }), '2 words changed');
  assert.equal(describeChange({ ...base, title_changed: true, significance: 'trivial' }), '', 'trivial changes are not announced');
});

// The shared wording vectors (shared/vectors/summary.json): the sentence
// the banner, the popup and notifications show for each summary, to the
// letter. The daemon words its summaries by the same vectors.
const wording = JSON.parse(readFileSync(join(process.cwd(), 'shared', 'vectors', 'summary.json'), 'utf8')) as { sentence: { name: string; in: Summary; out: string }[] };

test('shared summary vectors: each summary reads as its sentence', () => {
  assert.ok(wording.sentence.length >= 15, `${wording.sentence.length} vectors`);
  for (const v of wording.sentence) assert.equal(describeChange(v.in), v.out, v.name);
});

// The daemon's diff vectors: every summary it can send reads right.
const vectorsDir = join(process.cwd(), 'shared', 'vectors', 'diff');
const vectors = readdirSync(vectorsDir).filter((f) => f.endsWith('.json'));

test('shared diff vectors: every non-trivial change has words, and only true facts', () => {
  assert.ok(vectors.length >= 30, `${vectors.length} vectors`);
  for (const file of vectors) {
    const v = JSON.parse(readFileSync(join(vectorsDir, file), 'utf8')) as { expect: { summary: Summary } };
    const s = v.expect.summary;
    const text = describeChange(s);
    if (s.significance === 'trivial') {
      assert.equal(text, '', file);
      continue;
    }
    assert.notEqual(text, '', file);
    assert.equal(text.includes('Headline changed'), s.title_changed, `${file}: ${text}`);
    assert.equal(/correction added/.test(text), s.correction, `${file}: ${text}`);
    assert.equal(/edited/.test(text), s.blocks_changed > 0, `${file}: ${text}`);
    assert.equal(/paragraphs? added/.test(text), s.blocks_added > 0, `${file}: ${text}`);
    assert.equal(/paragraphs? removed/.test(text), s.blocks_removed > 0, `${file}: ${text}`);
    assert.match(text, /^[A-Z0-9]/, `${file}: starts like a sentence`);
  }
});

test('when, in the reader’s words', () => {
  const now = new Date('2026-11-27T12:00:00Z');
  assert.equal(timeAgo('2026-11-27T11:59:30Z', now), 'just now');
  assert.equal(timeAgo('2026-11-27T11:59:00Z', now), '1 minute ago');
  assert.equal(timeAgo('2026-11-27T11:15:00Z', now), '45 minutes ago');
  assert.equal(timeAgo('2026-11-27T09:00:00Z', now), '3 hours ago');
  assert.equal(timeAgo('2026-11-25T12:00:00Z', now), '2 days ago');
  assert.equal(timeAgo('2026-01-05T12:00:00Z', now), 'on Jan 5, 2026');
  assert.equal(timeAgo('not a time', now), '');
});
