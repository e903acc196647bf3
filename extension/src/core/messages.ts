// Messages between the extension's parts. Everything privileged (network,
// storage, the token) lives in the background; content scripts and the
// extension's pages ask it through these messages, which the background
// checks before acting on them: shape, and who sent them.
import { type AlertOn, parseAlertOn } from './alerts';
import type { Block } from './canonical';
import type { Capture, Diff, Reading, Summary } from './daemon';

export type { Reading } from './daemon';

/** The page as extracted (background/pageread.ts): a capture as the daemon takes it, before the background stamps it. */
export type PageCapture = Omit<Capture, 'captured_at' | 'source' | 'reading'> & { reading: Reading };

/** Sent by content scripts in web pages. */
export type ContentMessage =
  | { type: 'page.hello'; url: string }
  | { type: 'page.read'; url: string; html: string; page_text: string; reading: Reading }
  | { type: 'page.diff'; articleId: number }
  | { type: 'page.dismiss'; articleId: number; version: number }
  | { type: 'page.dashboard'; articleId: number }
  | { type: 'pair.request'; code: string };

/**
 * Sent by the popup and the options page. ui.token's `through` is the
 * newest capture read while unpaired that the options page said would go
 * to the daemon (QueueStatus.unpairedThrough); 0 sends none of them.
 */
export type PageMessage =
  | { type: 'ui.state' }
  | { type: 'ui.settings'; settings: Record<string, unknown> }
  | { type: 'ui.token'; daemon: string; token: string; through: number }
  | { type: 'ui.queue.discard'; daemon: string | null }
  | { type: 'ui.unpair' }
  | { type: 'ui.sites' }
  | { type: 'ui.sites.save'; allow: string[]; deny: string[] }
  | { type: 'ui.alerts' }
  | { type: 'ui.alerts.save'; alertOn: AlertOn }
  | { type: 'ui.recheck' }
  | { type: 'ui.recheck.save'; enabled: boolean; daily_budget: number; sites: string[] }
  | { type: 'ui.track'; url: string }
  | { type: 'ui.watch'; url: string }
  | { type: 'ui.forget'; url: string }
  | { type: 'ui.diff'; articleId: number }
  | { type: 'ui.seen'; articleId: number; version: number }
  | { type: 'ui.dashboard'; articleId: number | null };

/**
 * Sent only by the extension's pairing confirmation page (confirm-pair.html):
 * what waits for confirmation, and the user's answer to the pending
 * pairing `id` it showed, with the captures read while unpaired that it
 * said would go there (up to seq `through`).
 */
export type ConfirmMessage = { type: 'confirm.state' } | { type: 'confirm.pair'; id: string; through: number } | { type: 'confirm.cancel'; id: string };

/** A change the banner shows. */
export type BannerModel = { articleId: number; version: number; summary: Summary; at: string };

/** Sent by the background to a tab. */
export type TabMessage = { type: 'banner.show'; banner: BannerModel } | { type: 'banner.hide'; articleId: number } | { type: 'pair.result'; ok: boolean; message: string };

export type HelloAnswer = { capture: boolean; seconds: number; readingMode: 'visible' | 'scroll'; banner: BannerModel | null };
export type CaptureAnswer = { queued: boolean; banner: BannerModel | null };
export type DiffAnswer = { diff: Diff } | { error: string };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown, max = 8192): v is string => typeof v === 'string' && v.length <= max;
const isOptStr = (v: unknown, max = 8192): boolean => v === undefined || isStr(v, max);
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const KINDS = new Set(['h', 'p', 'li', 'quote', 'pre']);
/** Lines of a site list as typed; the daemon checks each (1,000 sites, 2,048 bytes). */
const isLines = (v: unknown): v is string[] => Array.isArray(v) && v.length <= 5000 && v.every((l) => isStr(l, 4096));

