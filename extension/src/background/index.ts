// The background: the only part of the extension that holds the token and
// talks to the daemon. Chrome runs it as a service worker, Firefox as an
// event page; both may stop it when idle, so every state lives in storage
// and an alarm wakes it to reconnect. This file only wires the features
// together and to the browser's events; each lives in its own file:
//
//   config.ts    the pairing as stored: settings, address, token
//   tabs.ts      which tab shows which article; telling tabs
//   policy.ts    the alert policy, as the daemon said it last
//   unseen.ts    the unseen changes and the badge
//   notify.ts    notifications
//   dashboard.ts opening the dashboard logged in
//   live.ts      the daemon's events, as they come
//   captures.ts  the capture queue and its flush
//   articles.ts  one article at the daemon: banner, diff, seen, track, forget
//   link.ts      pairing, unpairing, keeping in touch
//   content.ts   what content scripts ask
//   pairflow.ts  the /pair page, the confirmation page
//   ui.ts        what the popup and the options page ask
//   reader.ts    reading a page's HTML into a capture, off the page
//   rechecks.ts  re-check jobs the daemon hands the browser
//   router.ts    the one message router
import { ext } from '../core/browser';
import { Articles } from './articles';
import { Captures } from './captures';
import { Config } from './config';
import { ContentRequests } from './content';
import { articlePage, DashboardOpener } from './dashboard';
import { Link } from './link';
import { Live } from './live';
import { Notifier } from './notify';
import { PairFlow } from './pairflow';
import { AlertPolicy } from './policy';
import { PageReader } from './reader';
import { Rechecks } from './rechecks';
import { handleMessages } from './router';
import { SiteLists } from './sites';
import { local } from './storage';
import { Tabs } from './tabs';
import { UIRequests } from './ui';
import { Unseen } from './unseen';

const config = new Config();
const tabs = new Tabs();
const policy = new AlertPolicy(local, () => unseen.paint());
const unseen = new Unseen(() => policy.on);
const sites = new SiteLists(local);
const dashboard = new DashboardOpener({ config, openTab: (url) => ext.tabs.create({ url }) });
// A notification's click opens the article's page in the dashboard; when
// the dashboard cannot open (the daemon is away), the article itself,
// while its change is unseen.
const notifier = new Notifier(async (articleId) => {
  if ((await dashboard.open(articlePage(articleId))).error === undefined) return;
  const url = unseen.of(articleId)?.url;
  if (url !== undefined) await ext.tabs.create({ url });
});
const captures = new Captures({ config, tabs, unseen, policy, wake: () => live.ensure() });
const ready = load();
const reader = new PageReader();
const rechecks = new Rechecks({ config, sites, ready, reader });
const live = new Live({ config, unseen, tabs, notifier, policy, ready, onConnected: () => link.connected(), onRecheck: (req) => rechecks.take(req) });
const link = new Link({ config, unseen, captures, live, sites });
const articles = new Articles({ config, unseen, tabs, policy });
const pairing = new PairFlow({ config, tabs, captures, pair: (origin, token, through) => link.pair(origin, token, through) });

/** Reads every feature's state from storage, in the order their upgrades need. */
async function load(): Promise<void> {
  const got = await ext.storage.local.get(['settings', 'token', 'changes']);
  // Site lists an older version kept in its settings wait in `sites` to
  // move to the daemon; only then are the settings written without them.
  await sites.load(got.settings);
  await config.load(got.settings, got.token);
  await captures.migrate();
  await policy.load();
  unseen.load(got.changes);
  await tabs.load();
  await unseen.paint();
}

handleMessages(ext.runtime, ready, {
  ...new ContentRequests({ config, sites, tabs, captures, articles, dashboard, reader }).handlers(),
  ...pairing.handlers(),
  ...new UIRequests({ config, unseen, captures, live, sites, articles, link, policy, dashboard }).handlers(),
});

notifier.listen();

ext.tabs.onRemoved.addListener((tabId) => {
  tabs.closed(tabId);
  void pairing.tabClosed(tabId);
});

const ALARM = 'redline-reconnect';
ext.alarms.create(ALARM, { periodInMinutes: 1 });
ext.alarms.onAlarm.addListener((a) => {
  if (a.name === ALARM) void ready.then(() => link.wake());
});

void ready.then(() => link.start());
