// Notifications of changes that happen while the browser runs. They are an
// optional permission: the API appears once the user grants it in the
// options, so the click listener is added when it exists.
import { ext } from '../core/browser';
import type { Summary } from '../core/daemon';
import { describeChange } from '../core/summary';

const ID = /^redline-article-(\d+)$/;

export class Notifier {
  #listening = false;
  #urlOf: (articleId: string) => string | undefined;

  /** urlOf: where a click on an article's notification goes (nowhere once its change is seen). */
  constructor(urlOf: (articleId: string) => string | undefined) {
    this.#urlOf = urlOf;
  }

  /** Opens the article a notification names when it is clicked. */
  listen(): void {
    if (this.#listening || !ext.notifications) return;
    this.#listening = true;
    ext.notifications.onClicked.addListener((id) => {
      const m = ID.exec(id);
      const url = m ? this.#urlOf(m[1]!) : undefined;
      if (url !== undefined) void ext.tabs.create({ url });
    });
  }

  /** Says that the article changed, in the banner's words; nothing for a trivial change. */
  async notify(articleId: number, title: string, summary: Summary): Promise<void> {
    const what = describeChange(summary);
    if (what === '') return;
    this.listen();
    await ext.notifications
      ?.create(`redline-article-${articleId}`, { type: 'basic', iconUrl: ext.runtime.getURL('icon-128.png'), title: `Changed since you read it: ${title}`.slice(0, 200), message: what })
      .catch(() => undefined);
  }
}
