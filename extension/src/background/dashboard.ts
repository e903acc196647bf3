// Opens the dashboard logged in. The dashboard lets a browser in only
// through a one-time login link, which only a holder of the token may ask
// the daemon for: the background asks (POST /api/v1/dashboard/login, with
// the page to land on) and opens the link in a new tab itself. The link
// never reaches a web page or a content script; it works once, for two
// minutes, and lands on the dashboard's page asked for.
import type { Done } from '../core/replies';
import { messageOf } from './client';
import type { Config } from './config';

/** The dashboard's pages the extension opens: the home page, or an article's page. */
export type DashboardPage = '/' | `/articles/${number}`;

export const articlePage = (articleId: number): DashboardPage => `/articles/${articleId}`;

/**
 * Whether url is a login link of the dashboard of the daemon at daemon:
 * http, a name of its own under .localhost on the daemon's port, the
 * /login path. Anything else the daemon answered is not opened.
 */
export function isLoginLink(url: string, daemon: string): boolean {
  let u: URL;
  let d: URL;
  try {
    u = new URL(url);
    d = new URL(daemon);
  } catch {
    return false;
  }
  return u.protocol === 'http:' && /^redline-[0-9a-f]{20}\.localhost$/.test(u.hostname) && u.port === d.port && u.pathname === '/login' && !u.username && !u.password;
}

export type DashboardDeps = { config: Config; openTab: (url: string) => Promise<unknown> };

export class DashboardOpener {
  #deps: DashboardDeps;

  constructor(deps: DashboardDeps) {
    this.#deps = deps;
  }

  /** Opens page of the dashboard, logged in, in a new tab; says why not when it cannot. */
  async open(page: DashboardPage = '/'): Promise<Done> {
    const { config, openTab } = this.#deps;
    if (!config.paired) return { error: 'Pair the extension first: the dashboard opens from here once Redline is paired (or run `redline open`).' };
    let url: string;
    try {
      url = (await config.client().dashboardLogin(page)).url;
    } catch (e) {
      return { error: messageOf(e, 'Redline could not open the dashboard.') };
    }
    if (!isLoginLink(url, config.settings.daemon)) return { error: 'The daemon answered with a link that is not its dashboard’s: update Redline.' };
    await openTab(url);
    return {};
  }
}
