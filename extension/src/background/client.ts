// Talks to the daemon over HTTP. Only the background does: requests from a
// content script would count as the web page's own (and Chrome asks the
// user before a page may reach loopback).
import type { Article, Capture, CaptureResponse, CheckResult, Diff, RecheckSettings } from '../core/daemon';
import type { AlertOn } from '../core/alerts';
import type { SiteRules } from '../core/settings';
import type { RecheckAnswer } from './recheck';

/** The daemon answered with an error (status and its message), or did not answer (status 0). */
export class DaemonError extends Error {
  status: number;
  code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** What an error says to the user; fallback when it says nothing. */
export const messageOf = (e: unknown, fallback: string): string => (e instanceof Error ? e.message : fallback);

const TIMEOUT_MS = 15_000;

export class DaemonClient {
  base: string;
  token: string;

  constructor(base: string, token: string) {
    this.base = base;
    this.token = token;
  }

  async #call<T>(method: string, path: string, body?: unknown, auth = true): Promise<T> {
    const headers: Record<string, string> = {};
    if (auth) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let resp: Response;
    try {
      resp = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw new DaemonError(0, 'unreachable', `Redline is not running at ${this.base}: start it with \`make run\` in the project folder, or \`redline serve\`.`);
    }
    if (resp.status === 204) return undefined as T;
    let json: unknown;
    try {
      json = await resp.json();
    } catch {
      json = undefined;
    }
    if (!resp.ok) {
      const e = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new DaemonError(resp.status, e?.code ?? 'error', e?.message ?? `the daemon answered ${resp.status}`);
    }
    return json as T;
  }

  capture(c: Capture): Promise<CaptureResponse> {
    return this.#call('POST', '/api/v1/captures', c);
  }

  /** The article stored under any form of url, or null. */
  async lookup(url: string): Promise<Article | null> {
    try {
      return await this.#call<Article>('GET', `/api/v1/articles?url=${encodeURIComponent(url)}`);
    } catch (e) {
      if (e instanceof DaemonError && e.status === 404) return null;
      throw e;
    }
  }

  article(id: number): Promise<Article> {
    return this.#call('GET', `/api/v1/articles/${id}`);
  }

  diff(id: number): Promise<Diff> {
    return this.#call('GET', `/api/v1/articles/${id}/diff`);
  }

  seen(id: number, version: number): Promise<Article> {
    return this.#call('POST', `/api/v1/articles/${id}/seen`, { version });
  }

  forget(id: number): Promise<void> {
    return this.#call('DELETE', `/api/v1/articles/${id}`);
  }

  watch(url: string): Promise<unknown> {
    return this.#call('POST', '/api/v1/watches', { url });
  }

  /** The daemon's site lists (the one deny list the dashboard shows too). */
  siteRules(): Promise<SiteRules> {
    return this.#call('GET', '/api/v1/settings/sites');
  }

  /** Replaces the lists given; answers both lists as the daemon keeps them. */
  setSiteRules(lists: Partial<SiteRules>): Promise<SiteRules> {
    return this.#call('POST', '/api/v1/settings/sites', lists);
  }

  /** The daemon's alert policy (which changes alert the user). */
  async alertOn(): Promise<AlertOn> {
    return (await this.#call<{ alert_on: AlertOn }>('GET', '/api/v1/settings/alerts')).alert_on;
  }

  /** Changes the daemon's alert policy; answers it as kept. */
  async setAlertOn(p: AlertOn): Promise<AlertOn> {
    return (await this.#call<{ alert_on: AlertOn }>('POST', '/api/v1/settings/alerts', { alert_on: p })).alert_on;
  }

  /** The settings of re-checks through the browser. */
  recheckSettings(): Promise<RecheckSettings> {
    return this.#call('GET', '/api/v1/settings/recheck');
  }

  /** Replaces the settings given; answers them as the daemon keeps them. */
  setRecheckSettings(s: Partial<Omit<RecheckSettings, 'used_today'>>): Promise<RecheckSettings> {
    return this.#call('POST', '/api/v1/settings/recheck', s);
  }

  /** Answers a re-check job; the daemon answers with the check's result and the article. */
  answerRecheck(jobID: string, answer: RecheckAnswer): Promise<{ result: CheckResult; article: Article }> {
    return this.#call('POST', `/api/v1/rechecks/${encodeURIComponent(jobID)}`, answer);
  }

  /** A one-time login link to the dashboard's page next (a path such as "/articles/12"). */
  dashboardLogin(next: string): Promise<{ url: string; expires_at: string }> {
    return this.#call('POST', '/api/v1/dashboard/login', { next });
  }

  status(): Promise<{ version: string; articles: number }> {
    return this.#call('GET', '/api/v1/status');
  }

  /** Trades a one-time pairing code for the token. */
  claim(code: string): Promise<{ token: string }> {
    return this.#call('POST', '/api/v1/pair/claim', { code }, false);
  }

  eventsURL(): string {
    return `${this.base.replace(/^http/, 'ws')}/api/v1/events`;
  }
}
