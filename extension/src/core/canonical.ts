// One spelling for each article: one URL however the reader arrived at it,
// one text however the page was rendered. The daemon applies the same rules
// (daemon/internal/canonical); both sides run the vectors in shared/vectors,
// which are the specification, so the extension and the daemon always
// agree on which article a page is and whether its text changed.
import { getDomain } from 'tldts';

export type BlockKind = 'h' | 'p' | 'li' | 'quote' | 'pre';

/** One paragraph, heading, list item, quote or preformatted run of an article. */
export type Block = { kind: BlockKind; text: string };

/**
 * The longest URL, in UTF-8 bytes, accepted as input and produced as
 * output. Capping the output too keeps every canonical URL a valid input.
 */
export const MAX_URL_BYTES = 8 * 1024;

const utf8 = new TextEncoder();
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const loneSurrogates = new RegExp(loneSurrogate.source, 'g');

/**
 * Returns the canonical form of an absolute http(s) URL, or throws an Error
 * whose message says what is wrong with it.
 */
export function canonicalURL(raw: string): string {
  if (utf8.encode(raw).length > MAX_URL_BYTES) throw new Error('URL is longer than 8 KB');
  if (loneSurrogate.test(raw)) throw new Error('URL is not valid Unicode');
  // What the URL standard strips before parsing; done here too so that the
  // control-character check below sees what the parser would.
  const s = raw.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
  if (s === '') throw new Error('URL is empty');
  // Browsers would escape other controls; the daemon refuses them, and so
  // does this, so the two sides agree.
  if (/[\u0000-\u001F\u007F]/.test(s)) throw new Error('URL contains control characters');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(s)?.[1]?.toLowerCase();
  if (scheme === undefined) throw new Error('URL is not absolute: it must start with http:// or https://');
  if (scheme !== 'http' && scheme !== 'https') {
    throw new Error(`only http and https URLs can be tracked, not ${scheme.length > 20 ? `${scheme.slice(0, 20)}…` : scheme}:`);
  }
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new Error('URL is not valid: check its host and port');
  }

  let host = u.hostname;
  if (!host.startsWith('[') && !ipv4.test(host)) {
    host = host.replace(/\.$/, '');
    if (host === '') throw new Error('URL has no host');
    if (!validDomain.test(host) || host.length > 253) throw new Error('URL has an invalid host name');
  }
  let out = `${scheme}://${host}${u.port === '' ? '' : `:${u.port}`}`;
  out += removeDotSegments(normalizeEscapes(u.pathname, pathAllowed));
  const query = u.search === '' ? '' : cleanQuery(normalizeEscapes(u.search.slice(1), queryAllowed));
  if (query !== '') out += `?${query}`;
  if (out.length > MAX_URL_BYTES) throw new Error('URL is longer than 8 KB');
  return out;
}

/**
 * Returns the URL a capture starts its article under: the page's declared
 * canonical URL (rel=canonical, og:url) when it names the same page
 * (samePage), else the page's own canonical URL. Throws only for an invalid
 * pageURL; a broken declaration, or one naming another page, is ignored,
 * because an author on a shared site must not be able to file a page under
 * another author's article.
 */
export function chooseCanonical(pageURL: string, declared?: string | null): string {
  const page = canonicalURL(pageURL);
  if (!declared) return page;
  let decl: string;
  try {
    decl = canonicalURL(declared);
  } catch {
    return page;
  }
  return samePage(page, decl) ? decl : page;
}

/**
 * Reports whether a declared canonical URL names the page (both canonical):
 * the same origin (scheme, host and port), the same path (a trailing slash
 * aside), and the page's query with some parameters left out, none of them
 * under a name the declared query keeps.
 */
export function samePage(page: string, decl: string): boolean {
  const p = splitCanonical(page);
  const d = splitCanonical(decl);
  if (p.origin === '' || p.origin !== d.origin) return false;
  if (p.path.replace(/\/$/, '') !== d.path.replace(/\/$/, '')) return false;
  const pParams = p.query === '' ? [] : p.query.split('&');
  const dParams = d.query === '' ? [] : d.query.split('&');
  for (const param of dParams) {
    const name = paramName(param);
    const inPage = pParams.filter((x) => paramName(x) === name);
    const inDecl = dParams.filter((x) => paramName(x) === name);
    if (inPage.length !== inDecl.length || inPage.some((x, i) => x !== inDecl[i])) return false;
  }
  return true;
}

