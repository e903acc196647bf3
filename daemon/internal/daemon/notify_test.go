package daemon

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"redline/daemon/internal/api"
	"redline/daemon/internal/contracttest"
	"redline/daemon/internal/hub"
	"redline/daemon/internal/notify"
)

// sharedSchemas compiles the shared schemas once for these tests (the
// targets are listed often while a test waits for a status).
var sharedSchemas = func() func(t testing.TB) map[string]*jsonschema.Schema {
	var once sync.Once
	var m map[string]*jsonschema.Schema
	return func(t testing.TB) map[string]*jsonschema.Schema {
		once.Do(func() { m = contracttest.Schemas(t) })
		return m
	}
}()

// safety bounds a wait for something that must happen, so that a broken
// daemon fails the test instead of hanging it; it is not a clock for the
// test.
const safety = 30 * time.Second

// webhook is a receiver of the JSON webhook on 127.0.0.1. Each request is
// answered by answer (200 when nil).
type webhook struct {
	*httptest.Server
	got    chan notify.Payload
	mu     sync.Mutex
	answer func(n int, r *http.Request) int
	n      int
}

func newWebhook(t *testing.T, answer func(n int, r *http.Request) int) *webhook {
	t.Helper()
	schema := sharedSchemas(t)["notify-webhook"]
	w := &webhook{got: make(chan notify.Payload, 100), answer: answer}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		w.n++
		n := w.n
		w.mu.Unlock()
		// The body is read first: then the server notices when the
		// sender gives up (the request's context ends).
		body, _ := io.ReadAll(r.Body)
		code := http.StatusOK
		if w.answer != nil {
			code = w.answer(n, r)
		}
		if code == http.StatusOK {
			var p notify.Payload
			if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &p) != nil {
				t.Errorf("the webhook got %s %s %q", r.Method, r.Header.Get("Content-Type"), body)
			}
			if err := contracttest.Validate(schema, body); err != nil {
				t.Errorf("the webhook's body does not match notify-webhook.schema.json: %v\n%s", err, body)
			}
			w.got <- p
		}
		rw.WriteHeader(code)
	}))
	t.Cleanup(w.Close)
	return w
}

func (w *webhook) next(t *testing.T) notify.Payload {
	t.Helper()
	select {
	case p := <-w.got:
		return p
	case <-time.After(safety):
		t.Fatal("the webhook received nothing")
		return notify.Payload{}
	}
}

// ntfyPost is what an ntfy-compatible endpoint received.
type ntfyPost struct {
	Topic, Title, Click, Body, Auth string
}

