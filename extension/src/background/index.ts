// The background: the only part of the extension that holds the token and
// talks to the daemon. It takes captures from content scripts (through the
// persistent queue), keeps one WebSocket to the event stream, counts unseen
// changes on the badge, notifies, and tells open tabs to show or hide
// their banner. Chrome runs it as a service worker, Firefox as an event
// page; both may stop it when idle, so every state lives in storage and an
// alarm wakes it to reconnect.
import { canonicalURL } from '../core/canonical';
import type { ArticleEvent, Capture, Summary } from '../core/daemon';
import {
  type BannerModel,
  CONFIRM_PAGE,
  type ConfirmMessage,
  type ContentMessage,
  classifySender,
  type HelloAnswer,
  type PageMessage,
  parseConfirmMessage,
  parseContentMessage,
  parsePageMessage,
  type Sender,
  type TabMessage,
} from '../core/messages';
import { daemonOrigin, mayCapture, normalizeSettings, type Settings, type SiteRules } from '../core/settings';
import { describeChange } from '../core/summary';
import { applyEvent, badgeText, type Changes, emptyChanges, listChanges } from './changes';
import { DaemonClient, DaemonError } from './client';
import { EventStream, type StreamState } from './events';
import { claimPending, type Pending, PendingPairing, type PendingStorage, pendingFromLink } from './pairing';
import { type KeyValue } from './kv';
import { CaptureQueue, type Queued, type QueueStatus, type SendResult } from './queue';
import { type SiteAPI, SiteLists } from './sites';
import { ext } from '../core/browser';


const local: KeyValue = {
  async get(key) {
    return (await ext.storage.local.get(key))[key];
  },
  async set(key, value) {
    await ext.storage.local.set({ [key]: value });
  },
};

let settings: Settings = normalizeSettings({});
let token = '';
let changes: Changes = emptyChanges();
const queue = new CaptureQueue(local);
const sites = new SiteLists(local);
/**
 * What each tab shows: the page's URL (from its last hello) and the
 * article, once known. Kept in session storage across restarts of the
 * worker.
 */
type TabPage = { url: string; articleId: number | null };
const tabPages = new Map<number, TabPage>();

const loaded = (async () => {
  const got = await ext.storage.local.get(['settings', 'token', 'changes']);
  // Site lists an older version kept in its settings wait in `sites` to
  // move to the daemon; only then are the settings written without them.
  await sites.load(got.settings);
  settings = normalizeSettings(got.settings);
  if (typeof got.settings === 'object' && got.settings !== null && ('deny' in got.settings || 'allow' in got.settings)) {
    await ext.storage.local.set({ settings });
  }
  token = typeof got.token === 'string' ? got.token : '';
  // A token goes only to the address it was paired with: when storage
  // holds no valid one (normalizeSettings put the default there), Redline
  // is unpaired rather than paired with a daemon the user never confirmed.
  const stored = (got.settings as { daemon?: unknown } | undefined)?.daemon;
  if (token !== '' && (typeof stored !== 'string' || daemonOrigin(stored) !== settings.daemon)) {
    token = '';
    await ext.storage.local.set({ token });
  }
  await queue.migrate(token === '' ? undefined : settings.daemon);
  const c = got.changes as Changes | undefined;
  if (c && typeof c.lastEventID === 'number' && typeof c.byArticle === 'object') changes = c;
  try {
    const s = await ext.storage.session.get('tabs');
    for (const [tab, page] of Object.entries((s.tabs ?? {}) as Record<string, TabPage>)) tabPages.set(Number(tab), page);
  } catch {
    // No session storage: the map starts empty.
  }
  await updateBadge();
})();

const client = (): DaemonClient => new DaemonClient(settings.daemon, token);

/** The daemon's site lists, at the paired daemon. */
function siteAPI(): SiteAPI {
  const c = client();
  return { get: () => c.siteRules(), set: (lists) => c.setSiteRules(lists) };
}

/** Refreshes the copy of the daemon's site lists (moving old local ones there); quiet when it cannot. */
async function syncSites(): Promise<void> {
  if (token === '') return;
  await sites.sync(siteAPI()).catch(() => undefined);
}

