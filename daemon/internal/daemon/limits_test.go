package daemon

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"redline/daemon/internal/article"
)

// startLimited starts a daemon with the given limits.
func startLimited(t *testing.T, limits Limits) *testDaemon {
	t.Helper()
	return startWith(t, Config{Limits: limits})
}

// rawConn is a TCP client on the daemon's port that writes HTTP/1.1 by
// hand, to do what ordinary clients do not: trickle a body, hold a
// request open.
type rawConn struct {
	t *testing.T
	net.Conn
	r *bufio.Reader
}

func (d *testDaemon) rawDial(t *testing.T) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", d.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	// A guard, not a clock: no step of these tests waits anywhere near
	// this long unless the daemon holds a connection it should not.
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return &rawConn{t: t, Conn: c, r: bufio.NewReader(c)}
}

func (c *rawConn) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.Conn, s); err != nil {
		c.t.Fatal(err)
	}
}

// answer reads one response and its body.
func (c *rawConn) answer() (*http.Response, []byte) {
	c.t.Helper()
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		c.t.Fatalf("reading the answer: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		c.t.Fatalf("reading the answer's body: %v", err)
	}
	return resp, b
}

// closed reads until the daemon ends the connection. A client still
// writing when the daemon closes may see the end as a reset.
func (c *rawConn) closed() {
	c.t.Helper()
	rest, err := io.ReadAll(c.r)
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		c.t.Fatalf("the daemon did not close the connection: %v (read %q)", err, rest)
	}
	if len(rest) > 0 {
		c.t.Fatalf("after the answer, before the end: %q", rest)
	}
}

func errorCode(t *testing.T, body []byte) (code, message string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	return e.Error.Code, e.Error.Message
}

// trickle writes one byte of body at a time, a few a second, until the
// connection fails or the test ends.
func (c *rawConn) trickle() {
	stop := make(chan struct{})
	done := make(chan struct{})
	c.t.Cleanup(func() {
		close(stop)
		c.Conn.Close()
		<-done
	})
	go func() {
		defer close(done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := c.Conn.Write([]byte{' '}); err != nil {
					return
				}
			}
		}
	}()
}

// A body that arrives a byte at a time is cut off when its time is up:
// with the token the daemon answers 408 and says why, without it the 401,
// and either way it closes the connection instead of holding it. The
// extension's live-update socket, which has no body, is not cut by the
// same deadline: it still carries events after the trickled requests have
// been cut, that is, after the deadline has passed.
func TestTrickledBodyIsCutOff(t *testing.T) {
	const timeout = 300 * time.Millisecond
	d := startLimited(t, Limits{BodyTimeout: timeout})
	d.capture("https://news.test/slow", "Slow", "The council met on Tuesday to vote on the budget for next year.")
	ws, _ := d.connect(nil)

	head := func(token string) string {
		h := "POST /api/v1/captures HTTP/1.1\r\nHost: " + d.Addr() + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n"
		if token != "" {
			h += "Authorization: Bearer " + token + "\r\n"
		}
		return h + "\r\n{"
	}
	for _, tc := range []struct {
		name, token string
		status      int
		code        string
	}{
		{"with the token", d.Token(), http.StatusRequestTimeout, article.ETIMEOUT},
		{"without a token", "", http.StatusUnauthorized, "unauthorized"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := d.rawDial(t)
			c.send(head(tc.token))
			c.trickle()
			resp, body := c.answer()
			if resp.StatusCode != tc.status {
				t.Fatalf("trickled body: %d %s, want %d", resp.StatusCode, body, tc.status)
			}
			code, msg := errorCode(t, body)
			if code != tc.code {
				t.Errorf("error code %q (%s), want %q", code, msg, tc.code)
			}
			if tc.code == article.ETIMEOUT && !strings.Contains(msg, timeout.String()) {
				t.Errorf("message %q does not name the limit %s", msg, timeout)
			}
			c.closed()
		})
	}

	d.capture("https://news.test/slow", "Slow", "The council met on Wednesday to vote on the budget for next year.")
	if ev := readEvents(t, ws, 1); ev[0].Type != article.EventChanged {
		t.Errorf("live-update socket after the deadline: %+v", ev[0])
	}
	// Nothing of the trickled captures was stored.
	if code, b := d.request("GET", "/api/v1/status", ""); code != 200 || !strings.Contains(string(b), `"articles":1,`) {
		t.Errorf("status: %d %s", code, b)
	}
}

