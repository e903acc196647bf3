// End to end in Debian's Firefox ESR (/usr/bin/firefox-esr, headless),
// driven over WebDriver BiDi, with the built extension installed as a
// temporary add-on (as about:debugging loads it): pair through the
// one-time link and a click on Pair in the Redline tab it opens, read an
// article and find it at the daemon, then let the
// daemon find by itself that the site changed it and see the banner appear
// in the still-open tab, open the changes and dismiss them (the daemon
// marks them seen). Then the packed .xpi, installed for good where unsigned
// add-ons are allowed: still there, paired and capturing after Firefox
// restarts.
//
// BiDi will not open moz-extension:// pages, so the options are left as a
// new user has them (an article counts as read after 5 visible seconds).
// A moz-extension:// tab the extension opens itself is reachable, though:
// the library lists it (as about:blank, having seen no navigation), and
// scripts and clicks reach it, which is how the test confirms pairing.
// The banner lives in a closed shadow root: BiDi serialises it when asked
// to include every shadow tree, which is how the test reads and clicks it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import puppeteer from 'puppeteer-core';
import { buildExtension } from '../scripts/build.mjs';
import { buildDaemon, editOf, minorChange, startDaemon, startSite, startSubscriberSite, tempDir, until } from './harness.mjs';

const FIREFOX = process.env.REDLINE_FIREFOX ?? '/usr/bin/firefox-esr';
const GECKO_ID = 'redline@redline.invalid';

// The browser's own services stay quiet: the test reaches only this
// computer's daemon and news site, and looks up no host name.
const QUIET = {
  'app.shield.optoutstudies.enabled': false,
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'browser.safebrowsing.provider.google.updateURL': '',
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'dom.push.connection.enabled': false,
  'extensions.systemAddon.update.enabled': false,
  'geo.provider.network.url': '',
  'messaging-system.rsexperimentloader.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.dns.disablePrefetchFromHTTPS': true,
  'network.preconnect': false,
  'network.trr.mode': 5,
  'toolkit.telemetry.enabled': false,
  'services.settings.server': 'data:,#remote-settings-dummy/v1',
  'toolkit.telemetry.server': '',
};

/**
 * Firefox ESR, headless, on profile; more are extra preferences. Set
 * REDLINE_FIREFOX_DNS_LOG=FILE to log every host name it looks up.
 */
function launchFirefox(profile, more = {}) {
  const dnsLog = process.env.REDLINE_FIREFOX_DNS_LOG;
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    userDataDir: profile,
    extraPrefsFirefox: { ...QUIET, ...more },
    // Connections beyond this computer fail (and let the settings above take).
    env: { ...process.env, MOZ_DISABLE_NONLOCAL_CONNECTIONS: '1', ...(dnsLog ? { MOZ_LOG: 'nsHostResolver:5', MOZ_LOG_FILE: dnsLog } : {}) },
  });
}

let bin, data, daemon, site, subscriberSite, browser, profile, work, built;

before(async () => {
  work = tempDir('ff-e2e');
  data = tempDir('ff-data');
  profile = tempDir('ff-profile');
  bin = buildDaemon(work);
  // The watcher must be allowed to fetch the news site on this computer.
  daemon = await startDaemon(bin, data, '127.0.0.1:0', ['--allow-private']);
  site = await startSite();
  subscriberSite = await startSubscriberSite();
  built = await buildExtension();
  browser = await launchFirefox(profile);
  assert.equal(await browser.installExtension(built.firefox), GECKO_ID, 'the manifest fixes the add-on id');
});