/** Records what a tab shows now. */
async function rememberTab(tabId: number | undefined, page: TabPage): Promise<void> {
  if (tabId === undefined) return;
  tabPages.set(tabId, page);
  try {
    await ext.storage.session.set({ tabs: Object.fromEntries(tabPages) });
  } catch {
    // Memory only.
  }
}

ext.tabs.onRemoved.addListener((tabId) => {
  if (tabPages.delete(tabId)) void ext.storage.session?.set({ tabs: Object.fromEntries(tabPages) }).catch(() => undefined);
});

async function updateBadge(): Promise<void> {
  await ext.action.setBadgeBackgroundColor({ color: '#c62828' });
  await ext.action.setBadgeText({ text: badgeText(changes) });
}

async function sendToArticleTabs(articleId: number, msg: TabMessage): Promise<void> {
  for (const [tabId, page] of tabPages) {
    if (page.articleId === articleId) await ext.tabs.sendMessage(tabId, msg).catch(() => undefined);
  }
}

// --- the event stream ---

let streamState: StreamState = 'idle';
let liveAfter = Number.MAX_SAFE_INTEGER; // events above the welcome's id happen now

const stream = new EventStream({
  url: () => client().eventsURL(),
  token: () => token,
  lastEventID: async () => {
    await loaded;
    return changes.lastEventID;
  },
  onEvent: handleEvent,
  onState: (s) => {
    streamState = s;
    if (s === 'connected') {
      void flushQueue();
      void syncSites();
    }
  },
  onWelcome: (latest) => {
    liveAfter = latest;
  },
});

async function handleEvent(e: ArticleEvent): Promise<void> {
  await loaded;
  changes = applyEvent(changes, e);
  await ext.storage.local.set({ changes });
  await updateBadge();
  const change = changes.byArticle[String(e.article_id)];
  if (e.type === 'article.changed' && change && e.to_version) {
    await sendToArticleTabs(e.article_id, { type: 'banner.show', banner: { articleId: e.article_id, version: e.to_version, summary: change.summary, at: e.at } });
    if (settings.notifications && e.event_id > liveAfter && e.summary) await notify(e.article_id, e.title, e.summary);
  } else if (e.type === 'article.seen' && !change) {
    await sendToArticleTabs(e.article_id, { type: 'banner.hide', articleId: e.article_id });
  }
}

async function notify(articleId: number, title: string, summary: Summary): Promise<void> {
  const what = describeChange(summary);
  if (what === '') return;
  listenToClicks();
  await ext.notifications
    ?.create(`redline-article-${articleId}`, { type: 'basic', iconUrl: ext.runtime.getURL('icon-128.png'), title: `Changed since you read it: ${title}`.slice(0, 200), message: what })
    .catch(() => undefined);
}

// Notifications are an optional permission: the API appears once the user
// grants it in the options, so the click listener is added when it exists.
let listeningToClicks = false;
function listenToClicks(): void {
  if (listeningToClicks || !ext.notifications) return;
  listeningToClicks = true;
  ext.notifications.onClicked.addListener((id) => {
    const m = /^redline-article-(\d+)$/.exec(id);
    const change = m ? changes.byArticle[m[1]!] : undefined;
    if (change) void ext.tabs.create({ url: change.url });
  });
}
listenToClicks();

// --- captures ---

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** Two URLs of the same page (fragments, tracking parameters aside). */
function samePage(a: string, b: string): boolean {
  try {
    return canonicalURL(a) === canonicalURL(b);
  } catch {
    return false;
  }
}

