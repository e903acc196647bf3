import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ArticleEvent, Summary } from '../core/daemon';
import { alertingChange, applyEvent, badgeText, emptyChanges, listChanges } from './changes';

const summary: Summary = {
  title_changed: true,
  byline_changed: false,
  blocks_added: 0,
  blocks_removed: 0,
  blocks_changed: 1,
  words_added: 3,
  words_removed: 2,
  correction: false,
  significance: 'substantive',
};

const changed = (id: number, article: number, from: number, to: number, at = `2026-11-27T09:0${id}:00Z`): ArticleEvent => ({
  event_id: id,
  type: 'article.changed',
  article_id: article,
  url: `https://news.example/${article}`,
  title: `Article ${article}`,
  from_version: from,
  to_version: to,
  summary,
  at,
});
const seen = (id: number, article: number, version: number): ArticleEvent => ({ event_id: id, type: 'article.seen', article_id: article, url: '', title: '', version, at: '2026-11-27T10:00:00Z' });

test('the badge counts articles with changes not yet seen', () => {
  let s = emptyChanges();
  assert.equal(badgeText(s), '');
  s = applyEvent(s, changed(1, 7, 1, 2));
  s = applyEvent(s, changed(2, 8, 1, 2));
  s = applyEvent(s, changed(3, 7, 2, 3));
  assert.equal(badgeText(s), '2');
  assert.deepEqual(
    listChanges(s).map((c) => [c.articleId, c.from, c.to]),
    [
      [7, 1, 3],
      [8, 1, 2],
    ],
    'newest first; the change runs from the version read to the newest',
  );
  s = applyEvent(s, seen(4, 7, 2));
  assert.equal(badgeText(s), '2', 'seeing version 2 leaves version 3 unseen');
  s = applyEvent(s, seen(5, 7, 3));
  assert.equal(badgeText(s), '1');
  assert.equal(s.lastEventID, 5);
});

test('a replayed event changes nothing (reconnects resume after the last id)', () => {
  const once = applyEvent(applyEvent(emptyChanges(), changed(1, 7, 1, 2)), seen(2, 7, 2));
  assert.equal(applyEvent(once, changed(1, 7, 1, 2)), once);
  assert.equal(badgeText(once), '');
});

test('trivial changes never count', () => {
  const s = applyEvent(emptyChanges(), { ...changed(1, 7, 1, 2), summary: { ...summary, significance: 'trivial' } });
  assert.equal(badgeText(s), '');
  assert.equal(s.lastEventID, 1);
});

test('a change tells the newest headline, the one the reader read, and the newest summary of everything since', () => {
  const headline: Summary = { ...summary, blocks_changed: 0, words_added: 0, words_removed: 0 };
  let s = applyEvent(emptyChanges(), { ...changed(1, 7, 1, 2), title: 'New headline', title_was: 'Old headline', summary: headline });
  s = applyEvent(s, { ...changed(2, 7, 1, 3), title: 'New headline', title_was: 'Old headline' });
  const [c] = listChanges(s);
  assert.equal(c?.title, 'New headline');
  assert.equal(c?.titleWas, 'Old headline');
  assert.deepEqual([c?.from, c?.to], [1, 3]);
  // The second event grades the whole range since the read, headline included.
  assert.equal(c?.summary.title_changed, true);
  assert.equal(c?.summary.blocks_changed, 1);
});

test('a minor change is kept but alerts only when the policy says minor changes alert', () => {
  const minor: Summary = { ...summary, title_changed: false, words_added: 1, words_removed: 1, significance: 'minor' };
  let s = applyEvent(emptyChanges(), { ...changed(1, 7, 1, 2), summary: minor });
  s = applyEvent(s, changed(2, 8, 1, 2));
  // By default only the substantive change of article 8 shows.
  assert.equal(badgeText(s), '1');
  assert.equal(badgeText(s, 'substantive'), '1');
  assert.deepEqual(
    listChanges(s).map((c) => c.articleId),
    [8],
  );
  assert.equal(alertingChange(s, 7), undefined);
  assert.equal(alertingChange(s, 8)?.to, 2);
  // Opted in: both, from the same state (nothing needs replaying).
  assert.equal(badgeText(s, 'minor'), '2');
  assert.deepEqual(
    listChanges(s, 'minor').map((c) => c.articleId),
    [8, 7],
  );
  assert.equal(alertingChange(s, 7, 'minor')?.summary.significance, 'minor');
  // A later event grades everything since the read: when that is
  // substantive, article 7 alerts by default too.
  s = applyEvent(s, changed(3, 7, 1, 3));
  assert.equal(badgeText(s), '2');
  assert.equal(alertingChange(s, 7)?.from, 1);
  // Seeing it clears it under either policy.
  s = applyEvent(s, seen(4, 7, 3));
  assert.equal(badgeText(s, 'minor'), '1');
});
