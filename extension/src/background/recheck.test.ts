import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { loadPage, pageNames, pageURL } from '../../test/corpus';
import { defaultSettings, type Settings, type SiteRules } from '../core/settings';
import { extract } from '../content/extract';
import { type Fetched, MAX_ANSWER_HTML, parseRecheckRequest, type RecheckRequest, runRecheck } from './recheck';
import { parseArticle } from './pageread';

const { JSDOM } = createRequire(import.meta.url)('jsdom') as { JSDOM: new (html?: string) => { window: { DOMParser: new () => DOMParser } } };
const parser = new new JSDOM().window.DOMParser();

const JOB = '0123456789abcdef0123456789abcdef';
const request = (over: Partial<RecheckRequest> = {}): RecheckRequest => ({
  type: 'recheck.request', job_id: JOB, article_id: 12, url: 'https://news.example/a', validators: {}, lease_until: '2026-11-27T09:02:00Z', ...over,
});

function deps(opts: { settings?: Partial<Settings>; sites?: SiteRules; fetched?: Fetched | Error; inPrivate?: boolean } = {}) {
  const fetched: string[] = [];
  return {
    fetched,
    deps: {
      settings: () => ({ ...defaultSettings, ...opts.settings }),
      inPrivate: () => opts.inPrivate ?? false,
      sites: () => opts.sites ?? { allow: [], deny: [] },
      fetchPage: async (url: string) => {
        fetched.push(url);
        if (opts.fetched instanceof Error) throw opts.fetched;
        return opts.fetched ?? { status: 200, url, html: '' };
      },
      parse: async (html: string, url: string) => parseArticle(html, url, parser),
      now: () => new Date('2026-11-27T09:01:00Z'),
    },
  };
}

test('a re-check reads the page exactly as a read capture of it does', () => {
  for (const name of pageNames().slice(0, 5)) {
    const page = loadPage(name);
    const html = page.source.documentElement.outerHTML;
    const read = extract(page.source, pageURL(name), { dwell_ms: 0, scroll: 0 });
    assert.deepEqual(parseArticle(html, pageURL(name), parser), read, name);
  }
});

test('a fetched article is answered with its extraction, as a browser capture, and the start of its HTML', async () => {
  const name = pageNames()[0]!;
  const html = loadPage(name).source.documentElement.outerHTML;
  const { deps: d, fetched } = deps({ fetched: { status: 200, url: pageURL(name), html, etag: '"v2"' } });
  const ans = await runRecheck(request({ url: pageURL(name) }), d);
  assert.deepEqual(fetched, [pageURL(name)]);
  assert.equal(ans.outcome, 'page');
  if (ans.outcome !== 'page') return;
  assert.equal(ans.http_status, 200);
  assert.equal(ans.html, html);
  assert.equal(ans.etag, '"v2"');
  assert.ok(ans.capture);
  assert.equal(ans.capture.source, 'browser');
  assert.equal(ans.capture.captured_at, '2026-11-27T09:01:00.000Z');
  assert.equal((ans.capture as { reading?: unknown }).reading, undefined, 'a re-check is not a read');
  assert.ok(ans.capture.blocks.length >= 5);
});

test('a page without an article is answered without a capture, for the daemon to judge', async () => {
  const shell = '<!doctype html><html><head><script src="/app.js"></script></head><body><div id="app">Loading…</div></body></html>';
  const { deps: d } = deps({ fetched: { status: 200, url: 'https://news.example/a', html: shell } });
  const ans = await runRecheck(request(), d);
  assert.deepEqual(ans, { outcome: 'page', http_status: 200, url: 'https://news.example/a', html: shell, capture: null });
});

