// Package watchtest plays news sites for tests of the watcher: real HTTP
// on 127.0.0.1, pages from testdata that a test switches between versions,
// many host names on one server, and the ways real sites misbehave
// (slow, endless or cut-off bodies, resets, redirect loops, 304, 429 with
// Retry-After, 5xx, 404 and 410, paywalls, bot checks, other types).
package watchtest

import (
	"bytes"
	"compress/gzip"
	"context"
	"embed"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
)

//go:embed testdata/*.html
var pages embed.FS

// Page returns a page from testdata: "story" (an article), "story-edited"
// (a real edit: a reworded paragraph, a figure changed, a correction),
// "story-noise" (only the timestamp, comment count and ad marker changed),
// "story-paywall" (the same article behind a paywall), "challenge" (a bot
// check).
func Page(name string) string {
	b, err := pages.ReadFile("testdata/" + name + ".html")
	if err != nil {
		panic(fmt.Sprintf("watchtest: no page %q", name))
	}
	return string(b)
}

// Behaviour is how the site misbehaves when answering.
type Behaviour int

// Behaviours.
const (
	Normal Behaviour = iota
	// Slow sends the headers and then a byte now and then, forever.
	Slow
	// Endless sends the body without end, as fast as it can.
	Endless
	// Truncated promises a longer body than it sends, then hangs up.
	Truncated
	// Reset resets the connection before answering.
	Reset
	// Hold answers only when the test releases it (Site.Release).
	Hold
)

// Response is how the site answers for one path.
type Response struct {
	Status      int    // default 200
	Body        string // default empty
	ContentType string // default text/html; charset=utf-8
	// ETag and LastModified make the site answer conditional requests
	// with 304 when they match.
	ETag         string
	LastModified string
	// RetryAfter is sent as the Retry-After header.
	RetryAfter string
	// Location redirects (with Status 301/302/307/308).
	Location string
	// Encoding compresses the body: "gzip" or "br" (only when the client
	// accepts it).
	Encoding  string
	Behaviour Behaviour
	// Header holds more headers to send as they are (a Content-Encoding
	// the body does not have, say).
	Header map[string]string
}

// Article is a 200 answer with the named testdata page.
func Article(name string) Response { return Response{Body: Page(name)} }

// Request is one request the site received.
type Request struct {
	Host, Path string
	Header     http.Header
}

// Site is the local news site. Its host names (any name passed to URL)
// all resolve to it through Resolve.
type Site struct {
	*httptest.Server

	mu        sync.Mutex
	answers   map[string]Response // by host + path; "" host for any
	requests  []Request
	running   map[string]int // per host
	maxPer    map[string]int
	maxAll    int
	nowAll    int
	hold      chan struct{}
	received  chan Request
	heldCount int
}

// NewSite starts a site on 127.0.0.1 and stops it when the test ends.
func NewSite(t interface{ Cleanup(func()) }) *Site {
	s := &Site{
		answers: map[string]Response{}, running: map[string]int{}, maxPer: map[string]int{},
		hold: make(chan struct{}), received: make(chan Request, 1024),
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		s.releaseAll()
		s.Server.CloseClientConnections()
		s.Server.Close()
	})
	return s
}

// Port is the site's port on 127.0.0.1.
func (s *Site) Port() int { return s.Listener.Addr().(*net.TCPAddr).Port }

// URL returns the address of path on host (a name such as
// "news.test", which Resolve maps to the site).
func (s *Site) URL(host, path string) string {
	return "http://" + host + ":" + strconv.Itoa(s.Port()) + path
}

// LoopbackURL returns the address of path at 127.0.0.1.
func (s *Site) LoopbackURL(path string) string { return s.Server.URL + path }

// Resolve maps every name to 127.0.0.1, for FetcherOptions.Resolve.
func Resolve(_ context.Context, _ string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
}

// Set makes the site answer path on every host with r.
func (s *Site) Set(path string, r Response) { s.SetOn("", path, r) }

// SetOn makes the site answer path on one host with r.
func (s *Site) SetOn(host, path string, r Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers[host+path] = r
}

