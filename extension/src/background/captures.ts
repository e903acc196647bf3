// Captures on their way to the daemon: each goes into the persistent queue
// (queue.ts) for the daemon paired when it was read, and the queue is
// flushed to the paired daemon. A capture's answer may say the article
// changed since it was read: the tab that read it shows the banner when
// that change alerts under the user's policy.
import { summaryAlerts } from '../core/alerts';
import { canonicalURL } from '../core/canonical';
import type { Capture } from '../core/daemon';
import type { QueueView } from '../core/replies';
import { DaemonError } from './client';
import type { Config } from './config';
import type { AlertPolicy } from './policy';
import { CaptureQueue, type Queued, type SendResult } from './queue';
import { local } from './storage';
import type { Tabs } from './tabs';
import type { Unseen } from './unseen';

export type CapturesDeps = {
  config: Config;
  tabs: Tabs;
  unseen: Unseen;
  policy: AlertPolicy;
  /** The daemon did not answer: reconnect the event stream. */
  wake: () => void;
};

/** Two URLs of the same page (fragments, tracking parameters aside). */
function samePage(a: string, b: string): boolean {
  try {
    return canonicalURL(a) === canonicalURL(b);
  } catch {
    return false;
  }
}

/** A status the daemon answers a capture it will never take. */
const refusedForGood = (e: unknown): boolean => e instanceof DaemonError && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 408 && e.status !== 429;

export class Captures {
  #deps: CapturesDeps;
  #queue = new CaptureQueue(local);
  #flushing: Promise<number> | null = null;

  constructor(deps: CapturesDeps) {
    this.#deps = deps;
  }

  /** Gives captures an older version queued the daemon they were for (see CaptureQueue.migrate). */
  migrate(): Promise<void> {
    return this.#queue.migrate(this.#deps.config.daemon);
  }

  /** Queues a capture read in tabId, for the daemon paired now (none yet when unpaired), and sends what it can; true when some wait. */
  async add(capture: Capture, tabId: number | undefined): Promise<boolean> {
    await this.#queue.add(capture, tabId, this.#deps.config.daemon);
    await this.flush();
    const { waiting } = await this.#queue.status();
    return waiting > 0;
  }

  /** Sends the paired daemon's captures, in order; one flush at a time. Resolves with how many left the queue. */
  flush(): Promise<number> {
    const { config } = this.#deps;
    if (!config.paired) return Promise.resolve(0);
    this.#flushing ??= this.#queue.flush(config.settings.daemon, (q) => this.#send(q)).finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  async #send(q: Queued): Promise<SendResult> {
    const { config, tabs, unseen, policy } = this.#deps;
    // Only to the daemon it was queued for (the queue hands out no other; a
    // pairing may have changed since the flush began).
    if (!config.paired || q.daemon !== config.settings.daemon) return 'retry';
    try {
      const resp = await config.client().capture(q.capture);
      // The tab that read it, if it still shows that page (a queued capture
      // may arrive long after the reader moved on).
      const shown = q.tabId === undefined ? undefined : tabs.get(q.tabId)?.url;
      const tabId = shown !== undefined && samePage(shown, q.capture.url) ? q.tabId : undefined;
      await tabs.remember(tabId, { url: q.capture.url, articleId: resp.article_id });
      if (resp.changed_since_read && summaryAlerts(policy.on, resp.changed_since_read) && tabId !== undefined) {
        const at = unseen.of(resp.article_id)?.at ?? q.capture.captured_at;
        await tabs.tell(tabId, { type: 'banner.show', banner: { articleId: resp.article_id, version: resp.version, summary: resp.changed_since_read, at } });
      }
      return 'sent';
    } catch (e) {
      if (refusedForGood(e)) return 'rejected';
      if (e instanceof DaemonError && e.status === 0) this.#deps.wake();
      return 'retry';
    }
  }

  /** The captures waiting, as the extension's pages show them. */
  async view(): Promise<QueueView> {
    const q = await this.#queue.status();
    const mine = this.#deps.config.daemon;
    const elsewhere = Object.entries(q.byDaemon)
      .filter(([d]) => d !== mine)
      .map(([daemon, count]) => ({ daemon, count }));
    return { waiting: mine === undefined ? 0 : (q.byDaemon[mine] ?? 0), dropped: q.dropped, unpaired: q.unpaired, unpairedThrough: q.unpairedThrough, elsewhere };
  }

  /** A pairing takes the captures read while unpaired, up to seq through. */
  adopt(daemon: string, through: number): Promise<number> {
    return this.#queue.adopt(daemon, through);
  }

  /** Drops the captures waiting for daemon (null: those read while unpaired). */
  discard(daemon: string | null): Promise<number> {
    return this.#queue.discard(daemon);
  }
}
