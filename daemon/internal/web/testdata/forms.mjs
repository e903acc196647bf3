// Every form of the dashboard, submitted in real headless Chromium by
// clicking its button, driven by TestEveryDashboardFormInChromium
// (browser_test.go), which starts the daemon's HTTP side and passes:
//   BASE      the dashboard's origin, http://redline-….localhost:PORT
//   DAEMON    the daemon's loopback origin, http://127.0.0.1:PORT
//   LOGIN     a one-time login URL
//   CARD      id of a changed article, marked seen from its card on the home page
//   ONPAGE    id of a changed article, marked seen from its own page
//             (a third changed article is left for "Mark all seen")
//   WATCHED   id of an article on a local news site, for Check now, Pause and Resume
//   FORGET    id of an article to forget ("A story to forget")
//             ("A rumour from a site to forget" is on gossip.example, forgotten with its site)
//   HOOK      a webhook on 127.0.0.1 that takes notifications
//   SHOTS     folder for screenshots
// Each step checks what the form did as a user sees it. It prints "ok" at
// the end.
import { chromium } from 'playwright-core';
import { join } from 'node:path';

const { BASE, DAEMON, LOGIN, CARD, ONPAGE, WATCHED, FORGET, HOOK, SHOTS } = process.env;
const fail = (msg) => { throw new Error(msg); };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`); });
  page.on('pageerror', (e) => violations.push(`${page.url()}: ${e.message}`));

  // submit clicks a form's button and waits for the daemon's answer to
  // the post: a redirect (or, for Log out, the page that says so).
  const submitted = [];
  async function submit(button, want = 303) {
    await button.waitFor();
    const label = (await button.innerText()).trim();
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
      button.click(),
    ]);
    if (resp.status() !== want) {
      const body = await resp.text().catch(() => '');
      const said = body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
      fail(`${label} (${new URL(resp.url()).pathname}): ${resp.status()}, want ${want}: ${said}`);
    }
    submitted.push(label);
  }
  const unseenCard = (id) => page.locator(`#unseen li[data-article="${id}"]`);

  await page.goto(LOGIN);
  await page.waitForURL(BASE + '/');
  await page.locator('h1', { hasText: 'Changed since you read' }).waitFor();

  // Mark seen, on a card of the home page: the change leaves the list.
  await unseenCard(CARD).waitFor();
  await submit(unseenCard(CARD).getByRole('button', { name: 'Mark seen' }));
  await unseenCard(CARD).waitFor({ state: 'detached' });
  await page.locator(`.changes.seen li[data-article="${CARD}"]`).waitFor();

  // Mark seen, on the article's own page: the button goes, and so does
  // the article from the Changed list.
  await page.goto(`${BASE}/articles/${ONPAGE}`);
  await submit(page.locator('.actions').getByRole('button', { name: 'Mark seen' }));
  await page.locator('.actions').getByRole('button', { name: 'Check now' }).waitFor();
  await page.locator('.actions').getByRole('button', { name: 'Mark seen' }).waitFor({ state: 'detached' });
  await page.goto(BASE + '/');
  await page.locator('#unseen li').first().waitFor();
  if (await unseenCard(ONPAGE).count()) fail('the article marked seen on its page is still in the Changed list');

  // Mark all seen: nothing is left in the Changed list.
  await submit(page.getByRole('button', { name: 'Mark all seen' }));
  await page.locator('#nothing').waitFor({ state: 'visible' });
  if (await page.locator('#unseen li').count()) fail('Mark all seen left changes in the list');
  if (await page.locator('#unseen-count').isVisible()) fail('the Changed count still shows');

  // Check now, then Pause checks and Resume checks, on the watched article.
  await page.goto(`${BASE}/articles/${WATCHED}`);
  await submit(page.getByRole('button', { name: 'Check now' }));
  await page.getByRole('status').filter({ hasText: 'Checked: Redline fetched its first copy' }).waitFor();
  if (!(await page.locator('.versions').innerText()).includes('fetched')) fail('the version fetched by Check now is not listed');
  await submit(page.getByRole('button', { name: 'Pause checks' }));
  await page.locator('.facts .watch', { hasText: 'paused: not checked until you resume it' }).waitFor();
  await submit(page.getByRole('button', { name: 'Resume checks' }));
  await page.locator('.facts .watch', { hasText: 'next check' }).waitFor();
  await page.getByRole('button', { name: 'Pause checks' }).waitFor();

  // Forget this article: it is gone from the list and from its address.
  await page.goto(`${BASE}/articles/${FORGET}`);
  await submit(page.getByRole('button', { name: 'Forget this article' }));
  await page.waitForURL(BASE + '/articles');
  await page.locator('h1', { hasText: 'All articles' }).waitFor();
  if ((await page.locator('main').innerText()).includes('A story to forget')) fail('the forgotten article is still listed');
  const gone = await page.goto(`${BASE}/articles/${FORGET}`);
  if (gone.status() !== 404) fail(`the forgotten article's page: ${gone.status()}`);

  // The search field shows its whole placeholder, wide and narrow.
  await page.goto(BASE + '/articles');
  for (const width of [1280, 800]) {
    await page.setViewportSize({ width, height: 900 });
    const search = page.locator('input[type="search"]');
    const fit = await search.evaluate((input) => {
      const s = getComputedStyle(input);
      const ctx = document.createElement('canvas').getContext('2d');
      ctx.font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
      const room = input.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
      return { text: ctx.measureText(input.placeholder).width, room };
    });
    if (fit.text > fit.room) fail(`at ${width} px the search placeholder needs ${fit.text} px and has ${fit.room}`);
    await page.screenshot({ path: join(SHOTS, `all-articles-${width}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 900 });

  // Settings: each save is shown after a reload.
  const settings = async () => {
    await page.goto(BASE + '/settings');
    await page.locator('h1', { hasText: 'Settings' }).waitFor();
  };
  await settings();
  await page.fill('#sw', '41');
  await page.fill('#np', 'Sponsored content');
  await submit(page.getByRole('button', { name: 'Save change rules' }));
  await page.getByRole('status').filter({ hasText: 'Change rules saved' }).waitFor();
  await settings();
  if (await page.inputValue('#sw') !== '41' || await page.inputValue('#np') !== 'Sponsored content') fail('the change rules were not kept');

  await page.fill('textarea[name="tiers"]', '2h 10m\n2d 2h\n');
  await page.fill('input[name="cut_off"]', '60d');
  await submit(page.getByRole('button', { name: 'Save schedule' }));
  await page.getByRole('status').filter({ hasText: 'Schedule saved' }).waitFor();
  await settings();
  if (!(await page.inputValue('textarea[name="tiers"]')).startsWith('2h 10m\n2d 2h') || await page.inputValue('input[name="cut_off"]') !== '60d') {
    fail(`the schedule was not kept: ${await page.inputValue('textarea[name="tiers"]')} / ${await page.inputValue('input[name="cut_off"]')}`);
  }

  await page.fill('textarea[name="deny"]', 'bank.example');
  await submit(page.getByRole('button', { name: 'Save site lists' }));
  await page.getByRole('status').filter({ hasText: 'Site lists saved' }).waitFor();
  await settings();
  if (await page.inputValue('textarea[name="deny"]') !== 'bank.example') fail('the site lists were not kept');

  // What alerts: substantive changes only by default; the user opts in to minor ones.
  if (!(await page.isChecked('input[name="alert_on"][value="substantive"]'))) fail('the alerts do not start at substantive changes only');
  await page.check('input[name="alert_on"][value="minor"]');
  await submit(page.getByRole('button', { name: 'Save alerts' }));
  await page.getByRole('status').filter({ hasText: 'Alerts saved' }).waitFor();
  await settings();
  if (!(await page.isChecked('input[name="alert_on"][value="minor"]'))) fail('the choice of alerts was not kept');

  // The site's page lists the line two of its articles share; Remove takes it off for good.
  await page.goto(BASE + '/sites/gossip.example');
  const learned = page.locator('main table tbody tr', { hasText: 'Get the Gossip app for alerts' });
  await learned.waitFor();
  if (!(await learned.innerText()).includes('2')) fail(`the learned line does not say it was seen in two articles: ${await learned.innerText()}`);
  await submit(learned.getByRole('button', { name: 'Remove' }));
  await page.getByRole('status').filter({ hasText: 'Removed.' }).waitFor();
  if ((await page.locator('main').innerText()).includes('Get the Gossip app for alerts')) fail('the removed line is still listed');

  await page.goto(BASE + '/articles');
  if (!(await page.locator('main').innerText()).includes('A rumour from a site to forget')) fail('the article of the site to forget is not listed to begin with');
  await settings();
  await page.fill('input[name="site"]', 'gossip.example');
  await submit(page.getByRole('button', { name: 'Forget site' }));
  await page.getByRole('status').filter({ hasText: "The site's articles were forgotten" }).waitFor();
  await page.goto(BASE + '/articles');
  await page.locator('h1', { hasText: 'All articles' }).waitFor();
  if ((await page.locator('main').innerText()).includes('A rumour from a site to forget')) fail('the forgotten site\'s article is still listed');

  // Notifications: add a target, send it a test, remove it.
  await settings();
  const notifications = page.locator('section', { has: page.locator('h2', { hasText: 'Notifications beyond the browser' }) });
  await notifications.locator('input[name="url"]').fill(HOOK);
  await notifications.locator('input[name="notify_site"]').fill('news.example');
  await notifications.locator('input[name="digest_minutes"]').fill('30');
  await submit(notifications.getByRole('button', { name: 'Add target' }));
  await page.getByRole('status').filter({ hasText: 'Notification target added' }).waitFor();
  const target = notifications.locator('tbody tr');
  const listed = await target.innerText();
  if (!listed.includes('substantive changes of news.example, at most one message every 30 min') || !listed.includes('Nothing sent yet')) fail(`the target is listed as: ${listed}`);
  await submit(target.getByRole('button', { name: 'Send test' }));
  await page.getByRole('status').filter({ hasText: 'Test notification sent' }).waitFor();
  await submit(notifications.locator('tbody tr').getByRole('button', { name: 'Remove' }));
  await page.getByRole('status').filter({ hasText: 'Notification target removed' }).waitFor();
  if (await notifications.locator('tbody tr').count()) fail('the removed target is still listed');

  await settings();
  const feedBefore = await page.inputValue('#feed-url');
  await submit(page.getByRole('button', { name: 'Make a new feed address' }));
  await page.getByRole('status').filter({ hasText: 'New feed address made' }).waitFor();
  const feedAfter = await page.inputValue('#feed-url');
  if (!/token=[0-9a-f]{64}$/.test(feedAfter) || feedAfter === feedBefore) fail(`feed address: before ${feedBefore}, after ${feedAfter}`);
  await page.screenshot({ path: join(SHOTS, 'settings.png'), fullPage: true });

  // Export and backup: the page says how much arrived as it streamed,
  // and the browser gets the whole file.
  for (const [label, what, file, first] of [
    ['Export as JSON lines', 'Export', /^redline-export-\d{4}-\d\d-\d\d\.jsonl$/, '{"type":"article"'],
    ['Download a backup', 'Backup', /^redline-\d{4}-\d\d-\d\d\.backup$/, 'REDLINE-BACKUP 1'],
  ]) {
    await settings();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: label }).click()]);
    if (!file.test(download.suggestedFilename())) fail(`${label}: saved as ${download.suggestedFilename()}`);
    const saved = await download.path();
    const { readFile } = await import('node:fs/promises');
    const body = await readFile(saved);
    if (!body.subarray(0, first.length).equals(Buffer.from(first))) fail(`${label}: the file starts ${JSON.stringify(body.subarray(0, 40).toString())}`);
    const said = page.getByRole('status').filter({ hasText: `${what}: ` });
    await said.filter({ hasText: 'saved as' }).waitFor();
    const text = await said.innerText();
    const m = /(\d+(?:\.\d)?) (bytes|KiB|MiB)/.exec(text);
    if (!m) fail(`${label}: the page says ${JSON.stringify(text)}, no size`);
    const bytes = Number(m[1]) * { bytes: 1, KiB: 1024, MiB: 1048576 }[m[2]];
    if (Math.abs(bytes - body.length) > Math.max(64, bytes * 0.05)) fail(`${label}: the page says ${text}, the file has ${body.length} bytes`);
  }

  // The extension is paired from the terminal, never by the dashboard
  // alone: the settings say how, and offer no button for it.
  await settings();
  const ext = page.locator('section', { has: page.locator('h2', { hasText: 'Browser extension' }) });
  if (!(await ext.locator('code').allInnerTexts()).includes('redline pair')) fail('the settings do not say to run redline pair');
  if (await ext.locator('form, button').count()) fail('the settings offer a pairing button');
  // The daemon's pairing page (where `redline pair` links) has the
  // dashboard's look.
  await page.goto(DAEMON + '/pair');
  await page.locator('h1', { hasText: 'Pair the Redline extension' }).waitFor();
  await page.locator('#redline-pair-status').waitFor();
  const look = await page.evaluate(() => {
    const body = getComputedStyle(document.body);
    return { bg: body.backgroundColor, font: body.fontFamily };
  });
  if (look.bg !== 'rgb(251, 250, 248)' || /^"?Times/.test(look.font)) fail(`the pairing page is unstyled: ${JSON.stringify(look)}`);
  await page.screenshot({ path: join(SHOTS, 'pair.png') });

  // Log out: the next page asks to log in, and says how with the command
  // exactly as it is typed.
  await page.goto(BASE + '/');
  await submit(page.getByRole('button', { name: 'Log out' }), 200);
  await page.locator('h1', { hasText: 'You are logged out' }).waitFor();
  const after = await page.goto(BASE + '/');
  if (after.status() !== 401) fail(`the dashboard after logging out: ${after.status()}`);
  await page.locator('h1', { hasText: 'Open the dashboard from Redline' }).waitFor();
  const commands = await page.locator('main code').allInnerTexts();
  if (!commands.includes('redline open') || !commands.includes('redline open --print')) fail(`commands on the login page: ${JSON.stringify(commands)}`);
  if ((await page.locator('main').innerText()).includes('`')) fail('the login page shows backticks');
  await page.screenshot({ path: join(SHOTS, 'login-needed.png') });

  if (violations.length) fail(`CSP violations or page errors: ${violations}`);
  const want = ['Mark seen', 'Mark seen', 'Mark all seen', 'Check now', 'Pause checks', 'Resume checks', 'Forget this article',
    'Save change rules', 'Save schedule', 'Save site lists', 'Save alerts', 'Remove', 'Forget site', 'Add target', 'Send test', 'Remove',
    'Make a new feed address', 'Log out'];
  if (JSON.stringify(submitted) !== JSON.stringify(want)) fail(`forms submitted: ${submitted}`);
  console.log('ok');
} catch (e) {
  // Say where it stopped and what the page showed.
  const page = browser.contexts()[0]?.pages()[0];
  if (page) {
    console.error(`stopped at ${page.url()}: ${(await page.locator('main').innerText().catch(() => '')).slice(0, 2000)}`);
    await page.screenshot({ path: join(SHOTS, 'forms-failed.png'), fullPage: true }).catch(() => {});
  }
  throw e;
} finally {
  await browser.close();
}
