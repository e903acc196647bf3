// The content script in every web page: asks the background whether this
// page may be captured (settings, private windows, the daemon's own pages),
// shows the banner when the article changed since it was read, and once
// the reader is really reading, hands the page to the background to be
// read: its HTML, its visible text and the reading figures (snapshot.ts).
// Judging whether it is an article and extracting it run there, off this
// page's main thread. It makes no network request of its own.
import { ext } from '../core/browser';
import type { Diff } from '../core/daemon';
import type { CaptureAnswer, ContentMessage, DiffAnswer, HelloAnswer, TabMessage } from '../core/messages';
import { Banner } from './banner';
import { waitForReading } from './reading';
import { snapshot } from './snapshot';

function ask<T>(msg: ContentMessage): Promise<T | undefined> {
  return ext.runtime.sendMessage(msg).catch(() => undefined) as Promise<T | undefined>;
}

const banner = new Banner(document, {
  async diff(articleId) {
    const a = await ask<DiffAnswer>({ type: 'page.diff', articleId });
    if (!a) return 'Redline could not load the changes.';
    return 'diff' in a ? (a.diff as Diff) : a.error;
  },
  async dismiss(articleId, version) {
    const a = await ask<{ error?: string }>({ type: 'page.dismiss', articleId, version });
    if (!a) return 'Redline could not reach its daemon.';
    return a.error ?? null;
  },
  // The background opens the dashboard; this page never sees the login link.
  async dashboard(articleId) {
    const a = await ask<{ error?: string }>({ type: 'page.dashboard', articleId });
    if (!a) return 'Redline could not open the dashboard.';
    return a.error ?? null;
  },
});

ext.runtime.onMessage.addListener((raw: unknown, sender: chrome.runtime.MessageSender) => {
  if (sender.id !== ext.runtime.id || sender.tab !== undefined) return;
  const msg = raw as TabMessage;
  if (msg?.type === 'banner.show') banner.show(msg.banner);
  else if (msg?.type === 'banner.hide' && banner.model?.articleId === msg.articleId) banner.hide();
});

// Each page shown in this tab, including those a site's own script shows
// without loading a new document, gets one run; a newer page ends the
// older run at its next step.
let run = 0;

async function main(): Promise<void> {
  const mine = ++run;
  const url = location.href;
  banner.hide();
  const hello = await ask<HelloAnswer>({ type: 'page.hello', url });
  if (!hello || mine !== run) return;
  if (hello.banner) banner.show(hello.banner);
  if (!hello.capture) return;
  const reading = await waitForReading(window, document, { mode: hello.readingMode, seconds: hello.seconds });
  // The page is taken when it is idle, not in the middle of the reader's
  // scrolling, so that a page that fills itself in late is read whole.
  await new Promise<void>((resolve) => requestIdleCallback(() => resolve(), { timeout: 2000 }));
  if (mine !== run) return;
  const snap = snapshot(document);
  if ('error' in snap) {
    console.warn(`Redline: ${snap.error}`);
    return;
  }
  const answer = await ask<CaptureAnswer>({ type: 'page.read', url: location.href, html: snap.html, page_text: snap.pageText, reading });
  if (answer?.banner && mine === run) banner.show(answer.banner);
}

/** Starts a new run when the site shows another page in the same document. */
function followNavigation(): void {
  const page = (): string => location.href.split('#')[0] ?? '';
  let shown = page();
  const check = (): void => {
    if (page() === shown) return;
    shown = page();
    void main();
  };
  window.addEventListener('popstate', check);
  // history.pushState from the page's scripts fires no event here; where
  // the Navigation API exists it reports every same-document navigation,
  // elsewhere the title changing with the page does.
  const nav = (window as { navigation?: EventTarget }).navigation;
  if (nav) nav.addEventListener('currententrychange', check);
  else new MutationObserver(check).observe(document.head ?? document.documentElement, { childList: true, characterData: true, subtree: true });
}

if (window.top === window) {
  void main();
  followNavigation();
}