async function sendCapture(q: Queued): Promise<SendResult> {
  // Only to the daemon it was queued for (the queue hands out no other; a
  // pairing may have changed since the flush began).
  if (token === '' || q.daemon !== settings.daemon) return 'retry';
  try {
    const resp = await client().capture(q.capture);
    // The tab that read it, if it still shows that page (a queued capture
    // may arrive long after the reader moved on).
    const shown = q.tabId === undefined ? undefined : tabPages.get(q.tabId)?.url;
    const tabId = shown !== undefined && samePage(shown, q.capture.url) ? q.tabId : undefined;
    await rememberTab(tabId, { url: q.capture.url, articleId: resp.article_id });
    if (resp.changed_since_read && tabId !== undefined) {
      const banner: BannerModel = { articleId: resp.article_id, version: resp.version, summary: resp.changed_since_read, at: changes.byArticle[String(resp.article_id)]?.at ?? q.capture.captured_at };
      await ext.tabs.sendMessage(tabId, { type: 'banner.show', banner } satisfies TabMessage).catch(() => undefined);
    }
    return 'sent';
  } catch (e) {
    if (e instanceof DaemonError && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 408 && e.status !== 429) {
      return 'rejected'; // the daemon will never take this one
    }
    if (e instanceof DaemonError && e.status === 0) stream.ensure();
    return 'retry';
  }
}

let flushing: Promise<number> | null = null;
function flushQueue(): Promise<number> {
  if (token === '') return Promise.resolve(0);
  flushing ??= queue.flush(settings.daemon, sendCapture).finally(() => {
    flushing = null;
  });
  return flushing;
}

// --- what content scripts ask ---

async function bannerFor(articleId: number): Promise<BannerModel | null> {
  const a = await client().article(articleId);
  const last = a?.unseen?.at(-1);
  if (!a || !last) return null;
  const d = await client().diff(articleId);
  return { articleId, version: d.to.number, summary: d.summary, at: last.at };
}

async function onContent(msg: ContentMessage, sender: Sender): Promise<unknown> {
  const tabId = sender.tab?.id;
  // The browser's sender.url is the URL the document was loaded with; a
  // site may have moved to another page since (history.pushState), which
  // the content script sees. It cannot leave the document's origin, so
  // that much is checked.
  const claimed = msg.type === 'page.hello' ? msg.url : msg.type === 'page.capture' ? msg.capture.url : undefined;
  const pageURL = claimed !== undefined && sameOrigin(claimed, sender.url ?? '') ? claimed : (sender.url ?? '');
  switch (msg.type) {
    case 'page.hello': {
      // A new page in this tab: whatever it showed before is gone.
      await rememberTab(tabId, { url: pageURL, articleId: null });
      // Unpaired, pages are still captured: they wait in the queue until
      // pairing (as they do while the daemon is down).
      const capture = mayCapture(settings, sites.rules(), pageURL);
      const answer: HelloAnswer = { capture, seconds: settings.seconds, readingMode: settings.readingMode, banner: null };
      if (token === '' || !mayCapture({ ...settings, paused: false }, sites.rules(), pageURL)) return answer;
      try {
        const a = await client().lookup(pageURL);
        if (a) {
          await rememberTab(tabId, { url: pageURL, articleId: a.id });
          if (a.unseen && a.unseen.length > 0) answer.banner = await bannerFor(a.id);
        }
      } catch {
        // The daemon is away: no banner now; the capture will queue.
      }
      return answer;
    }
    case 'page.capture': {
      if (!mayCapture(settings, sites.rules(), pageURL)) return { queued: false, banner: null };
      const capture: Capture = { ...msg.capture, url: pageURL, captured_at: new Date().toISOString(), source: 'browser' };
      // For the daemon paired now; read while unpaired, for none yet.
      await queue.add(capture, tabId, token === '' ? undefined : settings.daemon);
      await flushQueue();
      const { waiting } = await queue.status();
      return { queued: waiting > 0, banner: null };
    }
    case 'page.diff':
    case 'page.dismiss': {
      // A page may ask only about the article it shows.
      if (tabId === undefined || tabPages.get(tabId)?.articleId !== msg.articleId) return { error: 'This page is not that article.' };
      return msg.type === 'page.diff' ? diffAnswer(msg.articleId) : seenAnswer(msg.articleId, msg.version);
    }
    case 'pair.request':
      return { ok: false, message: 'Pairing works only on the daemon’s own pairing page.' };
  }
}

async function diffAnswer(articleId: number): Promise<unknown> {
  try {
    return { diff: await client().diff(articleId) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : 'Redline could not load the changes.' };
  }
}