/** Caps that match the daemon's (shared/PROTOCOL.md): more would be refused there anyway. */
export const MAX_BLOCKS = 5000;
export const MAX_BLOCK_CHARS = 100 * 1024;
/** The text of all of a capture's blocks together, in UTF-8 bytes (512 KiB). */
export const MAX_TEXT_BYTES = 512 * 1024;
/** The page's visible text beside the blocks, in UTF-8 bytes (1 MiB). */
export const MAX_PAGE_TEXT_BYTES = 1024 * 1024;
/**
 * The HTML of a page a content script sends to be read, in UTF-16 code
 * units as the string's length counts them (8 Mi). The largest real page
 * in the tests' corpus is 1.1 M; a message's own limit is 64 MiB.
 */
export const MAX_PAGE_HTML = 8 * 1024 * 1024;

const utf8 = new TextEncoder();

/** The UTF-8 bytes of the blocks' text, as the daemon counts them. */
export function textBytes(blocks: readonly { text: string }[]): number {
  let n = 0;
  for (const b of blocks) n += utf8.encode(b.text).length;
  return n;
}

const isPageText = (v: unknown): v is string => isStr(v, MAX_PAGE_TEXT_BYTES) && utf8.encode(v).length <= MAX_PAGE_TEXT_BYTES;
const isReading = (r: unknown): r is Reading =>
  isObj(r) && typeof r.dwell_ms === 'number' && r.dwell_ms >= 0 && typeof r.scroll === 'number' && r.scroll >= 0 && r.scroll <= 1;

/**
 * Whether c is a capture within the daemon's limits (shared/PROTOCOL.md).
 * The background checks what it read before queueing it, so that nothing
 * waits in the queue that the daemon would refuse.
 */
export function isCapture(c: unknown): c is PageCapture {
  if (!isObj(c)) return false;
  if (!isStr(c.url) || !isOptStr(c.canonical_url) || !isStr(c.title, 4096) || !isOptStr(c.byline, 4096)) return false;
  if (!isOptStr(c.site_name, 4096) || !isOptStr(c.published_time, 100) || !isOptStr(c.lang, 100) || !isStr(c.extractor, 100)) return false;
  if (!Array.isArray(c.blocks) || c.blocks.length === 0 || c.blocks.length > MAX_BLOCKS) return false;
  for (const b of c.blocks) {
    if (!isObj(b) || !KINDS.has(b.kind as string) || !isStr(b.text, MAX_BLOCK_CHARS)) return false;
  }
  if (textBytes(c.blocks as { text: string }[]) > MAX_TEXT_BYTES) return false;
  if (c.page_text !== undefined && !isPageText(c.page_text)) return false;
  return isReading(c.reading);
}

/** Returns msg when it is a well-formed content-script message, else null. */
export function parseContentMessage(msg: unknown): ContentMessage | null {
  if (!isObj(msg)) return null;
  switch (msg.type) {
    case 'page.hello':
      return isStr(msg.url) ? { type: 'page.hello', url: msg.url } : null;
    case 'page.read':
      return isStr(msg.url) && typeof msg.html === 'string' && msg.html.length <= MAX_PAGE_HTML && isPageText(msg.page_text) && isReading(msg.reading)
        ? { type: 'page.read', url: msg.url, html: msg.html, page_text: msg.page_text, reading: { dwell_ms: msg.reading.dwell_ms, scroll: msg.reading.scroll } }
        : null;
    case 'page.diff':
      return isId(msg.articleId) ? { type: 'page.diff', articleId: msg.articleId } : null;
    case 'page.dismiss':
      return isId(msg.articleId) && isId(msg.version) ? { type: 'page.dismiss', articleId: msg.articleId, version: msg.version } : null;
    case 'page.dashboard':
      return isId(msg.articleId) ? { type: 'page.dashboard', articleId: msg.articleId } : null;
    case 'pair.request':
      return isStr(msg.code, 64) && /^[0-9a-f]{32}$/.test(msg.code) ? { type: 'pair.request', code: msg.code } : null;
  }
  return null;
}

