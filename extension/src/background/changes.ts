// The changes the reader has not seen yet, folded from the daemon's event
// log: article.changed adds one, article.seen clears those up to its
// version. Every non-trivial change is kept, minor ones too; only those
// that alert under the user's policy (core/alerts.ts) are shown: the badge
// counts the articles that have one, and the list holds them.
import { type AlertOn, DEFAULT_ALERT_ON, summaryAlerts } from '../core/alerts';
import type { ArticleEvent, Summary } from '../core/daemon';

export type Change = {
  articleId: number;
  url: string;
  /** The newest headline, and the one the reader read if it changed. */
  title: string;
  titleWas?: string;
  /** The version the reader had before the oldest unseen change. */
  from: number;
  /** The newest changed version. */
  to: number;
  summary: Summary;
  at: string;
};

export type Changes = { lastEventID: number; byArticle: Record<string, Change> };

export const emptyChanges = (): Changes => ({ lastEventID: 0, byArticle: {} });

/** Returns the state after event e (e is ignored when already applied). */
export function applyEvent(state: Changes, e: ArticleEvent): Changes {
  if (e.event_id <= state.lastEventID) return state;
  const byArticle = { ...state.byArticle };
  const key = String(e.article_id);
  const prev = byArticle[key];
  if (e.type === 'article.changed' && e.summary && e.summary.significance !== 'trivial' && e.to_version) {
    byArticle[key] = {
      articleId: e.article_id,
      url: e.url,
      title: e.title,
      ...(e.title_was ? { titleWas: e.title_was } : {}),
      from: prev ? prev.from : (e.from_version ?? e.to_version - 1),
      to: e.to_version,
      summary: e.summary,
      at: e.at,
    };
  } else if (e.type === 'article.seen' && prev && (e.version ?? 0) >= prev.to) {
    delete byArticle[key];
  }
  return { lastEventID: e.event_id, byArticle };
}

/**
 * The article's unseen change when it alerts under the policy. Its summary
 * is the newest event's, which covers everything since the read: it alone
 * decides.
 */
export function alertingChange(state: Changes, articleId: number | string, policy: AlertOn = DEFAULT_ALERT_ON): Change | undefined {
  const c = state.byArticle[String(articleId)];
  return c && summaryAlerts(policy, c.summary) ? c : undefined;
}

/** The changes that alert under the policy, newest first. */
export function listChanges(state: Changes, policy: AlertOn = DEFAULT_ALERT_ON): Change[] {
  return Object.values(state.byArticle)
    .filter((c) => summaryAlerts(policy, c.summary))
    .sort((a, b) => b.at.localeCompare(a.at));
}

/** The badge text: the number of articles with unseen changes that alert under the policy, '' for none. */
export function badgeText(state: Changes, policy: AlertOn = DEFAULT_ALERT_ON): string {
  const n = listChanges(state, policy).length;
  return n === 0 ? '' : n > 99 ? '99+' : String(n);
}