async function seenAnswer(articleId: number, version: number): Promise<{ error?: string }> {
  try {
    await client().seen(articleId, version);
  } catch (e) {
    return { error: e instanceof Error ? e.message : 'Redline could not mark it seen.' };
  }
  // The article.seen event will arrive too; clear now so the badge is right at once.
  const c = changes.byArticle[String(articleId)];
  if (c && version >= c.to) {
    const byArticle = { ...changes.byArticle };
    delete byArticle[String(articleId)];
    changes = { ...changes, byArticle };
    await ext.storage.local.set({ changes });
    await updateBadge();
  }
  await sendToArticleTabs(articleId, { type: 'banner.hide', articleId });
  return {};
}

// --- pairing ---

// The pending pairing lives in storage.session (kept while the browser
// runs, through the background's sleeps, and never shown to content
// scripts); where the browser has none, in memory: a background that went
// to sleep then forgets it, and the confirmation page says to open the
// link again.
let pendingInMemory: Pending | undefined;
const PENDING_KEY = 'pairPending';
const pendingStorage: PendingStorage = {
  async get() {
    try {
      return (await ext.storage.session.get(PENDING_KEY))[PENDING_KEY];
    } catch {
      return pendingInMemory;
    }
  },
  async set(p) {
    try {
      if (p === null) await ext.storage.session.remove(PENDING_KEY);
      else await ext.storage.session.set({ [PENDING_KEY]: p });
    } catch {
      pendingInMemory = p ?? undefined;
    }
  },
};
const pendings = new PendingPairing(pendingStorage);

/** Tells the /pair page of p how its pairing went. */
async function tellPairPage(p: Pending, ok: boolean, message: string): Promise<void> {
  if (p.pairTab === undefined) return;
  await ext.tabs.sendMessage(p.pairTab, { type: 'pair.result', ok, message } satisfies TabMessage, { frameId: 0 }).catch(() => undefined);
}

/**
 * A /pair page handed over its code: it becomes the pending pairing (in
 * place of an older one), and the confirmation page shows it. Nothing is
 * claimed, saved or sent here.
 */
async function onPairRequest(code: string, sender: Sender): Promise<{ ok: null | false; message: string }> {
  const p = pendingFromLink(sender.url ?? '', code, Date.now(), crypto.randomUUID());
  if ('error' in p) return { ok: false, message: p.error };
  if (sender.tab?.id !== undefined) p.pairTab = sender.tab.id;
  const older = await pendings.replace(p);
  if (older && older.pairTab !== undefined && older.pairTab !== p.pairTab) await tellPairPage(older, false, 'A newer pairing link replaced this one: nothing was paired from this page.');
  await showConfirmPage(p, sender.tab as chrome.tabs.Tab | undefined);
  return { ok: null, message: `Confirm in the Redline tab that opened: it shows the daemon to pair with (${p.address}).` };
}

/** Focuses the open confirmation page (telling it to show p), or opens one next to the /pair page. */
async function showConfirmPage(p: Pending, near: chrome.tabs.Tab | undefined): Promise<void> {
  // An open confirmation page answers with its tab: it is reused, never doubled.
  const open = (await ext.runtime.sendMessage({ type: 'confirm.changed' }).catch(() => undefined)) as { tabId?: unknown } | undefined;
  let tab: chrome.tabs.Tab | undefined;
  if (typeof open?.tabId === 'number') tab = await ext.tabs.update(open.tabId, { active: true }).catch(() => undefined);
  tab ??= await ext.tabs.create({
    url: ext.runtime.getURL(CONFIRM_PAGE),
    ...(near?.windowId === undefined ? {} : { windowId: near.windowId }),
    ...(near?.index === undefined ? {} : { index: near.index + 1 }),
    ...(near?.id === undefined ? {} : { openerTabId: near.id }),
  });
  if (tab?.windowId !== undefined) await ext.windows?.update(tab.windowId, { focused: true }).catch(() => undefined);
  if (tab?.id !== undefined) await pendings.setConfirmTab(p.id, tab.id);
}