/** Returns msg when it is a well-formed message of the extension's own pages, else null. */
export function parsePageMessage(msg: unknown): PageMessage | null {
  if (!isObj(msg)) return null;
  switch (msg.type) {
    case 'ui.state':
    case 'ui.unpair':
    case 'ui.sites':
    case 'ui.alerts':
      return { type: msg.type };
    case 'ui.alerts.save': {
      const alertOn = parseAlertOn(msg.alertOn);
      return alertOn === null ? null : { type: 'ui.alerts.save', alertOn };
    }
    case 'ui.recheck':
      return { type: msg.type };
    case 'ui.recheck.save':
      return typeof msg.enabled === 'boolean' && Number.isInteger(msg.daily_budget) && (msg.daily_budget as number) >= 0 && (msg.daily_budget as number) <= 5000 && isLines(msg.sites)
        ? { type: 'ui.recheck.save', enabled: msg.enabled, daily_budget: msg.daily_budget as number, sites: msg.sites }
        : null;
    case 'ui.sites.save':
      return isLines(msg.allow) && isLines(msg.deny) ? { type: 'ui.sites.save', allow: msg.allow, deny: msg.deny } : null;
    case 'ui.settings':
      return isObj(msg.settings) ? { type: 'ui.settings', settings: msg.settings } : null;
    case 'ui.token':
      return isStr(msg.daemon, 200) && isStr(msg.token, 200) && isSeq(msg.through) ? { type: 'ui.token', daemon: msg.daemon, token: msg.token, through: msg.through } : null;
    case 'ui.queue.discard':
      return msg.daemon === null || isStr(msg.daemon, 200) ? { type: 'ui.queue.discard', daemon: msg.daemon } : null;
    case 'ui.track':
    case 'ui.watch':
    case 'ui.forget':
      return isStr(msg.url) ? { type: msg.type, url: msg.url } : null;
    case 'ui.diff':
      return isId(msg.articleId) ? { type: 'ui.diff', articleId: msg.articleId } : null;
    case 'ui.seen':
      return isId(msg.articleId) && isId(msg.version) ? { type: 'ui.seen', articleId: msg.articleId, version: msg.version } : null;
    case 'ui.dashboard':
      return msg.articleId === null || isId(msg.articleId) ? { type: 'ui.dashboard', articleId: msg.articleId } : null;
  }
  return null;
}

/** Returns msg when it is a well-formed message of the pairing confirmation page, else null. */
export function parseConfirmMessage(msg: unknown): ConfirmMessage | null {
  if (!isObj(msg)) return null;
  switch (msg.type) {
    case 'confirm.state':
      return { type: 'confirm.state' };
    case 'confirm.pair':
      return isStr(msg.id, 100) && isSeq(msg.through) ? { type: 'confirm.pair', id: msg.id, through: msg.through } : null;
    case 'confirm.cancel':
      return isStr(msg.id, 100) ? { type: 'confirm.cancel', id: msg.id } : null;
  }
  return null;
}

/** The parts of runtime.MessageSender the checks read. */
export type Sender = { id?: string; url?: string; origin?: string; frameId?: number; tab?: { id?: number; incognito?: boolean } };

export type SenderKind = 'extension-page' | 'confirm-page' | 'content' | 'pair-page' | 'stranger';

/** The extension's page that confirms pairing. */
export const CONFIRM_PAGE = 'confirm-pair.html';

/**
 * Says who sent a message. Only this extension's own parts count: another
 * extension has another id, and web pages cannot reach runtime.onMessage
 * (the manifest has no externally_connectable) — the id is checked anyway.
 * The pairing confirmation page is told apart from the other pages (the
 * popup, the options): only it may confirm a pairing. A content script
 * counts only in the top frame of a normal tab; the pairing content
 * script only on a /pair page on loopback.
 */
export function classifySender(s: Sender, ownId: string, ownBase: string): SenderKind {
  if (s.id !== ownId || typeof s.url !== 'string') return 'stranger';
  // The popup, the options page (also when open in a tab), the confirmation page.
  if (s.url.startsWith(ownBase)) return s.url.split(/[?#]/)[0] === ownBase + CONFIRM_PAGE ? 'confirm-page' : 'extension-page';
  if (s.tab === undefined || s.frameId !== 0 || s.tab.incognito === true) return 'stranger';
  let u: URL;
  try {
    u = new URL(s.url);
  } catch {
    return 'stranger';
  }
  if (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) && u.pathname === '/pair') return 'pair-page';
  return u.protocol === 'http:' || u.protocol === 'https:' ? 'content' : 'stranger';
}
