// Notifications of changes that happen while the browser runs. They are an
// optional permission: the API appears once the user grants it in the
// options, so the click listener is added when it exists. A click opens
// the article's page in the dashboard, logged in (see dashboard.ts).
import { ext } from '../core/browser';
import type { Summary } from '../core/daemon';
import { describeChange } from '../core/summary';

const ID = /^redline-article-(\d+)$/;

export class Notifier {
  #listening = false;
  #clicked: (articleId: number) => Promise<unknown>;

  /** clicked: what a click on an article's notification does. */
  constructor(clicked: (articleId: number) => Promise<unknown>) {
    this.#clicked = clicked;
  }

  /** Opens what a notification names when it is clicked. */
  listen(): void {
    if (this.#listening || !ext.notifications) return;
    this.#listening = true;
    ext.notifications.onClicked.addListener((id) => {
      const m = ID.exec(id);
      if (m) void this.#clicked(Number(m[1]));
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
