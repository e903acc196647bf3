// What the end-to-end tests stand on: the real daemon built from this
// repository, a local web server that plays a news site, and Debian's
// Chromium with the built extension loaded, driven over CDP.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildExtension, CHROME_ID } from '../scripts/build.mjs';

export const repo = fileURLToPath(new URL('../..', import.meta.url));
const pages = join(repo, 'shared', 'testdata', 'pages');

export const CHROMIUM = process.env.REDLINE_CHROMIUM ?? '/usr/bin/chromium';

/** Waits until check() returns a truthy value; fails after `what` took too long. */
export async function until(what, check, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function tempDir(name) {
  return mkdtempSync(join(tmpdir(), `redline-${name}-`));
}

/**
 * Builds the daemon into a temp dir and returns its path: the build for
 * these tests (-tags e2e), whose clock a test moves forward with
 * daemon.advance(d). The shipped build has no such clock.
 */
export function buildDaemon(dir) {
  const bin = join(dir, 'redline');
  execFileSync('go', ['build', '-tags', 'e2e', '-o', bin, './daemon/cmd/redline'], { cwd: repo, stdio: 'inherit' });
  return bin;
}

/** A `redline serve` process on addr (127.0.0.1:0 picks a port). */
export async function startDaemon(bin, data, addr = '127.0.0.1:0', extra = []) {
  const proc = spawn(bin, ['serve', '--addr', addr, '--data', data, ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const exited = new Promise((r) => proc.once('exit', r));
  const base = await new Promise((resolve, reject) => {
    proc.stderr.on('data', (b) => {
      log += b;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`daemon exited ${code}:\n${log}`)));
  });
  const token = execFileSync(bin, ['token', '--data', data], { encoding: 'utf8' }).trim();
  return {
    base,
    token,
    log: () => log,
    async stop() {
      proc.kill('SIGTERM');
      await exited;
    },
    async api(path, init = {}) {
      const resp = await fetch(base + path, { ...init, headers: { Authorization: `Bearer ${token}`, ...(init.body ? { 'Content-Type': 'application/json' } : {}) } });
      const text = await resp.text();
      return { status: resp.status, body: text ? JSON.parse(text) : null };
    },
    /**
     * Moves the daemon's clock forward by d ("20m"), as if that much time
     * had passed; the watcher looks at what came due. Returns the
     * daemon's time after the move.
     */
    async advance(d) {
      const r = await this.api('/api/v1/test/clock', { method: 'POST', body: JSON.stringify({ advance: d }) });
      if (r.status !== 200) throw new Error(`the daemon's clock did not move: ${r.status} ${JSON.stringify(r.body)}`);
      return new Date(r.body.now);
    },
  };
}

/**
 * The article's edit: a new headline, a correction, a paragraph and a
 * quotation reworded. Applies to the page as first published, or to one
 * with a minor change elsewhere (see minorChange).
 */
export function editOf(page) {
  const edited = page
    .replaceAll('Just-released Minecraft exploit makes it easy to crash game servers', 'Minecraft exploit lets anyone crash game servers, researcher warns')
    .replace(/Just-released <i>Minecraft<\/i> exploit makes it easy to crash game servers/, 'Minecraft exploit lets anyone crash game servers, researcher warns')
    .replace(
      /<p>\s*A flaw in the wildly popular online game/,
      '<p>Correction: An earlier version of this article misstated when the developer first reported the bug.</p><p>A serious flaw in the hugely popular online game',
    )
    .replace('"I thought a lot before writing this post,"', '"I hesitated for many months before writing this post,"');
  if (edited === page) throw new Error('the edit did not apply');
  return edited;
}

/** One word of the article reworded, away from the edit: a minor change, which does not alert by default. */
export function minorChange(page) {
  const changed = page.replace('The bug resides in the <a', 'The bug lies in the <a');
  if (changed === page) throw new Error('the minor change did not apply');
  return changed;
}

/** The article page as first published, and as edited later. */
export function articleVersions() {
  const first = readFileSync(join(pages, 'ars-1', 'source.html'), 'utf8');
  return { first, edited: editOf(first) };
}

/**
 * A news site on 127.0.0.1: /2015/minecraft-exploit and
 * /2015/minecraft-exploit-follow-up are articles whose text the test flips
 * (edit(path)); /world/*, /business/*, /europe/*, /science/*, /politics/* are other real
 * articles. Its CSP blocks every script and request of its own, as a
 * strict site would: the extension must work regardless.
 */
export async function startSite() {
  const { first, edited } = articleVersions();
  const state = { '/2015/minecraft-exploit': first, '/2015/minecraft-exploit-follow-up': first };
  const other = { '/world/bbc': 'bbc-1', '/business/cnn': 'cnn', '/europe/lemonde': 'lemonde-1', '/europe/guardian': 'guardian-1', '/science/nytimes': 'nytimes-1', '/politics/wapo': 'wapo-1' };
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    let body;
    if (Object.hasOwn(state, path)) body = state[path];
    else if (other[path]) body = readFileSync(join(pages, other[path], 'source.html'), 'utf8');
    if (!body) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': "default-src 'none'; style-src 'self'",
      'Cache-Control': 'no-store',
    });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    edit(path = '/2015/minecraft-exploit') {
      state[path] = edited;
    },
    /** Serves html at path from now on. */
    set(path, html) {
      state[path] = html;
    },
    /** The source of one of the real pages. */
    page: (name) => readFileSync(join(pages, name, 'source.html'), 'utf8'),
    close: () => new Promise((r) => server.close(r)),
  };
}

