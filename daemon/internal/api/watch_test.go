package api_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"redline/daemon/internal/api"
	"redline/daemon/internal/article"
	"redline/daemon/internal/diff"
	"redline/daemon/internal/extract"
	"redline/daemon/internal/hub"
	"redline/daemon/internal/store"
	"redline/daemon/internal/watch"
	"redline/daemon/internal/watch/watchtest"
)

// watchClock is the watcher's and the API's time: it moves when told.
type watchClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *watchClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *watchClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// watchHarness is the API over a real store with the event hub and a
// watcher that fetches from a local news site, on a clock the test moves.
type watchHarness struct {
	*harness
	site  *watchtest.Site
	w     *watch.Watcher
	clock *watchClock
}

func newWatchHarness(t *testing.T) *watchHarness {
	t.Helper()
	rules := diff.DefaultRules()
	// The hub and the watcher read the store first; the store calls them
	// once they are made, as the daemon binds them (daemon.OpenParts).
	var events *hub.Hub
	var w *watch.Watcher
	st, err := store.Open(t.TempDir(), store.Options{
		Judge:  diff.Judge(func() diff.Rules { return rules }),
		Events: func(e article.Event) { events.Publish(e) },
		Plan:   func(a *article.Article, now time.Time) (time.Time, time.Time, bool) { return w.Plan(a, now) },
		Wake:   func() { w.Wake() },
	})
	if err != nil {
		t.Fatal(err)
	}
	if events, err = hub.New(st); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	hubDone := make(chan struct{})
	go func() {
		events.Run(ctx)
		close(hubDone)
	}()
	clock := &watchClock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	site := watchtest.NewSite(t)
	f := watch.NewFetcher(watch.FetcherOptions{Version: "test", AllowPrivate: true, Resolve: watchtest.Resolve})
	if w, err = watch.New(st, f, watch.Options{Clock: clock.Now, Random: func() float64 { return 0.5 }}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	srv.Config.Handler = newHandler(t, api.Config{Store: st, Token: token, Port: port, Version: "test", Hub: events, Watcher: w, Now: clock.Now})
	srv.Start()
	t.Cleanup(func() {
		cancel()
		<-hubDone
		srv.Close()
		st.Close()
	})
	return &watchHarness{harness: &harness{t: t, base: srv.URL, store: st}, site: site, w: w, clock: clock}
}

// captureOf is the capture the extension sends for a page: reader mode's
// blocks.
func (h *watchHarness) captureOf(pageURL, page string) string {
	h.t.Helper()
	u, _ := url.Parse(pageURL)
	p, err := extract.HTML([]byte(page), "text/html; charset=utf-8", u)
	if err != nil {
		h.t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{
		"url": pageURL, "title": p.Title, "blocks": p.Blocks, "captured_at": h.clock.Now().Format(time.RFC3339Nano),
		"source": "browser", "extractor": "readability@0.6.0",
	})
	return string(b)
}

func (h *watchHarness) articleJSON(id int64) article.Article {
	h.t.Helper()
	resp, body := h.do(req{path: "/api/v1/articles/" + strconv.FormatInt(id, 10)})
	if resp.StatusCode != 200 {
		h.t.Fatalf("get article: %d %s", resp.StatusCode, body)
	}
	var a article.Article
	if err := json.Unmarshal(body, &a); err != nil {
		h.t.Fatal(err)
	}
	return a
}

// events connects to the event stream as the extension does.
func (h *watchHarness) events() *websocket.Conn {
	h.t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(h.base, "http")+"/api/v1/events",
		http.Header{"Origin": {api.ChromeExtensionOrigin}})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { ws.Close() })
	if err := ws.WriteJSON(map[string]any{"type": "hello", "token": token, "last_event_id": 0}); err != nil {
		h.t.Fatal(err)
	}
	var welcome hub.Welcome
	if err := ws.ReadJSON(&welcome); err != nil || welcome.Type != "welcome" {
		h.t.Fatalf("welcome: %+v, %v", welcome, err)
	}
	return ws
}

func nextEvent(t *testing.T, ws *websocket.Conn) article.Event {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(30 * time.Second)) // a safety net, not a clock for the test
	var e article.Event
	if err := ws.ReadJSON(&e); err != nil {
		t.Fatalf("read event: %v", err)
	}
	return e
}

