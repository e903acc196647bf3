// The content script in every web page: asks the background whether this
// page may be captured (settings, private windows, the daemon's own pages),
// shows the banner when the article changed since it was read, and once
// the reader is really reading an article, extracts it and hands it to the
// background. It makes no network request of its own.
import type { Diff } from '../shared/daemon';
import type { CaptureAnswer, ContentMessage, DiffAnswer, HelloAnswer, TabMessage } from '../shared/messages';
import { Banner } from './banner';
import { isArticle } from './detect';
import { extract } from './extract';
import { waitForReading } from './reading';

const ext = ((globalThis as { browser?: typeof chrome }).browser ?? chrome) as typeof chrome;

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
});

ext.runtime.onMessage.addListener((raw: unknown, sender: chrome.runtime.MessageSender) => {
  if (sender.id !== ext.runtime.id || sender.tab !== undefined) return;
  const msg = raw as TabMessage;
  if (msg?.type === 'banner.show') banner.show(msg.banner);
  else if (msg?.type === 'banner.hide' && banner.model?.articleId === msg.articleId) banner.hide();
});

async function main(): Promise<void> {
  const url = location.href;
  const hello = await ask<HelloAnswer>({ type: 'page.hello', url });
  if (!hello) return;
  if (hello.banner) banner.show(hello.banner);
  if (!hello.capture || !isArticle(document, url)) return;
  const reading = await waitForReading(window, document, { mode: hello.readingMode, seconds: hello.seconds });
  // Extraction takes tens of milliseconds on big pages: do it when the
  // page is idle, not in the middle of the reader's scrolling.
  await new Promise<void>((resolve) => requestIdleCallback(() => resolve(), { timeout: 2000 }));
  const capture = extract(document, location.href, reading);
  if (!capture) return;
  const answer = await ask<CaptureAnswer>({ type: 'page.capture', capture });
  if (answer?.banner) banner.show(answer.banner);
}

if (window.top === window) void main();
