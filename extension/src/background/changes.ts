// The changes the reader has not seen yet, folded from the daemon's event
// log: article.changed adds one, article.seen clears those up to its
// version. The badge shows how many articles have one.
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

/** The changes, newest first. */
export function listChanges(state: Changes): Change[] {
  return Object.values(state.byArticle).sort((a, b) => b.at.localeCompare(a.at));
}

/** The badge text: the number of articles with unseen changes, '' for none. */
export function badgeText(state: Changes): string {
  const n = Object.keys(state.byArticle).length;
  return n === 0 ? '' : n > 99 ? '99+' : String(n);
}
