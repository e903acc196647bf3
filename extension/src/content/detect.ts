// Decides whether a page is an article worth keeping: readable as one
// (isProbablyReaderable), and not declared to be something else. Pages
// that declare themselves articles (og:type, JSON-LD) still have to be
// readable: a paywall teaser or an index is not. It runs in the
// background, on the page's HTML parsed there (background/pageread.ts):
// it reads no layout, only the markup and inline styles.
import { isProbablyReaderable } from '@mozilla/readability';

const ARTICLE_TYPES = new Set([
  'article',
  'newsarticle',
  'reportagenewsarticle',
  'analysisnewsarticle',
  'opinionnewsarticle',
  'reviewnewsarticle',
  'backgroundnewsarticle',
  'blogposting',
  'liveblogposting',
  'scholarlyarticle',
  'techarticle',
  'report',
]);

/** What the page says about itself. */
export type Signals = {
  readerable: boolean;
  /** og:type, lower-cased; '' when absent. */
  ogType: string;
  /** A JSON-LD item's @type is an Article kind. */
  jsonLdArticle: boolean;
};

function jsonLdTypes(v: unknown, out: string[], depth = 0): void {
  if (depth > 6 || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (const x of v) jsonLdTypes(x, out, depth + 1);
    return;
  }
  const o = v as Record<string, unknown>;
  const t = o['@type'];
  for (const s of Array.isArray(t) ? t : [t]) if (typeof s === 'string') out.push(s.toLowerCase().replace(/^https?:\/\/schema\.org\//, ''));
  if (o['@graph'] !== undefined) jsonLdTypes(o['@graph'], out, depth + 1);
  if (o.mainEntity !== undefined) jsonLdTypes(o.mainEntity, out, depth + 1);
}

export function signals(doc: Document): Signals {
  const og = doc.querySelector('meta[property="og:type" i], meta[name="og:type" i]')?.getAttribute('content') ?? '';
  const types: string[] = [];
  for (const s of doc.querySelectorAll('script[type="application/ld+json" i]')) {
    const text = s.textContent ?? '';
    if (text.length > 200_000) continue;
    try {
      jsonLdTypes(JSON.parse(text), types);
    } catch {
      // A broken block says nothing.
    }
  }
  return {
    readerable: isProbablyReaderable(doc),
    ogType: og.trim().toLowerCase(),
    jsonLdArticle: types.some((t) => ARTICLE_TYPES.has(t)),
  };
}

/** Says whether the page at pageURL is an article to capture. */
export function isArticle(doc: Document, pageURL: string): boolean {
  let path = '/';
  try {
    path = new URL(pageURL).pathname;
  } catch {
    return false;
  }
  if (path === '/' || path === '') return false; // a site's front page
  const s = signals(doc);
  if (!s.readerable) return false;
  const declaredOther = s.ogType !== '' && s.ogType !== 'article' && !s.ogType.startsWith('article');
  return !declaredOther || s.jsonLdArticle;
}
