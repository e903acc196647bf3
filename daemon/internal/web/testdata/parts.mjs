// A long comparison read in real headless Chromium as a reader reads it,
// driven by TestLongComparisonReadInPartsInChromium (browser_test.go):
//   BASE     the dashboard's origin, http://redline-….localhost:PORT
//   LOGIN    a one-time login URL
//   ARTICLE  id of an article whose version 2 edits every paragraph
//   EDITED   how many paragraphs version 2 edited
//   SHOTS    folder for screenshots
// It opens the comparison, reads the edited paragraphs each part shows,
// clicks "Next part →" until there is none, and checks that every edited
// paragraph was shown once, in order, and that each part says which it is.
// It prints "ok" at the end.
import { chromium } from 'playwright-core';
import { join } from 'node:path';

const { BASE, LOGIN, ARTICLE, EDITED, SHOTS } = process.env;
const fail = (msg) => { throw new Error(msg); };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(LOGIN);
  await page.waitForURL(BASE + '/');
  await page.goto(`${BASE}/articles/${ARTICLE}?from=1&to=2&mode=side`);

  let next = 1;
  let parts = 0;
  for (;;) {
    parts++;
    const said = (await page.locator('main').innerText()).match(/part (\d+) of (\d+)/);
    if (!said || Number(said[1]) !== parts) fail(`part ${parts} says ${said?.[0]}`);
    // The edited paragraphs this part shows, by their number in the new version.
    const numbers = await page.locator('.row.op-change .cell.new .no').allInnerTexts();
    for (const n of numbers) {
      if (Number(n) !== next) fail(`part ${parts} shows edited paragraph ${n}, want ${next} next`);
      next++;
    }
    if (parts === 1) await page.screenshot({ path: join(SHOTS, 'comparison-part-1.png') });
    const link = page.getByRole('link', { name: 'Next part →' });
    if ((await link.count()) === 0) {
      if (Number(said[2]) !== parts) fail(`the last part is ${parts}, the page said ${said[2]}`);
      break;
    }
    if (parts > 200) fail('more than 200 parts');
    await Promise.all([page.waitForURL((u) => u.searchParams.get('part') === String(parts + 1)), link.first().click()]);
  }
  if (parts < 2) fail(`the comparison of ${EDITED} edited paragraphs is one page`);
  if (next - 1 !== Number(EDITED)) fail(`the parts showed ${next - 1} edited paragraphs, want ${EDITED}`);
  console.log('ok');
} finally {
  await browser.close();
}
