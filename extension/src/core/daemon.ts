// The daemon's answers, as the wire contract (shared/PROTOCOL.md) spells
// them. Only what the extension reads is typed here.
import type { Block } from './canonical';

export type Significance = 'trivial' | 'minor' | 'substantive';

/** What changed between two versions, in numbers. */
export type Summary = {
  title_changed: boolean;
  byline_changed: boolean;
  blocks_added: number;
  blocks_removed: number;
  blocks_changed: number;
  blocks_moved?: number;
  words_added: number;
  words_removed: number;
  correction: boolean;
  /** A page layout change: only blocks the extraction missed or found on an unchanged page. */
  layout?: boolean;
  significance: Significance;
};

/** POST /api/v1/captures body. */
/** What the reader did before the capture. */
export type Reading = { dwell_ms: number; scroll: number };

export type Capture = {
  url: string;
  canonical_url?: string;
  title: string;
  byline?: string;
  site_name?: string;
  published_time?: string;
  lang?: string;
  blocks: Block[];
  captured_at: string;
  source: 'browser';
  extractor: string;
  reading?: Reading;
  /** The visible text of the whole page (its description first), at most MAX_PAGE_TEXT_BYTES. */
  page_text?: string;
};

export type CaptureResponse = {
  article_id: number;
  version: number;
  status: 'new' | 'changed' | 'unchanged';
  changed_since_read: Summary | null;
};

export type UnseenChange = { event_id: number; from_version: number; to_version: number; at: string; significance: Significance };

export type Article = {
  id: number;
  url: string;
  title: string;
  title_was?: string;
  versions: number;
  seen: number;
  unseen?: UnseenChange[];
  read: { version: number; at?: string };
  /** How the daemon re-checks it (shared/PROTOCOL.md, "The watch in the Article"). */
  watch?: Watch;
};

/** Re-checks through the browser, as the daemon keeps them (GET/POST /api/v1/settings/recheck). */
export type RecheckSettings = { enabled: boolean; daily_budget: number; sites: string[]; used_today: number };

/** The result of one check (by fetch, or through the browser). */
export type CheckResult = { outcome: string; at: string; version?: number; event_id?: number; reason?: string; message: string; via?: 'browser' };

/** The part of an article's watch the extension shows. */
export type Watch = {
  state: string;
  via?: 'browser';
  /** Re-checks through the browser: "waiting for your browser", "checked through your browser …". */
  browser?: { state: 'waiting' | 'running' | 'idle'; since?: string; last_checked?: string; message?: string };
  last_result?: CheckResult;
};

/** An entry of the event log, pushed over the WebSocket. */
export type ArticleEvent = {
  event_id: number;
  type: 'article.changed' | 'article.seen' | string;
  article_id: number;
  url: string;
  title: string;
  /** The headline the reader read, when the change replaced it. */
  title_was?: string;
  from_version?: number;
  to_version?: number;
  version?: number;
  revert_of?: number;
  summary?: Summary;
  at: string;
};

export type Span = { op: 'equal' | 'insert' | 'delete'; text: string };

export type DiffOp = {
  op: 'equal' | 'insert' | 'delete' | 'change' | 'move';
  old?: number;
  new?: number;
  kind: Block['kind'];
  text?: string;
  spans?: Span[];
  noise?: boolean;
};

/** GET /api/v1/articles/{id}/diff. */
export type Diff = {
  article_id: number;
  url: string;
  from: { number: number; title: string; captured_at: string };
  to: { number: number; title: string; captured_at: string };
  title: Span[];
  byline: Span[];
  ops: DiffOp[];
  summary: Summary;
};
