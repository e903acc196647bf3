// The user's choices that belong to this browser, kept in storage.local
// under "settings". Every value read back is checked: storage may hold what
// an older version wrote. Which sites Redline keeps is not among them: the
// daemon keeps those lists (SiteRules), and the background caches them.
import { site } from './canonical';

export type ReadingMode = 'visible' | 'scroll';

export type Settings = {
  /** Where the daemon listens, e.g. http://127.0.0.1:7710 (no trailing slash). */
  daemon: string;
  /** Capture is paused: nothing is sent. */
  paused: boolean;
  /** 'visible': the tab was visible for `seconds`; 'scroll': the reader scrolled into the article. */
  readingMode: ReadingMode;
  seconds: number;
  notifications: boolean;
};

/**
 * The daemon's site lists (GET /api/v1/settings/sites): registrable
 * domains. With allow empty every site not in deny is kept.
 */
export type SiteRules = { allow: string[]; deny: string[] };

export const noSiteRules: Readonly<SiteRules> = Object.freeze({ allow: [], deny: [] });

export const DEFAULT_DAEMON = 'http://127.0.0.1:7710';

export const defaultSettings: Readonly<Settings> = Object.freeze({
  daemon: DEFAULT_DAEMON,
  paused: false,
  readingMode: 'visible',
  seconds: 5,
  notifications: false,
});

/**
 * Returns the origin of a loopback daemon address (http://127.0.0.1:PORT,
 * http://localhost:PORT or http://[::1]:PORT), or null for anything else:
 * the extension talks to no other host.
 */
export function daemonOrigin(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return null;
  }
  if (u.protocol !== 'http:') return null;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) return null;
  if (u.username || u.password) return null;
  return u.origin;
}

/** The sites in v (a stored or received list), each once, in order. */
function domainList(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  const out = new Set<string>();
  for (const d of v) {
    if (typeof d !== 'string') continue;
    const s = siteOf(d);
    if (s) out.add(s);
  }
  return [...out];
}

/** Returns valid site lists from whatever storage or the daemon held. */
export function normalizeSiteRules(raw: unknown): SiteRules {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  return { allow: domainList(r.allow), deny: domainList(r.deny) };
}

/** Both lists of a and b together (b's new sites after a's). */
export function mergeSiteRules(a: SiteRules, b: SiteRules): SiteRules {
  return { allow: [...new Set([...a.allow, ...b.allow])], deny: [...new Set([...a.deny, ...b.deny])] };
}

export const hasSites = (r: SiteRules): boolean => r.allow.length > 0 || r.deny.length > 0;

/**
 * The site lists older versions kept in the extension's own settings
 * (before the daemon kept them): they move to the daemon once paired.
 */
export function legacySiteRules(rawSettings: unknown): SiteRules {
  return normalizeSiteRules(rawSettings);
}

/** Returns the registrable domain a user typed ("www.example.co.uk", a URL), or ''. */
export function siteOf(typed: string): string {
  const t = typed.trim().toLowerCase();
  if (t === '') return '';
  return site(/^https?:\/\//.test(t) ? t : `https://${t}/`);
}

/** Returns valid settings from whatever storage held. */
export function normalizeSettings(raw: unknown): Settings {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const seconds = typeof r.seconds === 'number' && Number.isFinite(r.seconds) ? Math.min(Math.max(Math.round(r.seconds), 1), 600) : defaultSettings.seconds;
  return {
    daemon: (typeof r.daemon === 'string' && daemonOrigin(r.daemon)) || defaultSettings.daemon,
    paused: r.paused === true,
    readingMode: r.readingMode === 'scroll' ? 'scroll' : 'visible',
    seconds,
    notifications: r.notifications === true,
  };
}

/**
 * Says whether a page may be captured under these settings and site lists.
 * Pairing plays no part: captures read before pairing wait in the queue.
 */
export function mayCapture(s: Settings, sites: SiteRules, pageURL: string): boolean {
  if (s.paused) return false;
  let u: URL;
  try {
    u = new URL(pageURL);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  if (u.origin === daemonOrigin(s.daemon)) return false;
  // Never the daemon's own pages, whichever loopback name reaches them.
  if (daemonOrigin(u.origin) !== null && u.port === new URL(s.daemon).port) return false;
  const domain = site(pageURL);
  if (domain === '' || sites.deny.includes(domain)) return false;
  return sites.allow.length === 0 || sites.allow.includes(domain);
}
