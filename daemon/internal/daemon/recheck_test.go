package daemon

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"redline/daemon/internal/api"
	"redline/daemon/internal/article"
	"redline/daemon/internal/contracttest"
	"redline/daemon/internal/extract"
	"redline/daemon/internal/hub"
	"redline/daemon/internal/watch"
	"redline/daemon/internal/watch/watchtest"
)

// A re-check through the reader's browser end to end over the wire: a
// real daemon on 127.0.0.1, a local news site that shows the daemon's
// fetch a paywall, and a WebSocket client playing the extension, which
// takes the job on the event stream and answers over the API.

// connectTaking dials the event stream as the extension does when it
// takes re-check jobs.
func (d *testDaemon) connectTaking(rechecks bool) *websocket.Conn {
	d.t.Helper()
	ws, _, err := d.dial(api.ChromeExtensionOrigin)
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { ws.Close() })
	if err := ws.WriteJSON(map[string]any{"type": "hello", "token": d.Token(), "rechecks": rechecks}); err != nil {
		d.t.Fatal(err)
	}
	var w hub.Welcome
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := ws.ReadJSON(&w); err != nil || w.Type != "welcome" {
		d.t.Fatalf("welcome: %+v %v", w, err)
	}
	return ws
}

// nextOf reads messages until one of type typ, returning those before it.
// Every message read on the way must match ws-message.schema.json.
func nextOf(t *testing.T, ws *websocket.Conn, typ string) (map[string]any, []map[string]any) {
	t.Helper()
	schema := contracttest.Schemas(t)["ws-message"]
	var before []map[string]any
	for {
		ws.SetReadDeadline(time.Now().Add(30 * time.Second))
		_, raw, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for %s: %v (before: %v)", typ, err, before)
		}
		if err := contracttest.Validate(schema, raw); err != nil {
			t.Fatalf("a message does not match ws-message.schema.json: %v\n%s", err, raw)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("a message is not JSON: %v\n%s", err, raw)
		}
		if m["type"] == typ {
			return m, before
		}
		before = append(before, m)
	}
}

