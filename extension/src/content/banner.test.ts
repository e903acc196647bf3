import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blankDocument } from '../../test/corpus';
import type { Diff, Summary } from '../core/daemon';
import { Banner, HEADLINE, renderDiff } from './banner';

const summary: Summary = {
  title_changed: true,
  byline_changed: false,
  blocks_added: 0,
  blocks_removed: 0,
  blocks_changed: 2,
  blocks_moved: 0,
  words_added: 9,
  words_removed: 4,
  correction: true,
  significance: 'substantive',
};

const hostile = '<img src=x onerror="window.pwned=1">';

const diff: Diff = {
  article_id: 7,
  url: 'https://news.example/a',
  from: { number: 1, title: 'Old', captured_at: '2026-11-27T08:00:00Z' },
  to: { number: 2, title: 'New', captured_at: '2026-11-27T09:00:00Z' },
  title: [
    { op: 'delete', text: 'Old' },
    { op: 'insert', text: 'New' },
  ],
  byline: [],
  ops: [
    { op: 'equal', kind: 'p', old: 0, new: 0, text: 'Unchanged opening.' },
    { op: 'insert', kind: 'p', new: 1, text: `Correction: ${hostile}` },
    { op: 'change', kind: 'p', old: 1, new: 2, spans: [{ op: 'equal', text: 'Officials did ' }, { op: 'delete', text: 'not ' }, { op: 'equal', text: 'confirm it.' }] },
    { op: 'delete', kind: 'p', old: 2, text: 'A paragraph that went away.' },
  ],
  summary,
};

function setup() {
  const doc = blankDocument();
  const calls: string[] = [];
  const banner = new Banner(doc, {
    diff: async (id) => {
      calls.push(`diff ${id}`);
      return diff;
    },
    dismiss: async (id, v) => {
      calls.push(`seen ${id} ${v}`);
      return null;
    },
    dashboard: async (id) => {
      calls.push(`dashboard ${id}`);
      return null;
    },
  });
  return { doc, banner, calls };
}

// The shadow root is closed: the page cannot reach it, and neither can the
// test through the host; the banner keeps it, and renderDiff is tested alone.
test('the banner says what changed and when, out of the page’s reach', () => {
  const { doc, banner } = setup();
  banner.show({ articleId: 7, version: 2, summary, at: '2026-11-27T09:00:00Z' }, new Date('2026-11-27T09:05:00Z'));
  const host = doc.querySelector('redline-banner') as HTMLElement;
  assert.ok(host, 'the banner is in the page');
  assert.equal(host.shadowRoot, null, 'its shadow root is closed');
  assert.equal(host.textContent, '', 'nothing of it is in the light DOM');
});

test('a trivial change shows no banner', () => {
  const { doc, banner } = setup();
  banner.show({ articleId: 7, version: 2, summary: { ...summary, significance: 'trivial' }, at: '2026-11-27T09:00:00Z' });
  assert.equal(doc.querySelector('redline-banner'), null);
});

test('the inline diff strikes deletions, marks insertions, keeps reading order, and inserts captured text as text', () => {
  const doc = blankDocument();
  const box = renderDiff(doc, diff);
  assert.equal(box.querySelector('img'), null, 'captured markup is not parsed');
  assert.equal([...box.querySelectorAll('ins')].map((e) => e.textContent).join('|'), `New|Correction: ${hostile}`);
  assert.equal([...box.querySelectorAll('del')].map((e) => e.textContent).join('|'), 'Old|not |A paragraph that went away.');
  assert.deepEqual(
    [...box.children].map((e) => e.textContent),
    ['headlineOldNew', 'Unchanged opening.', `addedCorrection: ${hostile}`, 'Officials did not confirm it.', 'removedA paragraph that went away.'],
  );
});

test('Dismiss marks the change seen and removes the banner', async () => {
  const doc = blankDocument();
  let seen = '';
  let done!: () => void;
  const dismissed = new Promise<void>((r) => (done = r));
  const banner = new Banner(doc, {
    diff: async () => diff,
    dismiss: async (id, v) => {
      seen = `${id}@${v}`;
      queueMicrotask(done);
      return null;
    },
    dashboard: async () => null,
  });
  // The test keeps the closed root the banner creates, as only the banner can.
  const proto = doc.defaultView!.Element.prototype;
  const attach = proto.attachShadow;
  let root: ShadowRoot | undefined;
  proto.attachShadow = function (this: Element, init: ShadowRootInit) {
    root = attach.call(this, init);
    return root;
  };
  banner.show({ articleId: 7, version: 2, summary, at: new Date().toISOString() });
  assert.ok(root);
  const text = root.textContent ?? '';
  assert.match(text, new RegExp(HEADLINE));
  assert.match(text, /Headline changed · 2 paragraphs edited · correction added/);
  assert.match(text, /changed just now/);
  const buttons = [...root.querySelectorAll('button')];
  assert.deepEqual(buttons.map((b) => b.textContent), ['Show changes', 'Show all changes', 'Dismiss']);
  buttons[2]!.click();
  await dismissed;
  await new Promise<void>((r) => setImmediate(r));
  assert.equal(seen, '7@2');
  assert.equal(doc.querySelector('redline-banner'), null);
});

test('Show all changes asks the background to open the article’s page in the dashboard, and says why when it cannot', async () => {
  const doc = blankDocument();
  const asked: number[] = [];
  let answer: string | null = 'Redline is not running at http://127.0.0.1:7710.';
  let done!: () => void;
  let opened = new Promise<void>((r) => (done = r));
  const banner = new Banner(doc, {
    diff: async () => diff,
    dismiss: async () => null,
    dashboard: async (id) => {
      asked.push(id);
      queueMicrotask(done);
      return answer;
    },
  });
  const proto = doc.defaultView!.Element.prototype;
  const attach = proto.attachShadow;
  let root: ShadowRoot | undefined;
  proto.attachShadow = function (this: Element, init: ShadowRootInit) {
    root = attach.call(this, init);
    return root;
  };
  banner.show({ articleId: 7, version: 2, summary, at: new Date().toISOString() });
  const all = [...root!.querySelectorAll('button')].find((b) => b.textContent === 'Show all changes');
  assert.ok(all, 'the banner has Show all changes');
  all.click();
  await opened;
  await new Promise<void>((r) => setImmediate(r));
  assert.deepEqual(asked, [7]);
  assert.match(root!.textContent ?? '', /Redline is not running at http:\/\/127\.0\.0\.1:7710\./, 'the reason is shown');
  assert.ok(doc.querySelector('redline-banner'), 'the banner stays');
  // When it opens, nothing more is said and the banner stays as it was.
  answer = null;
  opened = new Promise<void>((r) => (done = r));
  const before = root!.querySelectorAll('.error').length;
  all.click();
  await opened;
  await new Promise<void>((r) => setImmediate(r));
  assert.deepEqual(asked, [7, 7]);
  assert.equal(root!.querySelectorAll('.error').length, before);
});
