// Says in words what changed, for the banner, the popup and notifications:
// "Headline changed · 2 paragraphs edited · correction added".
import type { Summary } from './daemon';

const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** Returns the change in words, most telling first; '' for a trivial change. */
export function describeChange(s: Summary): string {
  if (s.significance === 'trivial') return '';
  const parts: string[] = [];
  if (s.title_changed) parts.push('headline changed');
  if (s.byline_changed) parts.push('byline changed');
  if (s.blocks_changed > 0) parts.push(`${count(s.blocks_changed, 'paragraph', 'paragraphs')} edited`);
  if (s.blocks_added > 0) parts.push(`${count(s.blocks_added, 'paragraph', 'paragraphs')} added`);
  if (s.blocks_removed > 0) parts.push(`${count(s.blocks_removed, 'paragraph', 'paragraphs')} removed`);
  if ((s.blocks_moved ?? 0) > 0) parts.push(`${count(s.blocks_moved ?? 0, 'paragraph', 'paragraphs')} moved`);
  if (s.correction) parts.push('correction added');
  if (parts.length === 0) {
    const words = s.words_added + s.words_removed;
    parts.push(words > 0 ? `${count(words, 'word', 'words')} changed` : 'wording changed');
  }
  const text = parts.join(' · ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Says how long ago `at` was, in the reader's words: "5 minutes ago". */
export function timeAgo(at: string | Date, now: Date): string {
  const t = typeof at === 'string' ? new Date(at) : at;
  const sec = Math.round((now.getTime() - t.getTime()) / 1000);
  if (!Number.isFinite(sec)) return '';
  if (sec < 60) return 'just now';
  const min = Math.floor(sec / 60);
  if (min < 60) return `${count(min, 'minute', 'minutes')} ago`;
  const hours = Math.floor(min / 60);
  if (hours < 24) return `${count(hours, 'hour', 'hours')} ago`;
  const days = Math.floor(hours / 24);
  if (days < 31) return `${count(days, 'day', 'days')} ago`;
  return `on ${t.toLocaleDateString('en', { day: 'numeric', month: 'short', year: 'numeric' })}`;
}
