// End to end, in real headless Chromium with the built extension: a news
// site that serves its article only to a subscriber (a cookie the browser
// got by visiting the site) and a teaser with a paywall to anyone else.
// The daemon's own fetch meets the paywall and marks the article not
// checkable by fetch; the next check runs through the reader's browser,
// which fetches the page in the background with its cookie, and the edit
// the site made alerts: the banner in the open tab. No tab is opened and
// the read mark stays where the reader left it. The toolbar popup on the
// article's tab says when the browser last checked it, or that a check
// waits for it; the dashboard's page of the article shows a check as it
// finishes, without a reload. Then the checks the schedule makes due (not Check now):
// the first stores a browser version, the site edits the article, the
// daemon's clock moves past the next planned check (a build for these
// tests has such a clock), and that check finds the edit, with every alert
// (badge, banner live and on the next visit, desktop notification); a job
// given while no browser is connected, kept across a daemon restart; and a
// page that shows its article only with script ("needs a visit", never
// compared). The tests run in order on one browser session.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { bannerTree, buildDaemon, editOf, minorChange, openToolbarPopup, startBrowser, startDaemon, startSubscriberSite, tempDir, textOf, until } from './harness.mjs';

const run = promisify(execFile);

let bin, work, data, daemon, browser, site;

before(async () => {
  work = tempDir('recheck');
  data = tempDir('recheck-data');
  bin = buildDaemon(work);
  // The site lives on this computer: the daemon may fetch it where the
  // reader read a page.
  daemon = await startDaemon(bin, data, '127.0.0.1:0', ['--allow-private']);
  site = await startSubscriberSite();
  // The reader has granted notifications (the test that follows the
  // scheduled check turns them on in the options).
  browser = await startBrowser([], { grant: ['notifications'] });
});