func newNtfy(t *testing.T) (*httptest.Server, chan ntfyPost) {
	got := make(chan ntfyPost, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		// ntfy reads RFC 2047 encoded headers, as a title that is not
		// ASCII comes.
		title, err := new(mime.WordDecoder).DecodeHeader(r.Header.Get("Title"))
		if err != nil {
			t.Errorf("the ntfy title %q: %v", r.Header.Get("Title"), err)
		}
		got <- ntfyPost{Topic: strings.TrimPrefix(r.URL.Path, "/"), Title: title, Click: r.Header.Get("Click"), Body: string(body), Auth: r.Header.Get("Authorization")}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"x1","time":%d,"event":"message","topic":%q}`, time.Now().Unix(), strings.TrimPrefix(r.URL.Path, "/"))
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

// smtpSink is a small SMTP server on 127.0.0.1 that keeps every mail it
// is given: EHLO, MAIL, RCPT, DATA, RSET, NOOP and QUIT, no TLS, no
// authentication.
type mail struct {
	From string
	To   []string
	Data string
}

func newSMTPSink(t *testing.T) (string, chan mail) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan mail, 100)
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { serveSMTP(c, got) })
		}
	})
	return ln.Addr().String(), got
}

func serveSMTP(c net.Conn, got chan mail) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(safety))
	r := bufio.NewReader(c)
	say := func(s string) { fmt.Fprintf(c, "%s\r\n", s) }
	say("220 sink.test ready")
	var m mail
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250-sink.test\r\n250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			m = mail{From: strings.TrimSpace(line[len("MAIL FROM:"):])}
			say("250 OK")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			m.To = append(m.To, strings.TrimSpace(line[len("RCPT TO:"):]))
			say("250 OK")
		case cmd == "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			m.Data = b.String()
			got <- m
			say("250 OK")
		case cmd == "RSET", cmd == "NOOP":
			say("250 OK")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 not here")
		}
	}
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeWaiter{c.now.Add(d), ch})
	return ch
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
		} else {
			kept = append(kept, w)
		}
	}
	c.waiters = kept
}

// addTarget adds a notification target through the API.
func (d *testDaemon) addTarget(spec notify.Spec) notify.Status {
	d.t.Helper()
	b, _ := json.Marshal(spec)
	code, out := d.request("POST", "/api/v1/notify/targets", string(b))
	if code != http.StatusCreated {
		d.t.Fatalf("add target %s: %d %s", notify.MaskURL(spec.URL), code, out)
	}
	var st notify.Status
	json.Unmarshal(out, &st)
	return st
}

func (d *testDaemon) targets() []notify.Status {
	d.t.Helper()
	code, out := d.request("GET", "/api/v1/notify/targets", "")
	if code != http.StatusOK {
		d.t.Fatalf("list targets: %d %s", code, out)
	}
	var raw struct{ Targets []json.RawMessage }
	json.Unmarshal(out, &raw)
	schema := sharedSchemas(d.t)["notify-target"]
	for _, one := range raw.Targets {
		if err := contracttest.Validate(schema, one); err != nil {
			d.t.Errorf("a listed target does not match notify-target.schema.json: %v\n%s", err, one)
		}
	}
	var l api.NotifyTargets
	if err := json.Unmarshal(out, &l); err != nil {
		d.t.Fatal(err)
	}
	return l.Targets
}

func (d *testDaemon) target(id int64) notify.Status {
	d.t.Helper()
	for _, st := range d.targets() {
		if st.ID == id {
			return st
		}
	}
	d.t.Fatalf("target %d is not listed", id)
	return notify.Status{}
}

// edits are the successive texts of an article, each a substantive
// change of the one before.
var edits = []string{
	"The minister was reluctant to sign the deal on Friday.",
	"The minister signed the deal on Friday, against the advice of her party.",
	"The minister refused the deal on Friday, and her party cheered the decision.",
	"The deal collapsed after the minister resigned, and talks will resume in spring.",
}

// edit captures text n of the article at url: from the second on, each a
// substantive change of a read article.
func (d *testDaemon) edit(url, title string, n int) captureAnswer {
	d.t.Helper()
	return d.capture(url, title, "In "+title+": "+edits[n])
}

// waitTarget lists the targets until target id is as ok wants it: the
// worker records how an attempt went after the receiver has answered.
func (d *testDaemon) waitTarget(id int64, ok func(notify.Status) bool) notify.Status {
	d.t.Helper()
	deadline := time.Now().Add(safety)
	for {
		st := d.target(id)
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("target %d stays %+v", id, st)
		}
	}
}

// A change of an article the user read reaches a JSON webhook, an ntfy
// server, a Gotify server and a mailbox, each with the headline, what changed in words and
// a link to the change in the dashboard.
func TestNotifyDeliversToWebhookNtfyGotifyAndEmail(t *testing.T) {
	d := start(t, hub.Timing{})
	hook := newWebhook(t, nil)
	ntfySrv, ntfyGot := newNtfy(t)
	smtpAddr, mails := newSMTPSink(t)
	d.addTarget(notify.Spec{URL: hook.URL + "/hook"})
	d.addTarget(notify.Spec{URL: "ntfy://reader:pw-ntfy-123@" + strings.TrimPrefix(ntfySrv.URL, "http://") + "/redline-news?scheme=http"})
	d.addTarget(notify.Spec{URL: "smtp://" + smtpAddr + "/?from=redline@mail.test&to=reader@mail.test&auth=None&encryption=None&usestarttls=no"})
	// A Gotify-compatible server on 127.0.0.1 (POST /message?token=…).
	gotifyGot := make(chan map[string]any, 10)
	gotifySrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		m["path"], m["token"] = r.URL.Path, r.URL.Query().Get("token")
		gotifyGot <- m
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":1,"appid":1,"message":"x","title":"x","priority":0,"date":"2026-12-03T09:00:00Z"}`)
	}))
	t.Cleanup(gotifySrv.Close)
	d.addTarget(notify.Spec{URL: "gotify://" + strings.TrimPrefix(gotifySrv.URL, "http://") + "/AbCdEfGhIjKlMn1?disabletls=yes"})

	first := d.edit("https://news.example/deal", "Minister and the deal", 0)
	d.edit("https://news.example/deal", "Minister signs the deal", 1)

	p := hook.next(t)
	if p.Type != "changes" || p.Digest || len(p.Changes) != 1 || p.Change == nil {
		t.Fatalf("the webhook got %+v, want one change", p)
	}
	c := *p.Change
	wantLink := fmt.Sprintf("/articles/%d?from=1&to=2", first.ArticleID)
	if c.ArticleID != first.ArticleID || c.URL != "https://news.example/deal" || c.Headline != "Minister signs the deal" ||
		c.HeadlineWas != "Minister and the deal" || c.Significance != "substantive" || !strings.Contains(c.Summary, "Headline changed") ||
		!strings.HasPrefix(c.Link, "http://redline-") || !strings.HasSuffix(c.Link, wantLink) {
		t.Errorf("the webhook's change is %+v", c)
	}
	if p.Title != "Changed: Minister signs the deal" || !strings.Contains(p.Text, c.Link) {
		t.Errorf("the webhook's title %q text %q", p.Title, p.Text)
	}

	var n ntfyPost
	select {
	case n = <-ntfyGot:
	case <-time.After(safety):
		t.Fatal("the ntfy server received nothing")
	}
	if n.Topic != "redline-news" || n.Title != "Changed: Minister signs the deal" || n.Click != c.Link ||
		!strings.Contains(n.Body, "Headline changed") || !strings.Contains(n.Body, c.Link) || n.Auth == "" {
		t.Errorf("the ntfy server got %+v", n)
	}

	select {
	case g := <-gotifyGot:
		if g["path"] != "/message" || g["token"] != "AbCdEfGhIjKlMn1" || g["title"] != "Changed: Minister signs the deal" ||
			!strings.Contains(fmt.Sprint(g["message"]), "Headline changed") || !strings.Contains(fmt.Sprint(g["message"]), c.Link) {
			t.Errorf("the Gotify server got %v", g)
		}
	case <-time.After(safety):
		t.Fatal("the Gotify server received nothing")
	}

	// A headline that is not ASCII reaches ntfy whole.
	d.edit("https://news.example/deal", "Ministre signé — à la fin", 2)
	select {
	case n = <-ntfyGot:
	case <-time.After(safety):
		t.Fatal("the ntfy server received nothing")
	}
	if n.Title != "Changed: Ministre signé — à la fin" {
		t.Errorf("the ntfy title is %q", n.Title)
	}
	hook.next(t)
	<-gotifyGot

	var m mail
	select {
	case m = <-mails:
	case <-time.After(safety):
		t.Fatal("the SMTP sink received nothing")
	}
	if !strings.Contains(m.From, "redline@mail.test") || len(m.To) != 1 || !strings.Contains(m.To[0], "reader@mail.test") ||
		!strings.Contains(m.Data, "Subject: Changed: Minister signs the deal") || !strings.Contains(m.Data, "Headline changed") {
		t.Errorf("the mail is %+v", m)
	}

	for _, st := range d.targets() {
		st = d.waitTarget(st.ID, func(s notify.Status) bool { return s.LastSentAt != nil })
		if st.Pending != 0 || st.LastError != "" {
			t.Errorf("target %d (%s) after delivery: %+v", st.ID, st.Service, st)
		}
	}
}