/** The captures waiting, as the popup, the options and the confirmation page show them. */
function queueView(q: QueueStatus): { waiting: number; dropped: number; unpaired: number; unpairedThrough: number; elsewhere: { daemon: string; count: number }[] } {
  const mine = token === '' ? undefined : settings.daemon;
  const elsewhere = Object.entries(q.byDaemon)
    .filter(([d]) => d !== mine)
    .map(([daemon, count]) => ({ daemon, count }));
  return { waiting: mine === undefined ? 0 : (q.byDaemon[mine] ?? 0), dropped: q.dropped, unpaired: q.unpaired, unpairedThrough: q.unpairedThrough, elsewhere };
}

async function onConfirm(msg: ConfirmMessage): Promise<unknown> {
  const now = Date.now();
  switch (msg.type) {
    case 'confirm.state': {
      const p = await pendings.current(now);
      return {
        pending: p ? { id: p.id, address: p.address, expires: p.expires } : null,
        paired: token === '' ? null : settings.daemon,
        queue: queueView(await queue.status()),
      };
    }
    case 'confirm.pair': {
      const p = await pendings.take(msg.id, now);
      if (!p) return { ok: false, message: 'This pairing no longer waits: it expired, was cancelled, or a newer link replaced it. Nothing was paired.' };
      const r = await claimPending(p, (address, c) => new DaemonClient(address, '').claim(c));
      if (r.ok) await savePairing(r.address, r.token, msg.through);
      await tellPairPage(p, r.ok, r.message);
      return { ok: r.ok, message: r.message };
    }
    case 'confirm.cancel': {
      const p = await pendings.take(msg.id, now);
      if (p) await tellPairPage(p, false, 'Cancelled in the Redline tab: nothing was paired.');
      return { ok: false, message: 'Cancelled: Redline stays as it was.' };
    }
  }
}

// Closing the confirmation page without an answer cancels the pairing.
ext.tabs.onRemoved.addListener((tabId) => {
  void pendings.current(Date.now()).then(async (p) => {
    if (p?.confirmTab !== tabId || !(await pendings.take(p.id, Date.now()))) return;
    await tellPairPage(p, false, 'The Redline tab was closed without pairing: nothing was paired.');
  });
});

/**
 * Pairs with the daemon at origin, which the user confirmed on an
 * extension page (the confirmation page, or the token typed in the
 * options): the only way the address changes. The captures read while
 * unpaired that the page said would go there (up to seq through) go with
 * the daemon's own.
 */
async function savePairing(origin: string, newToken: string, through: number): Promise<void> {
  const sameDaemon = origin === settings.daemon;
  settings = { ...settings, daemon: origin };
  token = newToken;
  if (!sameDaemon) changes = emptyChanges(); // another daemon has another event log
  await ext.storage.local.set({ settings, token, changes });
  await updateBadge();
  await queue.adopt(origin, through);
  stream.restart();
  void flushQueue();
  void syncSites();
}

// --- what the popup and the options page ask ---

