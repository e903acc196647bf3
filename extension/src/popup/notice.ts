import type { Watch } from '../core/daemon';
import { timeAgo } from '../core/summary';

/**
 * What the popup says of the page in the current tab when Redline checks it
 * through this browser: "checked through your browser 12 minutes ago",
 * "waiting for your browser"; null when it does not.
 */
export function browserCheckLine(w: Watch | undefined, now: Date): string | null {
  const b = w?.browser;
  if (!w || (w.via !== 'browser' && !b)) return null;
  if (b?.state === 'waiting') return b.message && b.message.startsWith('waiting for your browser') ? b.message[0]!.toUpperCase() + b.message.slice(1) + '.' : 'Waiting for your browser.';
  if (b?.state === 'running') return 'Your browser is checking it now.';
  if (b?.last_checked) return `Checked through your browser ${timeAgo(b.last_checked, now)}.`;
  return 'Checked through your browser: the first check is coming.';
}

// What the popup's notice says about pairing, the daemon and the captures
// waiting for it. Commands are between backticks: the popup shows them as
// code.

export type PopupState = {
  paired: boolean;
  connection: string;
  /** waiting: for the paired daemon; unpaired: read while unpaired; elsewhere: for other daemons. */
  queue: { waiting: number; dropped: number; unpaired: number; elsewhere: { daemon: string; count: number }[] };
};

/** What the notice under the header says, commands between backticks. */
export function noticeLines(st: PopupState): string[] {
  const notes: string[] = [];
  const count = (n: number): string => `${n} capture${n === 1 ? '' : 's'}`;
  const u = st.queue.unpaired;
  if (!st.paired) {
    notes.push('Run `redline pair` on this computer, open the link it prints and confirm in the Redline tab, or enter the token in Options.');
    if (u > 0) notes.push(`${count(u)} waiting: ${u === 1 ? 'it reaches' : 'they reach'} the daemon you confirm when pairing.`);
  } else {
    if (st.connection === 'offline') notes.push('Start the daemon: `make run` in the project folder, or `redline serve`.');
    if (st.queue.waiting > 0) notes.push(`${count(st.queue.waiting)} waiting for the daemon.`);
    if (u > 0) notes.push(`${count(u)} read while Redline was not paired: run \`redline pair\` and confirm to send them, or discard them in Options.`);
  }
  for (const g of st.queue.elsewhere) notes.push(`${count(g.count)} waiting for the daemon at ${g.daemon}: sent only if Redline is paired with it again.`);
  if (st.queue.dropped > 0) notes.push(`${st.queue.dropped} older capture${st.queue.dropped === 1 ? ' was' : 's were'} dropped: the queue was full.`);
  return notes;
}

