// The visible text of the whole page beside the article (page_text,
// shared/PROTOCOL.md). It is what a read capture needs of the live page
// on its main thread besides the page's HTML: where the browser lays the
// page out, innerText leaves out what the page's style sheets hide, which
// HTML parsed elsewhere cannot tell. This file has no dependency on the
// extractor, so that the content script stays small.
import { MAX_PAGE_TEXT_BYTES } from '../core/messages';

const utf8 = new TextEncoder();
const fromUTF8 = new TextDecoder();

/** Cuts text to at most max UTF-8 bytes, never inside a character (the daemon's limits count bytes). */
export function clip(text: string, max: number): string {
  const bytes = utf8.encode(text);
  if (bytes.length <= max) return text;
  let n = max;
  while (n > 0 && (bytes[n]! & 0xc0) === 0x80) n--; // a continuation byte: back to the character's start
  return fromUTF8.decode(bytes.subarray(0, n));
}

const meta = (doc: Document, sel: string): string | undefined => {
  const v = doc.querySelector(sel)?.getAttribute('content')?.trim();
  return v ? v : undefined;
};

/** Elements whose text a reader never sees. */
const UNSEEN = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD', 'TITLE', 'SVG', 'svg', 'MATH', 'math', 'IFRAME', 'OBJECT', 'CANVAS', 'SELECT', 'TEXTAREA']);

/** Elements that continue the text around them (as the daemon's extract package has it). */
const INLINE = new Set(['A', 'ABBR', 'B', 'BDI', 'BDO', 'CITE', 'CODE', 'DATA', 'DFN', 'EM', 'I', 'KBD', 'MARK', 'Q', 'S', 'SAMP', 'SMALL', 'SPAN', 'STRONG', 'SUB', 'SUP', 'TIME', 'U', 'VAR', 'WBR', 'DEL', 'INS', 'FONT', 'LABEL', 'BIG', 'TT', 'STRIKE', 'NOBR', 'RUBY', 'RT', 'RP']);

/**
 * The rendered text of an element where the browser lays it out
 * (innerText, in a page shown in a window), else its text without scripts,
 * styles and hidden elements. A document parsed from HTML (DOMParser) has
 * no window and is never laid out: the browser's innerText there is the
 * bare text of every node, scripts and styles included, so it is not used.
 */
function renderedText(el: HTMLElement): string {
  const inner = el.ownerDocument.defaultView ? (el as { innerText?: unknown }).innerText : undefined;
  if (typeof inner === 'string') return inner;
  let out = '';
  const walk = (n: Node): void => {
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === 3) out += c.nodeValue ?? '';
      else if (c.nodeType === 1) {
        const e = c as Element;
        const style = (e.getAttribute('style') ?? '').replace(/\s+/g, '').toLowerCase();
        if (UNSEEN.has(e.tagName) || e.hasAttribute('hidden') || style.includes('display:none') || style.includes('visibility:hidden')) continue;
        const brk = INLINE.has(e.tagName) ? '' : '\n';
        out += brk;
        walk(e);
        out += brk;
      }
    }
  };
  walk(el);
  return out;
}

/**
 * The visible text of the whole page, not only the article, as the daemon
 * reads the pages it fetches (shared/PROTOCOL.md, page_text): the page's
 * description on a line of its own, then the body's rendered text, each
 * line's spaces collapsed, blank lines left out, cut to
 * MAX_PAGE_TEXT_BYTES. The daemon keeps a digest of it to tell a block
 * the extraction missed after a redesign from one the article lost.
 */
export function pageTextOf(doc: Document): string {
  const lines: string[] = [];
  const description = meta(doc, 'meta[name="description" i]') ?? meta(doc, 'meta[property="og:description" i]') ?? meta(doc, 'meta[name="twitter:description" i]');
  if (description) lines.push(description);
  if (doc.body) lines.push(renderedText(doc.body));
  let bytes = 0;
  const out: string[] = [];
  for (const line of lines.join('\n').split('\n')) {
    const l = line.replace(/\s+/g, ' ').trim();
    if (l === '') continue;
    out.push(l);
    bytes += l.length + 1;
    if (bytes > MAX_PAGE_TEXT_BYTES) break; // enough: clip cuts the rest in bytes
  }
  return clip(out.join('\n'), MAX_PAGE_TEXT_BYTES);
}
