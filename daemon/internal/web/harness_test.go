package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"redline/daemon/internal/api"
	"redline/daemon/internal/article"
	"redline/daemon/internal/diff"
	"redline/daemon/internal/hub"
	"redline/daemon/internal/notify"
	"redline/daemon/internal/reading"
	"redline/daemon/internal/store"
	"redline/daemon/internal/watch"
	"redline/daemon/internal/watch/watchtest"
	"redline/daemon/internal/web"
)

// testDashHost is the dashboard's own host name in these tests.
const testDashHost = "redline-0123456789abcdef0123.localhost"

const testToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// clock is a clock the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// stack is the daemon's HTTP side as `redline serve` assembles it: the
// store, the event hub, the dashboard mounted in the API with all its
// guards, on a real loopback socket.
type stack struct {
	t testing.TB
	// base is the daemon's loopback address (the API, the feeds); dash
	// is the dashboard's own origin, on its host name of its own.
	base  string
	home  string
	port  int
	store *store.Store
	rules *reading.Rules
	clock *clock
	// watcher re-checks on request only (its loop does not run); site is
	// the local news site it fetches from.
	watcher *watch.Watcher
	site    *watchtest.Site
	// dash is the dashboard on its own, without the API's guards in front;
	// logs holds what it logged.
	dash *web.Dashboard
	logs *logBuffer
	// notifier sends changes to the notification targets; notifyDir
	// holds its targets file.
	notifier  *notify.Notifier
	notifyDir string
	// keyDir holds the session key (web.SessionKeyFile).
	keyDir string
}

// logBuffer keeps log lines for a test to read.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newStack(t testing.TB) *stack {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	rules := reading.NewRules(diff.DefaultRules())
	// The hub and the watcher read the store first; the store calls them
	// once they are made, as the daemon binds them (daemon.OpenParts).
	var h *hub.Hub
	var wt *watch.Watcher
	var nt *notify.Notifier
	st, err := store.Open(t.TempDir(), store.Options{
		Judge: rules.Judge(),
		Events: func(e article.Event) {
			h.Publish(e)
			nt.Wake()
		},
		Plan: func(a *article.Article, now time.Time) (time.Time, time.Time, bool) { return wt.Plan(a, now) },
		Wake: func() { wt.Wake() },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureListIndex(); err != nil {
		t.Fatal(err)
	}
	if h, err = hub.New(st); err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now()}
	site := watchtest.NewSite(t)
	// One reading service for the watcher, the dashboard and the API, as
	// the daemon has (daemon.OpenParts).
	svc := reading.New(reading.Config{Store: st, Rules: rules, Hub: h})
	wt, err = watch.New(st, watch.NewFetcher(watch.FetcherOptions{Version: "test", AllowPrivate: true, Resolve: watchtest.Resolve, Timeout: 5 * time.Second}), watch.Options{Reading: svc, WatchChanged: func(id int64) { h.WatchChanged(id) }})
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	notifyDir := t.TempDir()
	if nt, err = notify.New(st, notifyDir, "http://"+testDashHost+":"+strconv.Itoa(port), notify.Options{Logger: logger}); err != nil {
		t.Fatal(err)
	}
	keyDir := t.TempDir()
	dash, err := web.New(web.Config{Store: st, Hub: h, Host: testDashHost, Port: port, DataDir: "/data/redline", KeyDir: keyDir, Reading: svc, Now: clk.Now, Watcher: wt, Logger: logger, Notifier: nt})
	if err != nil {
		t.Fatal(err)
	}
	server, err := api.New(api.Config{Store: st, Token: testToken, Port: port, Hub: h, Reading: svc, Dashboard: dash, Notifier: nt})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: server.Handler()}
	ctx, cancel := context.WithCancel(context.Background())
	hubDone := make(chan struct{})
	go func() { defer close(hubDone); h.Run(ctx) }()
	notifyDone := make(chan struct{})
	go func() { defer close(notifyDone); nt.Run(ctx) }()
	go srv.Serve(ln)
	t.Cleanup(func() {
		cancel()
		srv.Close()
		<-hubDone
		<-notifyDone
		st.Close()
	})
	return &stack{t: t, base: "http://127.0.0.1:" + strconv.Itoa(port), home: "http://" + testDashHost + ":" + strconv.Itoa(port), port: port, store: st, rules: rules, clock: clk, watcher: wt, site: site, dash: dash, logs: logs, notifier: nt, notifyDir: notifyDir, keyDir: keyDir}
}

