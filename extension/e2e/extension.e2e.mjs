// End to end, in real headless Chromium with the built extension: read an
// article before pairing and find it at the daemon once paired; pair
// through the one-time link, read an article, see the banner appear in the
// still-open tab when the article changes, again after a reload, open the
// changes, dismiss them (the daemon marks them seen); then read three
// articles while the daemon is down and find all three stored once it is
// back; edit the daemon's deny list in the options and find a denied site
// left alone while the daemon is down; read the largest real page while
// the extension's service worker is stopped and find it stored (the page's
// message wakes the worker, which reads the page off the page's thread).
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { answerPairing, bannerTree, buildDaemon, clickBannerButton, findAll, openPairingLink, startBrowser, startDaemon, startSite, tempDir, textOf, until } from './harness.mjs';

const run = promisify(execFile);

let bin, data, daemon, site, browser, work;

before(async () => {
  work = tempDir('e2e');
  data = tempDir('data');
  bin = buildDaemon(work);
  daemon = await startDaemon(bin, data);
  site = await startSite();
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await daemon?.stop();
  rmSync(work, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
});

/** Waits until the background has answered the hello of a page at url. */
const backgroundSaw = (url) =>
  until(`the extension to see ${url}`, async () => {
    const { tabs } = await browser.worker.evaluate(() => chrome.storage.session.get('tabs'));
    return Object.values(tabs ?? {}).some((p) => p.url === url);
  });

const articleAt = async (url) => {
  const r = await daemon.api(`/api/v1/articles?url=${encodeURIComponent(url)}`);
  return r.status === 200 ? r.body : null;
};

const queued = async () => (await browser.worker.evaluate(() => chrome.storage.local.get('queue'))).queue?.items ?? [];

test('an article read before pairing waits in the extension and reaches the daemon once paired', async () => {
  // Read fast in the test: one visible second counts as reading.
  const options = await browser.context.newPage();
  await options.goto(`${browser.extensionURL}options.html`);
  await options.locator('#pairing', { hasText: 'Not paired.' }).waitFor();
  await options.locator('#seconds').fill('1');
  await options.locator('#save').click();
  await options.locator('#message', { hasText: 'Saved.' }).waitFor();
  await options.close();

  const url = `${site.base}/politics/wapo`;
  const reader = await browser.context.newPage();
  await reader.goto(url);
  await until('the article read before pairing to wait in the queue', async () => (await queued()).some((i) => i.capture.url === url));
  await reader.close();
  const popup = await browser.context.newPage();
  await popup.goto(`${browser.extensionURL}popup.html`);
  await popup.locator('#connection', { hasText: 'Not paired' }).waitFor();
  await popup.locator('#notice', { hasText: '1 capture waiting: it reaches the daemon you confirm when pairing.' }).waitFor();
  assert.equal(await popup.locator('#notice code', { hasText: 'redline pair' }).count(), 1, 'the command shows as code');
  assert.doesNotMatch(await popup.locator('#notice').innerText(), /`/);
  assert.equal(await articleAt(url), null);

  // The link asks; the Redline tab it opens says where the waiting capture
  // would go, and pairs only when the user clicks Pair.
  const link = execFileSync(bin, ['pair', '--print', '--data', data], { encoding: 'utf8' }).trim();
  const opened = await openPairingLink(browser, link);
  await opened.page.locator('#redline-pair-status', { hasText: 'Confirm in the Redline tab that opened' }).waitFor();
  await opened.confirm.locator('#port', { hasText: new URL(daemon.base).port }).waitFor();
  await opened.confirm.locator('#current', { hasText: 'Redline is not paired now.' }).waitFor();
  await opened.confirm.locator('#waiting', { hasText: '1 capture read while Redline was not paired would be sent to it.' }).waitFor();
  assert.equal(await articleAt(url), null, 'sent before the user confirmed');
  assert.match(await answerPairing(opened), new RegExp(`^Paired with the daemon at ${daemon.base}`));
  await opened.page.locator('#redline-pair-status', { hasText: 'Paired' }).waitFor();
  await opened.page.close();
  const a = await until('the article read before pairing at the daemon', () => articleAt(url));
  assert.equal(a.versions, 1);
  await until('the queue to empty', async () => (await queued()).length === 0);
  await popup.reload();
  await popup.locator('#connection', { hasText: 'Connected' }).waitFor();
  assert.doesNotMatch(await popup.locator('#notice').innerText(), /waiting/);
  await popup.close();
});

test('pairs through the one-time link, with nothing to type', async () => {
  // Read fast in the test: one visible second counts as reading.
  const options = await browser.context.newPage();
  await options.goto(`${browser.extensionURL}options.html`);
  await options.locator('#seconds').fill('1');
  await options.locator('#save').click();
  await options.locator('#message', { hasText: 'Saved.' }).waitFor();
  await options.close();

  const link = execFileSync(bin, ['pair', '--print', '--data', data], { encoding: 'utf8' }).trim();
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/pair#[0-9a-f]{32}$/);
  const opened = await openPairingLink(browser, link);
  assert.equal(new URL(opened.page.url()).hash, '', 'the code is gone from the address bar');
  await opened.confirm.locator('#current', { hasText: 'paired with this daemon already' }).waitFor();
  assert.match(await answerPairing(opened), /^Paired/);
  await opened.page.locator('#redline-pair-status', { hasText: 'Paired' }).waitFor();
  await opened.page.close();

  // The same link does not pair twice.
  const again = await openPairingLink(browser, link);
  assert.match(await answerPairing(again), /used already/);
  await again.page.locator('#redline-pair-status', { hasText: 'used already' }).waitFor();
  // The daemon's words name the command as code, not between backticks.
  assert.equal(await again.page.locator('#redline-pair-status code', { hasText: 'redline pair' }).count(), 1);
  assert.doesNotMatch(await again.page.locator('#redline-pair-status').innerText(), /`/);
  await again.page.close();

  // Another program on this computer serving a pairing page (here: a
  // second daemon) gets the extension only if the user confirms the
  // address it shows; Cancel leaves the pairing and the code untouched.
  const otherData = tempDir('other');
  const other = await startDaemon(bin, otherData);
  try {
    const before = await browser.worker.evaluate(() => chrome.storage.local.get(['settings', 'token']));
    const foreign = execFileSync(bin, ['pair', '--print', '--data', otherData], { encoding: 'utf8' }).trim();
    const asked = await openPairingLink(browser, foreign);
    await asked.confirm.locator('#port', { hasText: new URL(other.base).port }).waitFor();
    await asked.confirm.locator('#current', { hasText: `this replaces the pairing with ${daemon.base}` }).waitFor();
    assert.match(await answerPairing(asked, 'Cancel'), /^Cancelled/);
    await asked.page.locator('#redline-pair-status', { hasText: 'Cancelled' }).waitFor();
    await asked.page.close();
    assert.deepEqual(await browser.worker.evaluate(() => chrome.storage.local.get(['settings', 'token'])), before);
    const code = /#([0-9a-f]{32})$/.exec(foreign)[1];
    const claim = await fetch(`${other.base}/api/v1/pair/claim`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code }) });
    assert.equal(claim.status, 200, 'the extension spent the code the user cancelled');
  } finally {
    await other.stop();
    rmSync(otherData, { recursive: true, force: true });
  }
});