// A digest target sends at most one message per period: a change after a
// quiet spell goes at once, the changes within the period after it go
// together, in one message, when the period is up.
func TestNotifyDigestGathersChanges(t *testing.T) {
	clock := newFakeClock()
	d := startWith(t, Config{Notify: notify.Options{Clock: clock}})
	hook := newWebhook(t, nil)
	st := d.addTarget(notify.Spec{URL: hook.URL, Digest: "30m"})
	if st.DigestMinutes != 30 {
		t.Fatalf("digest minutes %d, want 30", st.DigestMinutes)
	}
	d.edit("https://news.example/one", "One", 0)
	d.edit("https://news.example/one", "One", 1)
	if p := hook.next(t); len(p.Changes) != 1 || p.Changes[0].Headline != "One" {
		t.Fatalf("the first message is %+v, want the one change", p)
	}
	d.edit("https://news.example/two", "Two", 0)
	d.edit("https://news.example/two", "Two", 1)
	d.edit("https://news.example/one", "One", 2)
	d.edit("https://news.example/two", "Two", 2)
	if got := d.target(st.ID).Pending; got != 3 {
		t.Errorf("within the period %d changes are pending, want 3", got)
	}
	clock.Advance(30 * time.Minute)
	p := hook.next(t)
	if !p.Digest || len(p.Changes) != 3 || p.Change != nil || p.Title != "Redline: 3 changes" {
		t.Fatalf("the digest is %+v, want the 3 changes in one message", p)
	}
	for i, want := range []string{"Two", "One", "Two"} {
		if p.Changes[i].Headline != want || !strings.Contains(p.Text, p.Changes[i].Link) {
			t.Errorf("digest change %d is %+v, want %s with its link in the text", i, p.Changes[i], want)
		}
	}
	select {
	case extra := <-hook.got:
		t.Errorf("a message beyond the digest: %+v", extra)
	default:
	}
	d.waitTarget(st.ID, func(s notify.Status) bool { return s.Pending == 0 })
}