// End to end over the API: the extension's capture, the baseline fetch,
// the site's edit, the scheduled check, and the change on the event
// stream; then the removal.
func TestCaptureThenScheduledCheckPushesTheChange(t *testing.T) {
	h := newWatchHarness(t)
	h.site.Set("/2026/11/budget", watchtest.Article("story"))
	u := h.site.URL("news.test", "/2026/11/budget")
	ws := h.events()

	captured := h.capture(h.captureOf(u, watchtest.Page("story")))
	a := h.articleJSON(captured.ArticleID)
	if a.Watch == nil || a.Watch.State != article.WatchWatching || !a.Watch.NextCheck.Equal(h.clock.Now()) {
		t.Fatalf("watch after the capture = %+v, want its baseline due now", a.Watch)
	}
	if r := h.w.Tick(context.Background()); r.Checked != 1 {
		t.Fatalf("tick = %+v", r)
	}
	a = h.articleJSON(a.ID)
	if a.Watch.LastResult == nil || a.Watch.LastResult.Outcome != article.CheckBaseline || a.LatestFetch != 2 || a.Watch.Checks != 1 {
		t.Fatalf("after the baseline: %+v", a.Watch)
	}
	if !a.Watch.NextCheck.Equal(h.clock.Now().Add(15*time.Minute)) || a.Watch.Until.IsZero() {
		t.Fatalf("next check %s, until %s", a.Watch.NextCheck, a.Watch.Until)
	}

	h.site.Set("/2026/11/budget", watchtest.Article("story-edited"))
	h.clock.Set(a.Watch.NextCheck)
	h.w.Tick(context.Background())
	e := nextEvent(t, ws)
	if e.Type != article.EventChanged || e.ArticleID != a.ID || e.FromVersion != 1 || e.ToVersion != 3 || e.Summary == nil || !e.Summary.Correction {
		t.Fatalf("event = %+v, want the edit with its correction", e)
	}
	a = h.articleJSON(a.ID)
	if res := a.Watch.LastResult; res.Outcome != article.CheckChanged || res.EventID != e.ID || res.Summary == nil {
		t.Fatalf("last result = %+v", res)
	}

	h.site.Set("/2026/11/budget", watchtest.Response{Status: 410})
	h.clock.Set(a.Watch.NextCheck)
	h.w.Tick(context.Background())
	if e := nextEvent(t, ws); e.Type != article.EventRemoved || e.ArticleID != a.ID || e.Version != 3 {
		t.Fatalf("event = %+v, want the removal", e)
	}
	if a = h.articleJSON(a.ID); a.Watch.State != article.WatchRemoved {
		t.Fatalf("watch = %+v, want removed", a.Watch)
	}
}

