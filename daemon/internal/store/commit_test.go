package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// Many captures that append events, committed concurrently and synced in
// groups: a follower reading the log by id sees every event once, in id
// order, never one id before a smaller one (no gap it skipped is filled
// later); Options.Events gets them in the same order; and every event a
// capture was acknowledged with is in the log after the store reopens.
func TestConcurrentEventsAreFollowedInOrderAndKept(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	var sunk []int64
	news := make(chan struct{}, 1)
	s, err := Open(dir, Options{Judge: markerJudge, Events: func(e article.Event) {
		mu.Lock()
		sunk = append(sunk, e.ID)
		mu.Unlock()
		select {
		case news <- struct{}{}:
		default:
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const writers, each, articles = 8, 12, 16
	url := func(i int) string { return fmt.Sprintf("https://news.test/story/%d", i%articles) }
	for i := range articles {
		save(t, s, capture(url(i), "Story", "First telling."))
	}

	// The follower reads from its cursor each time an event is handed on
	// (while other writes commit), until the writers are done and it has
	// caught up with the log.
	stop := make(chan struct{})
	followed := make(chan []int64, 1)
	followErr := make(chan error, 1)
	go func() {
		var seen []int64
		var cursor int64
		for {
			done := false
			select {
			case <-stop:
				done = true
			case <-news:
			}
			evs, err := s.EventsAfter(cursor, 7)
			if err != nil {
				followErr <- err
				return
			}
			for _, e := range evs {
				if e.ID != cursor+1 {
					followErr <- fmt.Errorf("after event %d the follower was shown %d", cursor, e.ID)
					return
				}
				cursor = e.ID
				seen = append(seen, e.ID)
			}
			if done && len(evs) == 0 {
				followed <- seen
				return
			}
		}
	}()

	type acked struct{ id, article int64 }
	var ackMu sync.Mutex
	var acks []acked
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for n := range each {
				i := w*each + n
				c := capture(url(i), "Story", fmt.Sprintf("Telling %d by writer %d.", n, w))
				out, err := s.SaveCapture(context.Background(), Ingest{Capture: c, URL: c.URL, Site: "news.test", MarkRead: true, Now: t0})
				if err != nil {
					errs <- err
					continue
				}
				if out.Event == nil {
					errs <- fmt.Errorf("capture %d appended no event", i)
					continue
				}
				ackMu.Lock()
				acks = append(acks, acked{out.Event.ID, out.Article.ID})
				ackMu.Unlock()
				if n%5 == 0 {
					// Marking seen appends events too, under the same rule.
					_, ev, err := s.MarkSeen(context.Background(), out.Article.ID, out.Version, time.Now())
					switch {
					case err != nil:
						errs <- err
					case ev != nil:
						ackMu.Lock()
						acks = append(acks, acked{ev.ID, out.Article.ID})
						ackMu.Unlock()
					}
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var seen []int64
	select {
	case err := <-followErr:
		t.Fatal(err)
	case seen = <-followed:
	}
	last, err := s.LastEventID()
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(seen)) != last || len(acks) < writers*each {
		t.Fatalf("the follower saw %d events, the log ends at %d, %d were acknowledged", len(seen), last, len(acks))
	}
	mu.Lock()
	if !slices.Equal(sunk, seen) {
		t.Errorf("events were handed on out of order: %v", sunk)
	}
	mu.Unlock()

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir)
	kept, err := s.EventsAfter(0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]int64{}
	for _, e := range kept {
		byID[e.ID] = e.ArticleID
	}
	for _, a := range acks {
		if got, ok := byID[a.id]; !ok || got != a.article {
			t.Errorf("acknowledged event %d of article %d: after reopening, found for article %d (%v)", a.id, a.article, got, ok)
		}
	}
	if after, err := s.LastEventID(); err != nil || after != last {
		t.Errorf("after reopening the log ends at %d (%v), before at %d", after, err, last)
	}
}

// A sync that fails fails every write of its round, publishes none of its
// events, and keeps them for the next round, which publishes them in
// order before the events that follow.
func TestFailedSyncFailsItsRoundAndKeepsItsEvents(t *testing.T) {
	fail := errors.New("the disk is gone")
	var diskErr error
	var got []int64
	sy := newSyncer(func() error { return diskErr }, func(e article.Event) { got = append(got, e.ID) }, 4)
	go sy.run()
	defer sy.close()

	diskErr = nil
	r, err := sy.join(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.wait(); err != nil {
		t.Fatalf("a round with nothing to publish: %v", err)
	}
	// The syncer's goroutine reads diskErr only inside a round, and every
	// round ends before wait returns: no race between the writes here and
	// its reads.
	diskErr = fail
	r, err = sy.join([]article.Event{{ID: 5}, {ID: 6}})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.wait(); !errors.Is(err, fail) {
		t.Fatalf("failed sync: the write was told %v", err)
	}
	if len(got) != 0 || sy.durable.Load() != 4 {
		t.Fatalf("after a failed sync: published %v, durable up to %d", got, sy.durable.Load())
	}
	diskErr = nil
	r, err = sy.join([]article.Event{{ID: 7}})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.wait(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []int64{5, 6, 7}) || sy.durable.Load() != 7 {
		t.Errorf("after the next sync: published %v, durable up to %d", got, sy.durable.Load())
	}
	sy.close()
	if _, err := sy.join(nil); article.ErrorCode(err) != article.EUNAVAILABLE {
		t.Errorf("a write after close: %v", err)
	}
}

// A process killed while Badger created or deleted a memtable log leaves
// an empty log file: the store still opens, with everything it held.
func TestStoreOpensWithAnEmptyLogLeftByAKill(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	out := save(t, s, capture("https://news.test/kept", "Kept", "Kept text."))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"00001.mem", "00999.mem"} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("open after a kill left empty logs: %v", err)
	}
	defer s.Close()
	v, err := s.Version(out.Article.ID, 1)
	if err != nil || len(v.Blocks) != 1 || v.Blocks[0].Text != "Kept text." {
		t.Fatalf("version after reopening: %+v %v", v, err)
	}
}

// A damaged event counter does not make new events take the ids of
// events in the log: ids go on from the newest event.
func TestDamagedEventCounterDoesNotReuseIDs(t *testing.T) {
	dir := t.TempDir()
	s := openWith(t, dir, Options{Judge: markerJudge})
	u := "https://news.test/counted"
	save(t, s, capture(u, "T", "One."))
	save(t, s, capture(u, "T", "Two."))
	out := save(t, s, capture(u, "T", "Three."))
	if out.Event == nil || out.Event.ID != 2 {
		t.Fatalf("event = %+v", out.Event)
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(keyEventSeq, []byte("garbled")) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openWith(t, dir, Options{Judge: markerJudge})
	out = save(t, s, capture(u, "T", "Four."))
	if out.Event == nil || out.Event.ID != 3 {
		t.Fatalf("after the counter was damaged, the next event is %+v, want id 3", out.Event)
	}
	evs, err := s.EventsAfter(0, 10)
	if err != nil || len(evs) != 3 || evs[1].ToVersion != 3 || evs[2].ToVersion != 4 {
		t.Errorf("log = %+v %v", evs, err)
	}
}
