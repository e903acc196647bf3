// Package watch re-checks the articles a user read: a schedule that
// decays with the time since an article last changed, a due index in the
// store so that a tick reads only what is due, a fetcher a site operator
// would not mind (one request at a time per host, spacing, backoff,
// conditional requests, limits), server-side extraction into the same
// blocks as browser captures, and the judgement of whether a fetch shows
// the article at all (paywalls, logins, consent pages and bot checks never
// raise alerts).
package watch

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/reading"
	"redline/daemon/internal/store"
)

// Options set up a Watcher. Zero values take the defaults.
type Options struct {
	// Schedule is used until the user saves another (settings in the
	// store win).
	Schedule *Schedule
	// Workers bounds how many scheduled fetches run at once (default 4).
	Workers int
	// Spacing is the pause between the end of one scheduled request to a
	// host and the start of the next (default 5 s).
	Spacing time.Duration
	// Quality decides when a fetch is too poor to be the article.
	Quality Quality
	// Clock is the time; tests drive it. Default time.Now.
	Clock func() time.Time
	// Random returns numbers in [0, 1) for the schedule's jitter.
	Random func() float64
	Logger *slog.Logger
	// Checked, if set, is called after each check is recorded, with the
	// article as the check left it. It must not block for long.
	Checked func(article.Article, article.CheckResult)
	// WatchChanged, if set, is called with an article's id after its watch
	// changed: a check was recorded, or a re-check job through the browser
	// was opened, taken, sent back or dropped (the dashboard's article page
	// follows it live). It must not block.
	WatchChanged func(articleID int64)
	// Reading files the pages fetched; nil makes one over the store.
	Reading *reading.Service
	// Lease is how long a browser may hold a re-check job (default
	// DefaultLease).
	Lease time.Duration
}

// Defaults of Options.
const (
	DefaultWorkers = 4
	DefaultSpacing = 5 * time.Second
)

// maxWait bounds how long the loop sleeps, so that a clock that jumped
// (a laptop waking up) is noticed within it.
const maxWait = time.Minute

// dueBatch is how many due checks one read of the index takes.
const dueBatch = 64

// Watcher schedules and runs checks. Run ties its loop to a context;
// CheckNow, Track, Pause and Resume serve the user's requests.
type Watcher struct {
	store   *store.Store
	reading *reading.Service
	fetch   *Fetcher
	hosts   *hosts
	workers int
	quality Quality
	now     func() time.Time
	random  func() float64
	log     *slog.Logger
	checked func(article.Article, article.CheckResult)
	moved   func(articleID int64)

	schedMu  sync.RWMutex
	schedule Schedule

	mu       sync.Mutex
	running  int           // scheduled checks in flight
	inflight map[int64]int // checks in flight per article (scheduled and asked for)
	storeErr error         // why the store took no writes when last asked

	wake  chan struct{}
	owned sync.WaitGroup // every check this watcher started

	// browsers are the re-check jobs for the reader's browser and the
	// extensions connected to take them.
	browsers *browsers
}

// New returns a Watcher over st that fetches with f. The store plans and
// announces checks through it: give Plan and Wake to store.Options (the
// daemon binds them once the watcher is made).
func New(st *store.Store, f *Fetcher, o Options) (*Watcher, error) {
	w := &Watcher{
		store: st, reading: o.Reading, fetch: f, workers: o.Workers, quality: o.Quality.withDefaults(),
		now: o.Clock, random: o.Random, log: o.Logger, checked: o.Checked, moved: o.WatchChanged,
		inflight: map[int64]int{}, wake: make(chan struct{}, 1), browsers: newBrowsers(o.Lease),
	}
	if w.workers <= 0 {
		w.workers = DefaultWorkers
	}
	if w.reading == nil {
		w.reading = reading.New(reading.Config{Store: st})
	}
	spacing := o.Spacing
	if spacing == 0 {
		spacing = DefaultSpacing
	}
	w.hosts = newHosts(max(spacing, 0))
	if w.now == nil {
		w.now = time.Now
	}
	if w.random == nil {
		w.random = rand.Float64
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	w.schedule = DefaultSchedule()
	if o.Schedule != nil {
		w.schedule = *o.Schedule
	}
	var saved Schedule
	found, err := st.WatchSettings(&saved)
	if err != nil {
		return nil, err
	}
	if found {
		if err := saved.Validate(); err != nil {
			w.log.Warn("saved schedule is not valid; using the default", "err", err)
		} else {
			w.schedule = saved
		}
	}
	if err := w.schedule.Validate(); err != nil {
		return nil, err
	}
	if err := w.loadRecheck(); err != nil {
		return nil, err
	}
	return w, nil
}

// Plan is the store's Planner (store.Options.Plan): the next check of a by
// the schedule.
func (w *Watcher) Plan(a *article.Article, now time.Time) (time.Time, time.Time, bool) {
	return w.Schedule().Next(Since(a), now, w.random)
}

// Schedule returns the schedule in use.
func (w *Watcher) Schedule() Schedule {
	w.schedMu.RLock()
	defer w.schedMu.RUnlock()
	return w.schedule
}

// SetSchedule validates, saves and applies a schedule. Checks already
// planned keep their time; each plans the next by the new schedule.
func (w *Watcher) SetSchedule(ctx context.Context, s Schedule) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if err := w.store.SetWatchSettings(ctx, s); err != nil {
		return err
	}
	w.schedMu.Lock()
	w.schedule = s
	w.schedMu.Unlock()
	return nil
}

