// Hostile web pages attack Redline in real headless Chromium with the real
// extension loaded, against the real daemon. Each attack must fail, and
// the test checks it the way a user would notice: nothing read, nothing
// written, nothing run, the extension still paired with its own daemon.
//
// - http://127.0.0.2:PORT is a web page on another origin (the attacker's
//   site; it also records any request the attacks make it receive: a
//   payload that ran would call it).
// - http://rebind.test:DAEMON_PORT is DNS rebinding: Chromium reaches
//   that name through a small proxy that plays the attacker's DNS. Its
//   pages come from the attacker; every other request goes to the
//   daemon, unchanged, with `Host: rebind.test:DAEMON_PORT`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { bannerTree, buildDaemon, clickBannerButton, findAll, pairThroughLink, startBrowser, startDaemon, startSite, tempDir, textOf, until } from './harness.mjs';

let bin, daemon, work, data, hostile, proxy, browser;
let H; // the attacker's origin, http://127.0.0.2:PORT
let R; // the rebinding origin, http://rebind.test:DAEMON_PORT
const canary = []; // requests a payload that ran would have made
const hostileAPI = []; // requests that treated the attacker's site as a daemon
const proxied = []; // what the daemon answered the rebinding page
const dialogs = [];
const story = { version: 1 };

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const ZEROS = '0'.repeat(64);

/** Captured text that would run script if anything treated it as HTML. */
const payload = (tag) => ({
  img: `<img src="${H}/canary/${tag}-img" onerror="window.__pwned='${tag}-img';alert('${tag}')">`,
  script: `<script src="${H}/canary/${tag}-script"></script><script>window.__pwned='${tag}-script'</script>`,
  svg: `"><svg onload="window.__pwned='${tag}-svg'"></svg><a href="javascript:window.__pwned='${tag}-js'">read more</a>`,
  frame: `<iframe src="${H}/canary/${tag}-frame"></iframe><link rel="stylesheet" href="${H}/canary/${tag}-css">`,
});

/**
 * An article on the attacker's site whose text is payloads (shown as text
 * on the site itself). Version 2 changes the headline and a paragraph and
 * adds one, so that every kind of change carries payloads.
 */
function storyPage(v) {
  const title = `Council vote ${v === 2 ? 'delayed ' : ''}${payload('title').img}`;
  const paras = [
    `The city council met on Tuesday evening to discuss the budget for the coming year, and members spoke at length about roads, schools and the library. ${payload('p1').img}`,
    `Residents who attended the meeting asked questions about the new bus lines and about the cost of repairing the old bridge over the river. ${payload('p2').script}`,
    `The mayor said the budget would be balanced ${v === 1 ? 'without raising taxes' : 'by raising taxes slightly'}, a promise she had made during the campaign last spring. ${payload('p3').svg}`,
    `Several members said they needed more time to read the proposal before voting on it, and the vote was moved to next week. ${payload('p4').frame}`,
    `The meeting ended shortly before midnight, after a long debate about the parking fees in the town centre and the opening hours of the pool.`,
  ];
  if (v === 2) paras.push(`Correction: an earlier version of this article misstated the date of the vote. ${payload('new').script} ${payload('new').img}`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta property="og:type" content="article"></head><body><article><h1>${esc(title)}</h1>
<p class="byline">By Ana ${esc(`<b onmouseover="window.__pwned='byline'">Ruiz</b>`)}</p>
${paras.map((t) => `<p>${esc(t)}</p>`).join('\n')}</article></body></html>`;
}

/** The first attack: cross-origin reads, writes and event streams. */
const apiAttackPage = (api) => `<!doctype html><meta charset="utf-8"><title>Cute cats</title>
<script>
const api = ${JSON.stringify(api)};
const results = {};
const capture = JSON.stringify({url: 'https://evil.example/x', title: 'planted', blocks: [{kind: 'p', text: 'planted'}],
  captured_at: new Date().toISOString(), source: 'browser', extractor: 'evil'});
async function attempt(name, f) {
  try { results[name] = 'read: ' + String(await f()).slice(0, 80); } catch (e) { results[name] = 'blocked'; }
}
(async () => {
  await attempt('fetch list', async () => (await fetch(api + '/api/v1/articles')).text());
  await attempt('fetch list with credentials', async () => (await fetch(api + '/api/v1/articles', {credentials: 'include'})).text());
  await attempt('fetch guessed token', async () => (await fetch(api + '/api/v1/articles', {headers: {Authorization: 'Bearer ' + '0'.repeat(64)}})).text());
  await attempt('fetch status', async () => (await fetch(api + '/api/v1/status')).text());
  await attempt('post json', async () => (await fetch(api + '/api/v1/captures', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: capture})).text());
  // Simple requests: no preflight; the response is opaque, but the write
  // itself must be refused by the daemon.
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    await attempt('no-cors post ' + type, async () => {
      const r = await fetch(api + '/api/v1/captures', {method: 'POST', mode: 'no-cors', headers: {'Content-Type': type}, body: capture});
      return r.type === 'opaque' ? (() => { throw new Error('opaque'); })() : r.text();
    });
  }
  await attempt('xhr', () => new Promise((ok, fail) => {
    const x = new XMLHttpRequest(); x.open('GET', api + '/api/v1/articles'); x.withCredentials = true;
    x.onload = () => ok(x.responseText); x.onerror = () => fail(new Error('xhr')); x.send();
  }));
  await attempt('websocket', () => new Promise((ok, fail) => {
    const ws = new WebSocket(api.replace('http', 'ws') + '/api/v1/events');
    ws.onopen = () => ws.send(JSON.stringify({type: 'hello', token: '0'.repeat(64), last_event_id: 0}));
    ws.onmessage = (m) => ok(m.data);
    ws.onerror = () => fail(new Error('ws error'));
    ws.onclose = () => fail(new Error('ws closed'));
  }));
  window.__results = results;
})();
</script>`;

/** DNS rebinding: same-origin requests to a name that now points at the daemon. */
const rebindPage = `<!doctype html><meta charset="utf-8"><title>Rebound</title>
<script>
(async () => {
  const results = {};
  const json = {'Content-Type': 'application/json'};
  const capture = JSON.stringify({url: 'https://evil.example/rebound', title: 'planted', blocks: [{kind: 'p', text: 'planted'}],
    captured_at: new Date().toISOString(), source: 'browser', extractor: 'evil'});
  const tries = [
    ['health', '/healthz'],
    ['status', '/api/v1/status'],
    ['articles, guessed token', '/api/v1/articles', {headers: {Authorization: 'Bearer ' + '0'.repeat(64)}}],
    ['article 1', '/api/v1/articles/1'],
    ['export', '/api/v1/export'],
    ['capture', '/api/v1/captures', {method: 'POST', headers: json, body: capture}],
    ['forget article 1', '/api/v1/articles/1', {method: 'DELETE'}],
    ['mint a pairing code', '/api/v1/pair', {method: 'POST', headers: json, body: '{}'}],
    ['claim a pairing code', '/api/v1/pair/claim', {method: 'POST', headers: json, body: JSON.stringify({code: '0'.repeat(32)})}],
    ['mint a login link', '/api/v1/dashboard/login', {method: 'POST', headers: json, body: '{}'}],
    ['dashboard', '/'],
    ['settings', '/settings'],
    ['pairing page', '/pair'],
    ['guessed login link', '/login?code=' + 'ab'.repeat(32)],
    ['feed', '/feeds/changes.atom'],
    ['live ticket', '/live/ticket'],
  ];
  for (const [name, path, init] of tries) {
    try {
      const r = await fetch(path, init);
      results[name] = {status: r.status, body: (await r.text()).slice(0, 300)};
    } catch (e) {
      results[name] = {status: 0, body: String(e)};
    }
  }
  for (const path of ['/api/v1/events', '/live']) {
    results['websocket ' + path] = await new Promise((ok) => {
      const ws = new WebSocket('ws://' + location.host + path);
      ws.onopen = () => ws.send(JSON.stringify({type: 'hello', token: '0'.repeat(64), last_event_id: 0}));
      ws.onmessage = (m) => ok({status: 'message', body: String(m.data).slice(0, 300)});
      ws.onerror = () => ok({status: 'error'});
    });
  }
  window.__results = results;
})();
</script>`;

/** A copy of the daemon's pairing page, served by someone else. */
const spoofedPairPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="redline-pair" content="1">
<title>Pair Redline</title></head><body><h1>Pair the Redline extension</h1>
<p id="redline-pair-status">Waiting for the Redline extension…</p></body></html>`;

