// What the pairing confirmation page says about the captures waiting in
// the queue: which would go to the daemon it would pair with, and which
// stay for another daemon.

/** The queue as the background shows it (waiting: for the daemon paired now). */
export type QueueView = { waiting: number; unpaired: number; unpairedThrough: number; elsewhere: { daemon: string; count: number }[] };

const captures = (n: number): string => `${n} capture${n === 1 ? '' : 's'}`;

/** The sentences about the waiting captures: what would go to address, and what stays. */
export function waitingLines(address: string, paired: string | null, q: QueueView): string[] {
  const lines: string[] = [];
  if (q.unpaired > 0) lines.push(`${captures(q.unpaired)} read while Redline was not paired would be sent to it.`);
  const forIt = (paired === address ? q.waiting : 0) + (q.elsewhere.find((g) => g.daemon === address)?.count ?? 0);
  if (forIt > 0) lines.push(`${captures(forIt)} read while paired with it before would be sent to it.`);
  const stay = [...(paired !== null && paired !== address && q.waiting > 0 ? [{ daemon: paired, count: q.waiting }] : []), ...q.elsewhere.filter((g) => g.daemon !== address)];
  for (const g of stay) lines.push(`${captures(g.count)} waiting for the daemon at ${g.daemon} ${g.count === 1 ? 'stays' : 'stay'} for it.`);
  if (lines.length === 0) lines.push('No capture waits to be sent.');
  return lines;
}
