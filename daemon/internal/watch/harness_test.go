package watch

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/diff"
	"redline/daemon/internal/extract"
	"redline/daemon/internal/reading"
	"redline/daemon/internal/store"
	"redline/daemon/internal/watch/watchtest"
)

var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// clock is the watcher's time in tests: it moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// harness is a watcher over a real store in a temp dir, fetching from a
// local news site whose names all resolve to 127.0.0.1.
type harness struct {
	t     testing.TB
	ctx   context.Context
	st    *store.Store
	site  *watchtest.Site
	w     *Watcher
	clock *clock

	mu     sync.Mutex
	events []article.Event
	woken  int
}

func newHarness(t testing.TB, mod func(*FetcherOptions, *Options)) *harness {
	t.Helper()
	return newHarnessAt(t, t.TempDir(), mod)
}

// newHarnessIn opens a harness over the store in dir (a restart).
func newHarnessIn(t testing.TB, dir string) *harness {
	t.Helper()
	return newHarnessAt(t, dir, nil)
}

func newHarnessAt(t testing.TB, dir string, mod func(*FetcherOptions, *Options)) *harness {
	t.Helper()
	rules := diff.DefaultRules()
	h := &harness{t: t, ctx: context.Background(), site: watchtest.NewSite(t), clock: &clock{t: t0}}
	st, err := store.Open(dir, store.Options{
		Judge: diff.Judge(func() diff.Rules { return rules }), Events: h.record, Plan: h.plan, Wake: h.wake,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h.st = st
	fo := FetcherOptions{Version: "test", AllowPrivate: true, Resolve: watchtest.Resolve, Timeout: 5 * time.Second}
	o := Options{Clock: h.clock.Now, Random: func() float64 { return 0.5 }, Spacing: 5 * time.Second}
	if mod != nil {
		mod(&fo, &o)
	}
	if h.w, err = New(st, NewFetcher(fo), o); err != nil {
		t.Fatal(err)
	}
	return h
}

// record keeps an event the store published.
func (h *harness) record(e article.Event) {
	h.mu.Lock()
	h.events = append(h.events, e)
	h.mu.Unlock()
}

// plan and wake are the store's calls to the watcher, made after the
// store as the daemon makes it: nothing writes before it is there.
func (h *harness) plan(a *article.Article, now time.Time) (time.Time, time.Time, bool) {
	return h.w.Plan(a, now)
}

func (h *harness) wake() {
	h.mu.Lock()
	h.woken++
	h.mu.Unlock()
	h.w.Wake()
}

// readerMode is what the browser extension would send for a page: the
// article as reader mode sees it, without the timestamp line, with a
// paragraph that the page's scripts add.
func readerMode(t testing.TB, page string) []article.Block {
	t.Helper()
	u, _ := url.Parse("https://news.example/story")
	p, err := extract.HTML([]byte(page), "text/html; charset=utf-8", u)
	if err != nil {
		t.Fatal(err)
	}
	var out []article.Block
	for _, b := range p.Blocks {
		if !strings.HasPrefix(b.Text, "Updated") {
			out = append(out, b)
		}
	}
	return append(out, article.Block{Kind: article.KindParagraph, Text: "Read more of our coverage of the city budget in our live updates."})
}

// capture stores a browser capture of url with the blocks reader mode
// finds in page, as the extension does: a read.
func (h *harness) capture(rawURL, page string) article.Article {
	h.t.Helper()
	c := &article.Capture{
		URL: rawURL, Title: "Council delays budget vote after auditor's warning", Blocks: readerMode(h.t, page),
		CapturedAt: h.clock.Now(), Source: article.SourceBrowser, Extractor: "readability@0.6.0",
	}
	return h.read(c)
}

// read stores c as the API does: a browser capture, a read.
func (h *harness) read(c *article.Capture) article.Article {
	h.t.Helper()
	saved, err := reading.New(reading.Config{Store: h.st}).Read(h.ctx, c, h.clock.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	return saved.Article
}

func (h *harness) article(id int64) article.Article {
	h.t.Helper()
	a, err := h.st.Article(id)
	if err != nil {
		h.t.Fatal(err)
	}
	return a
}

func (h *harness) tick() TickReport {
	h.t.Helper()
	return h.w.Tick(h.ctx)
}

// untilNext moves the clock to the article's next check and ticks.
func (h *harness) untilNext(id int64) TickReport {
	h.t.Helper()
	a := h.article(id)
	if a.Watch == nil || a.Watch.NextCheck.IsZero() {
		h.t.Fatalf("article %d has no next check: %+v", id, a.Watch)
	}
	h.clock.Set(a.Watch.NextCheck)
	return h.tick()
}

func (h *harness) eventsOf(typ string) []article.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []article.Event
	for _, e := range h.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func (h *harness) versions(id int64) []store.VersionInfo {
	h.t.Helper()
	v, err := h.st.Versions(id)
	if err != nil {
		h.t.Fatal(err)
	}
	return v
}

// result is the last check result of an article.
func (h *harness) result(id int64) article.CheckResult {
	h.t.Helper()
	a := h.article(id)
	if a.Watch == nil || a.Watch.LastResult == nil {
		h.t.Fatalf("article %d has no check result: %+v", id, a.Watch)
	}
	return *a.Watch.LastResult
}

// track starts watching a URL as `redline track` does.
func (h *harness) track(rawURL string) Tracked {
	h.t.Helper()
	tr, err := h.w.Track(h.ctx, rawURL)
	if err != nil {
		h.t.Fatalf("track %s: %v", rawURL, err)
	}
	return tr
}

// waitRequest waits until the site received a request for path.
func (h *harness) waitRequest(path string) {
	h.t.Helper()
	for r := range h.site.Received() {
		if r.Path == path {
			return
		}
	}
}
