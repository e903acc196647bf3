// What the popup's notice says about pairing, the daemon and the captures
// waiting for it. Commands are between backticks: the popup shows them as
// code.

export type PopupState = { paired: boolean; connection: string; queue: { waiting: number; dropped: number } };

/** What the notice under the header says, commands between backticks. */
export function noticeLines(st: PopupState): string[] {
  const notes: string[] = [];
  const n = st.queue.waiting;
  const captures = `${n} capture${n === 1 ? '' : 's'}`;
  if (!st.paired) {
    notes.push('Run `redline pair` on this computer and open the link it prints, or enter the token in Options.');
    if (n > 0) notes.push(`${captures} waiting: ${n === 1 ? 'it reaches' : 'they reach'} the daemon once Redline is paired.`);
  } else {
    if (st.connection === 'offline') notes.push('Start the daemon: `make run` in the project folder, or `redline serve`.');
    if (n > 0) notes.push(`${captures} waiting for the daemon.`);
  }
  if (st.queue.dropped > 0) notes.push(`${st.queue.dropped} older capture${st.queue.dropped === 1 ? ' was' : 's were'} dropped: the queue was full.`);
  return notes;
}

