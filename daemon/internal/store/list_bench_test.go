package store

import (
	"fmt"
	"redline/daemon/internal/testtool"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// benchArticles writes n article records with their list index and
// counters directly (a capture per article would spend the benchmark's
// setup on fsyncs): 40 sites, read a minute apart, every fifth one changed.
func benchArticles(b *testing.B, s *Store, n int) {
	b.Helper()
	const batch = 200
	for start := 0; start < n; start += batch {
		err := s.db.Update(func(txn *badger.Txn) error {
			for i := start; i < min(start+batch, n); i++ {
				site := fmt.Sprintf("site%02d.example", i%40)
				at := t0.Add(time.Duration(i) * time.Minute)
				a := article.Article{
					ID: int64(i + 1), URL: fmt.Sprintf("https://www.%s/news/%d", site, i), Site: site,
					Title: fmt.Sprintf("Council delays the budget vote, story %d", i), FirstSeen: at, LastCaptured: at,
					Versions: 1, Captures: 1, LatestBrowser: 1, Read: article.ReadMark{Version: 1, At: at}, Seen: 1,
				}
				if i%5 == 0 {
					a.Versions, a.LatestBrowser, a.Changes, a.LastChanged = 2, 2, 1, at.Add(3*time.Hour)
				}
				if err := s.reindex(txn, nil, &a); err != nil {
					return err
				}
				text := fmt.Sprintf("The council of %s delayed the vote on budget item %d; officials %d and %d disagreed.", site, i%1000, i%97, i%89)
				if err := s.addWords(txn, a.ID, article.Content{Title: a.Title, Blocks: []article.Block{{Kind: article.KindParagraph, Text: text}}}, true, nil); err != nil {
					return err
				}
				if err := setJSON(txn, idKey(pfxArticle, a.ID), &a); err != nil {
					return err
				}
				if err := addCounts(txn, a.ID, 1, a.Versions); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		// Captures fold their words as they go; these writes fold
		// them after each batch.
		if err := s.foldPending(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListArticles lists pages of 50 out of 10,000 and 100,000
// articles: the first page, the page a quarter in (page 500 of 100,000:
// articles 24,951 to 25,000), one site's first page and the page half
// through its articles, changed articles by last change, a title search
// that fills its page early, one that matches nothing and so reads every
// record, and text searches of rare and of common words.
func BenchmarkListArticles(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("articles=%d", n), func(b *testing.B) { benchListArticles(b, n) })
	}
}

func benchListArticles(b *testing.B, n int) {
	s := openStore(b, b.TempDir())
	benchArticles(b, s, n)
	for _, c := range []struct {
		name string
		f    ListFilter
	}{
		{"page1", ListFilter{Limit: 50}},
		{fmt.Sprintf("page%d", n/200), ListFilter{Limit: 50, Offset: (n/200 - 1) * 50}},
		{"site_page1", ListFilter{Site: "site07.example", Limit: 50}},
		{fmt.Sprintf("site_page%d", n/2000), ListFilter{Site: "site07.example", Limit: 50, Offset: (n/2000 - 1) * 50}},
		{"changed_by_last_change_page1", ListFilter{Order: OrderChanged, Limit: 50}},
		{"search_page1", ListFilter{Q: "story 9", Limit: 50}},
		{"search_no_match", ListFilter{Q: "no such words", Limit: 50}},
		{"search_text_rare_page1", ListFilter{Q: "officials 42 disagreed", Limit: 50}},
		{"search_text_common_page1", ListFilter{Q: "council vote", Limit: 50}},
	} {
		b.Run(c.name, func(b *testing.B) {
			cpu := testtool.CPUTime()
			for b.Loop() {
				p, err := s.ListArticles(c.f)
				if err != nil || len(p.Articles) == 0 && c.f.Q != "no such words" {
					b.Fatalf("%d articles, err %v", len(p.Articles), err)
				}
			}
			// CPU time tells more than the clock on a shared machine.
			b.ReportMetric(float64((testtool.CPUTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
	b.Run("sites", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Sites(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkStats reads the counts `redline status` shows from stores of
// 1,000, 20,000 and 100,000 articles. "stats" is Stats whole: the counters
// and the size of the store's files; "counters" reads the counters alone,
// which cost the same whatever the store holds; "scan" counts every
// article record instead, as Stats did before the counters (and as a
// store without them is counted once).
func BenchmarkStats(b *testing.B) {
	for _, n := range []int{1_000, 20_000, 100_000} {
		s := openStore(b, b.TempDir())
		benchArticles(b, s, n)
		want := Stats{Articles: n, Versions: n + (n+4)/5}
		b.Run(fmt.Sprintf("stats/articles=%d", n), func(b *testing.B) {
			for b.Loop() {
				st, err := s.Stats()
				if err != nil || st.Articles != want.Articles || st.Versions != want.Versions {
					b.Fatalf("stats %+v, %v; want %d articles, %d versions", st, err, want.Articles, want.Versions)
				}
			}
		})
		b.Run(fmt.Sprintf("counters/articles=%d", n), func(b *testing.B) {
			for b.Loop() {
				err := s.db.View(func(txn *badger.Txn) error {
					total, ok, err := readCounts(txn)
					if err == nil && (!ok || total.articles != int64(n)) {
						err = fmt.Errorf("counters say %d articles (present %v)", total.articles, ok)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("scan/articles=%d", n), func(b *testing.B) {
			for b.Loop() {
				err := s.db.View(func(txn *badger.Txn) error {
					_, err := countByScan(txn)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		s.Close()
	}
}
