// Real pages for the tests: the news pages in shared/testdata/pages,
// parsed into DOM documents (jsdom) as a browser would serve them.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

type JSDOMLike = { window: Window & typeof globalThis };
const { JSDOM } = createRequire(import.meta.url)('jsdom') as { JSDOM: new (html?: string, opts?: { url?: string; runScripts?: 'dangerously' }) => JSDOMLike };

export const PAGES_DIR = join(process.cwd(), 'shared', 'testdata', 'pages');

/** A page's URL in the tests; the pages' own links resolve against it. */
export const pageURL = (name: string): string => `https://news.example/${name}/story.html`;

export type Page = { name: string; source: Document; expected: Document; meta: { title: string; byline: string | null; lang: string | null; siteName: string | null } };

export function parse(html: string, url: string): Document {
  return new JSDOM(html, { url }).window.document;
}

/**
 * html as a browser with scripts on parses it: a <noscript>'s content is
 * text. Only for a page without scripts of its own, which would run: it
 * throws when html has one.
 */
export function withScripting(html: string, url: string): Document {
  if (/<script/i.test(html)) throw new Error('withScripting would run the page\'s scripts');
  return new JSDOM(html, { url, runScripts: 'dangerously' }).window.document;
}

/** A DOMParser, as the background has (scripts off, no window). */
export function domParser(): DOMParser {
  return new (new JSDOM().window as unknown as { DOMParser: new () => DOMParser }).DOMParser();
}

export function sourceHTML(name: string): string {
  return readFileSync(join(PAGES_DIR, name, 'source.html'), 'utf8');
}

export function pageNames(): string[] {
  return readdirSync(PAGES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export function loadPage(name: string): Page {
  const dir = join(PAGES_DIR, name);
  const url = pageURL(name);
  return {
    name,
    source: parse(readFileSync(join(dir, 'source.html'), 'utf8'), url),
    expected: parse(readFileSync(join(dir, 'expected.html'), 'utf8'), url),
    meta: JSON.parse(readFileSync(join(dir, 'expected-metadata.json'), 'utf8')),
  };
}

/** A bare document for DOM tests. */
export function blankDocument(html = '<!doctype html><html><head></head><body></body></html>', url = 'https://news.example/a'): Document {
  return parse(html, url);
}
