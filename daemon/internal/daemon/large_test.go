package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/config"
	"redline/daemon/internal/reading"
	"redline/daemon/internal/store"
)

// prose writes article text from a vocabulary of made-up words whose
// frequencies follow a Zipf law, as words in real text do: a word index
// sees a few very common words and a long tail of rare ones.
type prose struct {
	vocab []string
}

func newProse() *prose {
	syl := []string{"ba", "ko", "ri", "mel", "tan", "su", "vor", "pe", "li", "dra", "no", "gus", "fa", "te", "wim", "zo", "har", "qui", "sen", "lo"}
	r := rand.New(rand.NewPCG(7, 7))
	seen := map[string]bool{}
	p := &prose{}
	for len(p.vocab) < 30000 {
		var b strings.Builder
		for range 1 + r.IntN(4) {
			b.WriteString(syl[r.IntN(len(syl))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			p.vocab = append(p.vocab, w)
		}
	}
	return p
}

func (p *prose) paragraph(r *rand.Rand, words int) string {
	z := rand.NewZipf(r, 1.1, 2, uint64(len(p.vocab)-1))
	out := make([]string, words)
	for i := range out {
		out[i] = p.vocab[z.Uint64()]
	}
	return strings.Join(out, " ") + "."
}

// The large-store suite: articles with five versions each, written through
// the store's own capture path, then the daemon started on them. It checks
// that everything is there and findable, and logs what a user waits for:
// start-up, the list, a lookup, a diff, a scheduler tick.
func TestLargeStoreStartsAndAnswers(t *testing.T) {
	const versions = 5
	n := envSize(t, "REDLINE_LARGE_ARTICLES", 100, 10) // 100,000 in make soak
	dir := t.TempDir()
	p := newProse()

	// Fill: n articles read in the browser, each captured again with a
	// small edit four times, from 32 writers (a capture's fsync is shared
	// by the writers that commit with it).
	st, err := store.Open(filepath.Join(dir, config.StoreDir), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	articleIDs := make([]int64, n)
	base := time.Now().Add(-versions * time.Hour)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || failed.Load() != nil {
					return
				}
				id, err := fillArticle(st, p, i, versions, base)
				if err != nil {
					failed.Store(err)
					return
				}
				articleIDs[i] = id
			}
		}()
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		t.Fatalf("fill: %v", err)
	}
	fillTime := time.Since(began)
	// Spread the re-checks over the next month, as they are in a store
	// that grew over time, with 50 due now: the watcher does not start on
	// a backlog of every article at once.
	at := map[int64]time.Time{}
	r := rand.New(rand.NewPCG(3, 4))
	now := time.Now()
	for i, id := range articleIDs {
		at[id] = now.Add(time.Duration(1+r.IntN(30*24*3600)) * time.Second)
		if i < 50 {
			at[id] = now.Add(-time.Minute)
		}
	}
	if err := st.Reschedule(context.Background(), at); err != nil {
		t.Fatalf("reschedule: %v", err)
	}
	tick := median(func() {
		due, err := st.DueWatches(time.Now(), 50)
		if err != nil || len(due) != min(50, n) {
			t.Fatalf("due watches: %d, %v", len(due), err)
		}
	}, 20)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	size := dirBytes(filepath.Join(dir, config.StoreDir))

	// Opening the store alone, then the whole daemon: from opening the
	// store to answering.
	began = time.Now()
	st, err = store.Open(filepath.Join(dir, config.StoreDir), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	storeOpen := time.Since(began)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	began = time.Now()
	d0, err := Start(context.Background(), Config{Addr: "127.0.0.1:0", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	d := &testDaemon{Daemon: d0, t: t, base: "http://" + d0.Addr()}
	t.Cleanup(func() { d.Close() })
	resp, err := http.Get(d.base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	startup := time.Since(began)

	// Everything is there: the list's pages add up to n articles with five
	// versions each, newest first.
	type listPage struct {
		Articles []article.Article `json:"articles"`
		Next     string            `json:"next_cursor"`
	}
	var list listPage
	get := func(path string, v any) {
		t.Helper()
		code, body := d.request("GET", path, "")
		if code != 200 {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
		if v != nil {
			if err := json.Unmarshal(body, v); err != nil {
				t.Fatalf("GET %s: %v", path, err)
			}
		}
	}
	listFirst := median(func() { get("/api/v1/articles?limit=50", &list) }, 20)
	seen := 0
	cursor := ""
	for {
		list = listPage{} // a last page has no next_cursor
		get("/api/v1/articles?limit=500&cursor="+url.QueryEscape(cursor), &list)
		for _, a := range list.Articles {
			if a.Versions != versions {
				t.Fatalf("article %d has %d versions, want %d", a.ID, a.Versions, versions)
			}
		}
		seen += len(list.Articles)
		if cursor = list.Next; cursor == "" {
			break
		}
	}
	if seen != n {
		t.Fatalf("the list holds %d articles, want %d", seen, n)
	}

	// Look-ups by any form of the URL, and a diff, find what was written.
	ids := []int{0, n / 2, n - 1}
	var a article.Article
	lookup := median(func() {
		i := ids[r.IntN(len(ids))]
		get("/api/v1/articles?url="+url.QueryEscape(largeURL(i)+"?utm_source=feed#top"), &a)
		if a.Title != largeTitle(i) {
			t.Fatalf("lookup of article %d found %q", i, a.Title)
		}
	}, 50)
	var v article.Version
	version := median(func() { get(fmt.Sprintf("/api/v1/articles/%d/versions/%d", a.ID, 3), &v) }, 50)
	if v.Number != 3 || len(v.Content.Blocks) == 0 {
		t.Fatalf("version 3 of article %d: %+v", a.ID, v)
	}
	diffTime := median(func() { get(fmt.Sprintf("/api/v1/articles/%d/diff?from=1&to=%d", a.ID, versions), nil) }, 20)
	search := median(func() { get("/api/v1/articles?limit=50&q="+url.QueryEscape("Story "+strconv.Itoa(n/2)), &list) }, 10)
	if len(list.Articles) == 0 {
		t.Fatalf("searching the title of article %d found nothing", n/2)
	}

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("%d articles × %d versions written in %v (%.0f captures/s), %d MB on disk",
		n, versions, fillTime.Round(time.Millisecond), float64(n*versions)/fillTime.Seconds(), size>>20)
	t.Logf("store open %v; start-up to answering %v; list page 1 %v; lookup by URL %v; version %v; diff %v; title search %v; scheduler tick (50 due) %v",
		storeOpen.Round(time.Microsecond), startup.Round(time.Microsecond), listFirst, lookup, version, diffTime, search, tick)
	t.Logf("memory with the daemon running on it: Go heap %d MB, own memory (RSS without mapped files) %d MB; the process's peak RSS, filling included, %d MB",
		ms.HeapInuse>>20, procKB("RssAnon")>>10, procKB("VmHWM")>>10)
}

func largeURL(i int) string {
	return fmt.Sprintf("https://news%d.example/2026/%d/story-%d", i%200, i/1000, i)
}
func largeTitle(i int) string { return fmt.Sprintf("Story %d of the day", i) }

// fillArticle writes article i's versions through the capture path.
func fillArticle(st *store.Store, p *prose, i, versions int, base time.Time) (int64, error) {
	var id int64
	r := rand.New(rand.NewPCG(uint64(i), 1))
	blocks := make([]article.Block, 12)
	for j := range blocks {
		blocks[j] = article.Block{Kind: article.KindParagraph, Text: p.paragraph(r, 40)}
	}
	for v := range versions {
		if v > 0 {
			j := r.IntN(len(blocks))
			blocks[j].Text = p.paragraph(r, 40)
		}
		at := base.Add(time.Duration(v) * time.Hour)
		c := &article.Capture{
			URL: largeURL(i), Title: largeTitle(i), Blocks: slices.Clone(blocks),
			CapturedAt: at, Source: article.SourceBrowser, Extractor: "test",
		}
		saved, err := reading.New(reading.Config{Store: st}).Read(context.Background(), c, at)
		if err != nil {
			return 0, fmt.Errorf("article %d version %d: %w", i, v+1, err)
		}
		id = saved.Article.ID
	}
	return id, nil
}

// median runs f runs times and returns the median duration.
func median(f func(), runs int) time.Duration {
	ds := make([]time.Duration, runs)
	for i := range ds {
		t0 := time.Now()
		f()
		ds[i] = time.Since(t0)
	}
	slices.Sort(ds)
	return ds[runs/2].Round(time.Microsecond)
}

func dirBytes(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}
