// Measures the main-thread time the content script costs a page: article
// detection, and extraction into blocks (Readability on a clone), on the
// real pages in shared/testdata/pages, in headless Chromium. Each page
// is measured in a fresh tab, RUNS times; the median is reported.
//
//   node extension/scripts/measure.mjs [RUNS]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { tldtsIsPure } from './build.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pagesDir = join(root, 'shared', 'testdata', 'pages');
const runs = Number(process.argv[2] ?? 7);

// The content script's own code paths, timed from inside the page.
const bundle = await build({
  stdin: {
    contents: `
      import { isArticle } from './content/detect';
      import { extract } from './content/extract';
      globalThis.__redlineMeasure = () => {
        const t0 = performance.now();
        const article = isArticle(document, location.href);
        const t1 = performance.now();
        const capture = extract(document, location.href, { dwell_ms: 0, scroll: 0 });
        const t2 = performance.now();
        return { article, detectMs: t1 - t0, extractMs: t2 - t1, blocks: capture ? capture.blocks.length : 0, nodes: document.getElementsByTagName('*').length };
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
console.log(`Chromium ${browser.version()}, ${runs} runs per page, median (ms):`);
console.log(`content code: ${Math.round(script.length / 1024)} KB`);
console.log('page          KB   elements  article  blocks    load  detect  extract  total');
for (const name of readdirSync(pagesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
  const html = readFileSync(join(pagesDir, name, 'source.html'), 'utf8');
  const results = [];
  for (let i = 0; i < runs; i++) {
    const page = await browser.newPage({ javaScriptEnabled: true });
    // Serve the page itself; every other request (the site's scripts,
    // images, ads) is refused, as nothing may leave this machine.
    await page.route('**/*', (route) =>
      route.request().url() === `https://news.example/${name}/` ? route.fulfill({ body: html, contentType: 'text/html; charset=utf-8', headers: { 'Content-Security-Policy': "script-src 'none'" } }) : route.abort(),
    );
    await page.goto(`https://news.example/${name}/`, { waitUntil: 'load' });
    // Loading the code itself (parse, compile, top level), as the browser
    // does for the content script on every page.
    const loadMs = await page.evaluate((code) => {
      const t0 = performance.now();
      (0, eval)(code);
      return performance.now() - t0;
    }, script);
    results.push({ ...(await page.evaluate(() => globalThis.__redlineMeasure())), loadMs });
    await page.close();
  }
  const d = median(results.map((r) => r.detectMs));
  const e = median(results.map((r) => r.extractMs));
  const l = median(results.map((r) => r.loadMs));
  const t = median(results.map((r) => r.loadMs + r.detectMs + r.extractMs));
  const r = results[0];
  console.log(`${name.padEnd(12)} ${String(Math.round(html.length / 1024)).padStart(4)}  ${String(r.nodes).padStart(8)}  ${String(r.article).padStart(7)}  ${String(r.blocks).padStart(6)}  ${l.toFixed(1).padStart(6)}  ${d.toFixed(1).padStart(6)}  ${e.toFixed(1).padStart(7)}  ${t.toFixed(1).padStart(5)}`);
}
await browser.close();
