// Real pages for the tests: the news pages in shared/testdata/pages,
// parsed into DOM documents (jsdom) as a browser would serve them.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

type JSDOMLike = { window: Window & typeof globalThis };
const { JSDOM } = createRequire(import.meta.url)('jsdom') as { JSDOM: new (html: string, opts?: { url?: string }) => JSDOMLike };

export const PAGES_DIR = join(process.cwd(), 'shared', 'testdata', 'pages');

/** A page's URL in the tests; the pages' own links resolve against it. */
export const pageURL = (name: string): string => `https://news.example/${name}/story.html`;

export type Page = { name: string; source: Document; expected: Document; meta: { title: string; byline: string | null; lang: string | null; siteName: string | null } };

export function parse(html: string, url: string): Document {
  return new JSDOM(html, { url }).window.document;
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
