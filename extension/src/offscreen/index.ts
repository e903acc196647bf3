// Chrome's offscreen document: the one place a Chrome extension has a
// DOMParser off every page's main thread (a service worker has none). It
// reads pages for the background (background/pageread.ts): the pages the
// reader reads, sent by the content script through the background, and
// those fetched for re-checks. It answers the background and no one else:
// content scripts can message the extension too, so any sender but the
// background gets no answer.
import { ext } from '../core/browser';
import { type PageRead, readPage } from '../background/pageread';

const parser = new DOMParser();
const background = ext.runtime.getURL('background.js');

/** The request, when it is one the background sends. */
function parseRead(m: Record<string, unknown>): PageRead | null {
  if (typeof m.html !== 'string' || typeof m.url !== 'string') return null;
  const req: PageRead = { html: m.html, url: m.url, detect: m.detect === true };
  const r = m.reading as { dwell_ms?: unknown; scroll?: unknown } | undefined;
  if (r !== undefined) {
    if (typeof r !== 'object' || r === null || typeof r.dwell_ms !== 'number' || typeof r.scroll !== 'number') return null;
    req.reading = { dwell_ms: r.dwell_ms, scroll: r.scroll };
  }
  if (m.pageText !== undefined) {
    if (typeof m.pageText !== 'string') return null;
    req.pageText = m.pageText;
  }
  return req;
}

ext.runtime.onMessage.addListener((raw: unknown, sender: chrome.runtime.MessageSender, reply: (r: unknown) => void) => {
  if (sender.id !== ext.runtime.id || sender.tab !== undefined || sender.url !== background) return false;
  const m = raw as Record<string, unknown> | null;
  if (m?.type !== 'offscreen.read') return false;
  const req = parseRead(m);
  if (req === null) return false;
  reply({ capture: readPage(req, parser) });
  return false;
});
