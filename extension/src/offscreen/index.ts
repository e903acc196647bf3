// Chrome's offscreen document: the one place a Chrome extension has a
// DOMParser off every page's main thread (a service worker has none). It
// reads the pages fetched for re-checks (background/recheckparse.ts) for
// the background, and for no one else: content scripts can message the
// extension too, so any sender but the background gets no answer.
import { ext } from '../core/browser';
import { parseArticle } from '../background/recheckparse';

const parser = new DOMParser();
const background = ext.runtime.getURL('background.js');

ext.runtime.onMessage.addListener((raw: unknown, sender: chrome.runtime.MessageSender, reply: (r: unknown) => void) => {
  if (sender.id !== ext.runtime.id || sender.tab !== undefined || sender.url !== background) return false;
  const m = raw as { type?: unknown; html?: unknown; url?: unknown } | null;
  if (m?.type !== 'offscreen.parse' || typeof m.html !== 'string' || typeof m.url !== 'string') return false;
  reply({ capture: parseArticle(m.html, m.url, parser) });
  return false;
});
