// Measures what a read capture costs, on the real pages in
// shared/testdata/pages, in headless Chromium. Each page is measured in a
// fresh tab, RUNS times; the median is reported.
//
// What the page's main thread pays (the content script, content/):
//   load     parsing and running the content script's code, on every page
//   html     serialising the page (snapshot.ts: doctype + outerHTML)
//   text     the page's visible text (innerText of the laid-out page)
//   message  copying the message for runtime.sendMessage (JSON, as Chrome
//            does in the page's renderer; stands for Firefox's clone too)
//   page     their sum
// What the background pays, off every page (background/pageread.ts, in an
// empty document standing for Chrome's offscreen document or Firefox's
// background page): reading the message, parsing the HTML, judging the
// page and extracting it.
//   background
// For comparison, what the page paid before, when it judged and extracted
// in the page (isArticle + extract on the live document):
//   before
// "same" says whether the capture read in the background is the one read
// in the page, field for field.
//
//   node extension/scripts/measure.mjs [RUNS]
import { readdirSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { tldtsIsPure } from './build.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pagesDir = join(root, 'shared', 'testdata', 'pages');
const runs = Number(process.argv[2] ?? 7);

async function bundle(contents) {
  const out = await build({
    stdin: { contents, resolveDir: join(root, 'extension', 'src'), loader: 'ts' },
    bundle: true,
    format: 'iife',
    target: 'chrome116',
    write: false,
    plugins: [tldtsIsPure],
  });
  return out.outputFiles[0].text;
}

const READING = { dwell_ms: 5000, scroll: 0.5 };

// The content script's own code path, timed from inside the page.
const pageCode = await bundle(`
  import { MAX_PAGE_HTML } from './core/messages';
  import { pageTextOf } from './content/pagetext';
  import { pageHTML } from './content/snapshot';
  // snapshot() (content/snapshot.ts), its two parts timed apart.
  globalThis.__redlinePage = (reading) => {
    const t0 = performance.now();
    const html = pageHTML(document);
    const t1 = performance.now();
    if (html.length > MAX_PAGE_HTML) return { error: 'too large' };
    const pageText = pageTextOf(document);
    const t2 = performance.now();
    const message = JSON.stringify({ type: 'page.read', url: location.href, html, page_text: pageText, reading });
    const t3 = performance.now();
    return { htmlMs: t1 - t0, textMs: t2 - t1, messageMs: t3 - t2, message };
  };`);
// The path before: judging and extracting in the page.
const beforeCode = await bundle(`
  import { isArticle } from './content/detect';
  import { extract } from './content/extract';
  globalThis.__redlineBefore = (reading) => {
    const t0 = performance.now();
    const capture = isArticle(document, location.href) ? extract(document, location.href, reading) : null;
    return { ms: performance.now() - t0, capture, nodes: document.getElementsByTagName('*').length };
  };`);
// The background's reading of the message.
const backgroundCode = await bundle(`
  import { readPage } from './background/pageread';
  globalThis.__redlineBackground = (message) => {
    const t0 = performance.now();
    const m = JSON.parse(message);
    const capture = readPage({ html: m.html, url: m.url, reading: m.reading, pageText: m.page_text, detect: true }, new DOMParser());
    return { ms: performance.now() - t0, capture };
  };`);

const browser = await chromium.launch({
  executablePath: process.env.REDLINE_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const background = await browser.newPage();
await background.setContent('<!doctype html><title>offscreen</title>');
await background.evaluate((code) => (0, eval)(code), backgroundCode);

console.log(`Chromium ${browser.version()}, ${runs} runs per page, median (ms):`);
console.log(`content code: ${Math.round(pageCode.length / 1024)} KB (before: ${Math.round(beforeCode.length / 1024)} KB)`);
console.log('page          KB  elements  blocks  same  load  html  text  message  page  background  before');
const pageTotals = [];
for (const name of readdirSync(pagesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
  const html = readFileSync(join(pagesDir, name, 'source.html'), 'utf8');
  const url = `https://news.example/${name}/`;
  const results = [];
  for (let i = 0; i < runs; i++) {
    const page = await browser.newPage({ javaScriptEnabled: true });
    // Serve the page itself; every other request (the site's scripts,
    // images, ads) is refused, as nothing may leave this machine.
    await page.route('**/*', (route) =>
      route.request().url() === url ? route.fulfill({ body: html, contentType: 'text/html; charset=utf-8', headers: { 'Content-Security-Policy': "script-src 'none'" } }) : route.abort(),
    );
    await page.goto(url, { waitUntil: 'load' });
    // Loading the code itself (parse, compile, top level), as the browser
    // does for the content script on every page.
    const load = (code) =>
      page.evaluate((c) => {
        const t0 = performance.now();
        (0, eval)(c);
        return performance.now() - t0;
      }, code);
    const loadMs = await load(pageCode);
    const now = await page.evaluate((r) => globalThis.__redlinePage(r), READING);
    if (now.error) throw new Error(`${name}: ${now.error}`);
    const beforeLoadMs = await load(beforeCode);
    const before = await page.evaluate((r) => globalThis.__redlineBefore(r), READING);
    await page.close();
    const bg = await background.evaluate((m) => globalThis.__redlineBackground(m), now.message);
    results.push({
      loadMs,
      textMs: now.textMs,
      htmlMs: now.htmlMs,
      messageMs: now.messageMs,
      pageMs: loadMs + now.htmlMs + now.textMs + now.messageMs,
      backgroundMs: bg.ms,
      beforeMs: beforeLoadMs + before.ms,
      same: isDeepStrictEqual(bg.capture, before.capture),
      blocks: bg.capture ? bg.capture.blocks.length : 0,
      nodes: before.nodes,
    });
  }
  const m = (k) => median(results.map((r) => r[k])).toFixed(1);
  const r = results[0];
  pageTotals.push(median(results.map((x) => x.pageMs)));
  const same = results.every((x) => x.same) ? 'yes' : 'NO';
  console.log(
    `${name.padEnd(12)} ${String(Math.round(html.length / 1024)).padStart(4)}  ${String(r.nodes).padStart(8)}  ${String(r.blocks).padStart(6)}  ${same.padStart(4)}  ${m('loadMs').padStart(4)}  ${m('htmlMs').padStart(4)}  ${m('textMs').padStart(4)}  ${m('messageMs').padStart(7)}  ${m('pageMs').padStart(4)}  ${m('backgroundMs').padStart(10)}  ${m('beforeMs').padStart(6)}`,
  );
}
console.log(`page main thread per capture: median ${median(pageTotals).toFixed(1)} ms, max ${Math.max(...pageTotals).toFixed(1)} ms`);
await browser.close();