test('the banner appears in the open tab when the article changes, and stays until dismissed', async () => {
  const url = `${site.base}/2015/minecraft-exploit`;
  const reader = await browser.context.newPage();
  await reader.goto(url);
  const first = await until('the first capture at the daemon', () => articleAt(url));
  assert.equal(first.title, 'Just-released Minecraft exploit makes it easy to crash game servers');
  assert.equal(first.versions, 1);

  // The site edits the article; reading it again in another tab gives the
  // daemon the new version, and the reader's open tab learns it live.
  site.edit();
  const other = await browser.context.newPage();
  await other.goto(url);
  await until('the second version at the daemon', async () => (await articleAt(url))?.versions === 2);

  const banner = await until('the banner in the tab still open', () => bannerTree(reader));
  const text = textOf(banner);
  assert.match(text, /This article changed since you read it/);
  assert.match(text, /Headline changed · 2 paragraphs edited · 1 paragraph added · correction added/);
  assert.match(text, /changed just now/);
  await other.close();

  // The toolbar badge counts it, and the popup lists it.
  await until('the badge to count one changed article', async () => (await browser.worker.evaluate(() => chrome.action.getBadgeText({}))) === '1');
  const popup = await browser.context.newPage();
  await popup.goto(`${browser.extensionURL}popup.html`);
  const item = popup.locator('#changes li', { hasText: 'Minecraft exploit lets anyone crash game servers, researcher warns' });
  await item.waitFor();
  assert.match(await item.innerText(), /Headline changed · 2 paragraphs edited · 1 paragraph added · correction added/);
  assert.equal(await popup.locator('#connection').innerText(), 'Connected');
  await item.locator('button').click();
  await popup.locator('#diff ins', { hasText: 'hesitated for many months' }).waitFor();
  await popup.locator('#diff del', { hasText: 'thought a lot' }).waitFor();
  await popup.close();

  // After a reload the banner is back (the daemon still holds the change unseen).
  await reader.reload();
  await until('the banner after a reload', async () => {
    const b = await bannerTree(reader);
    return b && /This article changed since you read it/.test(textOf(b));
  });

  // Show changes: deletions struck, insertions marked.
  await clickBannerButton(reader, 'Show changes');
  const withDiff = await until('the inline diff', async () => {
    const b = await bannerTree(reader);
    return b && findAll(b, (n) => n.nodeName === 'INS').length > 0 ? b : null;
  });
  const deleted = findAll(withDiff, (n) => n.nodeName === 'DEL').map(textOf).join(' ');
  const inserted = findAll(withDiff, (n) => n.nodeName === 'INS').map(textOf).join(' ');
  assert.match(deleted, /thought a lot/);
  assert.match(inserted, /hesitated for many months/);
  assert.match(inserted, /Correction: An earlier version/);

  // Dismiss marks it seen at the daemon and takes the banner away.
  await clickBannerButton(reader, 'Dismiss');
  await until('the daemon to hold the change as seen', async () => {
    const a = await articleAt(url);
    return a && (a.unseen ?? []).length === 0 && a.seen === 2;
  });
  await until('the banner to go', async () => (await bannerTree(reader)) === null);
  await until('the badge to clear', async () => (await browser.worker.evaluate(() => chrome.action.getBadgeText({}))) === '');
  await reader.close();
});