func TestCheckNowAndTrackOverHTTP(t *testing.T) {
	h := newWatchHarness(t)
	h.site.Set("/a", watchtest.Article("story"))
	u := h.site.URL("news.test", "/a")

	resp, body := h.do(req{method: "POST", path: "/api/v1/watches", body: `{"url":"` + u + `"}`})
	var tr api.TrackResponse
	if resp.StatusCode != 201 || json.Unmarshal(body, &tr) != nil || !tr.Created || tr.Result.Outcome != article.CheckBaseline {
		t.Fatalf("track: %d %s", resp.StatusCode, body)
	}
	if tr.Article.Read.Version != 1 || tr.Article.Watch == nil || !tr.Article.Watch.Named {
		t.Fatalf("a tracked page's baseline counts as read: %+v", tr.Article)
	}
	resp, body = h.do(req{method: "POST", path: "/api/v1/watches", body: `{"url":"` + u + `#again"}`})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"created":false`) {
		t.Fatalf("track again: %d %s", resp.StatusCode, body)
	}

	h.site.Set("/a", watchtest.Article("story-edited"))
	path := "/api/v1/articles/" + strconv.FormatInt(tr.Article.ID, 10)
	resp, body = h.do(req{method: "POST", path: path + "/check", body: `{}`})
	var cr api.CheckResponse
	if resp.StatusCode != 200 || json.Unmarshal(body, &cr) != nil {
		t.Fatalf("check: %d %s", resp.StatusCode, body)
	}
	if cr.Result.Outcome != article.CheckChanged || cr.Result.Summary == nil || cr.Result.EventID == 0 || cr.Article.Watch.Checks != 3 {
		t.Fatalf("check after an edit = %+v", cr)
	}
	if !strings.Contains(cr.Result.Message, "correction") {
		t.Errorf("message %q does not say what changed", cr.Result.Message)
	}

	for _, c := range []struct {
		r    req
		code int
		want string
	}{
		{req{method: "POST", path: path + "/check", header: map[string]string{"Content-Type": "application/json"}}, 400, "empty"},
		{req{method: "POST", path: path + "/check", body: `[]`}, 400, ""},
		{req{method: "POST", path: "/api/v1/articles/999/check", body: `{}`}, 404, "999"},
		{req{method: "POST", path: "/api/v1/watches", body: `{}`}, 400, "url is required"},
		{req{method: "POST", path: "/api/v1/watches", body: `{"url":"javascript:alert(1)"}`}, 400, ""},
		{req{method: "POST", path: "/api/v1/watches", body: `{"url":"` + h.site.URL("news.test", "/missing") + `"}`}, 400, "404"},
		{req{method: "POST", path: "/api/v1/watches", body: `{"url":"x"}`, header: map[string]string{"Content-Type": "text/plain"}}, 415, ""},
		{req{method: "POST", path: "/api/v1/watches", body: `{"url":"x"}`, header: map[string]string{"Authorization": "Bearer nope"}}, 401, ""},
		{req{method: "POST", path: "/api/v1/watches/schedule", body: `{"tiers":[],"cut_off":"1d"}`}, 400, "at least one tier"},
	} {
		resp, body := h.do(c.r)
		if resp.StatusCode != c.code || !strings.Contains(string(body), c.want) {
			t.Errorf("%s %s %s: %d %s, want %d with %q", c.r.method, c.r.path, c.r.body, resp.StatusCode, body, c.code, c.want)
		}
	}
}

func TestPauseResumeAndScheduleOverHTTP(t *testing.T) {
	h := newWatchHarness(t)
	h.site.Set("/a", watchtest.Article("story"))
	captured := h.capture(h.captureOf(h.site.URL("www.news.test", "/a"), watchtest.Page("story")))
	path := "/api/v1/articles/" + strconv.FormatInt(captured.ArticleID, 10)

	resp, body := h.do(req{method: "POST", path: path + "/pause", body: `{}`})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"state":"paused"`) {
		t.Fatalf("pause: %d %s", resp.StatusCode, body)
	}
	if r := h.w.Tick(context.Background()); r.Checked != 0 {
		t.Fatal("a paused article was checked")
	}
	resp, body = h.do(req{method: "POST", path: path + "/resume", body: `{}`})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"state":"watching"`) {
		t.Fatalf("resume: %d %s", resp.StatusCode, body)
	}

	resp, body = h.do(req{method: "POST", path: "/api/v1/sites/www.news.test/pause", body: `{}`})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"site":"news.test","articles":1,"paused":true`) {
		t.Fatalf("pause site: %d %s", resp.StatusCode, body)
	}
	resp, body = h.do(req{path: "/api/v1/watches"})
	var ws api.WatchesResponse
	if resp.StatusCode != 200 || json.Unmarshal(body, &ws) != nil || len(ws.PausedSites) != 1 || ws.PausedSites[0] != "news.test" {
		t.Fatalf("watches: %d %s", resp.StatusCode, body)
	}
	if len(ws.Schedule.Tiers) != 5 || !strings.Contains(string(body), `"within":"3h","every":"15m"`) {
		t.Errorf("schedule: %s", body)
	}
	resp, _ = h.do(req{method: "POST", path: "/api/v1/sites/news.test/resume", body: `{}`})
	if resp.StatusCode != 200 {
		t.Fatalf("resume site: %d", resp.StatusCode)
	}
	if r := h.w.Tick(context.Background()); r.Checked != 1 {
		t.Fatalf("tick after resuming = %+v", r)
	}

	sched := `{"tiers":[{"within":"6h","every":"30m"},{"within":"14d","every":"1d"}],"cut_off":"60d","jitter":0}`
	resp, body = h.do(req{method: "POST", path: "/api/v1/watches/schedule", body: sched})
	if resp.StatusCode != 200 || string(body) != sched+"\n" {
		t.Fatalf("set schedule: %d %s", resp.StatusCode, body)
	}
	resp, body = h.do(req{method: "POST", path: path + "/check", body: `{}`})
	var cr api.CheckResponse
	if resp.StatusCode != 200 || json.Unmarshal(body, &cr) != nil {
		t.Fatalf("check: %d %s", resp.StatusCode, body)
	}
	if want := h.clock.Now().Add(30 * time.Minute); !cr.Article.Watch.NextCheck.Equal(want) {
		t.Errorf("next check %s by the new schedule, want %s", cr.Article.Watch.NextCheck, want)
	}
}
