// What a read capture takes of the live page on its main thread: the
// page's HTML as it stands (the page's own scripts have filled it in) and
// its visible text, which only the page laid out knows (pagetext.ts). The
// rest — judging whether it is an article, Readability, the blocks, the
// headline — runs in the background (background/pageread.ts), off the
// page's main thread.
import { MAX_PAGE_HTML } from '../core/messages';
import { pageTextOf } from './pagetext';

export type Snapshot = { html: string; pageText: string } | { error: string };

/** The document's doctype as written, which decides how the HTML is parsed again (standards or quirks mode). */
function doctypeOf(doc: Document): string {
  const dt = doc.doctype;
  if (!dt) return '';
  const pub = dt.publicId ? ` PUBLIC "${dt.publicId}"` : '';
  const sys = dt.systemId ? `${dt.publicId ? '' : ' SYSTEM'} "${dt.systemId}"` : '';
  return `<!DOCTYPE ${dt.name}${pub}${sys}>`;
}

/** Scripts but structured data (which says what the page is and who wrote it), and style sheets: nothing the capture reads. */
const UNREAD = 'script:not([type="application/ld+json" i]),style';

/**
 * The page's HTML for the background: the document's outerHTML (the
 * cheapest way a page has to give its whole DOM: no clone, no walk of its
 * own). A page whose HTML is over MAX_PAGE_HTML is given without its
 * scripts and style sheets, which the capture never reads, from a clone;
 * null when it is still over.
 */
export function pageHTML(doc: Document): string {
  let html = doctypeOf(doc) + doc.documentElement.outerHTML;
  if (html.length > MAX_PAGE_HTML) {
    const clone = doc.documentElement.cloneNode(true) as Element;
    for (const el of clone.querySelectorAll(UNREAD)) el.remove();
    html = doctypeOf(doc) + clone.outerHTML;
  }
  return html;
}

/** What the background needs of the page: its HTML and visible text; an error when the page is too large to send. */
export function snapshot(doc: Document): Snapshot {
  const html = pageHTML(doc);
  if (html.length > MAX_PAGE_HTML) {
    const mib = (n: number): string => (n / (1024 * 1024)).toFixed(1);
    return { error: `This page is too large to capture: ${mib(html.length)} MiB of HTML without its scripts and styles, at most ${mib(MAX_PAGE_HTML)} MiB.` };
  }
  return { html, pageText: pageTextOf(doc) };
}