test('a site that shows another article without loading a page gets it captured too', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${site.base}/2015/minecraft-exploit`);
  const next = `${site.base}/science/nytimes`;
  const html = await (await fetch(next)).text();
  // What a site's own script does: new content, new title, pushState.
  await page.evaluate((h) => {
    const doc = new DOMParser().parseFromString(h, 'text/html');
    document.head.replaceChildren(...[...doc.head.childNodes].map((n) => document.adoptNode(n)));
    document.body.replaceWith(document.adoptNode(doc.body));
    history.pushState({}, '', '/science/nytimes');
  }, html);
  const a = await until('the article shown in place to reach the daemon', () => articleAt(next));
  assert.equal(a.versions, 1);
  assert.equal(a.title, "United States to Lift Sudan Sanctions");
  const before = await articleAt(`${site.base}/2015/minecraft-exploit`);
  assert.equal(before.versions, 2, 'the page shown before keeps its own text');
  await page.close();
});

test('articles read while the daemon is down arrive when it is back', async () => {
  const addr = new URL(daemon.base).host;
  await daemon.stop();
  const urls = ['/world/bbc', '/business/cnn', '/europe/lemonde'].map((p) => site.base + p);
  for (const url of urls) {
    const page = await browser.context.newPage();
    await page.goto(url);
    await until(`the capture of ${url} to wait in the queue`, async () => {
      const q = await browser.worker.evaluate(() => chrome.storage.local.get('queue'));
      return q.queue?.items?.some((i) => i.capture.url === url);
    });
    await page.close();
  }
  daemon = await startDaemon(bin, data, addr);
  for (const url of urls) await until(`${url} at the restarted daemon`, () => articleAt(url), 120_000);
  // Each leaves the queue once the daemon has answered for it.
  await until('the queue to empty', async () => (await browser.worker.evaluate(() => chrome.storage.local.get('queue'))).queue.items.length === 0);
});

test('the options show and edit the daemon’s one deny list; a denied site is not captured even while the daemon is down', async () => {
  // The dashboard (here: the API, as its Settings do) denies a site…
  assert.equal((await daemon.api('/api/v1/settings/sites', { method: 'POST', body: JSON.stringify({ deny: ['dashboard-side.example'] }) })).status, 200);
  const options = await browser.context.newPage();
  await options.goto(`${browser.extensionURL}options.html`);
  await options.locator('#sites-where', { hasText: 'This list is kept by the Redline daemon on this computer; the extension and the dashboard show the same list.' }).waitFor();
  // …and the extension's options show that same list.
  await until('the daemon’s list in the options', async () => (await options.locator('#deny').inputValue()) === 'dashboard-side.example');
  // A line that is not a site: the daemon says so, and keeps its list.
  await options.locator('#deny').fill('dashboard-side.example\nnot a site');
  await options.locator('#save').click();
  await options.locator('#message.error', { hasText: '"not a site" is not a site' }).waitFor();
  assert.deepEqual((await daemon.api('/api/v1/settings/sites')).body.deny, ['dashboard-side.example']);
  // The test site under another name is a site of its own: deny it.
  await options.locator('#deny').fill('dashboard-side.example\nlocalhost');
  await options.locator('#save').click();
  await options.locator('#message', { hasText: 'Saved.' }).waitFor();
  assert.deepEqual((await daemon.api('/api/v1/settings/sites')).body.deny, ['dashboard-side.example', 'localhost']);

  const addr = new URL(daemon.base).host;
  await daemon.stop();
  const denied = `http://localhost:${new URL(site.base).port}/politics/wapo`;
  const allowed = `${site.base}/world/bbc`;
  const a = await browser.context.newPage();
  await a.goto(denied);
  await backgroundSaw(denied);
  // Read after the denied page: once it waits in the queue, the denied
  // one would be there before it.
  const b = await browser.context.newPage();
  await b.goto(allowed);
  await until('the allowed page to wait in the queue', async () => (await queued()).some((i) => i.capture.url === allowed));
  assert.deepEqual((await queued()).map((i) => i.capture.url), [allowed], 'only the allowed page waits');
  await a.close();
  await b.close();

  daemon = await startDaemon(bin, data, addr);
  await until('the queue to empty', async () => (await queued()).length === 0, 120_000);
  assert.equal(await articleAt(denied), null);
  // Edited in the options again: the daemon's list follows.
  await options.reload();
  await until('the options to read the daemon again', async () => !(await options.locator('#deny').isDisabled()));
  await options.locator('#deny').fill('');
  await options.locator('#save').click();
  await options.locator('#message', { hasText: 'Saved.' }).waitFor();
  assert.deepEqual((await daemon.api('/api/v1/settings/sites')).body.deny, []);
  await options.close();
});

