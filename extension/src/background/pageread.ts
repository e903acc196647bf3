// The one function that turns a page's HTML into a capture, off every
// page's main thread: in Chrome's offscreen document (a service worker has
// no DOMParser), in Firefox's background page. Both kinds of capture go
// through it:
//
//  - a read capture: the content script sends the HTML of the page the
//    reader sees (content/snapshot.ts), its visible text and the reading
//    figures; here the page is judged (detect.ts) and extracted;
//  - a re-check: the page fetched in the background (recheck.ts), nobody
//    read it, the daemon judges whether it is the article.
//
// Parsing never runs the page's scripts nor loads what it links.
import { isArticle } from '../content/detect';
import { extract } from '../content/extract';
import type { PageCapture, Reading } from '../core/messages';

/** The reading of a page nobody scrolled: a re-check is not a read. */
export const NOT_READ: Reading = { dwell_ms: 0, scroll: 0 };

export type PageRead = {
  html: string;
  url: string;
  /** What the reader did; NOT_READ when absent. */
  reading?: Reading;
  /**
   * The page's visible text as the page laid out shows it (pagetext.ts);
   * when absent it is read from the HTML.
   */
  pageText?: string;
  /** Whether the page must first be judged an article (a read capture). */
  detect?: boolean;
};

/**
 * Parses html as the reader's browser shows it. A parser runs with
 * scripts off, where a <noscript>'s content is markup; in the page,
 * with scripts on, it is text. It is made text here too, so that
 * detection counts only what the reader's page holds.
 */
export function parsePage(html: string, parser: DOMParser): Document {
  const doc = parser.parseFromString(html, 'text/html');
  for (const ns of doc.querySelectorAll('noscript')) ns.textContent = ns.innerHTML;
  return doc;
}

/** Reads the article out of a page's HTML; null when there is none (or, asked to detect, when the page is no article). */
export function readPage(req: PageRead, parser: DOMParser): PageCapture | null {
  const doc = parsePage(req.html, parser);
  if (req.detect && !isArticle(doc, req.url)) return null;
  return extract(doc, req.url, req.reading ?? NOT_READ, req.pageText);
}

/** Reads a page fetched for a re-check (no detection, no reading: the daemon judges). */
export function parseArticle(html: string, url: string, parser: DOMParser): PageCapture | null {
  return readPage({ html, url }, parser);
}