after(async () => {
  await browser?.close();
  await site?.close();
  await subscriberSite?.close();
  await daemon?.stop();
  for (const dir of [work, data, profile]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const articleAt = async (url) => {
  const r = await daemon.api(`/api/v1/articles?url=${encodeURIComponent(url)}`);
  return r.status === 200 ? r.body : null;
};

/**
 * Sends a WebDriver BiDi command on page's session, aimed at its browsing
 * context unless inContext is false. (The library's BiDi session is not
 * part of its documented API; its version is pinned.)
 */
function bidi(page, method, params, inContext = true) {
  const context = page.mainFrame().browsingContext;
  return context.userContext.browser.session.send(method, inContext ? { ...params, target: { context: context.id } } : params);
}

/** The <redline-banner>'s shadow root (closed) as a BiDi node tree, or null. */
async function bannerTree(page) {
  const { result: evaluated } = await bidi(page, 'script.evaluate', {
    expression: 'document.querySelector("redline-banner")',
    awaitPromise: false,
    serializationOptions: { includeShadowTree: 'all', maxDomDepth: null },
  });
  if (evaluated.type !== 'success') throw new Error(`the page could not be read: ${JSON.stringify(evaluated.exceptionDetails?.text)}`);
  const host = evaluated.result;
  return host.type === 'node' ? (host.value.shadowRoot ?? null) : null;
}

const childrenOf = (n) => [...(n.value?.children ?? []), ...(n.value?.shadowRoot ? [n.value.shadowRoot] : [])];
const textOf = (n) => (n.value?.nodeType === 3 ? n.value.nodeValue : childrenOf(n).map(textOf).join(''));
function findAll(n, pred, out = []) {
  if (pred(n)) out.push(n);
  for (const c of childrenOf(n)) findAll(c, pred, out);
  return out;
}
const named = (name) => (n) => n.value?.localName === name;

/** Clicks the banner's button labelled label, as the reader would. */
async function clickBannerButton(page, label) {
  const tree = await bannerTree(page);
  const button = tree && findAll(tree, (n) => named('button')(n) && textOf(n) === label)[0];
  if (!button) throw new Error(`no "${label}" button in the banner`);
  await bidi(page, 'script.callFunction', {
    functionDeclaration: 'function () { this.click(); }',
    this: { sharedId: button.sharedId },
    awaitPromise: false,
  });
}

/** The Redline tab that confirms pairing, once the extension opened it. */
function confirmTab(browser) {
  return until('the Redline tab that confirms pairing', async () => {
    for (const p of await browser.pages()) {
      const href = await p.evaluate(() => location.href).catch(() => '');
      if (/^moz-extension:\/\/[^/]+\/confirm-pair\.html/.test(href)) return p;
    }
    return null;
  });
}

/**
 * Opens a new `redline pair` link in browser, checks the address and port
 * the Redline tab shows, clicks Pair there as the user would, and waits for
 * "Paired" on the link's page.
 */
async function pairByLink(browser) {
  const link = execFileSync(bin, ['pair', '--print', '--data', data], { encoding: 'utf8' }).trim();
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/pair#[0-9a-f]{32}$/);
  const page = await browser.newPage();
  await page.goto(link);
  const confirm = await confirmTab(browser);
  const origin = new URL(link).origin;
  await confirm.waitForFunction((o) => document.getElementById('address')?.textContent === o, { timeout: 60_000 }, origin);
  assert.equal(await confirm.evaluate(() => document.getElementById('port').textContent), new URL(link).port);
  await page.waitForFunction(() => /Confirm in the Redline tab/.test(document.getElementById('redline-pair-status')?.textContent ?? ''), { timeout: 60_000 });
  // Pair waits a moment after the page shows a pairing: a click meant for another cannot land on it.
  await confirm.waitForSelector('#pair:not([disabled])', { timeout: 60_000 });
  await confirm.click('#pair');
  await page.waitForFunction(() => /Paired/.test(document.getElementById('redline-pair-status')?.textContent ?? ''), { timeout: 60_000 });
  assert.match(await confirm.evaluate(() => document.getElementById('result').textContent), /^Paired with the daemon at /);
  assert.equal(new URL(page.url()).hash, '', 'the code is gone from the address bar');
  await confirm.close();
  await page.close();
}

// Never from private windows: the extension is not let into them at all,
// so nothing read there is captured, and an article never captured is
// never re-checked. Both builds say so; the router refuses a message from
// a private tab (core/messages.test.ts) and a background that ever ran for
// private windows declines every job (background/recheck.test.ts).
test('the built add-ons, for Chrome and for Firefox, are kept out of private windows', () => {
  for (const dir of [built.chrome, built.firefox]) {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.incognito, 'not_allowed', `${dir}/manifest.json`);
  }
});

test('pairs through the one-time link and a click in the Redline tab, with nothing to type', () => pairByLink(browser));

test('an article read in Firefox is stored; when the site changes it, the banner appears in the open tab', async () => {
  const url = `${site.base}/2015/minecraft-exploit`;
  const reader = await browser.newPage();
  await reader.goto(url);
  const first = await until('the capture at the daemon', () => articleAt(url));
  assert.equal(first.title, 'Just-released Minecraft exploit makes it easy to crash game servers');
  // (The daemon's first fetch of the page may already be there too.)
  assert.equal(first.version_list.find((v) => v.number === first.read.version)?.source, 'browser', 'the version read is the browser capture');

  // The daemon's own copy of the page as read is the baseline; then the
  // site edits the article and the daemon's check finds it.
  const check = async () => (await daemon.api(`/api/v1/articles/${first.id}/check`, { method: 'POST', body: '{}' })).body.result;
  assert.match((await check()).outcome, /^(baseline|unchanged)$/);
  site.edit();
  const found = await check();
  assert.equal(found.outcome, 'changed', found.message);

  const banner = await until('the banner in the tab still open', () => bannerTree(reader));
  const text = textOf(banner);
  assert.match(text, /This article changed since you read it/);
  assert.match(text, /Headline changed/);
  assert.match(text, /correction added/);

  // After a reload the banner is back (the change is still unseen).
  await reader.reload();
  await until('the banner after a reload', async () => {
    const b = await bannerTree(reader);
    return b && /This article changed since you read it/.test(textOf(b));
  });

  // Show changes: deletions struck, insertions marked.
  await clickBannerButton(reader, 'Show changes');
  const withDiff = await until('the inline diff', async () => {
    const b = await bannerTree(reader);
    return b && findAll(b, named('ins')).length > 0 ? b : null;
  });
  assert.match(findAll(withDiff, named('del')).map(textOf).join(' '), /thought a lot/);
  assert.match(findAll(withDiff, named('ins')).map(textOf).join(' '), /hesitated for many months/);

  // Dismiss marks it seen at the daemon and takes the banner away.
  await clickBannerButton(reader, 'Dismiss');
  await until('the daemon to hold the change as seen', async () => {
    const a = await articleAt(url);
    return a && (a.unseen ?? []).length === 0 && a.seen === found.version;
  });
  await until('the banner to go', async () => (await bannerTree(reader)) === null);
  await reader.close();
});

test('in Firefox too, a minor change of a read article raises no banner, while a real edit read after it does', async () => {
  const path = '/world/bbc-minor-firefox';
  const url = site.base + path;
  const first = site.page('bbc-1');
  // One short word reworded: a minor change.
  const second = first.replace('He vowed to keep trying', 'He promised to keep trying');
  assert.notEqual(second, first);
  site.set(path, first);
  const reader = await browser.newPage();
  await reader.goto(url);
  await until('the first capture at the daemon', () => articleAt(url));

  // The site rewords one word; reading it again in another tab gives the
  // daemon the new version, and the extension the event.
  site.set(path, second);
  const other = await browser.newPage();
  await other.goto(url);
  // (The daemon's own first fetch of the page may be a version too.)
  const changed = await until('the minor change at the daemon', async () => {
    const a = await articleAt(url);
    return a?.unseen?.length ? a : null;
  });
  assert.deepEqual([...new Set(changed.unseen.map((u) => u.significance))], ['minor']);

  // A real edit of another article afterwards: events reach the extension
  // in order, so once its banner shows, a banner for the minor change
  // would be showing too.
  const sentinelPath = '/2015/minecraft-exploit-follow-up';
  const sentinelURL = site.base + sentinelPath;
  const sentinel = await browser.newPage();
  await sentinel.goto(sentinelURL);
  await until('the other article at the daemon', () => articleAt(sentinelURL));
  site.edit(sentinelPath);
  const again = await browser.newPage();
  await again.goto(sentinelURL);
  await until('the other article\'s banner', () => bannerTree(sentinel));

  assert.equal(await bannerTree(reader), null, 'no banner in the tab that read the article');
  assert.equal(await bannerTree(other), null, 'no banner in the tab that read the minor change');

  await clickBannerButton(sentinel, 'Dismiss');
  await until('the banner to go', async () => (await bannerTree(sentinel)) === null);
  await Promise.all([reader.close(), other.close(), sentinel.close(), again.close()]);
});

test('in Firefox too, an article behind a paywall the browser passes is checked through the browser (parsed in the background page), without a tab', async () => {
  const reader = await browser.newPage();
  await reader.goto(`${subscriberSite.base}/subscribe`);
  const url = `${subscriberSite.base}/2026/paywalled`;
  await reader.goto(url);
  const read = await until('the capture at the daemon', () => articleAt(url));
  const check = async () => (await daemon.api(`/api/v1/articles/${read.id}/check`, { method: 'POST', body: '{}' })).body;
  // The daemon's fetch has no cookie: a paywall (or, when the watcher's
  // own first check came first, this one already runs in the browser).
  const first = await check();
  assert.equal(first.article.watch.state, 'not_checkable', JSON.stringify(first.article.watch));
  assert.equal(first.article.watch.via, 'browser');

  subscriberSite.edit();
  const tabs = (await browser.pages()).length;
  const withCookie = subscriberSite.requests.filter((r) => r.subscriber).length;
  const found = await check();
  assert.equal(found.result.outcome, 'changed', JSON.stringify(found.result));
  assert.equal(found.result.via, 'browser');
  assert.ok(subscriberSite.requests.filter((r) => r.subscriber).length > withCookie, 'the browser fetched the page with its cookie');
  assert.equal((await browser.pages()).length, tabs, 'no tab was opened');
  assert.equal(found.article.read.version, read.read.version, 'the read mark did not move');

  const banner = await until('the banner in the tab still open', () => bannerTree(reader));
  assert.match(textOf(banner), /This article changed since you read it/);
  await reader.close();
});

// The scheduled path, not Check now. The daemon's own fetch meets the
// paywall while re-checks through the browser are off, so the article is
// not checkable and nothing is planned. Turning them on makes such an
// article due at once in the due index, as its schedule would: the
// watcher's loop, not a request of the reader, turns that due check into a
// job for Firefox, which fetches the page with its cookie in the
// background page. The site has reworded one word meanwhile (minor: no
// alert), so that check stores a browser version. The site then edits the
// article, the daemon's clock (a build for these tests has one a test
// moves) passes the check the schedule planned next, and that check finds
// the edit: the daemon counts it unseen (what the badge shows; BiDi cannot
// read the badge) and the banner shows live and on the next visit. (A
// second copy of the news site, on its own port, gives an article no
// earlier test touched; the cookie is the computer's, any port.)
test('in Firefox too, the next due check of an article the daemon could not fetch runs as a browser job and stores a browser version; an edit the site makes then is found by the next due check and alerts: the unseen change, the banner live and on the next visit; no tab opened, the read mark unchanged', async () => {
  const scheduledSite = await startSubscriberSite();
  const reader = await browser.newPage();
  try {
    assert.equal((await daemon.api('/api/v1/settings/recheck', { method: 'POST', body: '{"enabled": false}' })).status, 200);
    await reader.goto(`${scheduledSite.base}/subscribe`);
    const url = `${scheduledSite.base}/2026/paywalled`;
    await reader.goto(url);
    const read = await until('the capture at the daemon', () => articleAt(url));
    assert.equal(read.version_list.find((v) => v.number === read.read.version)?.source, 'browser', 'the version read is the browser capture');

    // The daemon's own fetch has no cookie: the paywall, and nothing planned.
    const first = (await daemon.api(`/api/v1/articles/${read.id}/check`, { method: 'POST', body: '{}' })).body;
    assert.equal(first.article.watch.state, 'not_checkable', JSON.stringify(first.article.watch));
    assert.notEqual(first.article.watch.via, 'browser');
    assert.equal(first.article.watch.next_check, undefined, 'nothing is planned while browser re-checks are off');
    assert.ok(scheduledSite.requests.some((r) => r.path === '/2026/paywalled' && !r.subscriber && r.ua.startsWith('Redline/')), 'the daemon fetched without the cookie');

    scheduledSite.revise('/2026/paywalled', minorChange);
    const tabs = (await browser.pages()).length;
    const usedBefore = (await daemon.api('/api/v1/settings/recheck')).body.used_today;
    const withCookie = scheduledSite.requests.filter((r) => r.subscriber).length;
    // On: the article is due now. Nobody asks for a check.
    assert.equal((await daemon.api('/api/v1/settings/recheck', { method: 'POST', body: '{"enabled": true}' })).status, 200);

    const a = await until('a browser version from the due check', async () => {
      const now = await articleAt(url);
      return now && now.versions > read.versions && now.watch.last_result?.via === 'browser' ? now : null;
    });
    assert.equal(a.watch.last_result.outcome, 'changed', JSON.stringify(a.watch.last_result));
    assert.equal(a.watch.last_result.summary?.significance, 'minor', JSON.stringify(a.watch.last_result));
    assert.equal(a.latest_browser, a.versions, 'the new version is a browser version');
    assert.equal(a.version_list.find((v) => v.number === a.versions)?.source, 'browser');
    assert.equal(a.watch.via, 'browser', 'its checks go on through the browser');
    assert.ok(a.watch.next_check, 'the next check is planned by the schedule');
    assert.ok(scheduledSite.requests.filter((r) => r.subscriber).length > withCookie, 'Firefox fetched the page with its cookie');
    assert.ok((await daemon.api('/api/v1/settings/recheck')).body.used_today > usedBefore, 'the job counts against the daily budget');
    assert.equal(a.read.version, read.read.version, 'the read mark did not move');
    assert.deepEqual([...new Set((a.unseen ?? []).map((u) => u.significance))], ['minor'], 'a minor change: nothing alerts');
    assert.equal((await browser.pages()).length, tabs, 'no tab was opened');

    // The site edits the article; the daemon's clock moves past the next
    // check the schedule planned, and the watcher's loop finds it due.
    scheduledSite.revise('/2026/paywalled', editOf);
    const fetchedBefore = scheduledSite.requests.filter((r) => r.subscriber).length;
    const now = await daemon.advance('20m');
    assert.ok(now >= new Date(a.watch.next_check), `the clock (${now.toISOString()}) passed the next check (${a.watch.next_check})`);
    const found = await until('a browser version from the next due check', async () => {
      const b = await articleAt(url);
      return b && b.versions > a.versions && b.watch.last_result?.via === 'browser' ? b : null;
    });
    assert.equal(found.watch.last_result.outcome, 'changed', JSON.stringify(found.watch.last_result));
    assert.equal(found.watch.last_result.summary?.significance, 'substantive', JSON.stringify(found.watch.last_result));
    assert.equal(found.latest_browser, found.versions, 'the new version is a browser version');
    assert.ok(scheduledSite.requests.filter((r) => r.subscriber).length > fetchedBefore, 'Firefox fetched the page with its cookie');
    assert.equal(found.read.version, read.read.version, 'the read mark did not move');
    assert.ok((found.unseen ?? []).some((u) => u.to_version === found.versions && u.significance === 'substantive'), `the change is unseen (what the badge counts): ${JSON.stringify(found.unseen)}`);
    assert.equal((await browser.pages()).length, tabs, 'no tab was opened');

    const banner = await until('the banner in the tab still open', () => bannerTree(reader));
    assert.match(textOf(banner), /This article changed since you read it/);
    assert.match(textOf(banner), /Headline changed/);

    // And on the next visit.
    const again = await browser.newPage();
    try {
      await again.goto(url);
      const next = await until('the banner on the next visit', () => bannerTree(again));
      assert.match(textOf(next), /This article changed since you read it/);
    } finally {
      await again.close();
    }
  } finally {
    await reader.close();
    await scheduledSite.close();
  }
});

test('the packed add-on, installed for good, is still there and paired after Firefox restarts', async () => {
  const { xpi } = built;
  const kept = tempDir('ff-kept');
  try {
    // Firefox ESR takes unsigned add-ons once this is off (about:config).
    const unsigned = { 'xpinstall.signatures.required': false };
    let ff = await launchFirefox(kept, unsigned);
    try {
      // What about:addons → Install Add-on From File does with the file.
      const page = await ff.newPage();
      const { result } = await bidi(page, 'webExtension.install', { extensionData: { type: 'archivePath', path: xpi }, 'moz:permanent': true }, false);
      assert.equal(result.extension, GECKO_ID);
      await page.close();
      await pairByLink(ff);
    } finally {
      await ff.close();
    }

    ff = await launchFirefox(kept, unsigned);
    try {
      const url = `${site.base}/science/nytimes`;
      const reader = await ff.newPage();
      await reader.goto(url);
      const a = await until('the article read after the restart at the daemon', () => articleAt(url));
      assert.equal(a.title, 'United States to Lift Sudan Sanctions');
      await reader.close();
    } finally {
      await ff.close();
    }
  } finally {
    rmSync(kept, { recursive: true, force: true });
  }
});

test('in Firefox too, the dashboard session stays on the dashboard\'s own name: another server on this computer gets no cookie', async () => {
  const link = execFileSync(bin, ['open', '--print', '--data', data], { encoding: 'utf8' }).trim();
  const origin = new URL(link).origin;
  assert.match(origin, /^http:\/\/redline-[0-9a-f]{20}\.localhost:\d+$/);
  const seen = [];
  const local = createServer((req, res) => {
    seen.push({ host: req.headers.host, cookie: req.headers.cookie ?? '' });
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><meta charset="utf-8"><title>Dev server</title>');
  });
  await new Promise((ok) => local.listen(0, '127.0.0.1', ok));
  const page = await browser.newPage();
  try {
    // Firefox takes the name to this computer; the link logs in.
    await page.goto(link);
    await page.waitForFunction(() => location.pathname === '/' && document.querySelector('h1'));
    assert.equal((await page.goto(`${origin}/settings`)).status(), 200, 'logged in on the dashboard');
    const port = local.address().port;
    for (const base of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      assert.equal((await page.goto(`${base}/`)).status(), 200);
    }
    assert.ok(seen.length >= 2, JSON.stringify(seen));
    assert.deepEqual(seen.filter((r) => /redline_session/.test(r.cookie)), [], 'the session cookie reached another server');
    // The daemon's loopback address is not the dashboard.
    assert.equal((await page.goto(`${daemon.base}/settings`)).status(), 401);
  } finally {
    await page.close();
    local.close();
  }
});
