package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"redline/daemon/internal/article"
	"redline/daemon/internal/contracttest"
	"redline/daemon/internal/extract"
	"redline/daemon/internal/watch"
	"redline/daemon/internal/watch/watchtest"
)

// readAs captures page as the reader's browser reads it (reader mode's
// blocks) and returns the article id.
func (s *stack) readAs(pageURL, page string) int64 {
	s.t.Helper()
	u, _ := url.Parse(pageURL)
	p, err := extract.HTML([]byte(page), "text/html; charset=utf-8", u)
	if err != nil {
		s.t.Fatal(err)
	}
	var blocks []block
	for _, b := range p.Blocks {
		blocks = append(blocks, block{string(b.Kind), b.Text})
	}
	return s.capture(pageURL, p.Title, p.Byline, blocks...)
}

// browserAnswer is the extension's answer to a job: the page as it
// fetched it, and reader mode's blocks.
func browserAnswer(t *testing.T, pageURL, page string) watch.RecheckAnswer {
	t.Helper()
	u, _ := url.Parse(pageURL)
	p, err := extract.HTML([]byte(page), "text/html; charset=utf-8", u)
	if err != nil {
		t.Fatal(err)
	}
	return watch.RecheckAnswer{
		Outcome: watch.AnswerPage, HTTPStatus: 200, URL: pageURL, HTML: page,
		Capture: &article.Capture{URL: pageURL, Title: p.Title, Byline: p.Byline, Blocks: p.Blocks,
			CapturedAt: time.Now().UTC(), Source: article.SourceBrowser, Extractor: "test-browser"},
	}
}

// liveSocket opens the live-update socket of a dashboard page b got (its
// ticket), says hello and reads the welcome.
func (s *stack) liveSocket(b *browser, page string) *websocket.Conn {
	s.t.Helper()
	m := regexp.MustCompile(`<meta name="redline-ticket" content="([0-9a-f]{64})">`).FindStringSubmatch(page)
	if m == nil {
		s.t.Fatal("the page carries no live ticket")
	}
	u, _ := url.Parse(s.home)
	h := http.Header{}
	h.Set("Origin", s.home)
	for _, c := range b.c.Jar.Cookies(u) {
		h.Add("Cookie", c.Name+"="+c.Value)
	}
	dialer := websocket.Dialer{NetDialContext: localhostTransport().DialContext}
	ws, _, err := dialer.Dial("ws://"+testDashHost+":"+fmt.Sprint(s.port)+"/live?ticket="+m[1], h)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { ws.Close() })
	if err := ws.WriteJSON(map[string]any{"type": "hello", "token": m[1]}); err != nil {
		s.t.Fatal(err)
	}
	var welcome struct{ Type string }
	if err := ws.ReadJSON(&welcome); err != nil || welcome.Type != "welcome" {
		s.t.Fatalf("welcome: %+v %v", welcome, err)
	}
	return ws
}