test('the HTML sent is cut to its first MiB, at a character boundary', async () => {
  const big = '<p>' + 'é'.repeat(MAX_ANSWER_HTML);
  const { deps: d } = deps({ fetched: { status: 403, url: 'https://news.example/a', html: big } });
  const ans = await runRecheck(request(), d);
  assert.equal(ans.outcome, 'page');
  if (ans.outcome !== 'page') return;
  assert.ok(new TextEncoder().encode(ans.html).length <= MAX_ANSWER_HTML);
  assert.ok(ans.html.startsWith('<p>é') && !ans.html.includes('\ufffd'));
  assert.equal(ans.capture, null, 'an error page is not read');
});

test('not modified is answered as such, without a page', async () => {
  const { deps: d } = deps({ fetched: { status: 304, url: 'https://news.example/a', html: 'ignored' } });
  assert.deepEqual(await runRecheck(request({ validators: { etag: '"v1"' } }), d), { outcome: 'page', http_status: 304, url: 'https://news.example/a', html: '', capture: null });
});

test('while capture is paused nothing is fetched: the job is declined', async () => {
  const { deps: d, fetched } = deps({ settings: { paused: true } });
  assert.deepEqual(await runRecheck(request(), d), { outcome: 'declined', detail: 'paused' });
  assert.deepEqual(fetched, []);
});

test('a denied site is never fetched: the job is declined', async () => {
  const { deps: d, fetched } = deps({ sites: { allow: [], deny: ['news.example'] } });
  assert.deepEqual(await runRecheck(request(), d), { outcome: 'declined', detail: 'denied' });
  const { deps: d2, fetched: f2 } = deps({ sites: { allow: ['other.example'], deny: [] } });
  assert.deepEqual(await runRecheck(request(), d2), { outcome: 'declined', detail: 'denied' });
  assert.deepEqual([...fetched, ...f2], []);
});

test('never from a private window: a background running for private windows fetches nothing and declines the job', async () => {
  const { deps: d, fetched } = deps({ inPrivate: true });
  assert.deepEqual(await runRecheck(request(), d), { outcome: 'declined', detail: 'private' });
  // Even on a site the reader allowed, with capture on.
  const { deps: d2, fetched: f2 } = deps({ inPrivate: true, sites: { allow: ['news.example'], deny: [] } });
  assert.deepEqual(await runRecheck(request(), d2), { outcome: 'declined', detail: 'private' });
  assert.deepEqual([...fetched, ...f2], []);
  // The same job outside a private window is fetched.
  const { deps: d3, fetched: f3 } = deps();
  assert.equal((await runRecheck(request(), d3)).outcome, 'page');
  assert.deepEqual(f3, ['https://news.example/a']);
});

test('a failed fetch is an error answer', async () => {
  const { deps: d } = deps({ fetched: new TypeError('Failed to fetch') });
  assert.deepEqual(await runRecheck(request(), d), { outcome: 'error', detail: 'network error' });
  const timeout = new Error('timed out');
  timeout.name = 'TimeoutError';
  const { deps: d2 } = deps({ fetched: timeout });
  assert.deepEqual(await runRecheck(request(), d2), { outcome: 'error', detail: 'the site did not answer in time' });
});

test('only well-formed requests are taken', () => {
  assert.deepEqual(parseRecheckRequest({ ...request(), validators: { etag: '"v1"', last_modified: 7 } }), { ...request(), validators: { etag: '"v1"' } });
  for (const bad of [
    null,
    'recheck.request',
    { ...request(), type: 'recheck' },
    { ...request(), job_id: 'ABC' },
    { ...request(), job_id: JOB.toUpperCase() },
    { ...request(), article_id: 0 },
    { ...request(), article_id: 1.5 },
    { ...request(), url: 'javascript:alert(1)' },
    { ...request(), url: 'file:///etc/passwd' },
    { ...request(), url: 'not a url' },
    { ...request(), url: 'https://news.example/' + 'a'.repeat(9000) },
  ]) {
    assert.equal(parseRecheckRequest(bad), null, JSON.stringify(bad)?.slice(0, 80));
  }
});
