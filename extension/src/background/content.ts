// What content scripts ask: page.hello (may this page be captured? is
// there an unseen change to show?), page.read (the page's HTML, read into
// a capture here, off the page's main thread), and, for the banner, the
// diff and "seen" of the article their tab shows, and its page in the
// dashboard ("Show all changes").
import type { Capture } from '../core/daemon';
import { type CaptureAnswer, type HelloAnswer, isCapture, type Reading } from '../core/messages';
import { mayCapture } from '../core/settings';
import type { Articles } from './articles';
import type { Captures } from './captures';
import type { Config } from './config';
import { articlePage, type DashboardOpener } from './dashboard';
import type { PageReader } from './reader';
import type { Handlers, MessageSender } from './router';
import type { SiteLists } from './sites';
import type { Tabs } from './tabs';

export type ContentDeps = { config: Config; sites: SiteLists; tabs: Tabs; captures: Captures; articles: Articles; dashboard: DashboardOpener; reader: PageReader };

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/**
 * The page's URL. The browser's sender.url is the URL the document was
 * loaded with; a site may have moved to another page since
 * (history.pushState), which the content script sees and claims. It
 * cannot leave the document's origin, so that much is checked.
 */
function pageURL(claimed: string, sender: MessageSender): string {
  return sameOrigin(claimed, sender.url ?? '') ? claimed : (sender.url ?? '');
}

const NOT_THAT = { error: 'This page is not that article.' };

export class ContentRequests {
  #deps: ContentDeps;

  constructor(deps: ContentDeps) {
    this.#deps = deps;
  }

  handlers(): Pick<Handlers, 'page.hello' | 'page.read' | 'page.diff' | 'page.dismiss' | 'page.dashboard'> {
    const { articles, dashboard } = this.#deps;
    return {
      'page.hello': (msg, sender) => this.#hello(pageURL(msg.url, sender), sender.tab?.id),
      'page.read': (msg, sender) => this.#read(msg.html, msg.page_text, msg.reading, pageURL(msg.url, sender), sender.tab?.id),
      // A page may ask only about the article it shows.
      'page.diff': async (msg, sender) => (this.#shows(sender, msg.articleId) ? articles.diff(msg.articleId) : NOT_THAT),
      'page.dismiss': async (msg, sender) => (this.#shows(sender, msg.articleId) ? articles.seen(msg.articleId, msg.version) : NOT_THAT),
      // The background opens the dashboard; the page never sees the login link.
      'page.dashboard': async (msg, sender) => (this.#shows(sender, msg.articleId) ? dashboard.open(articlePage(msg.articleId)) : NOT_THAT),
    };
  }

  #shows(sender: MessageSender, articleId: number): boolean {
    const tabId = sender.tab?.id;
    return tabId !== undefined && this.#deps.tabs.get(tabId)?.articleId === articleId;
  }

  async #hello(url: string, tabId: number | undefined): Promise<HelloAnswer> {
    const { config, sites, tabs, articles } = this.#deps;
    // A new page in this tab: whatever it showed before is gone.
    await tabs.remember(tabId, { url, articleId: null });
    const settings = config.settings;
    // Unpaired, pages are still captured: they wait in the queue until
    // pairing (as they do while the daemon is down).
    const capture = mayCapture(settings, sites.rules(), url);
    const answer: HelloAnswer = { capture, seconds: settings.seconds, readingMode: settings.readingMode, banner: null };
    if (!config.paired || !mayCapture({ ...settings, paused: false }, sites.rules(), url)) return answer;
    try {
      const a = await config.client().lookup(url);
      if (a) {
        await tabs.remember(tabId, { url, articleId: a.id });
        if (a.unseen && a.unseen.length > 0) answer.banner = await articles.banner(a.id);
      }
    } catch {
      // The daemon is away: no banner now; the capture will queue.
    }
    return answer;
  }

  /**
   * Reads the page a content script sent, when it may be captured: judged
   * an article and extracted where the background reads pages (reader.ts),
   * with the visible text and reading figures the page measured.
   */
  async #read(html: string, pageText: string, reading: Reading, url: string, tabId: number | undefined): Promise<CaptureAnswer> {
    const none = { queued: false, banner: null };
    if (!mayCapture(this.#deps.config.settings, this.#deps.sites.rules(), url)) return none;
    const page = await this.#deps.reader.read({ html, url, reading, pageText, detect: true });
    if (!page || !isCapture(page)) return none;
    const capture: Capture = { ...page, url, captured_at: new Date().toISOString(), source: 'browser' };
    // For the daemon paired now; read while unpaired, for none yet.
    return { queued: await this.#deps.captures.add(capture, tabId), banner: null };
  }
}
