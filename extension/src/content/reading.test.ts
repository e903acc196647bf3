import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { waitForReading } from './reading';

/** A tab the test controls: its clock, visibility, scroll position and size. */
function tab(opts: { visible: boolean; pageHeight: number }) {
  const listeners = new Map<string, Set<() => void>>();
  const on = (type: string, fn: () => void) => {
    if (!listeners.has(type)) listeners.set(type, new Set());
    listeners.get(type)!.add(fn);
  };
  const off = (type: string, fn: () => void) => listeners.get(type)?.delete(fn);
  const fire = (type: string) => [...(listeners.get(type) ?? [])].forEach((fn) => fn());
  let now = 0;
  const doc = {
    visibilityState: opts.visible ? 'visible' : 'hidden',
    documentElement: { scrollHeight: opts.pageHeight },
    body: { scrollHeight: opts.pageHeight },
    addEventListener: on,
    removeEventListener: off,
  };
  const win = { scrollY: 0, innerHeight: 800, performance: { now: () => now }, addEventListener: on, removeEventListener: off };
  return {
    win: win as unknown as Window,
    doc: doc as unknown as Document,
    /** Time passes, for the clock and the timers alike. */
    pass(ms: number) {
      now += ms;
      mock.timers.tick(ms);
    },
    show(visible: boolean) {
      doc.visibilityState = visible ? 'visible' : 'hidden';
      fire('visibilitychange');
    },
    scrollTo(y: number) {
      win.scrollY = y;
      fire('scroll');
    },
    listening: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
  };
}

/** Resolves to the reading once waitForReading has resolved, or null if it has not yet. */
function track(p: Promise<{ dwell_ms: number; scroll: number }>) {
  let got: { dwell_ms: number; scroll: number } | null = null;
  void p.then((r) => (got = r));
  return async () => {
    await new Promise<void>((r) => setImmediate(r));
    return got;
  };
}

test('visible mode: read after the tab was visible for the threshold in all; hidden time does not count', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const t = tab({ visible: true, pageHeight: 5000 });
    const result = track(waitForReading(t.win, t.doc, { mode: 'visible', seconds: 5 }));
    t.pass(3000);
    t.show(false);
    t.pass(60_000);
    assert.equal(await result(), null, 'a hidden tab is not being read');
    t.show(true);
    t.pass(1999);
    assert.equal(await result(), null);
    t.pass(1);
    assert.deepEqual(await result(), { dwell_ms: 5000, scroll: 0.16 });
    assert.equal(t.listening(), 0, 'no listener is left behind');
  } finally {
    mock.timers.reset();
  }
});

test('scroll mode: read after a screen scrolled, however long it took', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const t = tab({ visible: true, pageHeight: 5000 });
    const result = track(waitForReading(t.win, t.doc, { mode: 'scroll', seconds: 5 }));
    t.pass(60_000);
    assert.equal(await result(), null, 'time alone does not count');
    t.scrollTo(300);
    assert.equal(await result(), null);
    t.scrollTo(700);
    assert.deepEqual(await result(), { dwell_ms: 60_000, scroll: 0.3 });
  } finally {
    mock.timers.reset();
  }
});

test('scroll mode: a page too short to scroll is read once visible long enough', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const t = tab({ visible: true, pageHeight: 600 });
    const result = track(waitForReading(t.win, t.doc, { mode: 'scroll', seconds: 5 }));
    t.pass(4999);
    assert.equal(await result(), null);
    t.pass(1);
    assert.deepEqual(await result(), { dwell_ms: 5000, scroll: 1 });
  } finally {
    mock.timers.reset();
  }
});