// Wake makes the loop look at the due index now. It never blocks.
func (w *Watcher) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run checks due articles until ctx ends, then waits for the checks in
// flight. Articles of older stores get a watch first.
func (w *Watcher) Run(ctx context.Context) {
	defer w.owned.Wait()
	if err := w.loadJobs(); err != nil {
		w.log.Error("read the re-check jobs for the browser", "err", err)
	}
	if err := w.sendOnce(ctx); err != nil {
		w.log.Error("send articles not checkable by fetch to the browser", "err", err)
	}
	w.owned.Add(1)
	go func() {
		defer w.owned.Done()
		w.runBrowsers(ctx)
	}()
	if err := w.store.BackfillWatches(ctx, w.now(), w.Plan); err != nil {
		w.log.Error("give older articles a watch", "err", err)
	}
	if w.fetch.opts.AllowPrivate {
		// Articles a daemon without --allow-private (or an offline
		// command) could not fetch are checkable now.
		switch n, err := w.store.ReviveForPrivate(ctx, w.now()); {
		case err != nil:
			w.log.Error("check again the articles on private addresses", "err", err)
		case n > 0:
			w.log.Info("checking again the articles on this computer or private networks (--allow-private)", "articles", n)
		}
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-w.wake:
		}
		considered := w.now()
		started, deferred := w.dispatch(ctx, considered, nil)
		timer.Reset(w.sleep(considered, started+deferred > 0))
	}
}

// sleep is how long the loop waits before it looks again: until the next
// check is due. Checks due at considered, when dispatch looked, that it
// left alone are in flight or wait for a worker: the end of a check wakes
// the loop for them.
func (w *Watcher) sleep(considered time.Time, progress bool) time.Duration {
	next, ok, err := w.store.NextDue()
	if err != nil {
		w.log.Error("read the next check", "err", err)
		return maxWait
	}
	switch {
	case !ok:
		return maxWait
	case next.After(considered):
		return min(max(next.Sub(w.now()), 0), maxWait)
	case progress:
		return 0
	}
	return maxWait
}

// TickReport says what one tick did.
type TickReport struct {
	// Checked counts the checks run; Deferred those moved later because
	// their host must wait.
	Checked, Deferred int
}

// Tick runs every check due now that politeness allows, and returns when
// they are done. Tests and benchmarks drive the watcher with it instead of
// Run.
func (w *Watcher) Tick(ctx context.Context) TickReport {
	var wg sync.WaitGroup
	started, deferred := w.dispatch(ctx, w.now(), &wg)
	wg.Wait()
	return TickReport{Checked: started, Deferred: deferred}
}