// Filters: a target takes substantive changes only unless it asks for
// minor ones too, and a target with a site only that site's changes.
func TestNotifyFilters(t *testing.T) {
	d := start(t, hub.Timing{})
	substantive := newWebhook(t, nil)
	minor := newWebhook(t, nil)
	site := newWebhook(t, nil)
	d.addTarget(notify.Spec{URL: substantive.URL})
	d.addTarget(notify.Spec{URL: minor.URL, Minor: true})
	st := d.addTarget(notify.Spec{URL: site.URL, Site: "https://www.other.example/x", Minor: true})
	if st.Site != "other.example" {
		t.Errorf("the site is kept as %q, want other.example", st.Site)
	}

	// A minor change on news.example: only the target that takes minor
	// changes of every site sends it.
	body := []string{
		"The council met on Tuesday evening to discuss the budget for the coming year, which had been delayed twice.",
		"Members spoke for three hours about schools, roads and the library, and the public gallery was full.",
		"The mayor said the city would publish the figures next week, once the auditors had finished their review.",
		"A second meeting is planned for the end of the month, when the council expects to vote on the final plan.",
	}
	d.capture("https://news.example/council", "Council debates the budget", body...)
	body[1] = "Members talked for three hours about schools, roads and the library, and the public gallery was full."
	if a := d.capture("https://news.example/council", "Council debates the budget", body...); a.ChangedSinceRead == nil || a.ChangedSinceRead.Significance != "minor" {
		t.Fatalf("the reworded word is %+v, want a minor change", a.ChangedSinceRead)
	}
	if p := minor.next(t); len(p.Changes) != 1 || p.Changes[0].Significance != "minor" {
		t.Errorf("the minor target got %+v", p)
	}
	// A substantive change on other.example: all three send it.
	d.edit("https://other.example/deal", "Deal", 0)
	d.edit("https://other.example/deal", "Deal", 1)
	for name, w := range map[string]*webhook{"substantive": substantive, "minor": minor, "site": site} {
		if p := w.next(t); len(p.Changes) != 1 || p.Changes[0].URL != "https://other.example/deal" {
			t.Errorf("the %s target got %+v, want the other.example change", name, p)
		}
	}
	// The substantive and site targets never got the minor change: their
	// first message was the substantive one, and nothing is left.
	for _, st := range d.targets() {
		d.waitTarget(st.ID, func(s notify.Status) bool { return s.Pending == 0 })
	}
	for name, w := range map[string]*webhook{"substantive": substantive, "site": site} {
		select {
		case p := <-w.got:
			t.Errorf("the %s target got more: %+v", name, p)
		default:
		}
	}
}

// A receiver that fails is tried again: the failure is shown (last error,