// The article page follows its checks live: when a check through the
// reader's browser finishes, its live socket says so (article.watch, no
// event of the log), and GET /live/articles/{id}/watch gives the page
// what it now says ("Checked through your browser just now"). The
// extension's event stream gets no such notice.
func TestArticlePageFollowsABrowserCheckLive(t *testing.T) {
	s := newStack(t)
	const path = "/2026/paywalled"
	s.site.Set(path, watchtest.Article("story-paywall"))
	pageURL := s.site.URL("news.test", path)
	id := s.readAs(pageURL, watchtest.Page("story"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The daemon's fetch meets the paywall: the browser checks it now.
	if res, a, err := s.watcher.CheckNow(ctx, id); err != nil || a.Watch.State != article.WatchNotCheckable || a.Watch.Via != article.ViaBrowser {
		t.Fatalf("first check: %+v, watch %+v, %v", res, a.Watch, err)
	}

	// The watcher's loops run (they offer jobs), and an extension that
	// takes jobs answers with the edited article.
	var owned sync.WaitGroup
	defer owned.Wait()
	defer cancel()
	owned.Add(2)
	go func() { defer owned.Done(); s.watcher.Run(ctx) }()
	jobs, _, detach := s.watcher.Attach()
	defer detach()
	go func() {
		defer owned.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case m := <-jobs:
				req := m.(watch.RecheckRequest)
				s.watcher.Answer(ctx, req.JobID, browserAnswer(t, pageURL, strings.Replace(watchtest.Page("story"), "delays", "halts", 1)))
			}
		}
	}()

	// The extension's own event stream, which must hear no notices.
	ext, _, err := websocket.DefaultDialer.Dial(strings.Replace(s.base, "http", "ws", 1)+"/api/v1/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ext.Close()
	if err := ext.WriteJSON(map[string]any{"type": "hello", "token": testToken}); err != nil {
		t.Fatal(err)
	}
	var welcome struct{ Type string }
	if err := ext.ReadJSON(&welcome); err != nil || welcome.Type != "welcome" {
		t.Fatalf("welcome: %+v %v", welcome, err)
	}

	b := s.loggedIn()
	_, page, _ := b.get(fmt.Sprintf("/articles/%d", id))
	if !strings.Contains(page, fmt.Sprintf(`id="watch" data-article="%d"`, id)) {
		t.Fatal("the article page does not mark its account of the checks")
	}
	live := s.liveSocket(b, page)

	res, _, err := s.watcher.CheckNow(ctx, id)
	if err != nil || res.Via != article.ViaBrowser || res.Outcome != article.CheckChanged {
		t.Fatalf("check now through the browser: %+v %v", res, err)
	}
	type message struct {
		Type      string `json:"type"`
		EventID   int64  `json:"event_id"`
		ArticleID int64  `json:"article_id"`
	}
	// Every message read must match ws-message.schema.json.
	schema := contracttest.Schemas(t)["ws-message"]
	read := func(ws *websocket.Conn, what string, until func(message) bool) []message {
		t.Helper()
		var got []message
		for {
			ws.SetReadDeadline(time.Now().Add(30 * time.Second))
			_, raw, err := ws.ReadMessage()
			if err != nil {
				t.Fatalf("waiting for %s: %v (got %+v)", what, err, got)
			}
			if err := contracttest.Validate(schema, raw); err != nil {
				t.Fatalf("a message does not match ws-message.schema.json: %v\n%s", err, raw)
			}
			var m message
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatalf("a message is not JSON: %v\n%s", err, raw)
			}
			got = append(got, m)
			if until(m) {
				return got
			}
		}
	}
	got := read(live, "the article.watch notice", func(m message) bool { return m.Type == "article.watch" && m.ArticleID == id })
	if last := got[len(got)-1]; last.EventID != 0 {
		t.Fatalf("the notice %+v carries an event id: it is no event of the log", last)
	}

	// What the page shows now, as its script asks for it.
	code, body, hdr := b.get(fmt.Sprintf("/live/articles/%d/watch", id))
	var v struct{ State, Words, Detail string }
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") || json.Unmarshal([]byte(body), &v) != nil {
		t.Fatalf("GET watch: %d %s", code, body)
	}
	if v.State != string(article.WatchNotCheckable) || !strings.Contains(v.Detail, "Checked through your browser just now") {
		t.Fatalf("watch = %+v, want the check through the browser said", v)
	}
	if code, _, _ := s.newBrowser().get(fmt.Sprintf("/live/articles/%d/watch", id)); code != http.StatusUnauthorized {
		t.Errorf("GET watch without a session: %d, want 401", code)
	}
	if code, _, _ := b.get("/live/articles/999/watch"); code != http.StatusNotFound {
		t.Errorf("GET watch of no article: %d, want 404", code)
	}

	// The extension's stream: the change, then a later change of another
	// article, and no notice between.
	sentinel := s.changedArticle("https://news.example/sentinel")
	got = read(ext, "the later change", func(m message) bool { return m.Type == "article.changed" && m.ArticleID == sentinel })
	for _, m := range got {
		if m.Type == "article.watch" {
			t.Fatalf("the extension's event stream got %+v", m)
		}
	}
}