test('the token can also be entered by hand in the options', async () => {
  const options = await browser.context.newPage();
  await options.goto(`${browser.extensionURL}options.html`);
  await options.locator('#unpair').click();
  await options.locator('#pairing', { hasText: 'Not paired.' }).waitFor();

  await options.locator('#manual summary').click();
  await options.locator('#daemon').fill(daemon.base);
  await options.locator('#token').fill('0'.repeat(64));
  await options.locator('#connect').click();
  await options.locator('#message', { hasText: 'wrong token' }).waitFor();

  await options.locator('#token').fill(daemon.token);
  await options.locator('#connect').click();
  await options.locator('#message', { hasText: 'Connected.' }).waitFor();
  await options.locator('#pairing', { hasText: `Paired with the daemon at ${daemon.base}` }).waitFor();
  await options.close();
});

test('a headline rewritten on the page shows as changed, although the page\'s structured data still holds the old one', async () => {
  const path = '/politics/wapo-headline';
  const url = site.base + path;
  const old = 'Attack stokes instability fears in North Africa';
  const now = 'Deadly attack deepens fears of instability across North Africa';
  // The outlet's structured data keeps the headline it was published with.
  const stale = `<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"${old}"}</script></head>`;
  const source = site.page('wapo-1');
  const first = source.replace('</head>', stale);
  const rewritten = source.replaceAll(old, now).replace('</head>', stale);
  assert.notEqual(rewritten.indexOf(`<h1>${now}`), -1, 'the visible headline was rewritten');
  site.set(path, first);
  const reader = await browser.context.newPage();
  await reader.goto(url);
  const read = await until('the first capture at the daemon', () => articleAt(url));
  assert.equal(read.title, old);

  // The site rewrites its <h1>, <title> and og:title, not the JSON-LD;
  // reading it again in another tab gives the daemon the new version.
  site.set(path, rewritten);
  const other = await browser.context.newPage();
  await other.goto(url);
  const changed = await until('the second version at the daemon', async () => {
    const a = await articleAt(url);
    return a?.versions === 2 ? a : null;
  });
  assert.equal(changed.title, now);
  await other.close();
  const banner = await until('the banner in the tab still open', () => bannerTree(reader));
  assert.match(textOf(banner), /This article changed since you read it/);
  assert.match(textOf(banner), /Headline changed/);
  await until('the badge to count the changed article', async () => (await browser.worker.evaluate(() => chrome.action.getBadgeText({}))) === '1');

  await clickBannerButton(reader, 'Dismiss');
  await until('the badge to clear', async () => (await browser.worker.evaluate(() => chrome.action.getBadgeText({}))) === '');
  await reader.close();
});