/** The teaser a visitor without the cookie gets: the first paragraph and a paywall. */
function teaser(page) {
  const title = /<title>([^<]*)<\/title>/i.exec(page)?.[1] ?? 'Article';
  const first = /<p>[\s\S]*?<\/p>/.exec(page.slice(page.indexOf('A flaw') - 200))?.[0] ?? '<p>A flaw.</p>';
  return `<!doctype html><html><head><title>${title}</title></head><body><article><h1>${title}</h1>${first}
<div class="paywall"><p>Subscribe to continue reading. Already a subscriber? Log in.</p></div></article></body></html>`;
}

/**
 * The news site: /subscribe sets the subscriber cookie; the articles
 * /2026/paywalled and /2026/scheduled need it (each is edited on its own:
 * edit(path), or revise(path, change)). set(path, html) serves html at path to everyone, as a page
 * that shows its article only with script would be served.
 */
export async function startSubscriberSite() {
  const { first, edited } = articleVersions();
  const state = { '/2026/paywalled': first, '/2026/scheduled': first };
  const open = {};
  const requests = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const subscriber = /(?:^|;\s*)subscriber=yes(?:;|$)/.test(req.headers.cookie ?? '');
    requests.push({ path, subscriber, ua: req.headers['user-agent'] ?? '' });
    if (path === '/subscribe') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Set-Cookie': 'subscriber=yes; Path=/; HttpOnly' });
      res.end('<!doctype html><title>Welcome</title><p>You are a subscriber now.</p>');
      return;
    }
    if (Object.hasOwn(open, path)) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(open[path]);
      return;
    }
    if (!Object.hasOwn(state, path)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'; style-src 'self'", 'Cache-Control': 'no-store' });
    res.end(subscriber ? state[path] : teaser(state[path]));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    requests,
    edit(path = '/2026/paywalled') {
      state[path] = edited;
    },
    /** Changes what subscribers get at path: change(the page served now). */
    revise(path, change) {
      state[path] = change(state[path]);
    },
    set(path, html) {
      open[path] = html;
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

/**
 * Chromium with the extension, a fresh profile, headless; extraArgs are
 * more switches. grant lists optional API permissions the user has
 * granted already (e.g. ['notifications']): headless Chromium cannot show
 * the dialog in which a user grants one, so the browser is started once to
 * install the extension, and the grant is written to the profile's
 * record of the extension's permissions (granted and active) before the
 * browser starts for the test. The options' request for it then succeeds
 * at once, as it does for a user who granted it before.
 */
export async function startBrowser(extraArgs = [], { grant = [] } = {}) {
  const ext = (await buildExtension()).chrome;
  const profile = tempDir('profile');
  const launch = () =>
    chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: false, // the flag below asks for the new headless mode
      ignoreDefaultArgs: ['--disable-extensions'],
      args: [
        '--headless=new',
        `--disable-extensions-except=${ext}`,
        `--load-extension=${ext}`,
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        ...extraArgs,
      ],
    });
  const ours = (w) => w.url().startsWith(`chrome-extension://${CHROME_ID}/`);
  const workerOf = async (context) => context.serviceWorkers().find(ours) ?? (await context.waitForEvent('serviceworker', { predicate: ours }));
  let context = await launch();
  if (grant.length > 0) {
    await workerOf(context);
    await context.close();
    const prefs = join(profile, 'Default', 'Preferences');
    const p = JSON.parse(readFileSync(prefs, 'utf8'));
    const record = p.extensions?.settings?.[CHROME_ID];
    if (!record?.granted_permissions?.api || !record?.active_permissions?.api) throw new Error('the profile holds no record of the extension\'s permissions');
    for (const set of [record.granted_permissions, record.active_permissions]) set.api = [...new Set([...set.api, ...grant])];
    writeFileSync(prefs, JSON.stringify(p));
    context = await launch();
  }
  const worker = await workerOf(context);
  if (grant.length > 0 && !(await worker.evaluate((permissions) => chrome.permissions.contains({ permissions }), grant))) {
    throw new Error(`the browser did not take the grant of ${grant.join(', ')}`);
  }
  return {
    context,
    worker,
    extensionURL: `chrome-extension://${CHROME_ID}/`,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Every text in page, closed shadow roots included, with the node names around it. */
export async function pierce(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    return { cdp, root };
  } catch (e) {
    await cdp.detach();
    throw e;
  }
}

/** Finds the <redline-banner> host and returns its shadow root's node tree, or null. */
export async function bannerTree(page) {
  const { cdp, root } = await pierce(page);
  await cdp.detach();
  const find = (n) => {
    if (n.nodeName === 'REDLINE-BANNER') return n;
    for (const c of [...(n.children ?? []), ...(n.shadowRoots ?? []), ...(n.contentDocument ? [n.contentDocument] : [])]) {
      const f = find(c);
      if (f) return f;
    }
    return null;
  };
  const host = find(root);
  return host?.shadowRoots?.[0] ?? null;
}

/** The text of a node tree. */
export function textOf(n) {
  if (n.nodeType === 3) return n.nodeValue;
  return [...(n.children ?? []), ...(n.shadowRoots ?? [])].map(textOf).join('');
}

/** All nodes named name (upper case) in a tree. */
export function findAll(n, pred, out = []) {
  if (pred(n)) out.push(n);
  for (const c of [...(n.children ?? []), ...(n.shadowRoots ?? [])]) findAll(c, pred, out);
  return out;
}

/** Clicks a button inside the banner (a closed shadow root) by its label. */
export async function clickBannerButton(page, label) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const host = findAll(root, (n) => n.nodeName === 'REDLINE-BANNER')[0];
    const button = host && findAll(host, (n) => n.nodeName === 'BUTTON' && textOf(n) === label)[0];
    if (!button) throw new Error(`no "${label}" button in the banner`);
    const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: button.backendNodeId });
    await cdp.send('Runtime.callFunctionOn', { objectId: object.objectId, functionDeclaration: 'function () { this.click(); }' });
  } finally {
    await cdp.detach();
  }
}

