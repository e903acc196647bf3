// A hostile web page, served from another origin (http://127.0.0.2), tries
// in real headless Chromium to read or write the daemon's API and to open
// its event stream: with and without credentials, with "simple" content
// types that skip the CORS preflight, and with a guessed hello. Every try
// must fail, and the daemon must hold nothing afterwards.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { rmSync } from 'node:fs';
import { buildDaemon, CHROMIUM, startDaemon, tempDir, until } from './harness.mjs';

let daemon, work, data, hostile, browser, profile;

const attackPage = (api) => `<!doctype html><meta charset="utf-8"><title>Cute cats</title>
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

before(async () => {
  work = tempDir('attack');
  data = tempDir('attack-data');
  daemon = await startDaemon(buildDaemon(work), data);
  hostile = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(attackPage(daemon.base));
  });
  await new Promise((r) => hostile.listen(0, '127.0.0.2', r));
  profile = tempDir('attack-profile');
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: false,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run',
      // Test the daemon's own defences, not the browser's local-network
      // prompt (which a user might accept).
      '--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults'],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((r) => hostile?.close(r));
  await daemon?.stop();
  for (const d of [work, data, profile]) if (d) rmSync(d, { recursive: true, force: true });
});

test('a hostile page can neither read nor write the daemon, nor hear its events', async () => {
  const page = await browser.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(m.text()));
  await page.goto(`http://127.0.0.2:${hostile.address().port}/`);
  const results = await until('the attack page to finish', () => page.evaluate(() => window.__results), 30_000);
  // Control: the requests reached the daemon and its answers were refused
  // to the page (the browser says why), so the refusals are the daemon's
  // doing and not a network that was never there.
  assert.ok(consoleLines.some((l) => /blocked by CORS policy/.test(l)), `no request reached the daemon:\n${consoleLines.join('\n')}`);
  for (const [name, outcome] of Object.entries(results)) {
    assert.equal(outcome, 'blocked', `${name}: ${outcome}`);
  }
  assert.ok(Object.keys(results).length >= 10, JSON.stringify(results));
  // Nothing was written: the daemon, asked with its token, holds nothing.
  const status = await (await fetch(`${daemon.base}/api/v1/status`, { headers: { Authorization: `Bearer ${daemon.token}` } })).json();
  assert.equal(status.articles, 0, JSON.stringify(status));
});