// dispatch starts the checks due at now whose host is free, within the
// worker limit. A due check whose host must wait (spacing, backoff, busy) is
// moved in the index to when the host is ready, behind the others of that
// host, so that the next read of the index does not meet it again.
func (w *Watcher) dispatch(ctx context.Context, now time.Time, wg *sync.WaitGroup) (started, deferred int) {
	if !w.canStore() {
		return 0, 0
	}
	for ctx.Err() == nil {
		w.mu.Lock()
		free := w.workers - w.running
		inflight := len(w.inflight)
		w.mu.Unlock()
		if free <= 0 {
			return started, deferred
		}
		due, err := w.store.DueWatches(now, dueBatch+inflight)
		if err != nil {
			w.log.Error("read due checks", "err", err)
			return started, deferred
		}
		later := map[int64]time.Time{}
		queued := map[string]int{}
		for _, d := range due {
			if free == 0 {
				break
			}
			if w.inFlight(d.ID) {
				continue
			}
			a, err := w.store.Article(d.ID)
			if err != nil {
				w.log.Warn("read a due article", "article", d.ID, "err", err)
				continue
			}
			// The index was read before a check that was in flight then
			// finished and planned the next: the article says so.
			if at := store.DueAt(a.Watch); at.IsZero() || at.After(now) {
				continue
			}
			if w.viaBrowser(&a) {
				// A job for the reader's browser: no request now, so no
				// turn of the host (the job takes one when a browser
				// takes it).
				if _, err := w.openJob(ctx, a, false); err != nil {
					w.log.Error("make a re-check job for the browser", "article", a.ID, "err", err)
				}
				continue
			}
			name := hostOf(a.URL)
			ok, ready := w.hosts.tryAcquire(name, now)
			if !ok {
				later[a.ID] = ready.Add(time.Duration(queued[name]) * w.hosts.spacing)
				queued[name]++
				continue
			}
			free--
			started++
			w.start(ctx, a, wg)
		}
		if len(later) > 0 {
			if err := w.store.Reschedule(ctx, later); err != nil {
				w.log.Error("defer checks", "err", err)
				return started, deferred
			}
			deferred += len(later)
		}
		if len(due) < dueBatch+inflight || len(later) == 0 {
			return started, deferred
		}
	}
	return started, deferred
}

// canStore reports whether the store takes writes. While it does not (a
// full or read-only disk) no check starts: a page fetched could not be
// kept, and the site would be asked for it again and again. The loop
// looks again within maxWait; the change is logged once each way.
func (w *Watcher) canStore() bool {
	err := w.store.Writable()
	w.mu.Lock()
	was := w.storeErr
	w.storeErr = err
	w.mu.Unlock()
	switch {
	case err != nil && was == nil:
		w.log.Warn("checks paused: "+article.ErrorMessage(err), "err", err)
	case err == nil && was != nil:
		w.log.Info("checks resumed: the store can be written again")
	}
	return err == nil
}

// watchMoved tells Options.WatchChanged that id's watch changed.
func (w *Watcher) watchMoved(id int64) {
	if w.moved != nil {
		w.moved(id)
	}
}

func (w *Watcher) inFlight(id int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.inflight[id] > 0
}

// start runs a scheduled check of a, whose host is taken, in a goroutine
// the watcher owns.
func (w *Watcher) start(ctx context.Context, a article.Article, wg *sync.WaitGroup) {
	w.mu.Lock()
	w.running++
	w.inflight[a.ID]++
	w.mu.Unlock()
	w.owned.Add(1)
	if wg != nil {
		wg.Add(1)
	}
	go func() {
		defer func() {
			w.mu.Lock()
			w.running--
			w.leave(a.ID)
			w.mu.Unlock()
			if wg != nil {
				wg.Done()
			}
			w.owned.Done()
			w.Wake()
		}()
		_, _, err := w.run(ctx, a, checkScheduled, "")
		switch {
		case err == nil, ctx.Err() != nil:
		case article.ErrorCode(err) == article.ENOTFOUND:
			w.log.Debug("article forgotten during its check", "article", a.ID)
		default:
			w.log.Error("check failed", "article", a.ID, "url", a.URL, "err", err)
		}
	}()
}

// leave drops one check of id from the in-flight count (w.mu held).
func (w *Watcher) leave(id int64) {
	if w.inflight[id]--; w.inflight[id] <= 0 {
		delete(w.inflight, id)
	}
}

// hostOf is the host a URL's requests are paced by.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return strings.ToLower(u.Host)
}

func invalidf(format string, args ...any) error {
	return article.Errorf(article.EINVALID, format, args...)
}

// describe says a time in words for logs and messages.
func describe(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}