// failingOnce is a webhook whose first answer is 503 (failed is closed
// then) and every later one 200.
func failingOnce(t *testing.T) (*webhook, <-chan struct{}) {
	failed := make(chan struct{})
	hook := newWebhook(t, func(n int, r *http.Request) int {
		if n == 1 {
			defer close(failed)
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	return hook, failed
}

// pending count) until it takes the change, then cleared.
func TestNotifyRetriesAfterReceiverComesBack(t *testing.T) {
	clock := newFakeClock()
	d := startWith(t, Config{Notify: notify.Options{Clock: clock, Backoff: time.Minute}})
	hook, failed := failingOnce(t)
	st := d.addTarget(notify.Spec{URL: hook.URL})
	d.edit("https://news.example/retry", "Retry", 0)
	d.edit("https://news.example/retry", "Retry", 1)
	<-failed
	// The retry is a minute away on the test's clock: the failure shows
	// until then.
	got := d.waitTarget(st.ID, func(s notify.Status) bool { return s.Failures > 0 })
	if !strings.Contains(got.LastError, "503") || got.Pending != 1 || got.LastErrorAt == nil {
		t.Errorf("after the failure the target shows %+v, want the 503, 1 pending", got)
	}
	clock.Advance(time.Minute)
	if p := hook.next(t); len(p.Changes) != 1 || p.Changes[0].Headline != "Retry" {
		t.Errorf("the retry sent %+v", p)
	}
	got = d.waitTarget(st.ID, func(s notify.Status) bool { return s.Failures == 0 })
	if got.LastError != "" || got.Pending != 0 || got.LastSentAt == nil {
		t.Errorf("after the retry the target shows %+v", got)
	}
}

// A receiver that was away gets what it missed in one message when it is
// back, not one message per change: a phone does not ring ten times.
func TestNotifyBacklogAfterAnOutageGoesInOneMessage(t *testing.T) {
	clock := newFakeClock()
	d := startWith(t, Config{Notify: notify.Options{Clock: clock, Backoff: time.Minute}})
	hook, failed := failingOnce(t)
	st := d.addTarget(notify.Spec{URL: hook.URL})
	d.edit("https://news.example/away-1", "Away one", 0)
	d.edit("https://news.example/away-1", "Away one", 1)
	<-failed
	// While the receiver is away, two more articles change.
	d.edit("https://news.example/away-2", "Away two", 0)
	d.edit("https://news.example/away-2", "Away two", 1)
	d.edit("https://news.example/away-3", "Away three", 0)
	d.edit("https://news.example/away-3", "Away three", 1)
	d.waitTarget(st.ID, func(s notify.Status) bool { return s.Failures > 0 && s.Pending == 3 })
	clock.Advance(time.Minute)
	p := hook.next(t)
	if len(p.Changes) != 3 || p.Changes[0].Headline != "Away one" || p.Changes[2].Headline != "Away three" || !p.Digest {
		t.Fatalf("the receiver back got %+v, want the 3 missed changes in one message", p)
	}
	got := d.waitTarget(st.ID, func(s notify.Status) bool { return s.Failures == 0 })
	if got.Pending != 0 {
		t.Errorf("after the backlog went, the target shows %+v", got)
	}
	// Back in step, the next change goes alone again.
	d.edit("https://news.example/away-1", "Away one", 2)
	if p := hook.next(t); len(p.Changes) != 1 || p.Digest {
		t.Errorf("the next change after the backlog went as %+v, want alone", p)
	}
}

// A receiver that hangs is given up on after the attempt timeout and
// tried again later; captures and the other targets go on meanwhile.
func TestNotifyHangingReceiverBlocksNothing(t *testing.T) {
	d := startWith(t, Config{Notify: notify.Options{AttemptTimeout: 200 * time.Millisecond, Backoff: time.Hour}})
	release := make(chan struct{})
	hung := make(chan struct{}, 10)
	hang := newWebhook(t, func(n int, r *http.Request) int {
		hung <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return http.StatusGatewayTimeout
	})
	t.Cleanup(func() { close(release) })
	ok := newWebhook(t, nil)
	slow := d.addTarget(notify.Spec{URL: hang.URL})
	d.addTarget(notify.Spec{URL: ok.URL})

	d.edit("https://news.example/hang", "Hang", 0)
	d.edit("https://news.example/hang", "Hang", 1)
	<-hung
	// While the receiver hangs, captures are answered and the other
	// target gets its messages.
	if p := ok.next(t); len(p.Changes) != 1 {
		t.Errorf("the other target got %+v", p)
	}
	d.edit("https://news.example/hang", "Hang", 2)
	if p := ok.next(t); len(p.Changes) != 1 {
		t.Errorf("the other target's second message is %+v", p)
	}
	got := d.waitTarget(slow.ID, func(s notify.Status) bool { return s.Failures > 0 })
	if !strings.Contains(got.LastError, "no answer within 200ms") || got.Pending != 2 {
		t.Errorf("the hanging target shows %+v, want the timeout and 2 pending", got)
	}
}

// syncBuffer is a log sink the daemon's goroutines may write at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The secrets of a target URL are kept in a file only its owner reads,
// shown masked in the list, and never written to the log, even when a
// failure quotes the URL.
func TestNotifySecretsMaskedAndNeverLogged(t *testing.T) {
	var logs syncBuffer
	clock := newFakeClock()
	d := startWith(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Notify: notify.Options{Clock: clock}})
	failed := make(chan struct{}, 10)
	hook := newWebhook(t, func(n int, r *http.Request) int {
		failed <- struct{}{}
		return http.StatusInternalServerError
	})
	ntfySrv, _ := newNtfy(t)
	const secret1, secret2, secret3 = "pw-hunter-77", "tk-webhook-42", "AgotifyTok99xyz"
	hookURL := strings.Replace(hook.URL, "http://", "http://user:"+secret1+"@", 1) + "/in?token=" + secret2 + "&room=main"
	a := d.addTarget(notify.Spec{URL: hookURL})
	b := d.addTarget(notify.Spec{URL: "ntfy://me:" + secret1 + "@" + strings.TrimPrefix(ntfySrv.URL, "http://") + "/t?scheme=http"})
	// A Gotify server that is not there: the connection is refused.
	c := d.addTarget(notify.Spec{URL: "gotify://127.0.0.1:1/" + secret3 + "?disabletls=yes"})
	d.edit("https://news.example/secret", "Secret", 0)
	d.edit("https://news.example/secret", "Secret", 1)
	<-failed
	d.waitTarget(c.ID, func(s notify.Status) bool { return s.Failures > 0 })
	d.waitTarget(a.ID, func(s notify.Status) bool { return s.Failures > 0 })
	code, out := d.request("GET", "/api/v1/notify/targets", "")
	if code != 200 {
		t.Fatal(code)
	}
	for _, s := range []string{secret1, secret2, secret3} {
		if strings.Contains(string(out), s) {
			t.Errorf("the list shows the secret %q: %s", s, out)
		}
		if strings.Contains(logs.String(), s) {
			t.Errorf("the log holds the secret %q:\n%s", s, logs.String())
		}
	}
	list := d.targets()
	if list[0].URL != strings.Replace(hook.URL, "http://", "http://user:••••@", 1)+"/in?room=main&token=••••" {
		t.Errorf("the webhook is shown as %q", list[0].URL)
	}
	if !strings.Contains(list[1].URL, "me:••••@") || list[1].ID != b.ID {
		t.Errorf("the ntfy target is shown as %q", list[1].URL)
	}
	if list[2].URL != "gotify://127.0.0.1:1/••••?disabletls=yes" || list[2].LastError == "" {
		t.Errorf("the gotify target is shown as %+v", list[2])
	}
	if !strings.Contains(logs.String(), "notification failed") {
		t.Errorf("the failures are not logged:\n%s", logs.String())
	}
	info, err := os.Stat(filepath.Join(d.cfg.DataDir, notify.File))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("the targets file has mode %v, want 0600", info.Mode().Perm())
	}
}

// Bad input is refused with a clear error and stores nothing; an
// unknown id is 404.
func TestNotifyBadInput(t *testing.T) {
	d := start(t, hub.Timing{})
	for _, c := range []struct{ body, want string }{
		{`{"url":""}`, "missing"},
		{`{"url":"not a url"}`, "not a URL"},
		{`{"url":"ftp://files.test/x"}`, `unknown scheme \"ftp\"`},
		{`{"url":"https://"}`, "has no host"},
		{`{"url":"ntfy://ntfy.test/"}`, "topic is required"},
		{`{"url":"smtp://mail.test:25/?from=a@mail.test&to=b@mail.test&port=x1"}`, "not valid"},
		{`{"url":"https://hook.test/in","digest":"soon"}`, "whole number of minutes"},
		{`{"url":"https://hook.test/in","digest":"30s"}`, "whole number of minutes"},
		{`{"url":"https://hook.test/in","digest":"48h"}`, "whole number of minutes"},
		{`{"url":"https://hook.test/in","site":"not a site"}`, "not a site name"},
		{`{"url":"https://hook.test/in","minor":"yes"}`, "wrong type"},
		{`{"url":"telegram://sec-tok-55@telegram"}`, "not valid"},
		{`{"url":"gotify://gotify.test/sec-tok-55"}`, "15 characters"},
	} {
		code, out := d.request("POST", "/api/v1/notify/targets", c.body)
		if code != http.StatusBadRequest || !strings.Contains(string(out), c.want) {
			t.Errorf("add %s = %d %s, want 400 saying %q", c.body, code, out, c.want)
		}
		if strings.Contains(string(out), "sec-tok-55") {
			t.Errorf("the error shows the secret: %s", out)
		}
	}
	if l := d.targets(); len(l) != 0 {
		t.Errorf("bad input stored %+v", l)
	}
	if _, err := os.Stat(filepath.Join(d.cfg.DataDir, notify.File)); !os.IsNotExist(err) {
		t.Errorf("bad input wrote the targets file: %v", err)
	}
	for _, c := range []struct {
		method, path, body string
		code               int
	}{
		{"DELETE", "/api/v1/notify/targets/7", "", 404},
		{"DELETE", "/api/v1/notify/targets/x", "", 400},
		{"POST", "/api/v1/notify/test", `{"id":7}`, 404},
		{"POST", "/api/v1/notify/test", `{"id":-1}`, 400},
	} {
		if code, out := d.request(c.method, c.path, c.body); code != c.code {
			t.Errorf("%s %s %s = %d %s, want %d", c.method, c.path, c.body, code, out, c.code)
		}
	}
	// A web page can neither add a target (which would send it your
	// reading) nor list them: no token, a page's Origin, or a form post
	// are refused, and nothing is stored.
	for _, c := range []struct {
		name   string
		header map[string]string
		body   string
	}{
		{"no token", map[string]string{"Content-Type": "application/json"}, `{"url":"https://evil.test/in"}`},
		{"a web page's origin", map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + d.Token(), "Origin": "https://evil.test"}, `{"url":"https://evil.test/in"}`},
		{"a form post", map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Bearer " + d.Token()}, `url=https://evil.test/in`},
	} {
		req, _ := http.NewRequest("POST", d.base+"/api/v1/notify/targets", strings.NewReader(c.body))
		for k, v := range c.header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("add with %s = %d, want refused", c.name, resp.StatusCode)
		}
	}
	if l := d.targets(); len(l) != 0 {
		t.Errorf("a refused request stored %+v", l)
	}
	// The same target twice is a conflict.
	d.addTarget(notify.Spec{URL: "https://hook.test/in"})
	if code, out := d.request("POST", "/api/v1/notify/targets", `{"url":"https://hook.test/in"}`); code != http.StatusConflict {
		t.Errorf("the same target again = %d %s", code, out)
	}
}