// When as many captures as the limit are being saved, one more is answered
// 503 with Retry-After and a message naming the limit, and changes
// nothing; it is taken once a slot is free. Each held capture asks the
// daemon "Expect: 100-continue" and waits for its go-ahead: the daemon
// says "100 Continue" when it starts reading the body, after it has taken
// the capture's slot.
func TestCapturesInFlightAreCapped(t *testing.T) {
	const limit = 2
	d := startLimited(t, Limits{Captures: limit})
	held := make([]*rawConn, limit)
	bodies := make([]string, limit)
	for i := range held {
		bodies[i] = captureBody(fmt.Sprintf("https://news.test/held/%d", i), "Held", "A capture that the test holds while the daemon waits for its body.")
		held[i] = d.rawDial(t)
		held[i].send("POST /api/v1/captures HTTP/1.1\r\nHost: " + d.Addr() + "\r\nContent-Type: application/json\r\n" +
			"Authorization: Bearer " + d.Token() + "\r\nExpect: 100-continue\r\n" +
			fmt.Sprintf("Content-Length: %d\r\n\r\n", len(bodies[i])))
		line, err := held[i].r.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100 ") {
			t.Fatalf("held capture %d: %q %v, want 100 Continue", i, line, err)
		}
		if blank, err := held[i].r.ReadString('\n'); err != nil || blank != "\r\n" {
			t.Fatalf("held capture %d: %q %v after 100 Continue", i, blank, err)
		}
	}

	one := captureBody("https://news.test/one-more", "One more", "The capture that arrives while the daemon is saving as many as it may.")
	req, _ := http.NewRequest("POST", d.base+"/api/v1/captures", strings.NewReader(one))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+d.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("one capture more than the limit: %d, Retry-After %q, %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if code, msg := errorCode(t, body); code != article.EUNAVAILABLE || !strings.Contains(msg, fmt.Sprint(limit)) {
		t.Errorf("error %q %q: want unavailable naming the limit %d", code, msg, limit)
	}
	if code, _ := d.request("GET", "/api/v1/articles?url=https://news.test/one-more", ""); code != http.StatusNotFound {
		t.Errorf("the refused capture was stored: lookup answered %d", code)
	}

	held[0].send(bodies[0])
	if resp, b := held[0].answer(); resp.StatusCode != http.StatusCreated {
		t.Fatalf("held capture: %d %s", resp.StatusCode, b)
	}
	if got := d.capture("https://news.test/one-more", "One more", "The capture that arrives while the daemon is saving as many as it may."); got.Status != "new" {
		t.Errorf("capture once a slot is free: %+v", got)
	}
	held[1].send(bodies[1])
	if resp, b := held[1].answer(); resp.StatusCode != http.StatusCreated {
		t.Fatalf("held capture: %d %s", resp.StatusCode, b)
	}
}

// With as many connections open as the limit, one more is answered 503
// with Retry-After and closed at once; when the daemon closes one of the
// others, the next is served.
func TestConnectionsAreCapped(t *testing.T) {
	const limit = 2
	d := startLimited(t, Limits{Conns: limit})
	get := func(c *rawConn, extra string) (*http.Response, []byte) {
		t.Helper()
		c.send("GET /healthz HTTP/1.1\r\nHost: " + d.Addr() + "\r\n" + extra + "\r\n")
		return c.answer()
	}
	open := make([]*rawConn, limit)
	for i := range open {
		open[i] = d.rawDial(t)
		if resp, b := get(open[i], ""); resp.StatusCode != 200 {
			t.Fatalf("connection %d: %d %s", i, resp.StatusCode, b)
		}
	}

	extra := d.rawDial(t)
	resp, body := get(extra, "")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("one connection more than the limit: %d, Retry-After %q, %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if code, msg := errorCode(t, body); code != article.EUNAVAILABLE || !strings.Contains(msg, fmt.Sprint(limit)) {
		t.Errorf("error %q %q: want unavailable naming the limit %d", code, msg, limit)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("the refusal lacks the security headers: %v", resp.Header)
	}
	extra.closed()

	// The daemon closes the first connection after answering it; its slot
	// is free before the client sees the end.
	if resp, _ := get(open[0], "Connection: close\r\n"); resp.StatusCode != 200 {
		t.Fatalf("closing request: %d", resp.StatusCode)
	}
	open[0].closed()
	next := d.rawDial(t)
	if resp, b := get(next, ""); resp.StatusCode != 200 {
		t.Fatalf("a connection after one closed: %d %s", resp.StatusCode, b)
	}
	// The ones within the limit were served all along.
	if resp, b := get(open[1], ""); resp.StatusCode != 200 {
		t.Fatalf("connection within the limit: %d %s", resp.StatusCode, b)
	}
}
