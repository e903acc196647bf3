// Sharing a change, in real headless Chromium, driven by
// TestShareInChromium (browser_test.go), which passes:
//   BASE      the dashboard's origin
//   LOGIN     a one-time login URL
//   CHANGED   id of an article changed from "reluctant" to "willing"
//   HOSTILE   id of an article whose captured text tries to run script
//   SHOTS     folder for screenshots
// It downloads the HTML file of each from the article page, opens it from
// disk and checks that nothing runs and both wordings show; downloads the
// card; and copies the Markdown with the clipboard allowed and refused.
import { chromium } from 'playwright-core';
import { join } from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';

const { BASE, LOGIN, CHANGED, HOSTILE, SHOTS } = process.env;
const fail = (msg) => { throw new Error(msg); };
const dir = mkdtempSync(join(tmpdir(), 'redline-share-'));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  await page.goto(LOGIN);
  await page.waitForURL(BASE + '/');

  for (const [id, name] of [[CHANGED, 'changed'], [HOSTILE, 'hostile']]) {
    await page.goto(`${BASE}/articles/${id}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Download as HTML')]);
    if (!/^redline-\d+-v\d+-v\d+\.html$/.test(download.suggestedFilename())) fail(`HTML file named ${download.suggestedFilename()}`);
    const file = join(dir, `${name}.html`);
    await download.saveAs(file);

    // Opened from disk, with nothing from the dashboard around it.
    const view = await context.newPage();
    view.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(`${name} file: ${m.text()}`); });
    const requests = [];
    view.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
    await view.goto(pathToFileURL(file).href);
    await view.waitForLoadState('load');
    const facts = await view.evaluate(() => ({
      pwned: window.pwned === 1,
      scripts: document.querySelectorAll('script').length,
      handlers: document.querySelectorAll('[onerror], [onload], img, iframe, object, embed').length,
      csp: (document.querySelector('meta[http-equiv="Content-Security-Policy"]') || {}).content,
      side: document.querySelectorAll('.side-diff .row').length,
      inline: document.querySelectorAll('.inline-diff .irow').length,
      text: document.body.innerText,
      del: [...document.querySelectorAll('.side-diff del')].map((e) => e.innerText),
      ins: [...document.querySelectorAll('.side-diff ins')].map((e) => e.innerText),
      styled: getComputedStyle(document.querySelector('.side-diff')).display,
    }));
    if (facts.pwned) fail(`${name}: captured script ran in the HTML file`);
    if (facts.scripts || facts.handlers) fail(`${name}: the HTML file holds ${facts.scripts} scripts and ${facts.handlers} active elements`);
    if (facts.csp !== "default-src 'none'; style-src 'unsafe-inline'; img-src data:") fail(`${name}: CSP meta ${facts.csp}`);
    if (!facts.side || !facts.inline) fail(`${name}: side by side ${facts.side} rows, inline ${facts.inline}`);
    if (facts.styled !== 'block') fail(`${name}: the inline stylesheet did not apply (${facts.styled})`);
    if (!facts.text.includes('Captured by Redline') || !facts.text.includes('SHA-256')) fail(`${name}: no provenance in the file`);
    if (requests.length) fail(`${name}: the HTML file asked for ${requests}`);
    if (name === 'changed') {
      if (!facts.del.some((t) => t.includes('reluctant')) || !facts.ins.some((t) => t.includes('willing'))) fail(`both wordings: del ${facts.del} ins ${facts.ins}`);
    } else if (!facts.text.includes('<script>window.pwned=1</script>')) {
      fail('the hostile text is not shown as text');
    }
    await view.screenshot({ path: join(SHOTS, `share-${name}.png`), fullPage: true });
    await view.close();
  }

  // The card downloads as a PNG.
  await page.goto(`${BASE}/articles/${CHANGED}`);
  const [card] = await Promise.all([page.waitForEvent('download'), page.click('text=Download card')]);
  const cardFile = join(dir, 'card.png');
  await card.saveAs(cardFile);
  if (readFileSync(cardFile).subarray(1, 4).toString() !== 'PNG') fail('the card is not a PNG');

  // Copy as Markdown, the clipboard refused: the Markdown is shown
  // selected, for the user to copy.
  await page.evaluate(() => { navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError')); });
  await page.click('#copy-md');
  await page.locator('#copy-status', { hasText: 'did not allow copying' }).waitFor();
  const sel = await page.evaluate(() => {
    const md = document.getElementById('share-md');
    return { open: document.getElementById('md-box').open, focused: document.activeElement === md, selected: md.value.substring(md.selectionStart, md.selectionEnd) === md.value && md.value.length > 0 };
  });
  if (!sel.open || !sel.focused || !sel.selected) fail(`clipboard refused: ${JSON.stringify(sel)}`);
  await page.screenshot({ path: join(SHOTS, 'share-copy-refused.png') });

  // The clipboard allowed: the Markdown is in it.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  await page.goto(`${BASE}/articles/${CHANGED}`);
  await page.click('#copy-md');
  await page.locator('#copy-status', { hasText: 'Copied as Markdown.' }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  if (!copied.includes('~~reluctant~~ **willing**') || copied !== await page.inputValue('#share-md')) fail(`copied: ${copied}`);

  if (dialogs.length) fail(`dialogs opened: ${dialogs}`);
  if (violations.length) fail(`CSP violations: ${violations.join('\n')}`);
  console.log('ok');
} finally {
  await browser.close();
}