after(async () => {
  await browser?.close();
  await site?.close();
  await daemon?.stop();
  rmSync(work, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
});

test('an article behind a paywall the browser can pass is checked through the browser, without a tab', async () => {
  const options = await browser.context.newPage();
  await options.goto(`${browser.extensionURL}options.html`);
  await options.locator('#manual summary').click();
  await options.locator('#daemon').fill(daemon.base);
  await options.locator('#token').fill(daemon.token);
  await options.locator('#connect').click();
  await options.locator('#pairing', { hasText: `Paired with the daemon at ${daemon.base}` }).waitFor();
  await options.close();

  // The reader subscribes (the site sets its cookie) and reads the article.
  const reader = await browser.context.newPage();
  await reader.goto(`${site.base}/subscribe`);
  const url = `${site.base}/2026/paywalled`;
  await reader.goto(url);
  const read = await until('the capture at the daemon', async () => {
    const r = await daemon.api(`/api/v1/articles?url=${encodeURIComponent(url)}`);
    return r.status === 200 ? r.body : null;
  });
  const id = read.id;

  // The daemon's own fetch has no cookie: it meets the paywall.
  const check = async () => (await run(bin, ['check', '--data', data, url])).stdout;
  const first = await check();
  assert.match(first, /subscription|unchanged/i, first);
  let a = (await daemon.api(`/api/v1/articles/${id}`)).body;
  assert.equal(a.watch.state, 'not_checkable', JSON.stringify(a.watch));
  assert.equal(a.watch.state, 'not_checkable');
  assert.equal(a.watch.via, 'browser');
  assert.ok(site.requests.some((r) => r.path === '/2026/paywalled' && !r.subscriber && r.ua.startsWith('Redline/')), 'the daemon fetched without the cookie');

  // The site edits the article. The next check runs through the browser.
  site.edit();
  const pagesBefore = browser.context.pages().length;
  const fromBrowserBefore = site.requests.filter((r) => r.subscriber).length;
  const said = await check();
  assert.match(said, /changed since you read it/, said);
  assert.match(said, /next check through your browser/, said);
  assert.ok(site.requests.filter((r) => r.subscriber).length > fromBrowserBefore, 'the browser fetched the page with its cookie');
  assert.equal(browser.context.pages().length, pagesBefore, 'no tab was opened');

  a = (await daemon.api(`/api/v1/articles/${id}`)).body;
  assert.equal(a.read.version, read.read.version, 'the read mark did not move');
  assert.equal(a.watch.last_result.via, 'browser');
  assert.ok(a.watch.browser.last_checked, 'checked through your browser');
  assert.ok(a.unseen?.length >= 1, 'the change is unseen');

  // The banner shows in the tab still open on the article.
  const banner = await until('the banner in the open tab', () => bannerTree(reader));
  assert.match(textOf(banner), /This article changed since you read it/);
  await reader.close();
});

/** The popup's line on re-checks through this browser, once it shows one. */
async function recheckLine(browser, tab) {
  const popup = await openToolbarPopup(browser, tab);
  try {
    return await until('the popup\'s line on re-checks through the browser', () =>
      popup.evaluate(`(() => { const e = document.getElementById('recheck'); return e && !e.hidden ? e.textContent : null; })()`),
    );
  } finally {
    await popup.close();
  }
}

test('the toolbar popup on the article\'s tab says when this browser last checked it', async () => {
  const tab = await browser.context.newPage();
  await tab.goto(`${site.base}/2026/paywalled`);
  const line = await recheckLine(browser, tab);
  assert.match(line, /^Checked through your browser (just now|\d+ minutes? ago)\.$/, line);
  await tab.close();
});

test('the dashboard\'s page of the article shows a check through the browser as it finishes, without a reload', async () => {
  const url = `${site.base}/2026/paywalled`;
  const { id } = (await daemon.api(`/api/v1/articles?url=${encodeURIComponent(url)}`)).body;
  const link = (await run(bin, ['open', '--print', '--data', data])).stdout.trim();
  const origin = new URL(link).origin;
  const dash = await browser.context.newPage();
  await dash.goto(link);
  await dash.waitForURL(`${origin}/`);
  await dash.goto(`${origin}/articles/${id}`);
  const detail = dash.locator('#watch-detail');
  const before = await detail.innerText();
  assert.match(before, /Checked through your browser/, before);
  // The page stays as it is: a reload would clear this mark.
  await dash.evaluate(() => { window.__sameDocument = true; });
  const checks = (text) => Number(/, (\d+) checks?\./.exec(text)?.[1] ?? NaN);

  const r = await daemon.api(`/api/v1/articles/${id}/check`, { method: 'POST', body: '{}' });
  assert.equal(r.body.result.via, 'browser', JSON.stringify(r.body.result));
  const after = await until('the page to show the check', async () => {
    const text = await detail.innerText();
    return checks(text) === checks(before) + 1 ? text : null;
  });
  assert.match(after, /Checked through your browser just now/, after);
  assert.match(await dash.locator('#watch').innerText(), /^not checkable by fetch/);
  assert.equal(await dash.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');
  await dash.close();
});

test('check now through the browser: what one job takes, end to end (a figure, not a test of speed)', async (t) => {
  const url = `${site.base}/2026/paywalled`;
  const { id } = (await daemon.api(`/api/v1/articles?url=${encodeURIComponent(url)}`)).body;
  // A tab of the site stays open, as the reader's would: what its main
  // thread spends while the jobs run is the page's cost of a re-check.
  const page = await browser.context.newPage();
  await page.goto(`${site.base}/subscribe`);
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const busy = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
    return { script: m.ScriptDuration * 1000, tasks: m.TaskDuration * 1000 };
  };
  const before = await busy();
  const took = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = await daemon.api(`/api/v1/articles/${id}/check`, { method: 'POST', body: '{}' });
    took.push(performance.now() - t0);
    assert.equal(r.body.result.via, 'browser', JSON.stringify(r.body.result));
    // The next starts once this job is closed on the article.
    await until('the job closed', async () => (await daemon.api(`/api/v1/articles/${id}`)).body.watch.browser.state === 'idle');
  }
  const afterJobs = await busy();
  await page.close();
  took.sort((a, b) => a - b);
  t.diagnostic(`check now through the browser: median ${took[2].toFixed(0)} ms, max ${took[4].toFixed(0)} ms (daemon, event stream, background fetch, offscreen parse, answer)`);
  t.diagnostic(`an open tab of the site during those 5 jobs: ${(afterJobs.script - before.script).toFixed(2)} ms of script and ${(afterJobs.tasks - before.tasks).toFixed(2)} ms of tasks on its main thread`);
});

