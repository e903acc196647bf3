package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// every15m plans like the schedule's fastest tier, until a year has passed.
func every15m(a *article.Article, now time.Time) (time.Time, time.Time, bool) {
	since := a.FirstSeen
	if a.LastChanged.After(since) {
		since = a.LastChanged
	}
	until := since.Add(360 * 24 * time.Hour)
	if !now.Before(until) {
		return time.Time{}, until, false
	}
	return now.Add(15 * time.Minute), until, true
}

func TestNewBrowserArticleIsDueAtOnce(t *testing.T) {
	woken := 0
	s := openWith(t, t.TempDir(), Options{Wake: func() { woken++ }})
	out := save(t, s, capture("https://news.example/a", "Title", "Text."))
	w := out.Article.Watch
	if w == nil || w.State != article.WatchWatching || !w.NextCheck.Equal(t0) {
		t.Fatalf("watch = %+v, want watching, due at the capture", w)
	}
	if woken != 1 {
		t.Fatalf("woken %d times, want once", woken)
	}
	due, err := s.DueWatches(t0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].ID != out.Article.ID || !due[0].At.Equal(t0) {
		t.Fatalf("due = %+v", due)
	}
	if due, _ := s.DueWatches(t0.Add(-time.Millisecond), 10); len(due) != 0 {
		t.Fatalf("due before its time: %+v", due)
	}
	// An unchanged capture does not wake the watcher again.
	save(t, s, capture("https://news.example/a", "Title", "Text."))
	if woken != 1 {
		t.Fatalf("woken %d times, want once", woken)
	}
}