/** A council story in one template; in the other, the second half sits in a box the extractor leaves out, still on the page. */
const councilStory = (title, split) => {
  const paras = Array.from(
    { length: 12 },
    (_, i) => `<p>Paragraph ${i + 1} of the council story: the city council postponed its vote on the budget on Tuesday night, hours after the auditor warned that the plan relied on revenue from parking levy number ${i + 1}.</p>`,
  );
  const body = split ? `${paras.slice(0, 6).join('')}</article></main><div class="sidebar-more">${paras.slice(6).join('')}</div>` : `${paras.join('')}</article></main>`;
  return `<!doctype html><html lang="en"><head><title>${title}</title><meta property="og:title" content="${title}"></head><body><header><nav><a href="/">Home</a> <a href="/local">Local</a></nav></header><main><article><h1>${title}</h1><p class="byline">By Dana Whitfield</p>${body}<footer><p>© The Riverton Ledger</p></footer></body></html>`;
};

test('a template change on a read article raises no banner and no badge', async () => {
  const path = '/local/council-template';
  const url = site.base + path;
  const title = 'Council delays budget vote after auditor warning';
  site.set(path, councilStory(title, false));
  const reader = await browser.context.newPage();
  await reader.goto(url);
  await until('the first capture at the daemon', () => articleAt(url));

  // The site moves to a template whose layout hands the extractor only
  // the first half of the story; the rest is still on the page. Reading
  // it again in another tab gives the daemon a second version.
  site.set(path, councilStory(title, true));
  const other = await browser.context.newPage();
  await other.goto(url);
  const moved = await until('the new template\'s version at the daemon', async () => {
    const a = await articleAt(url);
    return a?.versions === 2 ? a : null;
  });
  const v2 = await daemon.api(`/api/v1/articles/${moved.id}/versions/2`);
  assert.equal(v2.body.blocks.filter((b) => b.text.startsWith('Paragraph')).length, 6, 'the extraction kept half the story');
  assert.equal(moved.version_list[1].layout, true, 'the daemon recorded a page layout change');
  assert.equal(moved.changes, 0);
  assert.deepEqual(moved.unseen ?? [], []);

  // A real edit of another article afterwards: the events reach the
  // extension in order, so once its banner and badge show, anything the
  // template change had caused would be showing too.
  const sentinelPath = '/local/council-sentinel';
  const sentinelURL = site.base + sentinelPath;
  site.set(sentinelPath, councilStory('Library hours cut in new budget', false));
  const sentinel = await browser.context.newPage();
  await sentinel.goto(sentinelURL);
  await until('the other article at the daemon', () => articleAt(sentinelURL));
  site.set(sentinelPath, councilStory('Library hours restored in new budget', false));
  const again = await browser.context.newPage();
  await again.goto(sentinelURL);
  await until('the other article\'s banner', () => bannerTree(sentinel));
  await until('the badge to count the other article', async () => (await browser.worker.evaluate(() => chrome.action.getBadgeText({}))) === '1');
  await again.close();

  assert.equal(await bannerTree(reader), null, 'no banner in the tab that read the old template');
  assert.equal(await bannerTree(other), null, 'no banner in the tab that read the new template');
  assert.equal(await browser.worker.evaluate(() => chrome.action.getBadgeText({})), '1', 'the badge counts only the edited article');

  await clickBannerButton(sentinel, 'Dismiss');
  await until('the badge to clear', async () => (await browser.worker.evaluate(() => chrome.action.getBadgeText({}))) === '');
  await Promise.all([reader.close(), other.close(), sentinel.close()]);
});