test('the options show and change the daemon\'s re-check settings: the switch, the budget, the sites', async () => {
  const options = await browser.context.newPage();
  await options.goto(`${browser.extensionURL}options.html`);
  await until('the re-check settings shown', async () => (await options.locator('#recheck-budget').inputValue()) === '200');
  assert.equal(await options.locator('#recheck-enabled').isChecked(), true);
  await options.locator('#recheck-budget').fill('50');
  await options.locator('#recheck-sites').fill('https://www.news.example/x');
  await options.locator('#save').click();
  await options.locator('#message', { hasText: 'Saved.' }).waitFor();
  let s = (await daemon.api('/api/v1/settings/recheck')).body;
  assert.deepEqual([s.enabled, s.daily_budget, s.sites], [true, 50, ['news.example']]);
  await options.locator('#recheck-enabled').uncheck();
  await options.locator('#save').click();
  // ("Saved." still shows from the first save: the daemon says when this one is.)
  s = await until('the switch saved at the daemon', async () => {
    const now = (await daemon.api('/api/v1/settings/recheck')).body;
    return now.enabled === false ? now : null;
  });
  await options.locator('#message', { hasText: 'Saved.' }).waitFor();
  assert.deepEqual([s.enabled, s.daily_budget, s.sites], [false, 50, ['news.example']]);
  // On again for the test that follows.
  assert.equal((await daemon.api('/api/v1/settings/recheck', { method: 'POST', body: '{"enabled": true, "sites": []}' })).status, 200);
  await options.close();
});

test('the extension declines jobs while capture is paused: nothing is fetched, and nothing counts against the daily budget', async () => {
  const url = `${site.base}/2026/paywalled`;
  const a = (await daemon.api(`/api/v1/articles?url=${encodeURIComponent(url)}`)).body;
  const popup = await browser.context.newPage();
  await popup.goto(`${browser.extensionURL}popup.html`);
  await popup.locator('#paused').check();
  await popup.locator('text=Capture paused.').waitFor();
  await popup.close();
  const before = site.requests.filter((r) => r.subscriber).length;
  const usedBefore = (await daemon.api('/api/v1/settings/recheck')).body.used_today;
  const r = await daemon.api(`/api/v1/articles/${a.id}/check`, { method: 'POST', body: '{}' });
  assert.equal(r.status, 200);
  assert.equal(r.body.result.message, 'waiting for your browser: capture is paused in your browser', JSON.stringify(r.body.result));
  assert.equal(site.requests.filter((x) => x.subscriber).length, before, 'the browser fetched while paused');
  const now = (await daemon.api(`/api/v1/articles/${a.id}`)).body;
  assert.match(now.watch.browser.message ?? '', /paused/, JSON.stringify(now.watch.browser));
  assert.equal((await daemon.api('/api/v1/settings/recheck')).body.used_today, usedBefore, 'a declined job counted against the daily budget');
});

test('the toolbar popup on the article\'s tab says its check waits for this browser, and why', async () => {
  const url = `${site.base}/2026/paywalled`;
  const { id } = (await daemon.api(`/api/v1/articles?url=${encodeURIComponent(url)}`)).body;
  // (Capture is still paused: the visit captures nothing.)
  assert.equal((await daemon.api(`/api/v1/articles/${id}`)).body.watch.browser.state, 'waiting');
  const tab = await browser.context.newPage();
  await tab.goto(url);
  const line = await recheckLine(browser, tab);
  assert.equal(line, 'Waiting for your browser: capture is paused in your browser.');
  await tab.close();
});

// The scheduled path. The daemon's own fetch meets the paywall while
// re-checks through the browser are off, so the article is not checkable
// and waits for nothing. Turning them on makes such an article due at once
// (the due index, as its schedule would): the watcher's loop, not a
// request of the user, turns that due check into a job for the browser.
// The site has reworded one word meanwhile (a minor change, no alert), so
// that check stores a browser version. The site then edits the article,
// the daemon's clock moves past the check the schedule planned next, and
// that check finds the edit. The tab stays open on the article for the
// alerts.
let scheduled;

