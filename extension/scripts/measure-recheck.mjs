// Measures what a re-check through the browser costs the background: the
// work the offscreen document (Chrome) or background page (Firefox) does
// for one job, parsing the fetched HTML with DOMParser and reading the
// article out of it (background/pageread.ts), on the real pages in
// shared/testdata/pages, in headless Chromium. No web page is involved:
// the page's own main thread does no work at all. RUNS times each; the
// median is reported.
//
//   node extension/scripts/measure-recheck.mjs [RUNS]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { tldtsIsPure } from './build.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pagesDir = join(root, 'shared', 'testdata', 'pages');
const runs = Number(process.argv[2] ?? 7);

const bundle = await build({
  stdin: {
    contents: `
      import { parseArticle } from './background/pageread';
      globalThis.__redlineRecheck = (html, url) => {
        const t0 = performance.now();
        const capture = parseArticle(html, url, new DOMParser());
        return { ms: performance.now() - t0, blocks: capture ? capture.blocks.length : 0 };
      };`,
    resolveDir: join(root, 'extension', 'src'),
    loader: 'ts',
  },
  bundle: true,
  format: 'iife',
  target: 'chrome116',
  write: false,
  plugins: [tldtsIsPure],
});
const script = bundle.outputFiles[0].text;

const browser = await chromium.launch({
  executablePath: process.env.REDLINE_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// An empty page stands for the offscreen document: a document of the
// extension's own, with nothing else on it.
const page = await browser.newPage();
await page.setContent('<!doctype html><title>offscreen</title>');
await page.evaluate((code) => (0, eval)(code), script);
console.log(`Chromium ${browser.version()}, ${runs} runs per page, median (ms) of DOMParser + extract per job:`);
console.log('page          KB  blocks  parse+extract');
const all = [];
for (const name of readdirSync(pagesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
  const html = readFileSync(join(pagesDir, name, 'source.html'), 'utf8');
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await page.evaluate(([h, u]) => globalThis.__redlineRecheck(h, u), [html, `https://news.example/${name}/`]));
  const m = median(results.map((r) => r.ms));
  all.push(m);
  console.log(`${name.padEnd(12)} ${String(Math.round(html.length / 1024)).padStart(4)}  ${String(results[0].blocks).padStart(6)}  ${m.toFixed(1).padStart(13)}`);
}
console.log(`all pages: median ${median(all).toFixed(1)} ms, max ${Math.max(...all).toFixed(1)} ms`);
await browser.close();