function splitCanonical(u: string): { origin: string; path: string; query: string } {
  const i = u.indexOf('://');
  if (i < 0) return { origin: '', path: '', query: '' };
  const slash = u.indexOf('/', i + 3);
  if (slash < 0) return { origin: u, path: '/', query: '' };
  const rest = u.slice(slash);
  const q = rest.indexOf('?');
  return { origin: u.slice(0, slash), path: q < 0 ? rest : rest.slice(0, q), query: q < 0 ? '' : rest.slice(q + 1) };
}

/**
 * Returns the registrable domain (eTLD+1, private suffixes such as
 * github.io included) of a URL's host; IP addresses, localhost, other
 * single-label hosts and public suffixes are their own site. Returns ''
 * for a URL that canonicalURL rejects.
 */
export function site(url: string): string {
  let canonical: string;
  try {
    canonical = canonicalURL(url);
  } catch {
    return '';
  }
  const host = new URL(canonical).hostname;
  if (host.startsWith('[')) return host.slice(1, -1);
  if (!host.includes('.') || ipv4.test(host)) return host;
  return getDomain(host, { allowPrivateDomains: true, extractHostname: false, validateHostname: false }) ?? host;
}

const ipv4 = /^\d+\.\d+\.\d+\.\d+$/;
// A name DNS can resolve: labels of 1 to 63 letters, digits, '-' and '_',
// 253 bytes in all (checked where it is used). Browsers accept a few more
// characters (such as '!' or '$') and longer names, which no reachable
// server has; the daemon refuses them, and so does this.
const validDomain = /^[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*$/;

function removeDotSegments(p: string): string {
  if (!p.includes('.')) return p;
  const segs = p.slice(1).split('/');
  const out: string[] = [];
  segs.forEach((seg, i) => {
    const last = i === segs.length - 1;
    if (seg === '..') {
      out.pop();
      if (last) out.push('');
    } else if (seg === '.') {
      if (last) out.push('');
    } else {
      out.push(seg);
    }
  });
  return `/${out.join('/')}`;
}

const isUnreserved = (c: number): boolean =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;

// Bytes that may stand unescaped: unreserved, sub-delimiters, ':' '@' '/',
// and '?' in the query. Browsers escape the apostrophe in queries, so the
// canonical form does too.
const pathAllowed = new Set<number>();
const queryAllowed = new Set<number>();
for (let c = 0; c < 128; c++) {
  if (isUnreserved(c) || "!$&'()*+,;=:@/".includes(String.fromCharCode(c))) pathAllowed.add(c);
}
for (const c of pathAllowed) if (c !== 0x27) queryAllowed.add(c);
queryAllowed.add(0x3f);

const hex = '0123456789ABCDEF';
const unhex = (c: number | undefined): number => {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
};

// One percent-encoding: escapes of unreserved characters decoded, other
// escapes in upper-case hex, bytes outside allowed escaped, a stray '%'
// written as %25. Escapes of reserved characters stay: %2F is not '/'.
function normalizeEscapes(s: string, allowed: Set<number>): string {
  const bytes = utf8.encode(s);
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x25) {
      const hi = unhex(bytes[i + 1]);
      const lo = unhex(bytes[i + 2]);
      if (hi >= 0 && lo >= 0) {
        const d = (hi << 4) | lo;
        out += isUnreserved(d) ? String.fromCharCode(d) : `%${hex[hi]}${hex[lo]}`;
        i += 2;
        continue;
      }
    }
    out += c !== 0x25 && allowed.has(c) ? String.fromCharCode(c) : `%${hex[c >> 4]}${hex[c & 15]}`;
  }
  return out;
}