// Requests returns the requests received so far for path (every path
// when path is "").
func (s *Site) Requests(path string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if path == "" || r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// Hits counts the requests received for path.
func (s *Site) Hits(path string) int { return len(s.Requests(path)) }

// Received delivers each request as it arrives (buffered), so that a test
// can wait for one without sleeping.
func (s *Site) Received() <-chan Request { return s.received }

// MaxConcurrent returns the most requests that ran at once on one host,
// and on the whole site.
func (s *Site) MaxConcurrent(host string) (perHost, all int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxPer[host], s.maxAll
}

// Release lets every held request answer.
func (s *Site) Release() { s.releaseAll() }

func (s *Site) releaseAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.hold)
	s.hold = make(chan struct{})
}

func (s *Site) serve(w http.ResponseWriter, r *http.Request) {
	host, _, _ := net.SplitHostPort(r.Host)
	if host == "" {
		host = r.Host
	}
	s.mu.Lock()
	req := Request{Host: host, Path: r.URL.Path, Header: r.Header.Clone()}
	s.requests = append(s.requests, req)
	s.running[host]++
	s.nowAll++
	s.maxPer[host] = max(s.maxPer[host], s.running[host])
	s.maxAll = max(s.maxAll, s.nowAll)
	ans, ok := s.answers[host+r.URL.Path]
	if !ok {
		ans, ok = s.answers[r.URL.Path]
	}
	hold := s.hold
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.running[host]--
		s.nowAll--
		s.mu.Unlock()
	}()
	select {
	case s.received <- req:
	default:
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.answer(w, r, ans, hold)
}

func (s *Site) answer(w http.ResponseWriter, r *http.Request, ans Response, hold chan struct{}) {
	switch ans.Behaviour {
	case Hold:
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		}
	case Reset:
		hijackAndClose(w, true)
		return
	}
	h := w.Header()
	ct := ans.ContentType
	if ct == "" {
		ct = "text/html; charset=utf-8"
	}
	h.Set("Content-Type", ct)
	if ans.ETag != "" {
		h.Set("ETag", ans.ETag)
		if r.Header.Get("If-None-Match") == ans.ETag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if ans.LastModified != "" {
		h.Set("Last-Modified", ans.LastModified)
		if ans.ETag == "" && r.Header.Get("If-Modified-Since") == ans.LastModified {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if ans.RetryAfter != "" {
		h.Set("Retry-After", ans.RetryAfter)
	}
	if ans.Location != "" {
		h.Set("Location", ans.Location)
	}
	for k, v := range ans.Header {
		h.Set(k, v)
	}
	status := ans.Status
	if status == 0 {
		status = http.StatusOK
	}
	body := []byte(ans.Body)
	switch {
	case ans.Encoding == "gzip" && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip"):
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(body)
		zw.Close()
		body = b.Bytes()
		h.Set("Content-Encoding", "gzip")
	case ans.Encoding == "br" && strings.Contains(r.Header.Get("Accept-Encoding"), "br"):
		var b bytes.Buffer
		bw := brotli.NewWriter(&b)
		bw.Write(body)
		bw.Close()
		body = b.Bytes()
		h.Set("Content-Encoding", "br")
	}
	switch ans.Behaviour {
	case Slow:
		w.WriteHeader(status)
		w.Write(body[:min(len(body), 64)])
		rc := http.NewResponseController(w)
		for r.Context().Err() == nil {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			rc.Flush()
			// Wait for the client to give up; it is not a clock for the test.
			select {
			case <-r.Context().Done():
			case <-waitTick():
			}
		}
	case Endless:
		w.WriteHeader(status)
		chunk := bytes.Repeat([]byte("<p>and on and on</p>\n"), 512)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	case Truncated:
		h.Set("Content-Length", strconv.Itoa(len(body)+10000))
		w.WriteHeader(status)
		w.Write(body[:len(body)/2])
		http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler) // the server hangs up mid-body
	default:
		w.WriteHeader(status)
		w.Write(body)
	}
}

// waitTick paces the slow body.
func waitTick() <-chan time.Time { return time.After(10 * time.Millisecond) }

// hijackAndClose ends the connection under the handler: with reset, by
// an RST instead of a clean close.
func hijackAndClose(w http.ResponseWriter, reset bool) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	if tcp, ok := conn.(*net.TCPConn); ok && reset {
		tcp.SetLinger(0)
	}
	conn.Close()
}