/**
 * A page that talks to the extension every way a page can: the runtime API
 * (there is no externally_connectable), its files, postMessage and DOM
 * events carrying the extension's own message shapes. Then it moves to
 * /messages/done with pushState, which the content script reports to the
 * background: every message above was delivered before that report.
 */
const messagesPage = (id, shapes) => `<!doctype html><meta charset="utf-8"><title>Quiz</title>
<script>
(async () => {
  const id = ${JSON.stringify(id)};
  const shapes = ${JSON.stringify(shapes)};
  const out = {};
  const rt = window.chrome && window.chrome.runtime;
  out.runtime = rt && rt.sendMessage ? 'available' : 'unavailable';
  if (rt && rt.sendMessage) {
    for (const s of shapes) {
      try { out['sendMessage ' + s.type] = 'answered: ' + JSON.stringify(await rt.sendMessage(id, s)); } catch (e) { out['sendMessage ' + s.type] = 'refused'; }
    }
    try { const port = rt.connect(id); port.postMessage(shapes[0]); out.connect = 'connected'; } catch (e) { out.connect = 'refused'; }
  }
  try { await (await fetch('chrome-extension://' + id + '/manifest.json')).text(); out['extension file'] = 'read'; } catch (e) { out['extension file'] = 'refused'; }
  out['extension icon'] = await new Promise((ok) => {
    const img = new Image(); img.onload = () => ok('loaded'); img.onerror = () => ok('refused');
    img.src = 'chrome-extension://' + id + '/icon-16.png';
  });
  for (const s of shapes) {
    window.postMessage(s, '*');
    window.postMessage(JSON.stringify(s), '*');
    window.dispatchEvent(new MessageEvent('message', {data: s, origin: 'chrome-extension://' + id}));
    for (const target of [window, document, document.documentElement]) {
      for (const name of ['message', 'redline', s.type]) target.dispatchEvent(new CustomEvent(name, {detail: s, bubbles: true}));
    }
  }
  window.__out = out;
  window.addEventListener('message', (e) => { if (e.data === 'done') history.pushState({}, '', '/messages/done'); });
  window.postMessage('done', '*');
})();
</script>`;

/** A cross-origin read of the feed, the way a page could try it. */
const feedAttackPage = (feedURL) => `<!doctype html><meta charset="utf-8"><title>News</title>
<script>
(async () => {
  const url = ${JSON.stringify(feedURL)};
  const out = {};
  const attempt = async (name, f) => { try { out[name] = 'read: ' + String(await f()).slice(0, 80); } catch (e) { out[name] = 'blocked'; } };
  await attempt('fetch', async () => (await fetch(url)).text());
  await attempt('fetch with credentials', async () => (await fetch(url, {credentials: 'include'})).text());
  await attempt('no-cors fetch', async () => { const r = await fetch(url, {mode: 'no-cors'}); const t = await r.text(); if (t === '') throw new Error('opaque'); return t; });
  await attempt('xhr', () => new Promise((ok, fail) => { const x = new XMLHttpRequest(); x.open('GET', url); x.onload = () => ok(x.responseText); x.onerror = () => fail(new Error('xhr')); x.send(); }));
  window.__out = out;
})();
</script>`;

const pages = {}; // path on the attacker's site → HTML, set by the tests

function serveHostile(req, res) {
  const u = new URL(req.url, H);
  if (u.pathname.startsWith('/canary/')) {
    canary.push(u.pathname);
    res.writeHead(404).end();
    return;
  }
  if (u.pathname.startsWith('/api/')) {
    // A fake daemon that would take the extension's captures.
    hostileAPI.push(`${req.method} ${u.pathname}`);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*' });
    res.end(JSON.stringify({ token: 'e'.repeat(64), status: 'ok' }));
    return;
  }
  const headers = { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' };
  let body;
  if (u.pathname === '/api-attack') {
    body = apiAttackPage(daemon.base);
    // A sandboxed document has an opaque origin: its requests say Origin: null.
    if (u.searchParams.has('sandboxed')) headers['Content-Security-Policy'] = 'sandbox allow-scripts';
  } else if (u.pathname === '/story') body = storyPage(story.version);
  else if (u.pathname === '/pair') body = spoofedPairPage;
  else body = pages[u.pathname];
  if (body === undefined) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, headers).end(body);
}