// "Send test" sends a sample to one target or all, and says how each went;
// removing a target stops its messages.
func TestNotifyTestAndRemove(t *testing.T) {
	d := start(t, hub.Timing{})
	hook := newWebhook(t, nil)
	down := newWebhook(t, func(int, *http.Request) int { return http.StatusNotFound })
	a := d.addTarget(notify.Spec{URL: hook.URL})
	b := d.addTarget(notify.Spec{URL: down.URL})
	code, out := d.request("POST", "/api/v1/notify/test", `{}`)
	var res api.NotifyTestResults
	json.Unmarshal(out, &res)
	if code != 200 || len(res.Results) != 2 || !res.Results[0].OK || res.Results[1].OK || !strings.Contains(res.Results[1].Error, "404") {
		t.Fatalf("test all = %d %s", code, out)
	}
	if p := hook.next(t); p.Type != "test" || !strings.Contains(p.Title, "test") {
		t.Errorf("the sample is %+v", p)
	}
	code, out = d.request("POST", "/api/v1/notify/test", fmt.Sprintf(`{"id":%d}`, a.ID))
	if json.Unmarshal(out, &res); code != 200 || len(res.Results) != 1 || res.Results[0].ID != a.ID || !res.Results[0].OK {
		t.Errorf("test one = %d %s", code, out)
	}
	hook.next(t)
	if code, out := d.request("DELETE", fmt.Sprintf("/api/v1/notify/targets/%d", a.ID), ""); code != 200 || strings.Contains(string(out), hook.URL) {
		t.Errorf("remove = %d %s", code, out)
	}
	if l := d.targets(); len(l) != 1 || l[0].ID != b.ID {
		t.Errorf("after remove the list is %+v", l)
	}
}