// browserAnswer is what the extension sends for page: its HTML and its
// reader-mode blocks.
func browserAnswer(t *testing.T, pageURL, page string) string {
	t.Helper()
	u, _ := url.Parse(pageURL)
	p, err := extract.HTML([]byte(page), "text/html; charset=utf-8", u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(watch.RecheckAnswer{
		Outcome: watch.AnswerPage, HTTPStatus: 200, URL: pageURL, HTML: page,
		Capture: &article.Capture{URL: pageURL, Title: p.Title, Byline: p.Byline, Blocks: p.Blocks,
			CapturedAt: time.Now().UTC(), Source: article.SourceBrowser, Extractor: "test-browser"},
	})
	return string(b)
}

func TestCheckNowThroughTheBrowserOverTheWire(t *testing.T) {
	site := watchtest.NewSite(t)
	site.Set(storyPath, watchtest.Article("story-paywall"))
	d := startOn(t, t.TempDir(), true)
	pageURL := site.URL("news.test", storyPath)

	// The reader reads the article; the daemon's fetch meets the paywall.
	read := d.read(pageURL, watchtest.Page("story"))
	checkPath := fmt.Sprintf("/api/v1/articles/%d/check", read.ArticleID)
	code, b := d.request("POST", checkPath, "{}")
	var first api.CheckResponse
	if code != 200 || json.Unmarshal(b, &first) != nil {
		t.Fatalf("check: %d %s", code, b)
	}
	// The watcher's own first check may have run already; either way the
	// article is not checkable by fetch now, and goes to the browser.
	if w := first.Article.Watch; w.State != article.WatchNotCheckable || w.Via != article.ViaBrowser {
		t.Fatalf("watch after the fetch = %+v", w)
	}
	hits := site.Hits(storyPath)

	// A client that does not take jobs (an older extension) gets none.
	plain := d.connectTaking(false)
	ext := d.connectTaking(true)

	// The site edits the article. Check now runs a job through the
	// browser and answers with its outcome.
	type answered struct {
		code int
		body []byte
	}
	done := make(chan answered, 1)
	go func() {
		code, b := d.request("POST", checkPath, "{}")
		done <- answered{code, b}
	}()
	req, _ := nextOf(t, ext, "recheck.request")
	if req["url"] != pageURL || req["article_id"] != float64(read.ArticleID) {
		t.Fatalf("request = %v", req)
	}
	job := req["job_id"].(string)
	code, b = d.request("POST", "/api/v1/rechecks/"+job, browserAnswer(t, pageURL, headlineEdit(watchtest.Page("story"))))
	if code != 200 {
		t.Fatalf("answer: %d %s", code, b)
	}
	got := <-done
	var res api.CheckResponse
	if got.code != 200 || json.Unmarshal(got.body, &res) != nil {
		t.Fatalf("check now: %d %s", got.code, got.body)
	}
	if res.Result.Outcome != article.CheckChanged || res.Result.Via != article.ViaBrowser || res.Result.EventID == 0 {
		t.Fatalf("result = %+v", res.Result)
	}
	if res.Article.Read.Version != 1 || res.Article.Watch.Browser == nil || res.Article.Watch.Browser.LastChecked.IsZero() {
		t.Fatalf("article = read %d, browser %+v: want the read mark kept and the check shown", res.Article.Read.Version, res.Article.Watch.Browser)
	}
	if site.Hits(storyPath) != hits {
		t.Error("the daemon fetched the page itself")
	}
	// Both clients hear of the change; only the one taking jobs got one.
	if _, before := nextOf(t, plain, "article.changed"); len(before) != 0 {
		t.Errorf("a client not taking jobs got %v", before)
	}
	nextOf(t, ext, "article.changed")

	// The job is done: a second answer finds nothing.
	if code, b := d.request("POST", "/api/v1/rechecks/"+job, browserAnswer(t, pageURL, watchtest.Page("story"))); code != 404 {
		t.Fatalf("second answer: %d %s", code, b)
	}
	// A job id that is not one is not found either.
	if code, _ := d.request("POST", "/api/v1/rechecks/..%2Fsettings", "{}"); code != 404 {
		t.Fatalf("malformed job id: %d", code)
	}
}

func TestRecheckSettingsOverTheWire(t *testing.T) {
	d := startOn(t, t.TempDir(), false)
	code, b := d.request("GET", "/api/v1/settings/recheck", "")
	var s watch.RecheckSettings
	if code != 200 || json.Unmarshal(b, &s) != nil || !s.Enabled || s.DailyBudget != 200 || s.Sites == nil {
		t.Fatalf("defaults: %d %s", code, b)
	}
	code, b = d.request("POST", "/api/v1/settings/recheck", `{"daily_budget": 50, "sites": ["https://www.news.example/x"]}`)
	if code != 200 || json.Unmarshal(b, &s) != nil || !s.Enabled || s.DailyBudget != 50 || len(s.Sites) != 1 || s.Sites[0] != "news.example" {
		t.Fatalf("set: %d %s", code, b)
	}
	for _, bad := range []string{`{"daily_budget": -1}`, `{"daily_budget": 5001}`, `{"sites": ["ftp://x"]}`, `{"enabled": "yes"}`, `[]`} {
		if code, b := d.request("POST", "/api/v1/settings/recheck", bad); code != 400 {
			t.Errorf("%s: %d %s, want 400", bad, code, b)
		}
	}
	code, b = d.request("GET", "/api/v1/settings/recheck", "")
	if code != 200 || json.Unmarshal(b, &s) != nil || s.DailyBudget != 50 || len(s.Sites) != 1 {
		t.Fatalf("a bad request changed the settings: %s", b)
	}
}

// An extension that declines a job (capture paused) is not charged for
// it, and when it says over the event stream that its state changed
// ({"type":"recheck.ready"}: capture resumed) it is offered the job again
// at once, rather than at the article's next due time.
func TestDeclinedJobComesBackWhenTheExtensionIsReadyOverTheWire(t *testing.T) {
	site := watchtest.NewSite(t)
	site.Set(storyPath, watchtest.Article("story-paywall"))
	d := startOn(t, t.TempDir(), true)
	pageURL := site.URL("news.test", storyPath)
	read := d.read(pageURL, watchtest.Page("story"))
	checkPath := fmt.Sprintf("/api/v1/articles/%d/check", read.ArticleID)
	if code, b := d.request("POST", checkPath, "{}"); code != 200 {
		t.Fatalf("check: %d %s", code, b)
	}
	d.waitFor(read.ArticleID, "not checkable by fetch", func(a article.Article) bool {
		return a.Watch != nil && a.Watch.State == article.WatchNotCheckable && a.Watch.Via == article.ViaBrowser
	})
	ext := d.connectTaking(true)

	// Check now: the paused extension declines, and the check answers
	// with why.
	done := make(chan api.CheckResponse, 1)
	go func() {
		var res api.CheckResponse
		_, b := d.request("POST", checkPath, "{}")
		json.Unmarshal(b, &res)
		done <- res
	}()
	req, _ := nextOf(t, ext, "recheck.request")
	job := req["job_id"].(string)
	if code, b := d.request("POST", "/api/v1/rechecks/"+job, `{"outcome":"declined","detail":"paused"}`); code != 200 {
		t.Fatalf("decline: %d %s", code, b)
	}
	if res := <-done; res.Result.Message != "waiting for your browser: capture is paused in your browser" {
		t.Fatalf("check now = %+v, want the decline said", res.Result)
	}
	code, b := d.request("GET", "/api/v1/settings/recheck", "")
	var s watch.RecheckSettings
	if code != 200 || json.Unmarshal(b, &s) != nil || s.UsedToday != 0 {
		t.Fatalf("settings after the decline: %d %s, want used_today 0", code, b)
	}

	// The reader resumes capture: the extension says so, and is offered
	// the job at once (its next due time is 15 minutes away).
	ready := []byte(`{"type":"recheck.ready"}`)
	if err := contracttest.Validate(contracttest.Schemas(t)["ws-message"], ready); err != nil {
		t.Fatalf("recheck.ready does not match ws-message.schema.json: %v", err)
	}
	if err := ext.WriteMessage(websocket.TextMessage, ready); err != nil {
		t.Fatal(err)
	}
	again, _ := nextOf(t, ext, "recheck.request")
	if again["job_id"] != job {
		t.Fatalf("after recheck.ready the extension was offered %v, want job %s", again, job)
	}
	code, b = d.request("POST", "/api/v1/rechecks/"+job, browserAnswer(t, pageURL, headlineEdit(watchtest.Page("story"))))
	var res api.CheckResponse
	if code != 200 || json.Unmarshal(b, &res) != nil || res.Result.Outcome != article.CheckChanged {
		t.Fatalf("answer: %d %s", code, b)
	}
	code, b = d.request("GET", "/api/v1/settings/recheck", "")
	if code != 200 || json.Unmarshal(b, &s) != nil || s.UsedToday != 1 {
		t.Fatalf("settings after the check: %d %s, want used_today 1", code, b)
	}
}