test('the next due check of an article the daemon could not fetch runs as a browser job and stores a browser version', async () => {
  // Capture on again (the test before paused it).
  const popup = await browser.context.newPage();
  await popup.goto(`${browser.extensionURL}popup.html`);
  await popup.locator('#paused').uncheck();
  await popup.locator('text=Capture resumed.').waitFor();
  await popup.close();
  // The extension tells the daemon, which offers at once the job the
  // paused browser declined (not at its next due time, 15 min away).
  const paywalled = (await daemon.api(`/api/v1/articles?url=${encodeURIComponent(`${site.base}/2026/paywalled`)}`)).body;
  await until('the declined job done after the resume', async () => {
    const w = (await daemon.api(`/api/v1/articles/${paywalled.id}`)).body.watch;
    return w.browser?.state === 'idle' && !/paused/.test(w.browser?.message ?? '');
  });
  // Desktop notifications on, as the reader sets them in the options.
  const options = await browser.context.newPage();
  await options.goto(`${browser.extensionURL}options.html`);
  await options.locator('#notifications').check();
  await options.locator('#save').click();
  await options.locator('#message', { hasText: 'Saved.' }).waitFor();
  await options.close();
  assert.equal((await daemon.api('/api/v1/settings/recheck', { method: 'POST', body: '{"enabled": false}' })).status, 200);

  const url = `${site.base}/2026/scheduled`;
  const reader = await browser.context.newPage();
  await reader.goto(url);
  const read = await until('the capture at the daemon', async () => {
    const r = await daemon.api(`/api/v1/articles?url=${encodeURIComponent(url)}`);
    return r.status === 200 ? r.body : null;
  });
  const said = (await run(bin, ['check', '--data', data, url])).stdout;
  assert.match(said, /subscription/i, said);
  let a = (await daemon.api(`/api/v1/articles/${read.id}`)).body;
  assert.equal(a.watch.state, 'not_checkable', JSON.stringify(a.watch));
  assert.notEqual(a.watch.via, 'browser');
  assert.equal(a.watch.next_check, undefined, 'nothing is planned while browser re-checks are off');
  assert.ok(site.requests.some((r) => r.path === '/2026/scheduled' && !r.subscriber && r.ua.startsWith('Redline/')), 'the daemon fetched without the cookie');

  site.revise('/2026/scheduled', minorChange);
  const pagesBefore = browser.context.pages().length;
  const badgeBefore = await browser.worker.evaluate(() => chrome.action.getBadgeText({}));
  const usedBefore = (await daemon.api('/api/v1/settings/recheck')).body.used_today;
  const fromBrowserBefore = site.requests.filter((r) => r.path === '/2026/scheduled' && r.subscriber).length;
  // On: the article is due now. Nobody asks for a check.
  assert.equal((await daemon.api('/api/v1/settings/recheck', { method: 'POST', body: '{"enabled": true}' })).status, 200);

  a = await until('a browser version from the due check', async () => {
    const now = (await daemon.api(`/api/v1/articles/${read.id}`)).body;
    return now.versions > read.versions && now.watch.last_result?.via === 'browser' ? now : null;
  });
  assert.equal(a.watch.last_result.outcome, 'changed', JSON.stringify(a.watch.last_result));
  assert.equal(a.watch.last_result.summary?.significance, 'minor', JSON.stringify(a.watch.last_result));
  assert.equal(a.latest_browser, a.versions, 'the new version is a browser version');
  assert.equal(a.version_list.find((v) => v.number === a.versions)?.source, 'browser');
  assert.equal(a.read.version, read.read.version, 'the read mark did not move');
  assert.deepEqual([...new Set((a.unseen ?? []).map((u) => u.significance))], ['minor'], 'a minor change: nothing alerts');
  assert.equal(a.watch.via, 'browser', 'its checks go on through the browser');
  assert.ok(a.watch.next_check, 'the next check is planned by the schedule');
  assert.ok(site.requests.filter((r) => r.path === '/2026/scheduled' && r.subscriber).length > fromBrowserBefore, 'the browser fetched the page with its cookie');
  assert.ok((await daemon.api('/api/v1/settings/recheck')).body.used_today > usedBefore, 'the job counts against the daily budget');
  assert.equal(browser.context.pages().length, pagesBefore, 'no tab was opened');
  scheduled = { id: read.id, url, read: read.read, reader, badgeBefore, first: a };
});