/**
 * The attacker's DNS: pages opened at rebind.test:DAEMON_PORT (/attack and
 * /pair) come from the attacker; every other request, from those pages,
 * goes to the daemon.
 */
function startProxy(daemonPort) {
  const host = `rebind.test:${daemonPort}`;
  const server = createServer((req, res) => {
    let u;
    try {
      u = new URL(req.url);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (u.host !== host) {
      res.writeHead(502).end(); // the test's browser reaches nothing else through here
      return;
    }
    const navigation = /text\/html/.test(req.headers.accept ?? ''); // a fetch() accepts */*
    if (navigation && (u.pathname === '/attack' || u.pathname === '/pair')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(u.pathname === '/attack' ? rebindPage : spoofedPairPage);
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    const upstream = request({ host: '127.0.0.1', port: daemonPort, method: req.method, path: u.pathname + u.search, headers }, (answer) => {
      proxied.push({ request: `${req.method} ${u.pathname}`, host: headers.host, origin: headers.origin, status: answer.statusCode });
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  // WebSockets through a proxy are tunnels.
  server.on('connect', (req, sock, head) => {
    if (req.url !== host) {
      sock.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(daemonPort, '127.0.0.1', () => {
      sock.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(sock);
      sock.pipe(upstream);
    });
    upstream.once('data', (b) => proxied.push({ request: 'websocket', host, status: Number(/^HTTP\/1\.1 (\d+)/.exec(b.toString())?.[1] ?? 0) }));
    upstream.on('error', () => sock.destroy());
    sock.on('error', () => upstream.destroy());
  });
  return server;
}

before(async () => {
  work = tempDir('attack');
  data = tempDir('attack-data');
  bin = buildDaemon(work);
  daemon = await startDaemon(bin, data);
  const daemonPort = Number(new URL(daemon.base).port);
  hostile = createServer(serveHostile);
  await new Promise((r) => hostile.listen(0, '127.0.0.2', r));
  H = `http://127.0.0.2:${hostile.address().port}`;
  R = `http://rebind.test:${daemonPort}`;
  proxy = startProxy(daemonPort);
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
  browser = await startBrowser([
    // Loopback addresses bypass the proxy: only rebind.test goes through it.
    `--proxy-server=http://127.0.0.1:${proxy.address().port}`,
    // Test the daemon's own defences, not the browser's local-network
    // prompt (which a user might accept).
    '--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults',
  ]);
  browser.context.on('page', (p) =>
    p.on('dialog', (d) => {
      dialogs.push(d.message());
      d.dismiss().catch(() => undefined);
    }),
  );
});

after(async () => {
  await browser?.close();
  proxy?.closeAllConnections();
  hostile?.closeAllConnections();
  await new Promise((r) => (proxy ? proxy.close(r) : r()));
  await new Promise((r) => (hostile ? hostile.close(r) : r()));
  await daemon?.stop();
  for (const d of [work, data]) if (d) rmSync(d, { recursive: true, force: true });
});

const articleAt = async (url) => {
  const r = await daemon.api(`/api/v1/articles?url=${encodeURIComponent(url)}`);
  return r.status === 200 ? r.body : null;
};
const stored = async () => (await daemon.api('/api/v1/status')).body.articles;
const extensionState = () => browser.worker.evaluate(() => chrome.storage.local.get(['settings', 'token']));
/** Waits until the content script in a tab has told the background about a page at url (prefix). */
const backgroundSaw = (url) =>
  until(`the extension to see ${url}`, async () => {
    const { tabs } = await browser.worker.evaluate(() => chrome.storage.session.get('tabs'));
    return Object.values(tabs ?? {}).some((p) => p.url.startsWith(url));
  });

/**
 * Lists what in the document could run or load something from captured
 * text: event handler attributes, javascript: URLs, scripts other than
 * the page's own, frames, and addresses or styles holding a payload's
 * marker.
 */
function inertReport(ownScript) {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) bad.push(`<${el.localName} ${a.name}>`);
      if (/^\s*javascript:/i.test(a.value)) bad.push(`<${el.localName} ${a.name}="javascript:…">`);
      const loads = ['src', 'href', 'srcset', 'srcdoc', 'action', 'formaction', 'data', 'poster', 'style', 'xlink:href'].includes(a.name);
      if (loads && /__pwned|\/canary\//.test(a.value)) bad.push(`<${el.localName} ${a.name}> holds a payload`);
    }
    if (el.localName === 'script' && !new RegExp(ownScript).test(el.getAttribute('src') ?? '')) bad.push(`<script src="${el.getAttribute('src')}">`);
    if (['iframe', 'frame', 'object', 'embed'].includes(el.localName)) bad.push(`<${el.localName}>`);
  }
  return bad;
}

test('a hostile page can neither read nor write the daemon, nor hear its events', async () => {
  // From the attacker's origin, and from a sandboxed document (Origin: null).
  for (const path of ['/api-attack', '/api-attack?sandboxed']) {
    const page = await browser.context.newPage();
    const consoleLines = [];
    page.on('console', (m) => consoleLines.push(m.text()));
    await page.goto(H + path);
    const results = await until('the attack page to finish', () => page.evaluate(() => window.__results), 30_000);
    // Control: the requests reached the daemon and its answers were refused
    // to the page (the browser says why), so the refusals are the daemon's
    // doing and not a network that was never there.
    assert.ok(consoleLines.some((l) => /blocked by CORS policy/.test(l)), `${path}: no request reached the daemon:\n${consoleLines.join('\n')}`);
    for (const [name, outcome] of Object.entries(results)) {
      assert.equal(outcome, 'blocked', `${path}: ${name}: ${outcome}`);
    }
    assert.ok(Object.keys(results).length >= 10, JSON.stringify(results));
    await page.close();
  }
  // Nothing was written: the daemon, asked with its token, holds nothing.
  assert.equal(await stored(), 0);
});

test('DNS rebinding: a page whose name now points at the daemon is answered 421 and changes nothing', async () => {
  const planted = await daemon.api('/api/v1/captures', {
    method: 'POST',
    body: JSON.stringify({ url: 'https://news.example/kept', title: 'Kept', blocks: [{ kind: 'p', text: 'Kept text.' }], captured_at: new Date().toISOString(), source: 'browser', extractor: 'test' }),
  });
  assert.equal(planted.status, 201);
  const id = planted.body.article_id;

  const page = await browser.context.newPage();
  await page.goto(`${R}/attack`);
  assert.equal(new URL(page.url()).host, new URL(R).host, 'the page runs on the rebound name');
  const results = await until('the rebinding page to finish', () => page.evaluate(() => window.__results), 30_000);
  await page.close();
  const fetches = Object.entries(results).filter(([name]) => !name.startsWith('websocket'));
  assert.ok(fetches.length >= 16, JSON.stringify(results));
  // Same origin: the page reads every answer, and every answer is 421.
  for (const [name, r] of fetches) {
    assert.equal(r.status, 421, `${name}: ${JSON.stringify(r)}`);
    assert.equal(JSON.parse(r.body).error.code, 'misdirected', `${name}: ${r.body}`);
  }
  for (const path of ['/api/v1/events', '/live']) assert.equal(results[`websocket ${path}`].status, 'error', JSON.stringify(results));
  // Control: each request went to the daemon with the foreign Host, and
  // the daemon, not the network, refused it.
  assert.ok(proxied.length >= fetches.length + 2, JSON.stringify(proxied));
  for (const p of proxied) assert.equal(p.status, 421, JSON.stringify(p));
  assert.ok(proxied.some((p) => p.request === 'websocket') && proxied.every((p) => p.host === new URL(R).host), JSON.stringify(proxied));
  // Nothing read is worth anything, and nothing was written or forgotten.
  const kept = await daemon.api(`/api/v1/articles/${id}`);
  assert.equal(kept.status, 200, 'the article the page tried to forget is still there');
  assert.equal(kept.body.versions, 1);
  assert.equal(await stored(), 1);
  assert.equal(await articleAt('https://evil.example/rebound'), null);
});

test('a pairing page on another origin cannot pair the extension; the real link can', async () => {
  assert.deepEqual(await extensionState(), {}, 'the extension starts unpaired');
  // The attacker's copies of the pairing page, with a code in the
  // fragment: on its own site, and on the rebound name.
  for (const url of [`${H}/pair`, `${R}/pair`]) {
    const page = await browser.context.newPage();
    const link = `${url}#${'c'.repeat(32)}`;
    await page.goto(link);
    // The extension's content script did see the page…
    await backgroundSaw(url);
    // …and its pairing script never ran there: it would have taken the
    // code out of the address bar and said "Pairing…".
    assert.equal(page.url(), link);
    assert.equal(await page.locator('#redline-pair-status').innerText(), 'Waiting for the Redline extension…');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.redlinePaired), undefined);
    await page.close();
  }
  assert.deepEqual(hostileAPI, [], 'the extension asked the attacker for a token');
  assert.deepEqual(proxied.filter((p) => p.origin?.startsWith('chrome-extension://')), [], 'the extension asked the rebound name for a token');
  assert.deepEqual(await extensionState(), {}, 'the extension is still unpaired');

  // Control: the daemon's own link pairs this browser, once the user
  // confirms in the Redline tab it opens.
  const options = await browser.context.newPage();
  await options.goto(`${browser.extensionURL}options.html`);
  await options.locator('#seconds').fill('1'); // read fast in the test
  await options.locator('#save').click();
  await options.locator('#message', { hasText: 'Saved.' }).waitFor();
  await options.close();
  await pairThroughLink(browser, execFileSync(bin, ['pair', '--print', '--data', data], { encoding: 'utf8' }).trim());
  const state = await extensionState();
  assert.equal(state.token, daemon.token);
  assert.equal(state.settings.daemon, daemon.base);
});

let storyID;
let dashboard = null; // { link, feedURL, origin } once this browser has logged in

/** A one-time login link, as `redline open --print` prints it. */
const loginLink = () => execFileSync(bin, ['open', '--print', '--data', data], { encoding: 'utf8' }).trim();

/**
 * Logs this browser in to the dashboard through `redline open` (once) and
 * finds the feed's address. The dashboard is on a host name of its own
 * (origin), not on the daemon's 127.0.0.1 address.
 */
async function logIn() {
  if (dashboard) return dashboard;
  const link = loginLink();
  const origin = new URL(link).origin;
  assert.match(origin, /^http:\/\/redline-[0-9a-f]{20}\.localhost:\d+$/);
  const page = await browser.context.newPage();
  await page.goto(link);
  await page.waitForURL(`${origin}/`);
  await page.locator('h1', { hasText: 'Changed since you read' }).waitFor();
  // Feed readers fetch the feeds from the daemon's 127.0.0.1 address.
  const feedURL = new URL(await page.locator('link[rel="alternate"][type="application/atom+xml"]').getAttribute('href'), daemon.base).href;
  await page.close();
  dashboard = { link, feedURL, origin };
  return dashboard;
}

test('captured text that tries to run script is shown as text in the banner, the popup, the dashboard and the feeds', async () => {
  const url = `${H}/story`;
  const reader = await browser.context.newPage();
  await reader.goto(url);
  const first = await until('the hostile article at the daemon', () => articleAt(url));
  storyID = first.id;
  assert.match(first.title, /^Council vote <img src="http:\/\/127\.0\.0\.2:\d+\/canary\/title-img" onerror="window.__pwned='title-img';alert\('title'\)">$/, 'the title is kept as the text it was');
  story.version = 2;
  const again = await browser.context.newPage();
  await again.goto(url);
  await until('the edited version at the daemon', async () => (await articleAt(url))?.versions === 2);
  await again.close();

  // The banner in the tab still open, and its changes. The page has no
  // CSP: markup made from the text would run here.
  await until('the banner', () => bannerTree(reader));
  await clickBannerButton(reader, 'Show changes');
  const banner = await until('the changes in the banner', async () => {
    const b = await bannerTree(reader);
    return b && findAll(b, (n) => n.nodeName === 'INS').length > 0 ? b : null;
  });
  const elements = findAll(banner, (n) => n.nodeType === 1);
  const made = elements.filter((n) => ['IMG', 'SCRIPT', 'SVG', 'IFRAME', 'A', 'B', 'LINK'].includes(n.nodeName) || (n.attributes ?? []).some((a, i) => i % 2 === 0 && /^on/i.test(a)));
  assert.deepEqual(made.map((n) => n.nodeName), [], 'the banner holds elements made from captured text');
  const bannerText = textOf(banner);
  assert.match(bannerText, /Correction: .* <script src="http:\/\/127\.0\.0\.2:\d+\/canary\/new-script"><\/script><script>window\.__pwned='new-script'<\/script> <img src="http:\/\/127\.0\.0\.2:\d+\/canary\/new-img" onerror="window\.__pwned='new-img';alert\('new'\)">/);
  assert.equal(await reader.evaluate(() => window.__pwned), undefined);

  // The popup: the list, then the changes.
  const popup = await browser.context.newPage();
  await popup.goto(`${browser.extensionURL}popup.html`);
  const item = popup.locator('#changes li', { hasText: 'Council vote delayed' });
  await item.waitFor();
  assert.match(await item.innerText(), /Council vote delayed <img src="http:\/\/127\.0\.0\.2:\d+\/canary\/title-img" onerror=/);
  await item.locator('button').click();
  await popup.locator('#diff ins', { hasText: 'Correction' }).waitFor();
  assert.match(await popup.locator('#diff').innerText(), /<script src="http:\/\/127\.0\.0\.2:\d+\/canary\/new-script"><\/script>/);
  assert.deepEqual(await popup.evaluate(inertReport, '^popup\\.js$'), []);
  assert.equal(await popup.evaluate(() => window.__pwned), undefined);
  await popup.close();

  // The dashboard, logged in through the one-time link.
  const { feedURL, origin } = await logIn();
  const dash = await browser.context.newPage();
  for (const path of ['/', '/articles', `/articles/${storyID}`, `/articles/${storyID}?mode=inline`, '/sites']) {
    const resp = await dash.goto(origin + path);
    assert.equal(resp.status(), 200, path);
    assert.deepEqual(await dash.evaluate(inertReport, '^/assets/'), [], path);
    assert.equal(await dash.evaluate(() => window.__pwned), undefined, path);
    if (path !== '/sites') assert.match(await dash.locator('main').innerText(), /Council vote delayed <img src="http:\/\/127\.0\.0\.2:\d+\/canary\/title-img" onerror=/, path);
  }

  // The feeds: as a feed reader would show them (the entry's HTML,
  // rendered on a page without any protection), and as the browser shows
  // the feed itself.
  pages['/reader'] = '<!doctype html><meta charset="utf-8"><title>Reader</title><body></body>';
  const reader2 = await browser.context.newPage();
  await reader2.goto(`${H}/reader`);
  for (const feed of [feedURL, feedURL.replace('/changes.atom', `/articles/${storyID}.atom`)]) {
    const resp = await fetch(feed);
    assert.equal(resp.status, 200, feed);
    const xml = await resp.text();
    const shown = await reader2.evaluate((xml) => {
      const ATOM = 'http://www.w3.org/2005/Atom';
      const doc = new DOMParser().parseFromString(xml, 'application/xml');
      document.body.replaceChildren();
      for (const e of doc.getElementsByTagNameNS(ATOM, 'entry')) {
        const h = document.createElement('h2');
        h.textContent = e.getElementsByTagNameNS(ATOM, 'title')[0].textContent;
        const c = document.createElement('div');
        c.innerHTML = e.getElementsByTagNameNS(ATOM, 'content')[0].textContent; // a reader trusts the entry's HTML
        document.body.append(h, c);
      }
      return { entries: doc.getElementsByTagNameNS(ATOM, 'entry').length, marks: document.querySelectorAll('ins, del').length, text: document.body.innerText };
    }, xml);
    assert.ok(shown.entries >= 1 && shown.marks >= 1, `${feed}: ${JSON.stringify(shown)}`); // the HTML is rendered: edits are marked
    assert.match(shown.text, /<img src="http:\/\/127\.0\.0\.2:\d+\/canary\/new-img" onerror=/, feed);
    assert.deepEqual(await reader2.evaluate(inertReport, '^$'), [], feed);
    assert.equal(await reader2.evaluate(() => window.__pwned), undefined, feed);
  }
  await reader2.close();
  const atom = await dash.goto(feedURL);
  assert.match(atom.headers()['content-type'], /^application\/atom\+xml/);
  const foreign = await dash.evaluate(() => {
    const ATOM = 'http://www.w3.org/2005/Atom';
    return document.documentElement.namespaceURI === ATOM
      ? [...document.querySelectorAll('*')].filter((e) => e.namespaceURI !== ATOM).map((e) => e.localName) // shown as XML
      : [...document.body.querySelectorAll('*')].filter((e) => e.localName !== 'pre').map((e) => e.localName); // shown as its text
  });
  assert.deepEqual(foreign, [], 'the feed, opened in the browser, holds markup other than Atom');
  assert.match(await dash.evaluate(() => document.documentElement.textContent), /Council vote delayed &lt;img src=|Council vote delayed <img src=/);
  assert.equal(await dash.evaluate(() => window.__pwned), undefined);
  await dash.close();
  await reader.close();

  // Nothing ran anywhere, and nothing was loaded from the payloads.
  assert.deepEqual(dialogs, []);
  assert.deepEqual(canary, []);
});

test('a page cannot make the extension capture, forget, mark seen or pair with another daemon', async () => {
  // What the loaded extension offers pages: no messaging, no files.
  const manifest = await browser.worker.evaluate(() => chrome.runtime.getManifest());
  assert.equal(manifest.externally_connectable, undefined);
  assert.equal(manifest.web_accessible_resources, undefined);
  const otherData = tempDir('attack-other');
  const other = await startDaemon(bin, otherData);
  try {
    const otherCode = /#([0-9a-f]{32})$/.exec(execFileSync(bin, ['pair', '--print', '--data', otherData], { encoding: 'utf8' }).trim())[1];
    const before = await extensionState();
    const count = await stored();
    const storyURL = `${H}/story`;
    const read = await articleAt(storyURL);
    assert.ok(read, 'the article the previous test captured');
    const unseen = read.unseen.length;
    assert.ok(unseen > 0);
    const planted = { url: 'https://news.example/planted', title: 'Planted', blocks: [{ kind: 'p', text: 'Planted text.' }], extractor: 'evil', reading: { dwell_ms: 99999, scroll: 1 } };
    const shapes = [
      { type: 'ui.token', daemon: other.base, token: other.token },
      { type: 'pair.request', code: otherCode },
      { type: 'confirm.pair', id: 'x', through: 0 },
      { type: 'confirm.cancel', id: 'x' },
      { type: 'ui.settings', settings: { daemon: other.base, paused: true, deny: ['127.0.0.2'] } },
      { type: 'ui.unpair' },
      { type: 'ui.sites.save', allow: ['planted.example'], deny: [new URL(H).hostname] },
      { type: 'ui.sites' },
      { type: 'ui.forget', url: storyURL },
      { type: 'ui.track', url: 'https://news.example/tracked' },
      { type: 'ui.seen', articleId: storyID, version: 2 },
      { type: 'ui.state' },
      { type: 'page.capture', capture: planted },
      { type: 'page.read', url: planted.url, html: `<!doctype html><title>Planted</title><article><h1>Planted</h1>${'<p>Planted text of a story this reader never read, made up by the page.</p>'.repeat(8)}</article>`, page_text: 'Planted', reading: planted.reading },
      { type: 'page.hello', url: 'https://news.example/planted' },
      { type: 'page.dismiss', articleId: storyID, version: 2 },
      { type: 'page.diff', articleId: storyID },
      { type: 'banner.show', banner: { articleId: storyID, version: 2, summary: {}, at: new Date().toISOString() } },
    ];
    pages['/messages'] = messagesPage(browser.extensionURL.slice('chrome-extension://'.length, -1), shapes);
    const page = await browser.context.newPage();
    await page.goto(`${H}/messages`);
    await backgroundSaw(`${H}/messages/done`);
    const out = await page.evaluate(() => window.__out);
    await page.close();
    // No externally_connectable: pages get no runtime to message it with
    // (and were it there, the extension would not answer).
    assert.equal(out.runtime, 'unavailable', JSON.stringify(out));
    for (const [name, outcome] of Object.entries(out)) if (/^(sendMessage|connect)/.test(name)) assert.equal(outcome, 'refused', name);
    assert.equal(out['extension file'], 'refused');
    assert.equal(out['extension icon'], 'refused', 'a page can see the extension’s files');

    // The extension still works for its own daemon, with the same settings…
    assert.deepEqual(await extensionState(), before);
    // …the other daemon's pairing code was never spent (it still pairs)…
    const claim = await fetch(`${other.base}/api/v1/pair/claim`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code: otherCode }) });
    assert.equal(claim.status, 200, 'the page made the extension claim another daemon’s code');
    // …and its own daemon lost, gained and marked nothing.
    const kept = await articleAt(storyURL);
    assert.ok(kept, 'the page made the extension forget an article');
    assert.equal(kept.unseen.length, unseen, 'the page marked the change seen');
    assert.equal(await articleAt('https://news.example/planted'), null);
    assert.equal(await articleAt('https://news.example/tracked'), null);
    assert.equal(await articleAt(`${H}/messages`), null);
    assert.equal(await stored(), count);
    assert.equal((await other.api('/api/v1/status')).body.articles, 0);
    assert.deepEqual((await daemon.api('/api/v1/settings/sites')).body, { allow: [], deny: [] }, 'the page changed the site lists');
    assert.deepEqual(hostileAPI, []);
  } finally {
    await other.stop();
    rmSync(otherData, { recursive: true, force: true });
  }
});