// Decodes valid escapes to one character per byte: enough to compare a
// parameter name with the ASCII names below.
function percentDecodeBytes(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

const trackingNames = new Set([
  'fbclid', 'gclid', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'igshid', 'yclid',
  '_ga', '_gl', '_hsenc', '_hsmi', 'mkt_tok',
]);
const trackingPrefixes = ['utm_', 'mc_'];

function isTracking(name: string): boolean {
  // ASCII-only lower-casing: full Unicode case mapping differs between
  // languages (U+0130 lower-cases to "i" in Go, to "i̇" here).
  const n = percentDecodeBytes(name).replace(/[A-Z]/g, (c) => c.toLowerCase());
  return trackingNames.has(n) || trackingPrefixes.some((p) => n.startsWith(p));
}

const paramName = (p: string): string => {
  const i = p.indexOf('=');
  return i < 0 ? p : p.slice(0, i);
};

// Drops empty and tracking parameters and sorts the rest by name. The sort
// is stable, so repeated names keep the order the site gave them. Names are
// ASCII here, so comparing UTF-16 units orders them as the daemon does.
function cleanQuery(q: string): string {
  if (q === '') return '';
  const kept = q.split('&').filter((p) => p !== '' && !isTracking(paramName(p)));
  kept.sort((a, b) => {
    const x = paramName(a);
    const y = paramName(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return kept.join('&');
}

// Unicode White_Space, listed out: JavaScript's \s has U+FEFF and lacks U+0085.
const spaceChars = '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const spaceRuns = new RegExp(`[${spaceChars}]+`, 'g');
// Zero-width space, word joiner, BOM, soft hyphen, and C0/C1 controls that
// are not whitespace. ZWJ and ZWNJ are kept: see normalizeText.
const invisible = /[\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F\u00AD\u200B\u2060\uFEFF]/g;

/**
 * Returns the normalised text of a title, byline or non-preformatted block:
 * NFC, invisible characters and controls removed, each run of whitespace
 * one ASCII space, trimmed.
 *
 * Zero-width joiner (U+200D) and non-joiner (U+200C) are kept: they change
 * how Persian, Arabic and Indic words are written and which emoji is shown,
 * so removing them would change what the reader reads.
 */
export function normalizeText(s: string): string {
  return s
    .replace(loneSurrogates, '\uFFFD')
    .replace(invisible, '')
    .replace(spaceRuns, ' ')
    .replace(/^ | $/g, '')
    .normalize('NFC');
}

/**
 * Returns the normalised form of preformatted text: like normalizeText but
 * line breaks (CRLF, CR, NEL, U+2028, U+2029) become LF, tabs stay, other
 * whitespace becomes one space each, trailing whitespace of each line and
 * blank lines at either end are removed.
 */
export function normalizePre(s: string): string {
  const lines = s
    .replace(loneSurrogates, '\uFFFD')
    .replace(/\r\n?|[\u0085\u2028\u2029]/g, '\n')
    .replace(/[\v\f \u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g, ' ')
    .replace(invisible, '')
    .normalize('NFC')
    .split('\n')
    .map((l) => l.replace(/[ \t]+$/, ''));
  let first = 0;
  let last = lines.length;
  while (first < last && lines[first] === '') first++;
  while (last > first && lines[last - 1] === '') last--;
  return lines.slice(first, last).join('\n');
}

/**
 * The lines a news page puts between paragraphs that are no part of the
 * story, lower-cased, with ’ as '. The daemon lists the same
 * (canonical.Furniture); the shared vectors pin both.
 */
const FURNITURE = new Set([
  'advertisement',
  'skip advertisement',
  'continue reading the main story',
  'continue reading',
  'story continues below',
  'story continues below advertisement',
  'article continues below',
  'article continues below advertisement',
  'scroll to continue with content',
  "what's next",
]);

/** Reports whether a normalised block text is only a page's furniture. */
export function isFurniture(text: string): boolean {
  if (new TextEncoder().encode(text).length > 40) return false;
  return FURNITURE.has(text.replaceAll('’', "'").toLowerCase().replace(/[ .:…›»>]+$/u, ''));
}

/** Normalises each block (normalizePre for 'pre') and drops empty ones and page furniture. */
export function normalizeBlocks(blocks: readonly Block[]): Block[] {
  const out: Block[] = [];
  for (const b of blocks) {
    const text = b.kind === 'pre' ? normalizePre(b.text) : normalizeText(b.text);
    if (text !== '' && !isFurniture(text)) out.push({ kind: b.kind, text });
  }
  return out;
}