test('an edit the site makes after that is found by the next due check, and alerts: the badge, the banner live in the open tab and on the next visit, a desktop notification; no tab opened, the read mark unchanged', async () => {
  const { id, url, read, reader, badgeBefore, first } = scheduled;
  const pagesBefore = browser.context.pages().length;
  const fromBrowserBefore = site.requests.filter((r) => r.path === '/2026/scheduled' && r.subscriber).length;
  site.revise('/2026/scheduled', editOf);
  // The schedule planned the next check minutes away: the daemon's clock
  // moves past it, and the watcher's loop finds it due.
  const now = await daemon.advance('20m');
  assert.ok(now >= new Date(first.watch.next_check), `the clock (${now.toISOString()}) passed the next check (${first.watch.next_check})`);
  const found = await until('a browser version from the next due check', async () => {
    const a = (await daemon.api(`/api/v1/articles/${id}`)).body;
    return a.versions > first.versions && a.watch.last_result?.via === 'browser' ? a : null;
  });
  assert.equal(found.watch.last_result.outcome, 'changed', JSON.stringify(found.watch.last_result));
  assert.equal(found.watch.last_result.summary?.significance, 'substantive', JSON.stringify(found.watch.last_result));
  assert.equal(found.latest_browser, found.versions, 'the new version is a browser version');
  assert.ok(site.requests.filter((r) => r.path === '/2026/scheduled' && r.subscriber).length > fromBrowserBefore, 'the browser fetched the page with its cookie');

  // The badge counts the article at once, without a visit.
  const counted = String(Number(badgeBefore || '0') + 1);
  await until('the badge to count the changed article', async () => (await browser.worker.evaluate(() => chrome.action.getBadgeText({}))) === counted);
  // The banner shows live in the tab that was open on the article.
  const live = await until('the banner in the open tab', () => bannerTree(reader));
  assert.match(textOf(live), /This article changed since you read it/);
  // A desktop notification, since the reader turned them on.
  const shown = await until('the desktop notification', async () => {
    const all = await browser.worker.evaluate(() => chrome.notifications.getAll());
    return Object.keys(all).includes(`redline-article-${id}`) ? all : null;
  });
  assert.ok(shown);
  assert.equal(browser.context.pages().length, pagesBefore, 'no tab was opened');

  const a = (await daemon.api(`/api/v1/articles/${id}`)).body;
  assert.equal(a.read.version, read.version, 'the read mark did not move');
  assert.ok(a.unseen?.some((u) => u.to_version === a.versions), JSON.stringify(a.unseen));
  await reader.close();

  // And on the next visit.
  const again = await browser.context.newPage();
  await again.goto(url);
  const banner = await until('the banner on the next visit', () => bannerTree(again));
  assert.match(textOf(banner), /This article changed since you read it/);
  await again.close();
});

// A job given while no browser is connected waits for one, in the store:
// the daemon is restarted on another address the extension does not know
// (so it cannot connect), a due check becomes a job there, and the daemon
// is restarted again on the address the extension knows. The job, made
// before the extension could connect and kept across a restart, runs.
test('a job given while the browser is not connected runs when it reconnects, and a daemon restart loses no job', async () => {
  const { id, url } = scheduled;
  const known = new URL(daemon.base).host;
  const before = (await daemon.api(`/api/v1/articles/${id}`)).body.watch.browser.last_checked;
  await daemon.stop();
  daemon = await startDaemon(bin, data, '127.0.0.1:0', ['--allow-private']);
  assert.notEqual(new URL(daemon.base).host, known);

  // The daemon's fetch meets the paywall while re-checks through the
  // browser are off; turning them on makes the check due: a job.
  assert.equal((await daemon.api('/api/v1/settings/recheck', { method: 'POST', body: '{"enabled": false}' })).status, 200);
  const said = (await run(bin, ['check', '--data', data, url])).stdout;
  assert.match(said, /subscription/i, said);
  const fromBrowserBefore = site.requests.filter((r) => r.path === '/2026/scheduled' && r.subscriber).length;
  assert.equal((await daemon.api('/api/v1/settings/recheck', { method: 'POST', body: '{"enabled": true}' })).status, 200);
  const waiting = await until('the article waiting for the browser', async () => {
    const w = (await daemon.api(`/api/v1/articles/${id}`)).body.watch;
    return /none is connected/.test(w.browser?.message ?? '') ? w : null;
  });
  assert.equal(waiting.browser.state, 'waiting', JSON.stringify(waiting.browser));
  assert.equal(waiting.browser.last_checked, before, 'no browser checked it');

  // Restarted where the extension connects: the job is still there and runs.
  await daemon.stop();
  daemon = await startDaemon(bin, data, known, ['--allow-private']);
  const done = await until('the job run after the extension reconnected', async () => {
    const w = (await daemon.api(`/api/v1/articles/${id}`)).body.watch;
    return w.browser?.last_checked && w.browser.last_checked !== before && w.browser.state === 'idle' ? w : null;
  });
  assert.equal(done.last_result.via, 'browser', JSON.stringify(done.last_result));
  assert.match(done.last_result.outcome, /unchanged|changed/, JSON.stringify(done.last_result));
  assert.equal(site.requests.filter((r) => r.path === '/2026/scheduled' && r.subscriber).length, fromBrowserBefore + 1, 'the browser fetched the page once, with its cookie');
});

