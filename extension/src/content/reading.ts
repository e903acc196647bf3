// Waits until the reader is really reading, as the settings define it:
// the tab was visible for some seconds in all, or the reader scrolled a
// screen into the page. Resolves with what the reader did.
import type { Reading } from '../core/messages';

export type Threshold = { mode: 'visible' | 'scroll'; seconds: number };

/** The share of the page the reader has seen, 0 to 1. */
export function scrollDepth(win: Window, doc: Document): number {
  const height = Math.max(doc.documentElement.scrollHeight, doc.body?.scrollHeight ?? 0);
  if (height <= 0) return 1;
  return Math.min(1, Math.max(0, (win.scrollY + win.innerHeight) / height));
}

export function waitForReading(win: Window, doc: Document, t: Threshold): Promise<Reading> {
  return new Promise((resolve) => {
    let visibleMs = 0;
    let since = doc.visibilityState === 'visible' ? win.performance.now() : -1;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let maxScroll = scrollDepth(win, doc);
    const startScroll = win.scrollY;
    const dwell = (): number => visibleMs + (since >= 0 ? win.performance.now() - since : 0);
    const done = (): void => {
      clearTimeout(timer);
      doc.removeEventListener('visibilitychange', onVisibility);
      win.removeEventListener('scroll', onScroll);
      resolve({ dwell_ms: Math.round(dwell()), scroll: Math.round(maxScroll * 1000) / 1000 });
    };
    // A page too short to scroll is read once it was visible long enough.
    const fits = (): boolean => doc.documentElement.scrollHeight <= win.innerHeight + 1;
    const arm = (): void => {
      clearTimeout(timer);
      if ((t.mode !== 'visible' && !fits()) || since < 0) return;
      timer = setTimeout(() => (dwell() >= t.seconds * 1000 ? done() : arm()), Math.max(0, t.seconds * 1000 - dwell()));
    };
    const onVisibility = (): void => {
      if (doc.visibilityState === 'visible') {
        if (since < 0) since = win.performance.now();
      } else if (since >= 0) {
        visibleMs += win.performance.now() - since;
        since = -1;
      }
      arm();
    };
    const onScroll = (): void => {
      maxScroll = Math.max(maxScroll, scrollDepth(win, doc));
      if (t.mode === 'scroll' && (win.scrollY - startScroll >= win.innerHeight * 0.8 || maxScroll >= 0.98)) done();
    };
    doc.addEventListener('visibilitychange', onVisibility);
    win.addEventListener('scroll', onScroll, { passive: true });
    arm();
  });
}