func TestBrowserChangeBringsTheCheckForwardAndRevives(t *testing.T) {
	s := openWith(t, t.TempDir(), Options{Plan: every15m})
	out := save(t, s, capture("https://news.example/a", "Title", "Text."))
	id := out.Article.ID
	later := t0.Add(10 * 24 * time.Hour)
	for _, state := range []article.WatchState{article.WatchWatching, article.WatchFinished, article.WatchRemoved} {
		_, err := s.UpdateWatch(context.Background(), id, func(a *article.Article) (*article.Event, error) {
			a.Watch.State, a.Watch.NextCheck = state, later
			if state == article.WatchFinished {
				a.Watch.NextCheck = time.Time{}
			}
			if state == article.WatchRemoved {
				a.Watch.RemovedAt = t0
			}
			return nil, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		c := capture("https://news.example/a", "Title", fmt.Sprintf("Text, edited while %s.", state))
		got := save(t, s, c).Article.Watch
		if got.State != article.WatchWatching || !got.NextCheck.Equal(t0.Add(15*time.Minute)) || !got.RemovedAt.IsZero() {
			t.Errorf("%s: after a change seen in the browser, watch = %+v", state, got)
		}
		due, _ := s.DueWatches(t0.Add(20*24*time.Hour), 10)
		if len(due) != 1 || !due[0].At.Equal(t0.Add(15*time.Minute)) {
			t.Errorf("%s: due index = %+v, want only the new time", state, due)
		}
	}
}

func TestUpdateWatchAppendsItsEvent(t *testing.T) {
	var sunk []article.Event
	s := openWith(t, t.TempDir(), Options{Events: func(e article.Event) { sunk = append(sunk, e) }})
	out := save(t, s, capture("https://news.example/a", "Mayor resigns", "Text."))
	a, err := s.UpdateWatch(context.Background(), out.Article.ID, func(a *article.Article) (*article.Event, error) {
		a.Watch.LastResult = &article.CheckResult{Outcome: article.CheckRemoved}
		a.Watch.State = article.WatchRemoved
		return &article.Event{Type: article.EventRemoved, Version: 1, At: t0}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sunk) != 1 || sunk[0].Type != article.EventRemoved || sunk[0].Title != "Mayor resigns" || sunk[0].URL != a.URL {
		t.Fatalf("events = %+v", sunk)
	}
	if a.Watch.LastResult.EventID != sunk[0].ID {
		t.Errorf("the result names event %d, want %d", a.Watch.LastResult.EventID, sunk[0].ID)
	}
	logged, err := s.EventsAfter(0, 10)
	if err != nil || len(logged) != 1 {
		t.Fatalf("event log = %+v, %v", logged, err)
	}
}

func TestForgetRemovesThePlannedCheck(t *testing.T) {
	s := openStore(t, t.TempDir())
	out := save(t, s, capture("https://news.example/a", "Title", "Text."))
	if err := s.DeleteArticle(context.Background(), out.Article.ID); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.DueWatches(t0.Add(time.Hour), 10); len(due) != 0 {
		t.Fatalf("due after forgetting: %+v", due)
	}
}

func TestPausedSite(t *testing.T) {
	s := openStore(t, t.TempDir())
	ctx := context.Background()
	a := save(t, s, capture("https://news.example/a", "Title", "Text."))
	if n, err := s.PauseSite(ctx, "example.com"); err != nil || n != 1 {
		t.Fatalf("pause: %d, %v", n, err)
	}
	b := save(t, s, capture("https://www.example.com/b", "Title", "Text."))
	if b.Article.Watch.State != article.WatchPaused || b.Article.Watch.Reason != ReasonSitePaused {
		t.Fatalf("a new article of a paused site: %+v", b.Article.Watch)
	}
	if due, _ := s.DueWatches(t0.Add(time.Hour), 10); len(due) != 0 {
		t.Fatalf("paused articles are due: %+v", due)
	}
	if sites, _ := s.PausedSites(); len(sites) != 1 || sites[0] != "example.com" {
		t.Fatalf("paused sites = %q", sites)
	}
	if err := s.DeleteArticle(ctx, b.Article.ID); err != nil {
		t.Fatal(err)
	}
	n, err := s.ResumeSite(ctx, "example.com", t0.Add(time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("resume: %d, %v", n, err)
	}
	due, _ := s.DueWatches(t0.Add(time.Hour), 10)
	if len(due) != 1 || due[0].ID != a.Article.ID {
		t.Fatalf("due after resuming = %+v", due)
	}
	if p, _ := s.SitePaused("example.com"); p {
		t.Fatal("the site is still paused")
	}
}

func TestBackfillGivesOlderArticlesAWatch(t *testing.T) {
	s := openStore(t, t.TempDir())
	ctx := context.Background()
	// Articles written before the watcher existed have no watch, and the
	// store has no mark of watches given.
	err := s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Delete(keyWatchAll); err != nil {
			return err
		}
		for id := int64(1); id <= 3; id++ {
			a := article.Article{ID: id, URL: fmt.Sprintf("https://news.example/%d", id), Site: "news.example", FirstSeen: t0}
			if id == 2 {
				a.LatestFetch = 1
			}
			if id == 3 {
				a.FirstSeen = t0.Add(-400 * 24 * time.Hour)
				a.LatestFetch = 1
			}
			if err := setJSON(txn, idKey(pfxArticle, id), &a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(time.Hour)
	if err := s.BackfillWatches(ctx, now, every15m); err != nil {
		t.Fatal(err)
	}
	want := map[int64]struct {
		state article.WatchState
		next  time.Time
	}{
		1: {article.WatchWatching, now},                       // never fetched: the baseline is due
		2: {article.WatchWatching, now.Add(15 * time.Minute)}, // by the schedule
		3: {article.WatchFinished, time.Time{}},               // past the cut-off
	}
	for id, w := range want {
		a, err := s.Article(id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Watch == nil || a.Watch.State != w.state || !a.Watch.NextCheck.Equal(w.next) {
			t.Errorf("article %d: watch %+v, want %s at %s", id, a.Watch, w.state, w.next)
		}
	}
	// Once done, it is not done again.
	if err := s.db.Update(func(txn *badger.Txn) error {
		return setJSON(txn, idKey(pfxArticle, 4), &article.Article{ID: 4, URL: "https://news.example/4"})
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.BackfillWatches(ctx, now, every15m); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Article(4); a.Watch != nil {
		t.Fatal("the backfill ran twice")
	}
}

// The floor of the due index skips checks already done, but never a check
// written while a read was under way.
func TestDueIndexFloorNeverHidesACheck(t *testing.T) {
	s := openStore(t, t.TempDir())
	ctx := context.Background()
	const writers, each = 4, 40
	ids := make(chan int64, writers*each)
	err := s.db.Update(func(txn *badger.Txn) error {
		for id := int64(1); id <= writers*each; id++ {
			a := article.Article{ID: id, URL: fmt.Sprintf("https://news.example/%d", id), Watch: &article.Watch{State: article.WatchPaused}}
			if err := setJSON(txn, idKey(pfxArticle, id), &a); err != nil {
				return err
			}
			ids <- id
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	close(ids)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var reads sync.WaitGroup
	reads.Add(1)
	go func() { // a reader that keeps raising the floor
		defer reads.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.DueWatches(t0.Add(24*time.Hour), 1000); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ids {
				at := t0.Add(time.Duration(rand.IntN(3600)) * time.Second)
				if _, err := s.UpdateWatch(ctx, id, func(a *article.Article) (*article.Event, error) {
					a.Watch.State, a.Watch.NextCheck = article.WatchWatching, at
					return nil, nil
				}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	reads.Wait()
	due, err := s.DueWatches(t0.Add(24*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != writers*each {
		t.Fatalf("%d checks due, want %d: the floor hid some", len(due), writers*each)
	}
}

// seedWatches writes n watched articles straight into the store, with
// their checks spread over the next 30 days except the first due ones,
// which are due before now. With records false only the due articles get
// an article record: the rest exist only as planned checks in the index,
// which is all that a tick reads of them.
func seedWatches(t testing.TB, s *Store, n, due int, now time.Time, records bool) {
	t.Helper()
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	r := rand.New(rand.NewPCG(1, 2))
	for id := int64(1); id <= int64(n); id++ {
		next := now.Add(time.Duration(1+r.IntN(30*24*3600)) * time.Second)
		if id <= int64(due) {
			next = now.Add(-time.Duration(r.IntN(600)) * time.Second)
		}
		next = time.UnixMilli(next.UnixMilli()).UTC()
		a := article.Article{
			ID: id, URL: fmt.Sprintf("https://news%d.example/2026/11/story-%d", id%20, id), Site: "example",
			Title: "A story", FirstSeen: now.Add(-time.Hour), Versions: 2, LatestBrowser: 1, LatestFetch: 2,
			Watch: &article.Watch{State: article.WatchWatching, NextCheck: next, Checks: 1},
		}
		if records || id <= int64(due) {
			if err := wb.Set(idKey(pfxArticle, id), mustJSON(t, &a)); err != nil {
				t.Fatal(err)
			}
			if err := wb.Set(append([]byte("u:"), a.URL...), idKey(nil, id)); err != nil {
				t.Fatal(err)
			}
		}
		if err := wb.Set(dueKey(next.UnixMilli(), id), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := wb.Flush(); err != nil {
		t.Fatal(err)
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A tick costs the number of due checks, not the number of watched
// articles: with 100,000 planned checks of which 50 are due, it reads 50
// keys of the index and the one after them.
func TestTickReadsOnlyDueKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 100,000 articles")
	}
	s := openStore(t, t.TempDir())
	seedWatches(t, s, 100_000, 50, t0, false)
	h := &s.due
	before := h.scanned.Load()
	due, err := s.DueWatches(t0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 50 {
		t.Fatalf("%d due, want 50", len(due))
	}
	if read := h.scanned.Load() - before; read != 51 {
		t.Fatalf("the tick read %d keys of the due index, want 51", read)
	}
	// The checks are done and planned again; the next tick reads only the
	// first key that is not due.
	later := map[int64]time.Time{}
	for _, d := range due {
		later[d.ID] = t0.Add(15 * time.Minute)
	}
	if err := s.Reschedule(context.Background(), later); err != nil {
		t.Fatal(err)
	}
	before = h.scanned.Load()
	if due, _ := s.DueWatches(t0, 1000); len(due) != 0 {
		t.Fatalf("%d still due", len(due))
	}
	if read := h.scanned.Load() - before; read != 1 {
		t.Fatalf("an idle tick read %d keys, want 1", read)
	}
}

// BenchmarkSchedulerTick measures one tick's read of the due index with
// 100,000 watched articles of which 50 are due.
func BenchmarkSchedulerTick(b *testing.B) {
	s := openStore(b, b.TempDir())
	seedWatches(b, s, 100_000, 50, t0, true)
	b.ResetTimer()
	for b.Loop() {
		due, err := s.DueWatches(t0, 64)
		if err != nil || len(due) != 50 {
			b.Fatalf("%d due, %v", len(due), err)
		}
	}
}

// BenchmarkSchedulerTickWithReschedule measures a tick that also plans the
// next check of each of the 50 due articles (the writes a tick's checks
// make, without fetching), with time moving on so that 50 others fall due
// each tick: the 100,000 checks form a queue that turns, and the
// tombstones of done checks pile up as they would.
func BenchmarkSchedulerTickWithReschedule(b *testing.B) {
	s := openStore(b, b.TempDir())
	const n = 100_000
	wb := s.db.NewWriteBatch()
	for id := int64(1); id <= n; id++ {
		next := t0.Add(time.Duration(id) * time.Second)
		a := article.Article{ID: id, URL: fmt.Sprintf("https://news.example/%d", id), Watch: &article.Watch{State: article.WatchWatching, NextCheck: next}}
		if err := wb.Set(idKey(pfxArticle, id), mustJSON(b, &a)); err != nil {
			b.Fatal(err)
		}
		if err := wb.Set(dueKey(next.UnixMilli(), id), nil); err != nil {
			b.Fatal(err)
		}
	}
	if err := wb.Flush(); err != nil {
		b.Fatal(err)
	}
	now := t0
	b.ResetTimer()
	for b.Loop() {
		now = now.Add(50 * time.Second)
		due, err := s.DueWatches(now, 64)
		if err != nil || len(due) != 50 {
			b.Fatalf("%d due at %s, %v", len(due), now, err)
		}
		later := make(map[int64]time.Time, len(due))
		for _, d := range due {
			later[d.ID] = now.Add(n * time.Second) // the back of the queue
		}
		if err := s.Reschedule(context.Background(), later); err != nil {
			b.Fatal(err)
		}
	}
}

// A fetch never starts an article unless the user named the page: any
// other fetch is of an article forgotten while it was being checked.
func TestAFetchOfAForgottenArticleIsRefused(t *testing.T) {
	s := openStore(t, t.TempDir())
	c := capture("https://news.example/a", "Title", "Text.")
	c.Source = article.SourceFetch
	_, err := s.SaveCapture(context.Background(), Ingest{Capture: c, URL: c.URL, Site: "news.example", Now: t0})
	if article.ErrorCode(err) != article.ENOTFOUND {
		t.Fatalf("a fetch of an unknown article: %v, want not found", err)
	}
	if st, _ := s.Stats(); st.Articles != 0 {
		t.Fatalf("%d articles", st.Articles)
	}
	// A page the user names starts with its fetch, which counts as read.
	out, err := s.SaveCapture(context.Background(), Ingest{Capture: c, URL: c.URL, Site: "news.example", MarkRead: true, Now: t0})
	if err != nil || out.Status != article.StatusNew || !out.Article.Watch.Named || out.Article.Read.Version != 1 {
		t.Fatalf("a named page's first fetch: %+v, %v", out, err)
	}
}
