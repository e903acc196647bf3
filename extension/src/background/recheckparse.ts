// Reads a page fetched for a re-check as a read capture reads the page the
// reader sees: the same extract() (Readability, then the block rules) on a
// document parsed from the HTML. Parsing never runs the page's scripts nor
// loads what it links. It runs off every page's main thread: in Chrome's
// offscreen document (a service worker has no DOMParser), in Firefox's
// background page.
import { extract } from '../content/extract';
import type { PageCapture } from '../core/messages';

/** The reading of a page nobody scrolled: a re-check is not a read. */
const NOT_READ = { dwell_ms: 0, scroll: 0 };

export function parseArticle(html: string, url: string, parser: DOMParser): PageCapture | null {
  const doc = parser.parseFromString(html, 'text/html');
  return extract(doc, url, NOT_READ);
}