/**
 * Opens a pairing link (http://127.0.0.1:PORT/pair#CODE) in a new tab, as
 * a user would, and finds the Redline tab it opens to confirm pairing,
 * showing that link's address. Returns both pages.
 */
export async function openPairingLink(browser, link) {
  const page = await browser.context.newPage();
  await page.goto(link);
  const confirmURL = `${browser.extensionURL}confirm-pair.html`;
  const confirm = await until('the Redline tab that confirms pairing', () => browser.context.pages().find((p) => p.url().startsWith(confirmURL)));
  await confirm.locator('#address', { hasText: new URL(link).origin }).waitFor();
  return { page, confirm };
}

/**
 * Clicks Pair (or Cancel) in the confirmation tab, as the user would,
 * closes it and returns what it said; the pairing page stays open.
 */
export async function answerPairing({ confirm }, button = 'Pair') {
  await confirm.getByRole('button', { name: button, exact: true }).click();
  const said = await until('the confirmation tab to say how it went', async () => (await confirm.locator('#result').innerText()).trim());
  await confirm.close();
  return said;
}

/** Pairs the browser through a `redline pair` link and the confirmation tab; fails unless it says "Paired". */
export async function pairThroughLink(browser, link) {
  const opened = await openPairingLink(browser, link);
  const said = await answerPairing(opened);
  if (!/^Paired/.test(said)) throw new Error(`pairing failed: ${said}`);
  await opened.page.locator('#redline-pair-status', { hasText: 'Paired' }).waitFor();
  await opened.page.close();
}

/**
 * Opens the toolbar popup on the window's active tab, page (as a click on
 * Redline's toolbar button does), and returns a function that evaluates
 * an expression in the popup, and close(). The popup is not one of the
 * context's pages: it is reached as a target over CDP.
 */
export async function openToolbarPopup(browser, page) {
  await page.bringToFront();
  await browser.worker.evaluate(() => chrome.action.openPopup());
  const cdp = await browser.context.newCDPSession(page);
  const popupURL = `${browser.extensionURL}popup.html`;
  const target = await until('the toolbar popup', async () => (await cdp.send('Target.getTargets')).targetInfos.find((t) => t.url === popupURL));
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
  let last = 0;
  const call = (method, params) =>
    new Promise((resolve, reject) => {
      const id = ++last;
      const on = (e) => {
        if (e.sessionId !== sessionId) return;
        const m = JSON.parse(e.message);
        if (m.id !== id) return;
        cdp.off('Target.receivedMessageFromTarget', on);
        if (m.error) reject(new Error(`${method}: ${m.error.message}`));
        else resolve(m.result);
      };
      cdp.on('Target.receivedMessageFromTarget', on);
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    });
  return {
    async evaluate(expression) {
      const r = await call('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
      if (r.exceptionDetails) throw new Error(`in the popup: ${r.exceptionDetails.text}`);
      return r.result.value;
    },
    async close() {
      await call('Runtime.evaluate', { expression: 'window.close()' }).catch(() => {});
      await cdp.detach();
    },
  };
}
