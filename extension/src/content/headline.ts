// The headline the reader sees wins over stale metadata. Readability takes
// an article's title from its metadata first (JSON-LD, then og:title), and
// a page's metadata can go stale: a rewritten headline shows in the <h1>,
// the <title> and og:title while the JSON-LD still holds the old one. The
// title found is checked against the page's <h1> elements, by the same
// rule as the daemon's extractor (daemon/internal/extract/headline.go);
// the cases in shared/vectors/headline.json pin both:
//
//  1. An <h1> that is the title, or the title with the site's name before
//     or after it, confirms the title: it stays.
//  2. Otherwise, the page's other titles (<title>, og:title,
//     twitter:title) that disagree with the title found are witnesses. An
//     <h1> that one of them names (the witness is the <h1>'s text, or that
//     text with the site's name before or after it) is the visible
//     headline, and it is the title.
//  3. With no such <h1>, the title stays: an <h1> nothing names may be a
//     logo, a section's name or a kicker.
//
// Hidden <h1> elements (the hidden attribute, aria-hidden="true", an inline
// display:none or visibility:hidden on it or an ancestor), those inside
// <template> or <noscript>, and one that is the site's name (og:site_name)
// are not seen. Among several named <h1>s, one a witness names exactly
// comes first, then one inside <article> or <main>, then the one with the
// most words, then the first.
import { normalizeText } from '../core/canonical';

type H1 = { text: string; words: string[]; inArticle: boolean };

const SKIPPED = new Set(['template', 'noscript', 'script', 'style']);

/** Whether an element hides itself and its content. */
function hidden(el: Element): boolean {
  if (el.hasAttribute('hidden')) return true;
  if ((el.getAttribute('aria-hidden') ?? '').trim().toLowerCase() === 'true') return true;
  const style = (el.getAttribute('style') ?? '').replace(/\s/gu, '').toLowerCase();
  return style.includes('display:none') || style.includes('visibility:hidden');
}

/** The text of an <h1> as the reader reads it: its text nodes, a <br> as a space. */
function headlineText(el: Element): string {
  let out = '';
  const walk = (n: Element): void => {
    for (const c of n.childNodes) {
      if (c.nodeType === 3) {
        out += c.textContent ?? '';
        continue;
      }
      if (c.nodeType !== 1) continue;
      const child = c as Element;
      if (child.localName === 'br') out += ' ';
      else if (!SKIPPED.has(child.localName) && !hidden(child)) walk(child);
    }
  };
  walk(el);
  return out;
}

const wordChar = /[\p{L}\p{N}\p{Mn}]/u;
const unspaced = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}]/u;

/**
 * Splits a headline into words for comparing: runs of letters, digits and
 * combining marks in lower case (a final sigma as a sigma), each Han, kana
 * or Hangul character a word of its own.
 */
export function headlineWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  const lower = (w: string): string => w.toLowerCase().replace(/ς/gu, 'σ').replace(/i\u0307/gu, 'i');
  for (const ch of s) {
    if (unspaced.test(ch)) {
      if (cur !== '') out.push(lower(cur));
      cur = '';
      out.push(ch);
    } else if (wordChar.test(ch)) {
      cur += ch;
    } else if (cur !== '') {
      out.push(lower(cur));
      cur = '';
    }
  }
  if (cur !== '') out.push(lower(cur));
  return out;
}

const equalWords = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((w, i) => w === b[i]);

/** Whether a headline's words are a title's, or its leading or trailing run. */
function namedBy(h: readonly string[], title: readonly string[]): boolean {
  if (h.length === 0 || h.length > title.length) return false;
  return equalWords(h, title.slice(0, h.length)) || equalWords(h, title.slice(title.length - h.length));
}

/** What a page says of its headline: its visible <h1>s and its titles. */
function readHeadline(doc: Document): { h1s: H1[]; witnesses: string[] } {
  const h1s: H1[] = [];
  let title = '';
  let ogTitle = '';
  let twitterTitle = '';
  let siteName: string[] = [];
  const walk = (el: Element, inArticle: boolean): void => {
    const tag = el.localName;
    if (SKIPPED.has(tag)) return;
    if (tag === 'title') {
      if (title === '') title = normalizeText(el.textContent ?? '');
      return;
    }
    if (tag === 'meta') {
      const property = (el.getAttribute('property') ?? '').trim();
      const key = (property !== '' ? property : (el.getAttribute('name') ?? '').trim()).toLowerCase();
      const content = el.getAttribute('content') ?? '';
      if (key === 'og:title') ogTitle = normalizeText(content);
      else if (key === 'twitter:title') twitterTitle = normalizeText(content);
      else if (key === 'og:site_name') siteName = headlineWords(content);
      return;
    }
    if (hidden(el)) return;
    if (tag === 'article' || tag === 'main' || (el.getAttribute('role') ?? '').trim().toLowerCase() === 'main') inArticle = true;
    if (tag === 'h1') {
      const text = normalizeText(headlineText(el));
      if (text !== '') h1s.push({ text, words: headlineWords(text), inArticle });
      return;
    }
    for (const c of el.children) walk(c, inArticle);
  };
  walk(doc.documentElement, false);
  return {
    h1s: siteName.length > 0 ? h1s.filter((h) => !equalWords(h.words, siteName)) : h1s,
    witnesses: [title, ogTitle, twitterTitle].filter((w) => w !== ''),
  };
}

/**
 * Returns the article's title: title (the one Readability found) or, when
 * the page shows another headline that its other titles name, that one.
 */
export function visibleTitle(doc: Document, title: string): string {
  const tw = headlineWords(title);
  const { h1s, witnesses } = readHeadline(doc);
  if (h1s.length === 0 || tw.length === 0) return title;
  if (h1s.some((h) => namedBy(h.words, tw))) return title;
  let best = -1;
  let bestScore: number[] = [];
  for (const w of witnesses) {
    const ww = headlineWords(w);
    if (namedBy(tw, ww) || namedBy(ww, tw)) continue; // this title agrees with the one found
    h1s.forEach((h, i) => {
      if (!namedBy(h.words, ww)) return;
      const score = [equalWords(h.words, ww) ? 1 : 0, h.inArticle ? 1 : 0, h.words.length, -i];
      const k = score.findIndex((x, j) => x !== bestScore[j]);
      if (best < 0 || (k >= 0 && score[k]! > bestScore[k]!)) {
        best = i;
        bestScore = score;
      }
    });
  }
  return best < 0 ? title : h1s[best]!.text;
}
