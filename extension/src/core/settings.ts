// The user's choices, kept in storage.local under "settings". Every value
// read back is checked: storage may hold what an older version wrote.
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
  /** Registrable domains never captured. */
  deny: string[];
  /** When not empty, only these registrable domains are captured. */
  allow: string[];
};

export const DEFAULT_DAEMON = 'http://127.0.0.1:7710';

export const defaultSettings: Readonly<Settings> = Object.freeze({
  daemon: DEFAULT_DAEMON,
  paused: false,
  readingMode: 'visible',
  seconds: 5,
  notifications: false,
  deny: [],
  allow: [],
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

function domainList(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  const out = new Set<string>();
  for (const d of v) {
    if (typeof d !== 'string') continue;
    const s = siteOf(d);
    if (s) out.add(s);
  }
  return [...out].sort();
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
    deny: domainList(r.deny),
    allow: domainList(r.allow),
  };
}

/** Says whether a page may be captured under these settings. */
export function mayCapture(s: Settings, pageURL: string): boolean {
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
  if (domain === '' || s.deny.includes(domain)) return false;
  return s.allow.length === 0 || s.allow.includes(domain);
}
