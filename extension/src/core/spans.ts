// A diff's word spans as DOM, for the banner and the popup: deletions
// struck, insertions marked. Captured text is hostile: it goes in only as
// text nodes and textContent, never as HTML.
import type { Span } from './daemon';

/** Appends word spans to parent: deletions struck, insertions marked. */
export function appendSpans(doc: Document, parent: Element, spans: readonly Span[]): void {
  for (const s of spans) {
    if (s.op === 'delete' || s.op === 'insert') {
      const e = doc.createElement(s.op === 'delete' ? 'del' : 'ins');
      e.textContent = s.text;
      parent.append(e);
    } else {
      parent.append(doc.createTextNode(s.text));
    }
  }
}
