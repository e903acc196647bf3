// The in-page notice: "This article changed since you read it", what
// changed in words, when, "Show changes" (an inline diff, in reading
// order: deletions struck, insertions marked), "Show all changes" (the
// article's page in the dashboard, which the background opens logged in)
// and "Dismiss". It lives in a
// closed shadow root so the site's CSS cannot break it and its scripts
// cannot read it. Captured text is hostile: it is only ever inserted with
// textContent, never as HTML.
import type { Diff, DiffOp } from '../core/daemon';
import type { BannerModel } from '../core/messages';
import { appendSpans } from '../core/spans';
import { describeChange, timeAgo } from '../core/summary';

export const HEADLINE = 'This article changed since you read it';

export type BannerActions = {
  /** Loads the diff, or says why it could not. */
  diff: (articleId: number) => Promise<Diff | string>;
  /** Marks the change seen; resolves with an error message, or null. */
  dismiss: (articleId: number, version: number) => Promise<string | null>;
  /** Opens the article's page in the dashboard; resolves with an error message, or null. */
  dashboard: (articleId: number) => Promise<string | null>;
};

const CSS = `
:host { all: initial; }
.bar { box-sizing: border-box; position: fixed; inset: 0 0 auto 0; z-index: 2147483647; max-height: 75vh; overflow: auto;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1b1b; background: #fff8e6;
  border-bottom: 3px solid #c62828; box-shadow: 0 2px 10px rgba(0,0,0,.25); padding: 10px 16px; }
.row { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 14px; }
strong { font-weight: 700; color: #b71c1c; }
.when { color: #555; }
.actions { margin-left: auto; display: flex; gap: 8px; }
button { font: inherit; font-size: 14px; padding: 3px 12px; border-radius: 4px; border: 1px solid #888; background: #fff; color: #1b1b1b; cursor: pointer; }
button:focus-visible { outline: 2px solid #1565c0; outline-offset: 2px; }
.diff { margin-top: 10px; padding-top: 8px; border-top: 1px solid #e0c98f; max-width: 48em; }
.diff p, .diff h2 { margin: 0 0 .7em; }
.diff h2 { font-size: 1.15em; }
.diff .equal { color: #555; }
del { background: #ffdcdc; color: #7a0000; text-decoration: line-through; }
ins { background: #d7f5dc; color: #0b4f18; text-decoration: none; border-bottom: 1px solid #2e7d32; }
.note { font-size: 12px; color: #555; text-transform: uppercase; letter-spacing: .04em; margin-right: 6px; }
.error { color: #b71c1c; }
`;

function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = doc.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function opBlock(doc: Document, op: DiffOp): HTMLElement {
  const p = el(doc, op.kind === 'h' ? 'h2' : 'p');
  switch (op.op) {
    case 'equal':
      p.className = 'equal';
      p.textContent = op.text ?? '';
      break;
    case 'insert':
      p.append(el(doc, 'span', 'note', 'added'), el(doc, 'ins', undefined, op.text ?? ''));
      break;
    case 'delete':
      p.append(el(doc, 'span', 'note', 'removed'), el(doc, 'del', undefined, op.text ?? ''));
      break;
    case 'change':
      appendSpans(doc, p, op.spans ?? []);
      break;
    case 'move':
      p.append(el(doc, 'span', 'note', 'moved'));
      if (op.spans && op.spans.length > 0) appendSpans(doc, p, op.spans);
      else p.append(doc.createTextNode(op.text ?? ''));
      break;
  }
  return p;
}

/** Renders a diff in the new version's reading order. */
export function renderDiff(doc: Document, d: Diff): HTMLElement {
  const box = el(doc, 'div', 'diff');
  if (d.title.some((s) => s.op !== 'equal')) {
    const h = el(doc, 'h2');
    h.append(el(doc, 'span', 'note', 'headline'));
    appendSpans(doc, h, d.title);
    box.append(h);
  }
  for (const op of d.ops) box.append(opBlock(doc, op));
  return box;
}

export class Banner {
  #doc: Document;
  #actions: BannerActions;
  #host: HTMLElement | null = null;
  #root: ShadowRoot | null = null;
  model: BannerModel | null = null;

  constructor(doc: Document, actions: BannerActions) {
    this.#doc = doc;
    this.#actions = actions;
  }

  show(model: BannerModel, now = new Date()): void {
    const doc = this.#doc;
    const what = describeChange(model.summary);
    if (what === '') return;
    this.model = model;
    if (!this.#host || !this.#host.isConnected) {
      this.#host = doc.createElement('redline-banner');
      this.#root = this.#host.attachShadow({ mode: 'closed' });
      doc.documentElement.append(this.#host);
    }
    const root = this.#root!;
    root.replaceChildren();
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch {
      root.append(el(doc, 'style', undefined, CSS));
    }
    const bar = el(doc, 'div', 'bar');
    bar.setAttribute('role', 'region');
    bar.setAttribute('aria-label', 'Redline');
    const row = el(doc, 'div', 'row');
    const show = el(doc, 'button', undefined, 'Show changes');
    const all = el(doc, 'button', undefined, 'Show all changes');
    const dismiss = el(doc, 'button', undefined, 'Dismiss');
    const actions = el(doc, 'span', 'actions');
    actions.append(show, all, dismiss);
    row.append(el(doc, 'strong', undefined, HEADLINE), el(doc, 'span', 'what', what), el(doc, 'span', 'when', `changed ${timeAgo(model.at, now)}`), actions);
    bar.append(row);
    root.append(bar);

    let open: HTMLElement | null = null;
    show.addEventListener('click', async () => {
      if (open) {
        open.remove();
        open = null;
        show.textContent = 'Show changes';
        return;
      }
      show.disabled = true;
      const d = await this.#actions.diff(model.articleId);
      show.disabled = false;
      open = typeof d === 'string' ? el(doc, 'div', 'diff error', d) : renderDiff(doc, d);
      bar.append(open);
      show.textContent = 'Hide changes';
    });
    all.addEventListener('click', async () => {
      all.disabled = true;
      const err = await this.#actions.dashboard(model.articleId);
      all.disabled = false;
      if (err !== null) row.append(el(doc, 'span', 'error', err));
    });
    dismiss.addEventListener('click', async () => {
      dismiss.disabled = true;
      const err = await this.#actions.dismiss(model.articleId, model.version);
      if (err === null) {
        this.hide();
        return;
      }
      dismiss.disabled = false;
      row.append(el(doc, 'span', 'error', err));
    });
  }

  hide(): void {
    this.#host?.remove();
    this.#host = null;
    this.#root = null;
    this.model = null;
  }
}