async function onPage(msg: PageMessage): Promise<unknown> {
  switch (msg.type) {
    case 'ui.state': {
      const q = queueView(await queue.status());
      return { settings, paired: token !== '', connection: streamState, queue: q, changes: listChanges(changes) };
    }
    case 'ui.sites': {
      // The daemon's lists; its copy when the daemon is away or unpaired.
      if (token === '') return { sites: sites.rules(), fromDaemon: false, moving: sites.moving() };
      try {
        return { sites: await sites.sync(siteAPI()), fromDaemon: true, moving: false };
      } catch (e) {
        return { sites: sites.rules(), fromDaemon: false, moving: sites.moving(), error: e instanceof Error ? e.message : 'Redline could not read the site lists.' };
      }
    }
    case 'ui.sites.save': {
      if (token === '') return { error: 'Pair the extension first: the site lists are kept by the Redline daemon.' };
      try {
        const lists: SiteRules = { allow: msg.allow, deny: msg.deny };
        return { sites: await sites.save(siteAPI(), lists) };
      } catch (e) {
        return { error: e instanceof Error ? e.message : 'Redline could not save the site lists.' };
      }
    }
    case 'ui.settings': {
      // The address is pinned: it changes only by pairing.
      if ('daemon' in msg.settings) return { error: 'The daemon’s address changes only by pairing: run `redline pair`, or enter the token by hand.' };
      settings = { ...normalizeSettings({ ...settings, ...msg.settings }), daemon: settings.daemon };
      await ext.storage.local.set({ settings });
      return { settings };
    }
    case 'ui.token': {
      const origin = daemonOrigin(msg.daemon);
      const t = msg.token.trim();
      if (!origin) return { error: 'The daemon address must be http://127.0.0.1:PORT or http://localhost:PORT.' };
      if (!/^[0-9a-f]{64}$/.test(t)) return { error: 'A token is 64 hexadecimal digits: copy it from `redline token`.' };
      try {
        await new DaemonClient(origin, t).status();
      } catch (e) {
        return { error: e instanceof Error ? e.message : 'The daemon refused the token.' };
      }
      await savePairing(origin, t, msg.through);
      return {};
    }
    case 'ui.unpair':
      // The captures waiting for this daemon stay for it (they go if it is
      // paired again); the options offer to discard them.
      token = '';
      await ext.storage.local.set({ token });
      stream.stop();
      streamState = 'idle';
      return {};
    case 'ui.queue.discard':
      return { discarded: await queue.discard(msg.daemon) };
    case 'ui.track':
      try {
        await client().watch(msg.url);
        return { message: 'Redline will check this page for changes.' };
      } catch (e) {
        if (e instanceof DaemonError && (e.status === 404 || e.status === 405)) return { error: 'This daemon cannot track pages yet: update Redline.' };
        return { error: e instanceof Error ? e.message : 'Redline could not track this page.' };
      }
    case 'ui.forget':
      try {
        const a = await client().lookup(msg.url);
        if (!a) return { message: 'Redline holds nothing about this page.' };
        await client().forget(a.id);
        const byArticle = { ...changes.byArticle };
        delete byArticle[String(a.id)];
        changes = { ...changes, byArticle };
        await ext.storage.local.set({ changes });
        await updateBadge();
        await sendToArticleTabs(a.id, { type: 'banner.hide', articleId: a.id });
        return { message: 'Redline forgot this page: every version of it is gone.' };
      } catch (e) {
        return { error: e instanceof Error ? e.message : 'Redline could not forget this page.' };
      }
    case 'ui.diff':
      return diffAnswer(msg.articleId);
    case 'ui.seen':
      return seenAnswer(msg.articleId, msg.version);
  }
}

// --- wiring ---

ext.runtime.onMessage.addListener((raw: unknown, sender: chrome.runtime.MessageSender, reply: (r: unknown) => void) => {
  const kind = classifySender(sender, ext.runtime.id, ext.runtime.getURL(''));
  let work: (() => Promise<unknown>) | null = null;
  if (kind === 'extension-page') {
    const msg = parsePageMessage(raw);
    if (msg) work = () => onPage(msg);
  } else if (kind === 'confirm-page') {
    // Only the confirmation page can answer a pending pairing.
    const msg = parseConfirmMessage(raw);
    if (msg) work = () => onConfirm(msg);
  } else if (kind === 'content' || kind === 'pair-page') {
    const msg = parseContentMessage(raw);
    if (msg?.type === 'pair.request' && kind === 'pair-page') work = () => onPairRequest(msg.code, sender);
    else if (msg && msg.type !== 'pair.request') work = () => onContent(msg, sender);
  }
  if (work === null) return false; // strangers and malformed messages get nothing
  loaded
    .then(work)
    .then(reply, (e: unknown) => reply({ error: e instanceof Error ? e.message : 'Redline failed.' }));
  return true;
});

const ALARM = 'redline-reconnect';
ext.alarms.create(ALARM, { periodInMinutes: 1 });
ext.alarms.onAlarm.addListener((a) => {
  if (a.name !== ALARM) return;
  void loaded.then(() => {
    stream.ensure();
    void flushQueue();
    if (streamState === 'connected') void syncSites(); // the dashboard may have changed them
  });
});

void loaded.then(() => {
  stream.ensure();
  void flushQueue();
});