test('the dashboard, its login, the pairing page, the feed and the API refuse to be framed', async () => {
  const { feedURL, origin } = await logIn();
  const targets = [
    ...['/', '/settings', '/articles/1', '/login?code=' + 'ab'.repeat(32)].map((p) => origin + p),
    ...['/', '/pair', feedURL.slice(daemon.base.length), '/api/v1/status', '/healthz'].map((p) => daemon.base + p),
  ];
  pages['/frames'] = `<!doctype html><meta charset="utf-8"><title>Win a prize</title>
${targets.map((t) => `<iframe src="${t}" style="opacity:0.01"></iframe>`).join('\n')}
<iframe src="${H}/reader"></iframe>`;
  const page = await browser.context.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(m.text()));
  await page.goto(`${H}/frames`);
  const frames = page.frames().filter((f) => f !== page.mainFrame());
  assert.equal(frames.length, targets.length + 1);
  // Every frame of the daemon becomes the browser's error page, not the
  // daemon's…
  const refused = await until(
    'every frame of the daemon to be refused',
    () => {
      const r = frames.filter((f) => f.url() === 'chrome-error://chromewebdata/');
      return r.length === targets.length && r;
    },
    10_000,
  ).catch((e) => assert.fail(`${e.message}:\n${frames.map((f) => f.url()).join('\n')}`));
  // …while the attacker's own frame shows: the browser frames pages in general.
  assert.equal(frames.filter((f) => f.url() === `${H}/reader`).length, 1);
  assert.ok(consoleLines.filter((l) => /frame-ancestors 'none'/.test(l)).length >= targets.length, consoleLines.join('\n'));
  for (const f of refused) assert.doesNotMatch(await f.evaluate(() => document.body?.innerText ?? ''), /Council|Redline|token/);
  await page.close();
  // Control: the same browser opens the dashboard itself (it is logged in).
  const dash = await browser.context.newPage();
  assert.equal((await dash.goto(`${origin}/settings`)).status(), 200);
  await dash.close();
});

