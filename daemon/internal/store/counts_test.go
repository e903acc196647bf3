package store

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// wantStats checks what `redline status` would show, and that it is what
// counting every article record finds.
func wantStats(t *testing.T, s *Store, articles, versions int) {
	t.Helper()
	st, err := s.Stats()
	if err != nil {
		t.Fatalf("stats: %v", err)
	}
	if st.Articles != articles || st.Versions != versions {
		t.Errorf("stats say %d articles, %d versions; want %d, %d", st.Articles, st.Versions, articles, versions)
	}
	var scanned counts
	err = s.db.View(func(txn *badger.Txn) error {
		shards, err := countByScan(txn)
		for _, c := range shards {
			scanned.articles += c.articles
			scanned.versions += c.versions
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned != (counts{int64(articles), int64(versions)}) {
		t.Errorf("the article records hold %d articles, %d versions; want %d, %d", scanned.articles, scanned.versions, articles, versions)
	}
}

func TestStatsFollowCapturesVersionsForgetsAndRestore(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	wantStats(t, s, 0, 0)
	a := save(t, s, capture("https://example.com/a", "A", "One."))
	wantStats(t, s, 1, 1)
	save(t, s, capture("https://example.com/a", "A", "One.")) // unchanged
	wantStats(t, s, 1, 1)
	save(t, s, capture("https://example.com/a", "A", "Two."))
	wantStats(t, s, 1, 2)
	save(t, s, capture("https://example.com/a", "A", "One.")) // a revert is a version too
	wantStats(t, s, 1, 3)
	fetched := capture("https://example.com/a", "A", "One.")
	fetched.Source = article.SourceFetch // the daemon's lineage starts its own version
	save(t, s, fetched)
	wantStats(t, s, 1, 4)
	b := save(t, s, capture("https://example.com/b", "B", "Bee."))
	save(t, s, capture("https://example.com/b", "B", "Bee, changed."))
	wantStats(t, s, 2, 6)

	var backup bytes.Buffer
	if err := s.Backup(&backup); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteArticle(context.Background(), a.Article.ID); err != nil {
		t.Fatal(err)
	}
	wantStats(t, s, 1, 2)
	if err := s.DeleteArticle(context.Background(), a.Article.ID); article.ErrorCode(err) != article.ENOTFOUND {
		t.Fatalf("forgetting it twice = %v, want not found", err)
	}
	wantStats(t, s, 1, 2)

	// Counts survive a restart, and a restore brings the backup's.
	s.Close()
	s = openStore(t, dir)
	wantStats(t, s, 1, 2)
	s.Close()
	if err := Restore(dir, bytes.NewReader(backup.Bytes()), true, nil); err != nil {
		t.Fatalf("restore: %v", err)
	}
	s = openStore(t, dir)
	wantStats(t, s, 2, 6)
	if err := s.DeleteArticle(context.Background(), b.Article.ID); err != nil {
		t.Fatal(err)
	}
	wantStats(t, s, 1, 4)
}

func TestStatsExactAfterConcurrentCaptures(t *testing.T) {
	s := openStore(t, t.TempDir())
	const writers, each = 8, 12
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				u := fmt.Sprintf("https://example.com/w%d/%d", w, i)
				for _, text := range []string{"First.", "First.", "Second."} {
					c := capture(u, "T", text)
					if _, err := s.SaveCapture(context.Background(), Ingest{Capture: c, URL: u, Site: "example.com", MarkRead: true, Now: t0}); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	wantStats(t, s, writers*each, 2*writers*each)

	// Forgetting half of them at once leaves the other half counted.
	page, err := s.ListArticles(ListFilter{Limit: writers * each})
	if err != nil {
		t.Fatal(err)
	}
	var fg sync.WaitGroup
	for i, a := range page.Articles {
		if i%2 == 0 {
			fg.Go(func() {
				if err := s.DeleteArticle(context.Background(), a.ID); err != nil {
					t.Error(err)
				}
			})
		}
	}
	fg.Wait()
	wantStats(t, s, writers*each/2, writers*each)
}

// dropCounters makes s's store look like one written before counters
// existed.
func dropCounters(t *testing.T, s *Store) {
	t.Helper()
	err := s.db.Update(func(txn *badger.Txn) error {
		if err := deletePrefix(txn, pfxCount); err != nil {
			return err
		}
		return txn.Delete(keyCounts)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestStoreWithoutCountersIsCountedOnOpen(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	for i := range 70 { // more articles than shards
		save(t, s, capture(fmt.Sprintf("https://example.com/%d", i), "T", "One."))
		if i%3 == 0 {
			save(t, s, capture(fmt.Sprintf("https://example.com/%d", i), "T", "Two."))
		}
	}
	dropCounters(t, s)
	s.Close()

	// Opened for reading only, it cannot write counters: it counts.
	ro := openWith(t, dir, Options{ReadOnly: true})
	wantStats(t, ro, 70, 94)
	ro.Close()

	s = openStore(t, dir)
	err := s.db.View(func(txn *badger.Txn) error {
		_, ok, err := readCounts(txn)
		if !ok {
			t.Error("opening an older store wrote no counters")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	wantStats(t, s, 70, 94)
	save(t, s, capture("https://example.com/new", "T", "One."))
	wantStats(t, s, 71, 95)
}

// Counters are derived from the article records, like the list index: a
// damaged one is reported as such (never read as a wrong number), and
// counted again when the store is next opened.
func TestDamagedCountersAreReportedAndCountedAgainOnOpen(t *testing.T) {
	for name, damage := range map[string]func(txn *badger.Txn) error{
		"short value": func(txn *badger.Txn) error { return txn.Set(countKey(1), []byte{1, 2, 3}) },
		"negative":    func(txn *badger.Txn) error { return txn.Set(countKey(1), counts{-3, 2}.bytes()) },
		"long value":  func(txn *badger.Txn) error { return txn.Set(countKey(1), append(counts{1, 2}.bytes(), 0)) },
		"no versions": func(txn *badger.Txn) error { return txn.Set(countKey(1), counts{1, -1}.bytes()) },
		"layout":      func(txn *badger.Txn) error { return txn.Set(keyCounts, []byte("9")) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s := openStore(t, dir)
			first := save(t, s, capture("https://example.com/a", "A", "One."))
			save(t, s, capture("https://example.com/a", "A", "Two."))
			if shardOf(first.Article.ID) != 1 {
				t.Fatalf("the first article is in shard %d, the damage below is in shard 1", shardOf(first.Article.ID))
			}
			if err := s.db.Update(damage); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Stats(); err == nil || !strings.Contains(err.Error(), "counters are damaged") {
				t.Errorf("stats with a damaged counter = %v, want an error saying so", err)
			}
			s.Close()
			s = openStore(t, dir)
			wantStats(t, s, 1, 2)
			save(t, s, capture("https://example.com/a", "A", "Three."))
			wantStats(t, s, 1, 3)
		})
	}
}

// A capture or a forget that would take its counter below zero (so the
// counter was wrong) fails and changes nothing.
func TestWriteOnAWrongCounterChangesNothing(t *testing.T) {
	s := openStore(t, t.TempDir())
	a := save(t, s, capture("https://example.com/a", "A", "One."))
	save(t, s, capture("https://example.com/a", "A", "Two."))
	err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(countKey(shardOf(a.Article.ID)), counts{0, 0}.bytes()) })
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteArticle(context.Background(), a.Article.ID); err == nil || !strings.Contains(err.Error(), "counters are damaged") {
		t.Fatalf("forget with a counter at zero = %v, want an error saying the counters are damaged", err)
	}
	if got, err := s.Article(a.Article.ID); err != nil || got.Versions != 2 {
		t.Errorf("after the failed forget the article is %+v, %v; want it whole", got, err)
	}
}