test('a minor change raises no banner and no badge; opted in on the options page, the next one raises both', async () => {
  const path = '/world/bbc-minor';
  const url = site.base + path;
  const first = site.page('bbc-1');
  // One short word reworded at a time: minor changes.
  const second = first.replace('He vowed to keep trying', 'He promised to keep trying');
  const third = second.replace('a wide-ranging interview', 'a far-reaching interview');
  assert.notEqual(second, first);
  assert.notEqual(third, second);
  const badge = () => browser.worker.evaluate(() => chrome.action.getBadgeText({}));
  const folded = (id) => browser.worker.evaluate(async (k) => (await chrome.storage.local.get('changes')).changes?.byArticle?.[k] ?? null, String(id));
  const unseenOf = async (version) => {
    const a = await articleAt(url);
    return a?.versions === version ? a : null;
  };
  site.set(path, first);
  const reader = await browser.context.newPage();
  await reader.goto(url);
  const read = await until('the first capture at the daemon', () => articleAt(url));

  // The site rewords one word; reading it again in another tab gives the
  // daemon the new version, and the extension the event.
  site.set(path, second);
  const other = await browser.context.newPage();
  await other.goto(url);
  const changed = await until('the second version at the daemon', () => unseenOf(2));
  assert.deepEqual(changed.unseen.map((u) => u.significance), ['minor']);
  // The extension took the event in (it keeps minor changes) …
  await until('the extension to fold the minor change', async () => (await folded(read.id))?.summary?.significance === 'minor');
  // … but it alerts nowhere: no badge, no banner in either tab.
  assert.equal(await badge(), '');
  assert.equal(await bannerTree(reader), null);
  assert.equal(await bannerTree(other), null);
  await other.close();
  // The user looks at it in the dashboard (marks it seen there).
  assert.equal((await daemon.api(`/api/v1/articles/${read.id}/seen`, { method: 'POST', body: JSON.stringify({ version: 2 }) })).status, 200);
  await until('the extension to learn it was seen', async () => (await folded(read.id)) === null);

  // The user opts in to minor changes in the extension's options.
  const options = await browser.context.newPage();
  await options.goto(`${browser.extensionURL}options.html`);
  const minor = options.locator('input[name="alert_on"][value="minor"]');
  await until('the options to read the daemon’s choice', async () => (await options.locator('input[name="alert_on"][value="substantive"]').isChecked()) && !(await minor.isDisabled()));
  await minor.click();
  await options.locator('#save').click();
  await options.locator('#message', { hasText: 'Saved.' }).waitFor();
  assert.deepEqual((await daemon.api('/api/v1/settings/alerts')).body, { alert_on: 'minor' });
  await options.close();

  // The next minor change raises the banner in the open tab and the badge.
  site.set(path, third);
  const again = await browser.context.newPage();
  await again.goto(url);
  const third3 = await until('the third version at the daemon', () => unseenOf(3));
  assert.deepEqual(third3.unseen.map((u) => u.significance), ['minor']);
  const banner = await until('the banner in the tab still open', () => bannerTree(reader));
  assert.match(textOf(banner), /This article changed since you read it/);
  await until('the badge to count the minor change', async () => (await badge()) === '1');
  await again.close();

  await clickBannerButton(reader, 'Dismiss');
  await until('the badge to clear', async () => (await badge()) === '');
  await reader.close();
  // Back to the default for the tests that follow; the extension hears it on the stream.
  assert.equal((await daemon.api('/api/v1/settings/alerts', { method: 'POST', body: JSON.stringify({ alert_on: 'substantive' }) })).status, 200);
  await until('the extension to learn the default again', async () => (await browser.worker.evaluate(() => chrome.storage.local.get('alertOn'))).alertOn === 'substantive');
});