/** A page that shows its article only with script: the markup holds none of its text. */
function scriptedPage(title, lead) {
  const paragraphs = [lead];
  for (let i = 1; i <= 9; i++) {
    paragraphs.push(`Paragraph ${i} of the report goes on about the harbour works, the council's vote on the new budget, the residents who came to speak at the meeting and what the engineers said about the sea wall that will be built over the next three years.`);
  }
  const html = `<article><h1>${title}</h1>${paragraphs.map((p) => `<p>${p}</p>`).join('')}</article>`;
  return `<!doctype html><html><head><title>${title}</title></head><body><main id="app"></main>
<script>document.getElementById('app').innerHTML = ${JSON.stringify(html).replaceAll('</', '<\\/')};</script></body></html>`;
}

test('an article whose page shows its text only with script is reported "needs a visit" on the article, never compared', async () => {
  const path = '/2026/scripted';
  const url = `${site.base}${path}`;
  site.set(path, scriptedPage('Harbour works approved', 'The council approved the harbour works on Tuesday evening after a long debate.'));
  const reader = await browser.context.newPage();
  await reader.goto(url);
  const read = await until('the capture at the daemon', async () => {
    const r = await daemon.api(`/api/v1/articles?url=${encodeURIComponent(url)}`);
    return r.status === 200 ? r.body : null;
  });
  await reader.close();

  // The site changes the article; neither check may compare it.
  site.set(path, scriptedPage('Harbour works approved after all', 'The council approved the harbour works on Wednesday morning after a second debate.'));
  await run(bin, ['check', '--data', data, url]);
  let a = (await daemon.api(`/api/v1/articles/${read.id}`)).body;
  assert.equal(a.watch.state, 'not_checkable', JSON.stringify(a.watch));
  assert.equal(a.watch.via, 'browser');

  const fromBrowserBefore = site.requests.filter((r) => r.path === path && !r.ua.startsWith('Redline/')).length;
  const r = await daemon.api(`/api/v1/articles/${read.id}/check`, { method: 'POST', body: '{}' });
  assert.equal(r.status, 200);
  assert.equal(r.body.result.via, 'browser', JSON.stringify(r.body.result));
  assert.ok(site.requests.filter((x) => x.path === path && !x.ua.startsWith('Redline/')).length > fromBrowserBefore, 'the browser fetched the page');
  assert.equal(r.body.result.outcome, 'not_checkable', JSON.stringify(r.body.result));
  assert.equal(r.body.result.reason, 'needs_visit', JSON.stringify(r.body.result));
  assert.match(r.body.result.message, /^needs a visit/, r.body.result.message);

  a = (await daemon.api(`/api/v1/articles/${read.id}`)).body;
  assert.equal(a.versions, read.versions, 'nothing was stored');
  assert.equal(a.latest_browser, read.latest_browser);
  assert.equal(a.unseen, undefined, 'no change was reported');
  assert.match(a.watch.browser.message, /needs a visit/, JSON.stringify(a.watch.browser));
  assert.equal(a.read.version, read.read.version, 'the read mark did not move');
});
