// Turns a page into a capture: @mozilla/readability on a clone of the
// document (the document itself is never touched), then the
// article's DOM walked into blocks of plain text (headings, paragraphs,
// list items, quotes, preformatted runs), normalised as the daemon does.
// It runs in the background, on the page's HTML parsed there
// (background/pageread.ts), never on a page's main thread.
import { Readability } from '@mozilla/readability';
import { type Block, type BlockKind, normalizeBlocks, normalizeText } from '../core/canonical';
import { MAX_BLOCK_CHARS, MAX_BLOCKS, MAX_TEXT_BYTES, type PageCapture, type Reading } from '../core/messages';
import { visibleTitle } from './headline';
import { clip, pageTextOf } from './pagetext';

export { clip, pageTextOf };

const utf8 = new TextEncoder();

export const EXTRACTOR = 'readability@0.6.0';

/** The least text an article has (isProbablyReaderable's own minimum). */
export const MIN_ARTICLE_CHARS = 140;

const KIND: Record<string, BlockKind> = {
  h1: 'h',
  h2: 'h',
  h3: 'h',
  h4: 'h',
  h5: 'h',
  h6: 'h',
  p: 'p',
  li: 'li',
  blockquote: 'quote',
  pre: 'pre',
  figcaption: 'p',
  dt: 'p',
  dd: 'p',
  caption: 'p',
};

const CONTAINERS = 'p,h1,h2,h3,h4,h5,h6,li,blockquote,pre,div,section,article,table,tr,td,th,ul,ol,dl,figure,figcaption,header,footer,aside,main';

/** Returns the blocks of an article's DOM, in reading order. */
export function blocksOf(root: Element): Block[] {
  const out: Block[] = [];
  let inline = '';
  let loose: BlockKind = 'p';
  const flush = (): void => {
    if (inline.trim() !== '') out.push({ kind: loose, text: inline });
    inline = '';
  };
  const walk = (el: Element): void => {
    for (const node of el.childNodes) {
      if (node.nodeType === 3) {
        inline += node.textContent ?? '';
        continue;
      }
      if (node.nodeType !== 1) continue;
      const child = node as Element;
      const tag = child.localName;
      if (tag === 'script' || tag === 'style' || tag === 'noscript' || tag === 'template') continue;
      const kind = KIND[tag];
      if (kind === 'li' || kind === 'quote') {
        // Nested lists and paragraphs inside become blocks of their own.
        // Loose text inside stays of the item's kind.
        if (child.querySelector('ul,ol,p,blockquote,pre')) {
          flush();
          const outer = loose;
          loose = kind;
          walk(child);
          flush();
          loose = outer;
          continue;
        }
      }
      if (kind !== undefined) {
        flush();
        out.push({ kind: kind === 'p' && loose === 'quote' ? 'quote' : kind, text: child.textContent ?? '' });
      } else if (child.querySelector(CONTAINERS) || /^(div|section|article|table|tr|td|th|ul|ol|dl|figure|header|footer|aside|main)$/.test(tag)) {
        flush();
        walk(child);
        flush();
      } else if (tag === 'br') {
        inline += '\n';
      } else {
        inline += child.textContent ?? '';
      }
    }
  };
  walk(root);
  flush();
  return normalizeBlocks(out).filter((b) => b.text !== '');
}

/**
 * Cuts blocks to the daemon's limits for one capture, in reading order, as
 * the daemon cuts the pages it fetches (article.Fit): at most MAX_BLOCKS
 * blocks, each at most MAX_BLOCK_CHARS bytes, MAX_TEXT_BYTES in all. The
 * block that crosses a limit is cut; the text after the total limit is
 * left out, so that a page with more text than a capture may hold is
 * still captured, from its start.
 */
export function fitBlocks(blocks: readonly Block[]): Block[] {
  const out: Block[] = [];
  let left = MAX_TEXT_BYTES;
  for (const b of blocks) {
    if (out.length === MAX_BLOCKS || left === 0) break;
    const text = clip(b.text, Math.min(MAX_BLOCK_CHARS, left));
    if (text === '') break;
    left -= utf8.encode(text).length;
    out.push({ kind: b.kind, text });
  }
  return out;
}

const meta = (doc: Document, sel: string): string | undefined => {
  const v = doc.querySelector(sel)?.getAttribute('content')?.trim();
  return v ? v : undefined;
};

/** The page's own declaration of its URL (rel=canonical, og:url), absolute. */
export function declaredURL(doc: Document, pageURL: string): string | undefined {
  const href = doc.querySelector('link[rel~="canonical" i]')?.getAttribute('href') ?? meta(doc, 'meta[property="og:url" i]');
  if (!href) return undefined;
  try {
    return new URL(href, pageURL).href;
  } catch {
    return undefined;
  }
}

const cap = (s: string | null | undefined, max: number): string | undefined => {
  if (!s) return undefined;
  const t = normalizeText(s);
  return t === '' ? undefined : t.slice(0, max);
};

/**
 * Extracts the article from doc (never modified: Readability works on a
 * clone). Returns null when there is no article text. pageText is the
 * page's visible text when the caller has it from the page laid out (a
 * document parsed from HTML cannot tell what style sheets hide); by
 * default it is read from doc.
 */
export function extract(doc: Document, pageURL: string, reading: Reading, pageText?: string): PageCapture | null {
  const clone = doc.cloneNode(true) as Document;
  const parsed = new Readability<Node>(clone, { serializer: (n) => n }).parse();
  const root = parsed?.content;
  if (!parsed || !root || root.nodeType !== 1) return null;
  let blocks = fitBlocks(blocksOf(root as Element));
  // The headline the reader sees wins over stale metadata (headline.ts).
  const found = cap(parsed.title, 4096) ?? cap(doc.title, 4096) ?? '';
  const title = cap(visibleTitle(doc, found), 4096) ?? '';
  // Less text than a short paragraph is no article (Readability finds
  // something on almost any page).
  if (blocks.reduce((n, b) => n + b.text.length, 0) < MIN_ARTICLE_CHARS || title === '') return null;
  blocks = blocks.filter((b, i) => !(i === 0 && b.kind === 'h' && b.text === title)); // the headline is the title
  if (blocks.length === 0) return null;
  const capture: PageCapture = { url: pageURL, title, blocks, extractor: EXTRACTOR, reading };
  const canonical = declaredURL(doc, pageURL);
  if (canonical) capture.canonical_url = canonical;
  const byline = cap(parsed.byline, 4096);
  if (byline) capture.byline = byline;
  const siteName = cap(parsed.siteName, 4096);
  if (siteName) capture.site_name = siteName;
  const published = cap(parsed.publishedTime ?? meta(doc, 'meta[property="article:published_time" i]'), 100);
  if (published) capture.published_time = published;
  const lang = cap(parsed.lang ?? doc.documentElement.lang, 100);
  if (lang) capture.lang = lang;
  const text = pageText ?? pageTextOf(doc);
  if (text) capture.page_text = text;
  return capture;
}
