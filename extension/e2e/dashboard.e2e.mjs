// End to end, in real headless Chromium with the built extension: the
// dashboard is one click away. The popup's "Open dashboard" opens it logged
// in (the background asks the daemon for a one-time login with its token
// and opens it); the same tab, reloaded after the daemon restarted, is
// still logged in; the banner's "Show all changes" opens the article's
// page in the dashboard, logged in, and so does a click on a desktop
// notification of a change; "Log out everywhere" logs every tab out; and a
// feed link opened in the browser says how to subscribe.
// The tests run in order on one browser session.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { bannerTree, buildDaemon, clickBannerButton, startBrowser, startDaemon, startSite, tempDir, textOf, until } from './harness.mjs';

let bin, work, data, daemon, browser, site;

before(async () => {
  work = tempDir('dash');
  data = tempDir('dash-data');
  bin = buildDaemon(work);
  daemon = await startDaemon(bin, data);
  site = await startSite();
  // Notifications granted, so that the background listens to their clicks.
  browser = await startBrowser([], { grant: ['notifications'] });
});

after(async () => {
  await browser?.close();
  await site?.close();
  await daemon?.stop();
  rmSync(work, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
});

const DASHBOARD = /^http:\/\/redline-[0-9a-f]{20}\.localhost:\d+\//;

/** Waits for the dashboard's page at path in page, logged in: its sections' menu shows. */
async function loggedInAt(page, path) {
  await until(`the dashboard's ${path}`, () => new URL(page.url()).pathname === path && DASHBOARD.test(page.url()));
  await page.locator('nav[aria-label="Sections"]').waitFor();
  await page.locator('form[action="/logout"]').waitFor();
}

/** Runs act and returns the new tab it opens. */
async function newTabFrom(act) {
  const opened = browser.context.waitForEvent('page');
  await act();
  return opened;
}

let dashboard; // the tab the popup opened

test('the popup\'s Open dashboard opens the dashboard, logged in', async () => {
  const options = await browser.context.newPage();
  await options.goto(`${browser.extensionURL}options.html`);
  await options.locator('#seconds').fill('1');
  await options.locator('#manual summary').click();
  await options.locator('#daemon').fill(daemon.base);
  await options.locator('#token').fill(daemon.token);
  await options.locator('#connect').click();
  await options.locator('#pairing', { hasText: `Paired with the daemon at ${daemon.base}` }).waitFor();
  await options.close();

  const popup = await browser.context.newPage();
  await popup.goto(`${browser.extensionURL}popup.html`);
  dashboard = await newTabFrom(() => popup.locator('#dashboard').click());
  await loggedInAt(dashboard, '/');
  await popup.close();
  // The session cookie is the dashboard's alone: host-only, HttpOnly, Strict.
  const cookies = (await browser.context.cookies()).filter((c) => c.name === 'redline_session');
  assert.equal(cookies.length, 1);
  assert.equal(cookies[0].domain, new URL(dashboard.url()).hostname);
  assert.equal(cookies[0].httpOnly, true);
  assert.equal(cookies[0].sameSite, 'Strict');
  // The login link is spent: the address bar has moved on, and the link
  // in the history does not log anyone in again.
  assert.doesNotMatch(dashboard.url(), /code=/);
});

test('after a daemon restart the same tab, reloaded, is still logged in', async () => {
  const addr = new URL(daemon.base).host;
  await daemon.stop();
  daemon = await startDaemon(bin, data, addr);
  await dashboard.reload();
  await loggedInAt(dashboard, '/');
  await dashboard.goto(new URL('/settings', dashboard.url()).href);
  await loggedInAt(dashboard, '/settings');
  await dashboard.locator('form[action="/logout-everywhere"] button', { hasText: 'Log out everywhere' }).waitFor();
});

test('the banner\'s Show all changes opens the article\'s page in the dashboard, logged in', async () => {
  const url = `${site.base}/2015/minecraft-exploit`;
  const reader = await browser.context.newPage();
  await reader.goto(url);
  const article = await until('the first capture at the daemon', async () => {
    const r = await daemon.api(`/api/v1/articles?url=${encodeURIComponent(url)}`);
    return r.status === 200 ? r.body : null;
  });
  site.edit();
  const other = await browser.context.newPage();
  await other.goto(url);
  await until('the second version at the daemon', async () => (await daemon.api(`/api/v1/articles/${article.id}`)).body?.versions === 2);
  await other.close();
  await until('the banner in the tab still open', async () => {
    const b = await bannerTree(reader);
    return b && /Show all changes/.test(textOf(b));
  });
  const page = await newTabFrom(() => clickBannerButton(reader, 'Show all changes'));
  await loggedInAt(page, `/articles/${article.id}`);
  await page.locator('h1', { hasText: 'Minecraft exploit lets anyone crash game servers, researcher warns' }).waitFor();
  await page.close();
  await reader.close();
  changed = article.id;
});

let changed; // the id of the article that changed

test('a click on a change\'s desktop notification opens the article\'s page in the dashboard, logged in', async () => {
  // Headless Chromium shows no notification to click: the browser's click
  // event is dispatched to the background as Chrome would on a click.
  const page = await newTabFrom(() => browser.worker.evaluate((id) => chrome.notifications.onClicked.dispatch(`redline-article-${id}`), changed));
  await loggedInAt(page, `/articles/${changed}`);
  await page.locator('h1', { hasText: 'Minecraft exploit lets anyone crash game servers, researcher warns' }).waitFor();
  await page.close();
});

test('Log out everywhere logs every tab out, and the popup logs in again', async () => {
  const second = await browser.context.newPage();
  await second.goto(new URL('/articles', dashboard.url()).href);
  await loggedInAt(second, '/articles');

  await dashboard.goto(new URL('/settings', dashboard.url()).href);
  await dashboard.locator('form[action="/logout-everywhere"] button').click();
  await dashboard.getByText('You are logged out everywhere').waitFor();
  await second.reload();
  await second.getByText('Open the dashboard from Redline').waitFor();
  assert.equal(await second.locator('nav[aria-label="Sections"]').count(), 0);
  await second.close();

  const popup = await browser.context.newPage();
  await popup.goto(`${browser.extensionURL}popup.html`);
  const again = await newTabFrom(() => popup.locator('#dashboard').click());
  await loggedInAt(again, '/');
  await again.close();
  await popup.close();
});

test('a feed link opened in the browser says how to subscribe', async () => {
  const page = await browser.context.newPage();
  const resp = await page.goto(`${daemon.base}/feeds/changes.atom`);
  assert.equal(resp.status(), 401);
  await page.getByText('This is a feed for your feed reader').waitFor();
  await page.locator('code', { hasText: 'redline open' }).waitFor();
  // A feed reader still gets the bare refusal.
  const reader = await fetch(`${daemon.base}/feeds/changes.atom`, { headers: { Accept: 'application/atom+xml' } });
  assert.equal(reader.status, 401);
  assert.match(reader.headers.get('content-type'), /^text\/plain/);
  await page.close();
});
