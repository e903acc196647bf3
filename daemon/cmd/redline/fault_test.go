package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The fault suite of the daemon as the user meets it: the real binary,
// real HTTP, a real store on disk.

// serveAt starts `redline serve` on addr (HOST:PORT, port 0 for any) and
// waits until it listens.
func serveAt(t *testing.T, dir, addr string) *daemonProc {
	t.Helper()
	cmd := redline("serve", "--addr", addr, "--data", dir)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &daemonProc{cmd: cmd, log: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			d.mu.Lock()
			d.log.WriteString(sc.Text() + "\n")
			d.mu.Unlock()
			if m := listenRe.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		cmd.Wait()
		close(d.done)
	}()
	select {
	case d.base = <-found:
	case <-d.done:
		t.Fatalf("daemon exited before listening:\n%s", d.logText())
	case <-time.After(30 * time.Second):
		d.kill()
		t.Fatalf("daemon did not say where it listens:\n%s", d.logText())
	}
	t.Cleanup(d.kill)
	return d
}

// retryUntil calls try until it reports done or the deadline passes,
// pausing between attempts as a client that retries would.
func retryUntil(t *testing.T, what string, timeout time.Duration, try func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !try() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not done within %s", what, timeout)
		}
		time.Sleep(10 * time.Millisecond) // a retrying client's pause, not a synchronisation
	}
}

// eventClient follows /api/v1/events as the extension does: on every
// (re)connection it says the id of the last event it handled.
type eventClient struct {
	addr, token string
	mu          sync.Mutex
	events      []eventMsg
	connections int
}

type eventMsg struct {
	ID          int64  `json:"event_id"`
	Type        string `json:"type"`
	FromVersion int    `json:"from_version"`
	ToVersion   int    `json:"to_version"`
}

// follow reads events until ctx ends, reconnecting whenever the daemon
// goes away; addr is read anew for each connection.
func (c *eventClient) follow(ctx context.Context) {
	for ctx.Err() == nil {
		c.mu.Lock()
		var last int64
		if n := len(c.events); n > 0 {
			last = c.events[n-1].ID
		}
		addr := c.addr
		c.mu.Unlock()
		dialer := websocket.Dialer{HandshakeTimeout: 2 * time.Second}
		h := http.Header{"Origin": {"chrome-extension://pefbhbjklgdhmmiknnjkgangfknghlip"}}
		ws, _, err := dialer.DialContext(ctx, "ws://"+addr+"/api/v1/events", h)
		if err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Millisecond): // the daemon is down: try again
			}
			continue
		}
		c.read(ctx, ws, last)
		ws.Close()
	}
}

func (c *eventClient) read(ctx context.Context, ws *websocket.Conn, last int64) {
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	defer stop()
	if ws.WriteJSON(map[string]any{"type": "hello", "token": c.token, "last_event_id": last}) != nil {
		return
	}
	var welcome struct{ Type string }
	if ws.ReadJSON(&welcome) != nil || welcome.Type != "welcome" {
		return
	}
	c.mu.Lock()
	c.connections++
	c.mu.Unlock()
	for {
		_, b, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var e eventMsg
		if json.Unmarshal(b, &e) != nil || e.ID == 0 {
			continue // not an event (a pong)
		}
		c.mu.Lock()
		c.events = append(c.events, e)
		c.mu.Unlock()
	}
}

func (c *eventClient) snapshot() ([]eventMsg, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]eventMsg(nil), c.events...), c.connections
}

// The daemon dies (SIGKILL) and is stopped (SIGTERM) while the reader
// keeps reading: every capture arrives once it is back, as the
// extension's queue retries each until the daemon answers; a client of
// the event stream reconnects with the last event it handled and gets
// every event it missed exactly once, in order, then the live ones.
func TestEventsReplayedAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, dir)
	addr := d.base[len("http://"):]
	token := tokenOf(t, dir)
	const page = "https://news.example/count"
	if code, _, err := post(context.Background(), d.base, token, captureBody(page, "Start.")); code != 201 || err != nil {
		t.Fatalf("first capture = %d %v", code, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := &eventClient{addr: addr, token: token}
	following := make(chan struct{})
	go func() {
		client.follow(ctx)
		close(following)
	}()
	defer func() {
		cancel()
		<-following
	}()
	retryUntil(t, "connect to the event stream", 10*time.Second, func() bool { _, n := client.snapshot(); return n == 1 })

	// The reader: 30 changes of the article, each sent until it is
	// acknowledged, one after another (the extension's queue is in order).
	const changes = 30
	acked := make(chan int, changes)
	reading := make(chan struct{})
	go func() {
		defer close(reading)
		for i := range changes {
			body := captureBody(page, fmt.Sprintf("The official count now stands at %d people after the latest update from the ministry.", i+1))
			for ctx.Err() == nil {
				if code, _, err := post(ctx, "http://"+addr, token, body); err == nil && code == 201 {
					break
				}
				select {
				case <-ctx.Done():
				case <-time.After(10 * time.Millisecond): // down or restarting: the queue tries again
				}
			}
			acked <- i + 1
		}
	}()
	waitAcked := func(n int) {
		t.Helper()
		timeout := time.After(30 * time.Second)
		for {
			select {
			case got := <-acked:
				if got >= n {
					return
				}
			case <-timeout:
				t.Fatalf("fewer than %d captures acknowledged", n)
			}
		}
	}
	waitAcked(10)
	d.kill() // mid-stream: captures in flight fail and are sent again
	d = serveAt(t, dir, addr)
	waitAcked(20)
	d.stop(t)
	d = serveAt(t, dir, addr)
	waitAcked(changes)
	<-reading

	retryUntil(t, "receive every event", 20*time.Second, func() bool { e, _ := client.snapshot(); return len(e) >= changes })
	// One more, live: nothing replayed twice after the last reconnection.
	if code, _, err := post(context.Background(), d.base, token, captureBody(page, "The count is final.")); code != 201 || err != nil {
		t.Fatalf("live capture = %d %v", code, err)
	}
	retryUntil(t, "receive the live event", 10*time.Second, func() bool { e, _ := client.snapshot(); return len(e) >= changes+1 })
	events, connections := client.snapshot()
	if connections < 3 {
		t.Errorf("the client connected %d times, want once per daemon (3)", connections)
	}
	if len(events) != changes+1 {
		t.Fatalf("%d events, want %d: %+v", len(events), changes+1, events)
	}
	for i, e := range events {
		if e.ID != int64(i+1) || e.Type != "article.changed" || e.FromVersion != i+1 || e.ToVersion != i+2 {
			t.Fatalf("event %d = %+v: want id %d, a change from version %d to %d (a gap, a duplicate or disorder)", i, e, i+1, i+1, i+2)
		}
	}
	// Every capture is in the store: version 32 is the live one.
	code, art := get(t, d.base, token, "/api/v1/articles?url="+url.QueryEscape(page))
	if code != 200 || art["versions"] != float64(changes+2) {
		t.Fatalf("after the restarts the article = %d, versions %v, want %d", code, art["versions"], changes+2)
	}
}
