import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blankDocument } from '../../test/corpus';
import { appendRichText, setRichText } from './rich';

test('commands between backticks show as code, without the backticks', () => {
  const doc = blankDocument();
  const p = doc.createElement('p');
  setRichText(doc, p, 'Start it with `make run` in the project folder, or `redline serve`.');
  assert.equal(p.textContent, 'Start it with make run in the project folder, or redline serve.');
  assert.deepEqual([...p.querySelectorAll('code')].map((c) => c.textContent), ['make run', 'redline serve']);
  setRichText(doc, p, 'Connected.');
  assert.equal(p.innerHTML, 'Connected.', 'replaced, not appended');
});

test('message text is never parsed as HTML', () => {
  const doc = blankDocument();
  const p = doc.createElement('p');
  appendRichText(doc, p, '"<img src=x onerror=alert(1)>" is not a site: try `<b>x</b>`');
  assert.equal(p.querySelector('img'), null);
  assert.equal(p.querySelector('b'), null);
  assert.equal(p.querySelector('code')?.textContent, '<b>x</b>');
});

test('a lone backtick stays as it is', () => {
  const doc = blankDocument();
  const p = doc.createElement('p');
  appendRichText(doc, p, 'run `redline pair` or type ` here');
  assert.equal(p.textContent, 'run redline pair or type ` here');
  assert.equal(p.querySelectorAll('code').length, 1);
});
