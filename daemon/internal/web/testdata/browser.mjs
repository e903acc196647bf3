// The dashboard in real headless Chromium, driven by TestDashboardInChromium
// (browser_test.go), which starts the daemon's HTTP side and passes:
//   BASE      the dashboard's origin, http://redline-….localhost:PORT
//   LOGIN     a one-time login URL
//   CHANGED   id of an article with an unseen change ("reluctant" -> "willing")
//   HOSTILE   id of an article whose captured text tries to run script
//   SHOTS     folder for screenshots
// It prints "live-waiting" once the home page's live socket is up; the Go
// test then stores a new change, which must appear without a reload.
import { chromium } from 'playwright-core';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const { BASE, LOGIN, CHANGED, HOSTILE, SHOTS } = process.env;
const fail = (msg) => { throw new Error(msg); };

// cardShape is what a reader gets of a card of the Changed list: its text
// as shown (each time as its datetime: "just now" may turn into "1 minute
// ago" between two renderings), and its elements with their attributes.
function cardShape(li) {
  li.classList.remove('fresh');
  for (const t of li.querySelectorAll('time')) t.textContent = t.getAttribute('datetime');
  // (Chromium's form filling leaves an empty style attribute on inputs a
  // script adds.)
  const elements = [li, ...li.querySelectorAll('*')].map((e) =>
    e.tagName + ' ' + [...e.attributes].filter((a) => !(a.name === 'style' && a.value === '')).map((a) => `${a.name}=${a.value}`).sort().join(' '));
  return { text: li.innerText.replace(/\s+/g, ' ').trim(), elements };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });

  // Login: the one-time URL moves on to the dashboard by itself.
  await page.goto(LOGIN);
  await page.waitForURL(BASE + '/');
  await page.locator('h1', { hasText: 'Changed since you read' }).waitFor();
  const first = page.locator(`#unseen li[data-article="${CHANGED}"]`);
  await first.waitFor();
  if (!(await first.innerText()).includes('Council approves budget after all')) fail('home page does not list the changed article');

  // The diff in both modes marks the edit.
  await page.goto(`${BASE}/articles/${CHANGED}`);
  const del = await page.locator('.side-diff del').allInnerTexts();
  const ins = await page.locator('.side-diff ins').allInnerTexts();
  if (!del.some((t) => t.includes('reluctant')) || !ins.some((t) => t.includes('willing'))) fail(`side by side: del ${del} ins ${ins}`);
  await page.screenshot({ path: join(SHOTS, 'article-side-by-side.png'), fullPage: true });
  await page.check('input[name="mode"][value="inline"]');
  await page.click('form.compare button[type="submit"]');
  await page.waitForURL(/mode=inline/);
  const idel = await page.locator('.inline-diff del').allInnerTexts();
  const iins = await page.locator('.inline-diff ins').allInnerTexts();
  if (!idel.some((t) => t.includes('reluctant')) || !iins.some((t) => t.includes('willing'))) fail(`inline: del ${idel} ins ${iins}`);
  // Read out or copied, the deleted and the inserted word stay apart.
  const edited = await page.locator('.inline-diff .irow', { hasText: 'willing' }).first().innerText();
  if (!edited.includes('she was reluctant willing to raise')) fail(`inline row reads: ${edited}`);
  await page.screenshot({ path: join(SHOTS, 'article-inline.png'), fullPage: true });

  // Captured text that tries to run script stays text.
  for (const path of [`/articles/${HOSTILE}`, `/articles/${HOSTILE}?mode=inline`, '/', '/articles']) {
    await page.goto(BASE + path);
    await page.waitForLoadState('load');
    if (await page.evaluate(() => window.pwned === 1)) fail(`${path}: captured script ran`);
    const bad = await page.evaluate(() => document.querySelectorAll('main img, main script, main iframe, [onerror], [onload]').length);
    if (bad) fail(`${path}: ${bad} elements from captured text`);
  }
  if (dialogs.length) fail(`dialogs opened: ${dialogs}`);
  await page.screenshot({ path: join(SHOTS, 'all-articles.png') });

  // Live: a new change appears on the home page without a reload.
  await page.goto(BASE + '/');
  await page.locator('#live-status', { hasText: 'Live' }).waitFor();
  const lines = createInterface({ input: process.stdin });
  console.log('live-waiting');
  const arrived = page.locator('#unseen li.change.fresh').first();
  await arrived.waitFor({ timeout: 20000 });
  const text = await arrived.innerText();
  if (!text.includes('Second story was updated')) fail(`live item: ${text}`);
  await page.screenshot({ path: join(SHOTS, 'home-live.png') });
  // The card that came live is the card the server renders.
  const id = await arrived.getAttribute('data-article');
  const live = await arrived.evaluate(cardShape);
  await page.reload();
  const server = await page.locator(`#unseen li[data-article="${id}"]`).evaluate(cardShape);
  if (JSON.stringify(live) !== JSON.stringify(server)) fail(`live card differs from the server's:\nlive   ${JSON.stringify(live)}\nserver ${JSON.stringify(server)}`);
  if (!/you read version \d/.test(server.text) || !server.text.includes('HEADLINE Second story as first reported was updated')) fail(`the card lacks the read line or the edit: ${server.text}`);
  if (violations.length) fail(`CSP violations: ${violations}`);
  lines.close();
  console.log('ok');
} finally {
  await browser.close();
}
