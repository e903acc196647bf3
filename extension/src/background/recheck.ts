// Re-checks through the reader's browser (shared/PROTOCOL.md, "Re-checks
// through your browser"): the daemon offers a job on the event stream; the
// extension fetches that one page in the background with the browser's
// session (credentials: "include"; no tab, no window, the page's scripts do
// not run), reads it with the same Readability and block rules as a read
// capture (content/extract.ts, on a parsed document, never copied), and
// answers over the API with its extraction and the start of the HTML, from
// which the daemon judges whether the page is the article.
//
// This file is the job itself, with what it needs passed in: the fetch,
// the parser (an offscreen document in Chrome, the background page in
// Firefox) and the answer's post.
import type { Capture } from '../core/daemon';
import type { PageCapture } from '../core/messages';
import { mayCapture, type Settings, type SiteRules } from '../core/settings';
import { clip } from '../content/extract';

/** The start of the page an answer carries (the daemon's MaxAnswerHTML). */
export const MAX_ANSWER_HTML = 1 << 20;

/** How long one background fetch may take. */
export const FETCH_TIMEOUT_MS = 30_000;

export type RecheckRequest = {
  type: 'recheck.request';
  job_id: string;
  article_id: number;
  url: string;
  validators: { etag?: string; last_modified?: string };
  lease_until: string;
};

export type Decline = 'paused' | 'private' | 'denied' | 'off' | 'budget';

export type RecheckAnswer =
  | { outcome: 'page'; http_status: number; url: string; html: string; capture: Capture | null; etag?: string; last_modified?: string }
  | { outcome: 'error'; detail: string }
  | { outcome: 'declined'; detail: Decline };

const JOB_ID = /^[0-9a-f]{32}$/;

/** Returns msg when it is a well-formed re-check request, else null. */
export function parseRecheckRequest(msg: unknown): RecheckRequest | null {
  if (typeof msg !== 'object' || msg === null) return null;
  const m = msg as Record<string, unknown>;
  if (m.type !== 'recheck.request' || typeof m.job_id !== 'string' || !JOB_ID.test(m.job_id)) return null;
  if (typeof m.article_id !== 'number' || !Number.isSafeInteger(m.article_id) || m.article_id <= 0) return null;
  if (typeof m.url !== 'string' || m.url.length > 8192) return null;
  let u: URL;
  try {
    u = new URL(m.url);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  const v = typeof m.validators === 'object' && m.validators !== null ? (m.validators as Record<string, unknown>) : {};
  const validators: RecheckRequest['validators'] = {};
  if (typeof v.etag === 'string' && v.etag !== '') validators.etag = v.etag;
  if (typeof v.last_modified === 'string' && v.last_modified !== '') validators.last_modified = v.last_modified;
  return { type: 'recheck.request', job_id: m.job_id, article_id: m.article_id, url: u.href, validators, lease_until: typeof m.lease_until === 'string' ? m.lease_until : '' };
}

/** What the background fetch got. */
export type Fetched = { status: number; url: string; html: string; etag?: string; lastModified?: string };

export type RecheckDeps = {
  settings: () => Settings;
  /**
   * Whether this background runs for private windows (their cookies, their
   * session). The manifest keeps the extension out of them; were it ever let
   * in, no job is done there.
   */
  inPrivate: () => boolean;
  sites: () => SiteRules;
  /** Fetches url with the browser's cookies for its site. */
  fetchPage: (url: string, validators: RecheckRequest['validators']) => Promise<Fetched>;
  /** Reads the article out of the HTML as a read capture does (null: none). */
  parse: (html: string, url: string) => Promise<PageCapture | null>;
  now: () => Date;
};

/** Does one job and returns the answer to send. */
export async function runRecheck(req: RecheckRequest, deps: RecheckDeps): Promise<RecheckAnswer> {
  const settings = deps.settings();
  if (deps.inPrivate()) return { outcome: 'declined', detail: 'private' };
  if (settings.paused) return { outcome: 'declined', detail: 'paused' };
  if (!mayCapture(settings, deps.sites(), req.url)) return { outcome: 'declined', detail: 'denied' };
  let got: Fetched;
  try {
    got = await deps.fetchPage(req.url, req.validators);
  } catch (e) {
    return { outcome: 'error', detail: e instanceof Error && e.name === 'TimeoutError' ? 'the site did not answer in time' : 'network error' };
  }
  const answer: RecheckAnswer = { outcome: 'page', http_status: got.status, url: got.url || req.url, html: '', capture: null };
  if (got.etag) answer.etag = got.etag.slice(0, 1024);
  if (got.lastModified) answer.last_modified = got.lastModified.slice(0, 1024);
  if (got.status === 304) return answer;
  answer.html = clip(got.html, MAX_ANSWER_HTML);
  if (got.status >= 200 && got.status < 300) {
    const page = await deps.parse(got.html, answer.url);
    if (page) {
      const { reading: _reading, ...rest } = page;
      answer.capture = { ...rest, captured_at: deps.now().toISOString(), source: 'browser' };
    }
  }
  return answer;
}

/**
 * The browser's fetch of a page for a job: the user's session for the
 * site (credentials: "include"), redirects followed, the validators sent,
 * and only HTML read.
 */
export async function fetchWithSession(url: string, validators: RecheckRequest['validators']): Promise<Fetched> {
  const headers: Record<string, string> = { Accept: 'text/html,application/xhtml+xml' };
  if (validators.etag) headers['If-None-Match'] = validators.etag;
  if (validators.last_modified) headers['If-Modified-Since'] = validators.last_modified;
  const resp = await fetch(url, { credentials: 'include', redirect: 'follow', cache: 'no-store', headers, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  const type = resp.headers.get('Content-Type') ?? '';
  const html = /^\s*(text\/html|application\/xhtml\+xml)\b/i.test(type) || type === '' ? await resp.text() : '';
  return { status: resp.status, url: resp.url || url, html, etag: resp.headers.get('ETag') ?? undefined, lastModified: resp.headers.get('Last-Modified') ?? undefined };
}