// BenchmarkNotifyLatency measures from sending a capture that changes a
// read article to a webhook on 127.0.0.1 holding the notification: the
// HTTP request, the durable write, the diff, the worker's wake and the
// POST.
func BenchmarkNotifyLatency(b *testing.B) {
	d := start(b, hub.Timing{})
	got := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		got <- struct{}{}
	}))
	defer srv.Close()
	spec, _ := json.Marshal(notify.Spec{URL: srv.URL})
	if code, out := d.request("POST", "/api/v1/notify/targets", string(spec)); code != 201 {
		b.Fatalf("add: %d %s", code, out)
	}
	d.capture("https://news.example/latency", "Count", "Start.")
	i := 0
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for b.Loop() {
		i++
		d.capture("https://news.example/latency", "Count", fmt.Sprintf("The count is now %d people.", i))
		select {
		case <-got:
		case <-ctx.Done():
			b.Fatal("no notification")
		}
	}
}

// A mail server that takes the connection and then says nothing is
// given up on after the attempt timeout, like a hanging webhook, and
// holds nothing of the daemon: it stops cleanly at the end of the test.
func TestNotifyHangingMailServerIsGivenUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	done := make(chan struct{})
	t.Cleanup(func() {
		close(done)
		ln.Close()
		conns.Wait()
	})
	conns.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Go(func() {
				defer c.Close()
				<-done
			})
		}
	})
	d := startWith(t, Config{Notify: notify.Options{AttemptTimeout: 200 * time.Millisecond, Backoff: time.Hour}})
	st := d.addTarget(notify.Spec{URL: "smtp://" + ln.Addr().String() + "/?from=redline@mail.test&to=reader@mail.test&auth=None&encryption=None&usestarttls=no"})
	d.edit("https://news.example/mailhang", "Hang", 0)
	d.edit("https://news.example/mailhang", "Hang", 1)
	got := d.waitTarget(st.ID, func(s notify.Status) bool { return s.Failures > 0 })
	if !strings.Contains(got.LastError, "no answer within 200ms") || got.Pending != 1 {
		t.Errorf("the hanging mail server shows %+v", got)
	}
	code, out := d.request("POST", "/api/v1/notify/test", "{}")
	if code != 200 || !strings.Contains(string(out), "no answer within 200ms") {
		t.Errorf("test against the hanging mail server = %d %s", code, out)
	}
}