/** Sets when a page counts as read, on the options page: 'visible' (for a second) or 'scroll'. */
async function readingMode(mode) {
  const options = await browser.context.newPage();
  await options.goto(`${browser.extensionURL}options.html`);
  await options.locator(`input[name="mode"][value="${mode}"]`).check();
  await options.locator('#save').click();
  await options.locator('#message', { hasText: 'Saved.' }).waitFor();
  await options.close();
}

test('a page read while the extension\'s service worker is stopped is captured: its message wakes the worker, which reads it off the page', async () => {
  // The largest real page (1.1 MB of HTML): its HTML goes through the
  // message whole. Read once scrolled, so that the capture's message comes
  // after the worker was stopped.
  await readingMode('scroll');
  try {
    const url = `${site.base}/europe/guardian`;
    assert.equal(await articleAt(url), null);
    const reader = await browser.context.newPage();
    await reader.goto(url);
    await backgroundSaw(url);

    // The worker's state, as the browser reports it to an extension page
    // (which sends nothing once loaded).
    const watch = await browser.context.newPage();
    await watch.goto(`${browser.extensionURL}options.html`);
    await watch.locator('#pairing', { hasText: /^Paired with the daemon/ }).waitFor();
    const cdp = await browser.context.newCDPSession(watch);
    const states = [];
    let versionId;
    cdp.on('ServiceWorker.workerVersionUpdated', (e) => {
      for (const v of e.versions) {
        if (!v.scriptURL.endsWith('/background.js')) continue;
        versionId = v.versionId;
        states.push(v.runningStatus);
      }
    });
    await cdp.send('ServiceWorker.enable');
    await until('the worker\'s state', () => versionId !== undefined && states.at(-1) === 'running');
    await cdp.send('ServiceWorker.stopWorker', { versionId });
    await until('the worker to stop', () => states.at(-1) === 'stopped');
    assert.equal(await articleAt(url), null, 'captured before the reader read it');

    await reader.evaluate(() => window.scrollBy(0, window.innerHeight));
    await until('the worker to run again', () => states.at(-1) === 'running');
    const a = await until('the article read while the worker was stopped at the daemon', () => articleAt(url));
    assert.match(a.title, /Māori tribes fearful over whale strandings/);
    await cdp.detach();
    await watch.close();
    await reader.close();
  } finally {
    await readingMode('visible');
  }
});

test('a change the daemon finds by itself (redline check) shows in the open tab', async () => {
  // A daemon whose watcher may fetch this computer's news site.
  const watchData = tempDir('watch');
  const watcher = await startDaemon(bin, watchData, '127.0.0.1:0', ['--allow-private']);
  try {
    const options = await browser.context.newPage();
    await options.goto(`${browser.extensionURL}options.html`);
    await options.locator('#manual summary').click();
    await options.locator('#daemon').fill(watcher.base);
    await options.locator('#token').fill(watcher.token);
    await options.locator('#connect').click();
    await options.locator("#pairing", { hasText: `Paired with the daemon at ${watcher.base}` }).waitFor();
    await options.close();

    const path = '/2015/minecraft-exploit-follow-up';
    const url = site.base + path;
    const reader = await browser.context.newPage();
    await reader.goto(url);
    await until('the capture at the daemon', async () => (await watcher.api(`/api/v1/articles?url=${encodeURIComponent(url)}`)).status === 200);
    // The daemon's own copy of the page as read (its first fetch is the
    // baseline). Run without blocking: the news site lives in this process.
    const check = async () => (await run(bin, ['check', '--data', watchData, url])).stdout;
    assert.match(await check(), /first fetch stored|unchanged since the last check/);

    site.edit(path);
    const said = await check();
    assert.match(said, /changed since you read it/, said);
    const banner = await until('the banner in the open tab', () => bannerTree(reader));
    assert.match(textOf(banner), /This article changed since you read it/);
    assert.match(textOf(banner), /Headline changed/);
    await reader.close();
  } finally {
    await watcher.stop();
    rmSync(watchData, { recursive: true, force: true });
  }
});