test('a guessed or replayed login link gives no session; a feed without its token gives nothing', async () => {
  const { link: usedLink, feedURL, origin } = await logIn();
  const sessions = async () => (await browser.context.cookies()).filter((c) => c.name === 'redline_session');
  const loginNeeded = async (page) => {
    const resp = await page.goto(`${origin}/`);
    assert.equal(resp.status(), 401);
    await page.getByText('Open the dashboard from Redline').waitFor();
    assert.doesNotMatch(await page.locator('body').innerText(), /Council/);
  };
  await browser.context.clearCookies();
  const page = await browser.context.newPage();

  // A hostile page sends the browser to a guessed login link.
  pages['/login-attack'] = `<!doctype html><meta charset="utf-8"><title>Prize</title><a id="go" href="${origin}/login?code=${'ab'.repeat(32)}">Claim your prize</a>`;
  await page.goto(`${H}/login-attack`);
  const [guessed] = await Promise.all([page.waitForResponse((r) => r.url().includes('/login?code=')), page.click('#go')]);
  assert.equal(guessed.status(), 403);
  await page.getByText('This login link does not work').waitFor();
  assert.deepEqual(await sessions(), []);
  await loginNeeded(page);
  for (const path of ['/login', '/login?code=', `/login?code=${daemon.token}`]) {
    assert.equal((await page.goto(origin + path)).status(), 403, path);
  }
  assert.deepEqual(await sessions(), []);

  // A real link logs in once; replayed (from this browser's history, by
  // someone else), it gives nothing.
  const link = loginLink();
  await page.goto(link);
  await page.waitForURL(`${origin}/`);
  assert.equal((await sessions()).length, 1);
  await browser.context.clearCookies();
  for (const used of [link, usedLink]) {
    assert.equal((await page.goto(used)).status(), 403);
    assert.deepEqual(await sessions(), []);
  }
  await loginNeeded(page);

  // The feed without its token, with a wrong one, with the API token.
  for (const url of [feedURL.replace(/\?.*/, ''), feedURL.replace(/token=\w+/, `token=${ZEROS}`), feedURL.replace(/token=\w+/, `token=${daemon.token}`)]) {
    const resp = await page.goto(url);
    assert.equal(resp.status(), 401, url);
    assert.doesNotMatch(await resp.text(), /Council/);
  }
  // A page that knows the feed's address still cannot read it.
  pages['/feed-attack'] = feedAttackPage(feedURL);
  await page.goto(`${H}/feed-attack`);
  const out = await until('the feed attack to finish', () => page.evaluate(() => window.__out));
  assert.deepEqual(out, { fetch: 'blocked', 'fetch with credentials': 'blocked', 'no-cors fetch': 'blocked', xhr: 'blocked' });
  await page.close();
  assert.deepEqual(dialogs, []);
  assert.deepEqual(canary, []);
});