// A daemon stopped while a message is on its way stops at once: the
// attempt is given up, and the change stays pending for the next start.
func TestNotifyStopsDuringADelivery(t *testing.T) {
	cfg := Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Notify: notify.Options{AttemptTimeout: time.Hour}}
	d0, err := Start(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	d := &testDaemon{Daemon: d0, t: t, base: "http://" + d0.Addr()}
	arrived := make(chan struct{}, 10)
	hang := newWebhook(t, func(n int, r *http.Request) int {
		if n == 1 {
			arrived <- struct{}{}
			<-r.Context().Done()
			return http.StatusGatewayTimeout
		}
		return http.StatusOK
	})
	st := d.addTarget(notify.Spec{URL: hang.URL})
	d.edit("https://news.example/stop", "Stop", 0)
	d.edit("https://news.example/stop", "Stop", 1)
	<-arrived
	if err := d0.Close(); err != nil {
		t.Fatal(err)
	}
	// Started again, the daemon sends the change it could not.
	d1, err := Start(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d1.Close() })
	if p := hang.next(t); len(p.Changes) != 1 || p.Changes[0].Headline != "Stop" {
		t.Errorf("after the restart the target got %+v", p)
	}
	d = &testDaemon{Daemon: d1, t: t, base: "http://" + d1.Addr()}
	d.waitTarget(st.ID, func(s notify.Status) bool { return s.Pending == 0 && s.LastSentAt != nil })
}

// A target that failed is tried again at once when its Send test works,
// instead of at the end of its backoff.
func TestNotifyTestThatWorksRetriesAtOnce(t *testing.T) {
	clock := newFakeClock()
	d := startWith(t, Config{Notify: notify.Options{Clock: clock, Backoff: time.Hour}})
	hook := newWebhook(t, func(n int, r *http.Request) int {
		if n == 1 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	st := d.addTarget(notify.Spec{URL: hook.URL})
	d.edit("https://news.example/again", "Again", 0)
	d.edit("https://news.example/again", "Again", 1)
	d.waitTarget(st.ID, func(s notify.Status) bool { return s.Failures > 0 })
	if code, out := d.request("POST", "/api/v1/notify/test", "{}"); code != 200 || !strings.Contains(string(out), `"ok":true`) {
		t.Fatalf("test = %d %s", code, out)
	}
	if p := hook.next(t); p.Type != "test" {
		t.Errorf("first came %+v, want the sample", p)
	}
	if p := hook.next(t); len(p.Changes) != 1 || p.Changes[0].Headline != "Again" {
		t.Errorf("then came %+v, want the pending change", p)
	}
	d.waitTarget(st.ID, func(s notify.Status) bool { return s.Failures == 0 && s.Pending == 0 && s.LastError == "" })
}
