import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';

// The browser as Config uses it: storage.local. Set before the modules
// that read it are loaded.
const stored = new Map<string, unknown>();
(globalThis as { browser?: unknown }).browser = {
  storage: {
    local: {
      async get(k: string) {
        return { [k]: stored.get(k) };
      },
      async set(o: Record<string, unknown>) {
        for (const [k, v] of Object.entries(o)) stored.set(k, structuredClone(v));
      },
    },
  },
};

const { Config } = await import('./config');
const { DashboardOpener, isLoginLink } = await import('./dashboard');

const TOKEN = 'ab'.repeat(32);

/** A daemon on 127.0.0.1 that answers the login request with answer(port), and records what it was asked. */
async function daemon(answer: (port: number) => { status: number; body: unknown }) {
  const asked: { auth: string | undefined; origin: string | undefined; body: unknown }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/api/v1/dashboard/login') {
        res.writeHead(404).end();
        return;
      }
      asked.push({ auth: req.headers.authorization, origin: req.headers.origin, body: JSON.parse(raw) });
      const a = answer(port);
      res.writeHead(a.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { base: `http://127.0.0.1:${port}`, port, asked, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function pairedWith(base: string, token = TOKEN) {
  const config = new Config();
  await config.load({ daemon: base }, token);
  return config;
}

test('the background asks the daemon, with the token, for a login to the page wanted, and opens the link it gets', async () => {
  const d = await daemon((port) => ({ status: 200, body: { url: `http://redline-0123456789abcdef0123.localhost:${port}/login?code=${'c'.repeat(64)}`, expires_at: '2026-12-03T10:02:00Z' } }));
  try {
    const opened: string[] = [];
    const opener = new DashboardOpener({ config: await pairedWith(d.base), openTab: async (u) => opened.push(u) });
    assert.deepEqual(await opener.open('/articles/12'), {});
    assert.deepEqual(await opener.open(), {});
    assert.deepEqual(
      d.asked.map((a) => [a.auth, a.body]),
      [
        [`Bearer ${TOKEN}`, { next: '/articles/12' }],
        [`Bearer ${TOKEN}`, { next: '/' }],
      ],
    );
    assert.deepEqual(opened, [`http://redline-0123456789abcdef0123.localhost:${d.port}/login?code=${'c'.repeat(64)}`, `http://redline-0123456789abcdef0123.localhost:${d.port}/login?code=${'c'.repeat(64)}`]);
  } finally {
    await d.close();
  }
});

test('a link that is not the dashboard’s login is not opened', async () => {
  let url = '';
  const d = await daemon(() => ({ status: 200, body: { url, expires_at: '2026-12-03T10:02:00Z' } }));
  try {
    for (const bad of [
      'https://evil.example/login?code=x',
      'http://evil.example/login',
      `http://redline-0123456789abcdef0123.localhost:${d.port + 1}/login?code=x`,
      `http://redline-0123456789abcdef0123.localhost:${d.port}/settings`,
      `http://user@redline-0123456789abcdef0123.localhost:${d.port}/login`,
      `http://127.0.0.1:${d.port}/login?code=x`,
      'javascript:alert(1)',
      '',
    ]) {
      url = bad;
      const opened: string[] = [];
      const opener = new DashboardOpener({ config: await pairedWith(d.base), openTab: async (u) => opened.push(u) });
      const r = await opener.open('/');
      assert.match(r.error ?? '', /not its dashboard’s|could not open|no link/i, bad);
      assert.deepEqual(opened, [], bad);
    }
    assert.equal(isLoginLink(`http://redline-0123456789abcdef0123.localhost:${d.port}/login?code=x`, d.base), true);
  } finally {
    await d.close();
  }
});

test('unpaired, or with the daemon away or refusing, nothing opens and the popup is told why', async () => {
  const d = await daemon(() => ({ status: 401, body: { error: { code: 'unauthorized', message: 'wrong token: pair again or check `redline token`' } } }));
  try {
    const opened: string[] = [];
    const unpaired = new DashboardOpener({ config: await pairedWith(d.base, ''), openTab: async (u) => opened.push(u) });
    assert.match((await unpaired.open()).error ?? '', /Pair the extension first/);
    assert.equal(d.asked.length, 0, 'unpaired, the daemon is not asked');
    const refused = new DashboardOpener({ config: await pairedWith(d.base), openTab: async (u) => opened.push(u) });
    assert.equal((await refused.open()).error, 'wrong token: pair again or check `redline token`');
    const base = d.base;
    await d.close();
    const away = new DashboardOpener({ config: await pairedWith(base), openTab: async (u) => opened.push(u) });
    assert.match((await away.open()).error ?? '', /Redline is not running at/);
    assert.deepEqual(opened, []);
  } catch (e) {
    await d.close().catch(() => undefined);
    throw e;
  }
});