// api calls the API with the token.
func (s *stack) api(method, path, body string) (int, []byte) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

type block struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
}

// capture stores a browser capture (a read) and returns the article id.
func (s *stack) capture(url, title, byline string, blocks ...block) int64 {
	s.t.Helper()
	b, _ := json.Marshal(map[string]any{
		"url": url, "title": title, "byline": byline, "blocks": blocks,
		"captured_at": time.Now().UTC().Format(time.RFC3339Nano), "source": "browser", "extractor": "test",
	})
	code, out := s.api("POST", "/api/v1/captures", string(b))
	if code != http.StatusCreated {
		s.t.Fatalf("capture: %d %s", code, out)
	}
	var r struct {
		ArticleID int64 `json:"article_id"`
	}
	json.Unmarshal(out, &r)
	return r.ArticleID
}

func paras(texts ...string) []block {
	var out []block
	for _, t := range texts {
		out = append(out, block{"p", t})
	}
	return out
}

// changedArticle stores an article the user read, then a substantive
// change to it.
func (s *stack) changedArticle(url string) int64 {
	id := s.capture(url, "Council delays budget vote", "By Ana Ruiz",
		paras("The council delayed the budget vote on Tuesday after a long debate.", "The mayor said she was reluctant to raise taxes.", "A second vote is planned for next month.")...)
	s.capture(url, "Council approves budget after all", "By Ana Ruiz",
		paras("The council delayed the budget vote on Tuesday after a long debate.", "The mayor said she was willing to raise taxes.", "A second vote is planned for next month.", "Correction: An earlier version of this article gave the wrong date of the vote.")...)
	return id
}

// loginLink asks for a one-time login URL as `redline open` does.
func (s *stack) loginLink() string {
	s.t.Helper()
	code, b := s.api("POST", "/api/v1/dashboard/login", "{}")
	if code != http.StatusOK {
		s.t.Fatalf("login link: %d %s", code, b)
	}
	var l api.LoginResponse
	if err := json.Unmarshal(b, &l); err != nil {
		s.t.Fatal(err)
	}
	return l.URL
}

// browser is a cookie-keeping client that does not follow redirects, so
// tests see each answer.
type browser struct {
	t testing.TB
	c *http.Client
	s *stack
}

func (s *stack) newBrowser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: s.t, s: s, c: &http.Client{
		Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: localhostTransport(),
	}}
}

// localhostTransport connects to 127.0.0.1 for names under .localhost, as
// browsers do.
func localhostTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	var d net.Dialer
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err == nil && strings.HasSuffix(host, ".localhost") {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		return d.DialContext(ctx, network, addr)
	}
	return tr
}

// loggedIn is a browser that went through a fresh login link.
func (s *stack) loggedIn() *browser {
	b := s.newBrowser()
	if code, _, _ := b.get(s.loginLink()); code != http.StatusOK {
		s.t.Fatalf("login: %d", code)
	}
	return b
}

func (b *browser) do(req *http.Request) (int, string, http.Header) {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

func (b *browser) get(url string) (int, string, http.Header) {
	b.t.Helper()
	if strings.HasPrefix(url, "/") {
		url = b.s.home + url
	}
	req, _ := http.NewRequest("GET", url, nil)
	return b.do(req)
}

// post submits a form as the dashboard's own page would (same Origin).
func (b *browser) post(path string, form map[string]string) (int, string, http.Header) {
	b.t.Helper()
	v := make([]string, 0, len(form))
	for k, val := range form {
		v = append(v, k+"="+urlEscape(val))
	}
	req, _ := http.NewRequest("POST", b.s.home+path, strings.NewReader(strings.Join(v, "&")))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.s.home)
	return b.do(req)
}

func urlEscape(s string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", "=", "%3D", " ", "+", "\n", "%0A")
	return r.Replace(s)
}