test('the dashboard session never reaches another server on this computer, and the daemon\'s own address does not take it', async () => {
  const link = loginLink();
  const origin = new URL(link).origin;
  const login = await browser.context.newPage();
  await login.goto(link);
  await login.waitForURL(`${origin}/`);
  await login.close();
  // Another program on this computer: a local dev server, a container
  // published to loopback, another user's listener. It records every
  // cookie the browser sends it.
  const seen = [];
  const local = createServer((req, res) => {
    seen.push({ host: req.headers.host, path: req.url, cookie: req.headers.cookie ?? '' });
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><meta charset="utf-8"><title>Dev server</title><script>
      fetch('/xhr', { credentials: 'include' }).then(() => { document.title = 'done'; });
    </script>`);
  });
  await new Promise((ok) => local.listen(0, '127.0.0.1', ok));
  const port = local.address().port;
  try {
    const sessions = (await browser.context.cookies()).filter((c) => c.name === 'redline_session');
    assert.equal(sessions.length, 1, 'the browser is logged in');
    // Host-only on the dashboard's own name, for the whole dashboard,
    // never cross-site, out of script's reach, and short-lived.
    const [c] = sessions;
    assert.equal(c.domain, new URL(origin).hostname);
    assert.equal(c.path, '/');
    assert.equal(c.sameSite, 'Strict');
    assert.equal(c.httpOnly, true);
    assert.ok(c.expires > 0 && c.expires - Date.now() / 1000 <= 12 * 3600 + 60, `the session cookie lasts until ${new Date(c.expires * 1000).toISOString()}`);

    const page = await browser.context.newPage();
    for (const base of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      await page.goto(`${base}/`);
      await page.waitForFunction(() => document.title === 'done');
    }
    assert.ok(seen.length >= 4, `the local server saw ${JSON.stringify(seen)}`);
    assert.deepEqual(seen.filter((r) => /redline_session/.test(r.cookie)), [], 'the session cookie reached another server');

    // The daemon's own loopback address is not the dashboard: no session
    // there, and its login page does not tell the dashboard's name.
    const resp = await page.goto(`${daemon.base}/settings`);
    assert.equal(resp.status(), 401);
    assert.doesNotMatch(await resp.text(), /redline-[0-9a-f]{20}|name="csrf"/);
    // The dashboard itself still works.
    assert.equal((await page.goto(`${origin}/settings`)).status(), 200);
    await page.close();
  } finally {
    local.close();
  }
});

/**
 * A fake daemon on another loopback port: its /pair page is a copy of the
 * daemon's, its claim endpoint hands out a token, and it records every
 * request and WebSocket the extension would send it. /lure is the page
 * that sends the browser to /pair#CODE.
 */
async function startFakeDaemon() {
  const seen = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    if (req.method === 'GET' && u.pathname === '/pair') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(spoofedPairPage);
      return;
    }
    if (req.method === 'GET' && u.pathname === '/lure') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(`<!doctype html><meta charset="utf-8"><title>Prize</title><script>location.href = '/pair#${'d'.repeat(32)}';</script>`);
      return;
    }
    if (u.pathname === '/favicon.ico') {
      res.writeHead(404).end(); // the browser's own request for the tab's icon
      return;
    }
    seen.push(`${req.method} ${u.pathname}`);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*' });
    res.end(JSON.stringify({ token: 'f'.repeat(64), status: 'ok', article_id: 1, version: 1, created: true }));
  });
  server.on('upgrade', (req, sock) => {
    seen.push(`websocket ${req.url}`);
    sock.destroy();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    seen,
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}

test('a fake pairing page on another loopback port changes nothing: on a fresh install, and while the daemon is down', async () => {
  const fake = await startFakeDaemon();
  const site = await startSite();
  const own = await startBrowser();
  const realData = tempDir('attack-pin');
  let real = await startDaemon(bin, realData);
  const state = () => own.worker.evaluate(() => chrome.storage.local.get(['settings', 'token']));
  const queuedURLs = async () => ((await own.worker.evaluate(() => chrome.storage.local.get('queue'))).queue?.items ?? []).map((i) => i.capture.url);
  const confirmURL = `${own.extensionURL}confirm-pair.html`;
  const confirmPages = () => own.context.pages().filter((p) => p.url().startsWith(confirmURL));
  /** Lures the browser to the fake pairing page; returns it and the confirmation page it led to. */
  const lure = async () => {
    const page = await own.context.newPage();
    await page.goto(`${fake.base}/lure`);
    await page.waitForURL(`${fake.base}/pair`);
    const confirm = await until('the confirmation page, or a request at the fake daemon', () => confirmPages()[0] ?? (fake.seen.length > 0 ? 'contacted' : null));
    assert.deepEqual(fake.seen, [], 'the extension talked to the fake daemon');
    await confirm.locator('#address', { hasText: fake.base }).waitFor();
    await confirm.locator('#port', { hasText: new URL(fake.base).port }).waitFor();
    await page.locator('#redline-pair-status', { hasText: 'Confirm in the Redline tab' }).waitFor();
    return { page, confirm };
  };
  /** Cancels on the confirmation page, as a user would, and sees it said on the pairing page. */
  const cancel = async ({ page, confirm }) => {
    await confirm.locator('#cancel').click();
    await confirm.locator('#result', { hasText: 'Cancelled' }).waitFor();
    await page.locator('#redline-pair-status', { hasText: 'Cancelled' }).waitFor();
    await confirm.close();
    await page.close();
  };
  try {
    const options = await own.context.newPage();
    await options.goto(`${own.extensionURL}options.html`);
    await options.locator('#seconds').fill('1'); // read fast in the test
    await options.locator('#save').click();
    await options.locator('#message', { hasText: 'Saved.' }).waitFor();

    // (a) A fresh install that never paired, with an article read and
    // waiting in the queue.
    const first = `${site.base}/world/bbc`;
    const reader = await own.context.newPage();
    await reader.goto(first);
    await until('the article read before pairing to wait in the queue', async () => (await queuedURLs()).includes(first));
    const fresh = await state();
    assert.equal(fresh.token, undefined);
    let lured = await lure();
    await lured.confirm.locator('#current', { hasText: 'not paired' }).waitFor();
    await lured.confirm.locator('#waiting', { hasText: '1 capture read while Redline was not paired would be sent to it' }).waitFor();
    await cancel(lured);
    assert.deepEqual(await state(), fresh, 'the extension paired with the fake daemon');
    assert.deepEqual(await queuedURLs(), [first]);
    // Another article read now still waits, and still goes nowhere.
    const second = `${site.base}/business/cnn`;
    await reader.goto(second);
    await until('the second article to wait in the queue', async () => (await queuedURLs()).includes(second));
    assert.deepEqual(fake.seen, []);

    // (b) Paired with the real daemon (by hand, on the options page that
    // says where the two waiting captures will go), which then goes down.
    await options.reload();
    await options.locator('#manual summary').click();
    await options.locator('#manual-waiting', { hasText: '2 captures read while Redline was not paired will be sent to the daemon you connect to.' }).waitFor();
    await options.locator('#daemon').fill(real.base);
    await options.locator('#token').fill(real.token);
    await options.locator('#connect').click();
    await options.locator('#pairing', { hasText: `Paired with the daemon at ${real.base}` }).waitFor();
    const paired = await state();
    assert.equal(paired.settings.daemon, real.base);
    await until('the two captures at the real daemon', async () => (await queuedURLs()).length === 0);
    // Nothing but pairing moves the address, not even the extension's own pages.
    const moved = await options.evaluate((fake) => chrome.runtime.sendMessage({ type: 'ui.settings', settings: { daemon: fake } }), fake.base);
    assert.match(moved.error, /changes only by pairing/);
    assert.deepEqual(await state(), paired);
    await real.stop();
    const third = `${site.base}/science/nytimes`;
    await reader.goto(third);
    await until('the article read while the daemon is down to wait in the queue', async () => (await queuedURLs()).includes(third));
    lured = await lure();
    await lured.confirm.locator('#current', { hasText: `replaces the pairing with ${real.base}` }).waitFor();
    await cancel(lured);
    assert.deepEqual(await state(), paired, 'the extension left its daemon for the fake one');
    assert.ok((await queuedURLs()).includes(third), 'the capture left the queue');
    assert.deepEqual(fake.seen, [], 'the fake daemon received a claim, a capture or a WebSocket');

    // Control: the real daemon comes back at its address and gets the
    // article read while it was down; the fake one still gets nothing.
    real = await startDaemon(bin, realData, new URL(real.base).host);
    await until('the article read while the daemon was down at the daemon', async () => (await real.api(`/api/v1/articles?url=${encodeURIComponent(third)}`)).status === 200);
    assert.deepEqual(fake.seen, []);
    await reader.close();
    await options.close();
  } finally {
    await own.close();
    await real.stop();
    await site.close();
    await fake.close();
    rmSync(realData, { recursive: true, force: true });
  }
});

test('an author on a shared site cannot file a post under another author\'s article by declaring its canonical', async () => {
  // The attacker's site plays a site where every author has a path of
  // their own and may set a post's rel=canonical.
  const victimURL = `${H}/victim/real-article`;
  const attackerURL = `${H}/attacker/post`;
  const paras = [
    'The harbour authority approved the plan to deepen the channel on Monday, after two years of hearings and three rounds of public comment.',
    'Fishermen who use the old pier said the dredging would close it for most of the spring season, and asked for a second landing on the north shore.',
    'The authority said the work would start in the autumn and last about eight months, and that the north landing would be built first.',
    'The cost of the project, shared between the port and the regional government, was put at forty million over the three years of the works.',
  ];
  const post = (title, body, canonical) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
${canonical ? `<link rel="canonical" href="${canonical}">` : ''}<meta property="og:type" content="article"></head><body><article><h1>${esc(title)}</h1>
<p class="byline">By a writer on the site</p>
${body.map((t) => `<p>${esc(t)}</p>`).join('\n')}</article></body></html>`;
  pages['/victim/real-article'] = post('Harbour plan approved', paras);
  pages['/attacker/post'] = post('Harbour plan approved', [
    'Correction: an earlier version of this article said the plan was approved. The authority rejected it, and the channel will not be deepened.',
    ...paras.slice(1),
  ], victimURL);

  // The reader reads the victim's article…
  const reader = await browser.context.newPage();
  await reader.goto(victimURL);
  const victim = await until('the victim\'s article at the daemon', () => articleAt(victimURL));
  assert.equal(victim.versions, 1);
  // …then the attacker's post on the same site, which declares the
  // victim's article as its canonical.
  await reader.goto(attackerURL);
  const own = await until('the attacker\'s post at the daemon', () => articleAt(attackerURL));

  assert.notEqual(own.id, victim.id, 'the attacker\'s post was filed under the victim\'s article');
  assert.equal(own.url, attackerURL, 'the attacker\'s post is its own article, found by its own URL');
  const after = await articleAt(victimURL);
  assert.equal(after.id, victim.id);
  assert.equal(after.versions, 1, 'the victim\'s article got a version it never had');
  assert.equal(after.changes, 0);
  assert.deepEqual(after.unseen ?? [], [], 'the victim\'s article raised a change alert');
  assert.deepEqual(after.aliases ?? [], [], 'the victim\'s article took the attacker\'s URL');
  assert.equal(after.title, 'Harbour plan approved');
  const changed = (await daemon.api('/api/v1/articles?limit=500')).body.articles.filter((a) => a.id === victim.id && a.changes > 0);
  assert.deepEqual(changed, []);
  await reader.close();
});
