package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"redline/daemon/internal/api"
	"redline/daemon/internal/article"
	"redline/daemon/internal/contracttest"
	"redline/daemon/internal/hub"
)

type testDaemon struct {
	*Daemon
	t    testing.TB
	base string
	stop func() // closes the daemon before the test ends
}

func start(t testing.TB, timing hub.Timing) *testDaemon {
	t.Helper()
	return startWith(t, Config{HubTiming: timing})
}

// startWith starts a daemon with cfg on a free loopback port and a fresh
// data folder, closed when the test ends.
func startWith(t testing.TB, cfg Config) *testDaemon {
	t.Helper()
	cfg.Addr, cfg.DataDir = "127.0.0.1:0", t.TempDir()
	d, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("close daemon: %v", err)
		}
	})
	return &testDaemon{Daemon: d, t: t, base: "http://" + d.Addr()}
}

func (d *testDaemon) request(method, path, body string) (int, []byte) {
	d.t.Helper()
	req, _ := http.NewRequest(method, d.base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+d.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		d.t.Fatal(err)
	}
	return resp.StatusCode, b
}

func captureBody(url, title string, paras ...string) string {
	var blocks []map[string]string
	for _, p := range paras {
		blocks = append(blocks, map[string]string{"kind": "p", "text": p})
	}
	b, _ := json.Marshal(map[string]any{
		"url": url, "title": title, "blocks": blocks, "captured_at": time.Now().UTC().Format(time.RFC3339Nano),
		"source": "browser", "extractor": "test",
	})
	return string(b)
}

type captureAnswer struct {
	ArticleID        int64            `json:"article_id"`
	Version          int              `json:"version"`
	Status           string           `json:"status"`
	ChangedSinceRead *article.Summary `json:"changed_since_read"`
}

func (d *testDaemon) capture(url, title string, paras ...string) captureAnswer {
	d.t.Helper()
	code, b := d.request("POST", "/api/v1/captures", captureBody(url, title, paras...))
	if code != 201 {
		d.t.Fatalf("capture: %d %s", code, b)
	}
	var out captureAnswer
	json.Unmarshal(b, &out)
	return out
}

// changeN makes n changed versions of one read article: n change events.
func (d *testDaemon) changeN(url string, n int) {
	d.t.Helper()
	for i := range n {
		d.capture(url, "Count", fmt.Sprintf("The official count now stands at %d people after the latest update from the ministry.", i+1))
	}
}

func (d *testDaemon) dial(origin string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	return websocket.DefaultDialer.Dial("ws://"+d.Addr()+"/api/v1/events", h)
}

// connect dials, says hello and returns the welcome.
func (d *testDaemon) connect(lastEventID *int64) (*websocket.Conn, hub.Welcome) {
	d.t.Helper()
	ws, _, err := d.dial(api.ChromeExtensionOrigin)
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { ws.Close() })
	hello := map[string]any{"type": "hello", "token": d.Token()}
	if lastEventID != nil {
		hello["last_event_id"] = *lastEventID
	}
	if err := ws.WriteJSON(hello); err != nil {
		d.t.Fatal(err)
	}
	var w hub.Welcome
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := ws.ReadJSON(&w); err != nil || w.Type != "welcome" {
		d.t.Fatalf("welcome: %+v %v", w, err)
	}
	return ws, w
}

func readEvents(t testing.TB, ws *websocket.Conn, n int) []article.Event {
	t.Helper()
	var out []article.Event
	for len(out) < n {
		ws.SetReadDeadline(time.Now().Add(20 * time.Second))
		var e article.Event
		if err := ws.ReadJSON(&e); err != nil {
			t.Fatalf("after %d of %d events: %v", len(out), n, err)
		}
		out = append(out, e)
	}
	return out
}

func ptr(n int64) *int64 { return &n }

func TestChangeIsPushedToConnectedClients(t *testing.T) {
	d := start(t, hub.Timing{})
	first := d.capture("https://news.example/a", "Talks", "The minister was reluctant to sign the deal.")
	if first.ChangedSinceRead != nil {
		t.Errorf("first capture reports a change: %+v", first.ChangedSinceRead)
	}
	ws, w := d.connect(nil)
	if w.LastEventID != 0 {
		t.Errorf("welcome last_event_id %d", w.LastEventID)
	}
	second := d.capture("https://news.example/a", "Talks", "The minister was willing to sign the deal.")
	if second.ChangedSinceRead == nil || second.ChangedSinceRead.Significance != article.Substantive {
		t.Errorf("revisit after a meaning flip: changed_since_read %+v", second.ChangedSinceRead)
	}
	sch := contracttest.Schemas(t)
	ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, rawEvent, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"event", "ws-message"} {
		if err := contracttest.Validate(sch[name], rawEvent); err != nil {
			t.Errorf("event does not match %s.schema.json: %v\n%s", name, err, rawEvent)
		}
	}
	var ev article.Event
	json.Unmarshal(rawEvent, &ev)
	if ev.ID != 1 || ev.Type != article.EventChanged || ev.ArticleID != first.ArticleID || ev.FromVersion != 1 || ev.ToVersion != 2 ||
		ev.Summary == nil || ev.Summary.Significance != article.Substantive || ev.URL != "https://news.example/a" {
		t.Errorf("event = %+v", ev)
	}

	// The diff defaults to the unseen change.
	code, b := d.request("GET", fmt.Sprintf("/api/v1/articles/%d/diff", first.ArticleID), "")
	var diff struct {
		From, To struct{ Number int }
		Ops      []struct {
			Op    string
			Spans []struct{ Op, Text string }
		}
		Summary article.Summary
	}
	json.Unmarshal(b, &diff)
	if err := contracttest.Validate(sch["diff"], b); err != nil {
		t.Errorf("diff does not match diff.schema.json: %v", err)
	}
	if code != 200 || diff.From.Number != 1 || diff.To.Number != 2 || len(diff.Ops) != 1 || diff.Ops[0].Op != "change" {
		t.Fatalf("diff = %d %s", code, b)
	}
	var del, ins string
	for _, s := range diff.Ops[0].Spans {
		switch s.Op {
		case "delete":
			del += s.Text
		case "insert":
			ins += s.Text
		}
	}
	if strings.TrimSpace(del) != "reluctant" || strings.TrimSpace(ins) != "willing" {
		t.Errorf("word diff: deleted %q inserted %q", del, ins)
	}

	// Still unseen after the revisit, until marked seen.
	again := d.capture("https://news.example/a", "Talks", "The minister was willing to sign the deal.")
	if again.Status != "unchanged" || again.ChangedSinceRead == nil {
		t.Errorf("second revisit: %+v", again)
	}
	code, b = d.request("POST", fmt.Sprintf("/api/v1/articles/%d/seen", first.ArticleID), `{"version":2}`)
	if code != 200 {
		t.Fatalf("seen = %d %s", code, b)
	}
	seen := readEvents(t, ws, 1)[0]
	if seen.ID != 2 || seen.Type != article.EventSeen || seen.Version != 2 {
		t.Errorf("seen event = %+v", seen)
	}
	if after := d.capture("https://news.example/a", "Talks", "The minister was willing to sign the deal."); after.ChangedSinceRead != nil {
		t.Errorf("after seen: changed_since_read %+v", after.ChangedSinceRead)
	}
	for _, bad := range []string{`{}`, `{"version":0}`, `{"version":9}`, `{"version":"2"}`, `nope`} {
		if code, b := d.request("POST", fmt.Sprintf("/api/v1/articles/%d/seen", first.ArticleID), bad); code != 400 {
			t.Errorf("seen %s = %d %s", bad, code, b)
		}
	}
	for _, q := range []string{"?from=0", "?to=9", "?from=x"} {
		if code, b := d.request("GET", fmt.Sprintf("/api/v1/articles/%d/diff%s", first.ArticleID, q), ""); code != 400 {
			t.Errorf("diff%s = %d %s", q, code, b)
		}
	}
}

func TestTrivialChangesDoNotAlert(t *testing.T) {
	d := start(t, hub.Timing{})
	d.capture("https://news.example/t", "Quiet", "Updated 5 minutes ago", "The vote is on Friday.")
	out := d.capture("https://news.example/t", "Quiet", "Updated 12 minutes ago", "The vote is on Friday.")
	if out.Status != "changed" || out.ChangedSinceRead != nil {
		t.Errorf("timestamp-only change: %+v", out)
	}
	if last, _ := d.Store().LastEventID(); last != 0 {
		t.Errorf("a trivial change appended %d events", last)
	}
}

func TestReplayAfterReconnectHasNoGapNoDuplicate(t *testing.T) {
	d := start(t, hub.Timing{})
	d.capture("https://news.example/r", "Count", "Start.")
	ws, _ := d.connect(ptr(0))
	d.changeN("https://news.example/r", 5)
	got := readEvents(t, ws, 5)
	ws.Close()
	d.changeN("https://news.example/r2", 1) // a new article: no event
	for i := range 7 {
		d.capture("https://news.example/r", "Count", fmt.Sprintf("While away, the count rose to %d thousand people.", i+100))
	}
	ws2, w := d.connect(ptr(got[len(got)-1].ID))
	if w.LastEventID != 12 {
		t.Errorf("welcome last_event_id %d, want 12", w.LastEventID)
	}
	missed := readEvents(t, ws2, 7)
	all := append(got, missed...)
	for i, e := range all {
		if e.ID != int64(i+1) {
			t.Fatalf("event %d has id %d: gap or duplicate in %v", i, e.ID, ids(all))
		}
	}
	// last_event_id 0 replays everything; none means live only.
	ws3, _ := d.connect(ptr(0))
	if all := readEvents(t, ws3, 12); all[11].ID != 12 {
		t.Errorf("full replay ends at %d", all[11].ID)
	}
	ws4, _ := d.connect(nil)
	d.changeN("https://news.example/r", 1)
	if live := readEvents(t, ws4, 1); live[0].ID != 13 {
		t.Errorf("live-only client got %d first", live[0].ID)
	}
}

func ids(es []article.Event) []int64 {
	var out []int64
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func TestHundredClientsReceiveThousandEventsInOrder(t *testing.T) {
	d := start(t, hub.Timing{})
	d.capture("https://news.example/many", "Count", "Start.")
	const clients, events = 100, 1000
	conns := make([]*websocket.Conn, clients)
	for i := range conns {
		conns[i], _ = d.connect(nil)
	}
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i, ws := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for want := int64(1); want <= events; want++ {
				ws.SetReadDeadline(time.Now().Add(60 * time.Second))
				var e article.Event
				if err := ws.ReadJSON(&e); err != nil {
					errs <- fmt.Errorf("client %d at event %d: %v", i, want, err)
					return
				}
				if e.ID != want {
					errs <- fmt.Errorf("client %d: got event %d, want %d", i, e.ID, want)
					return
				}
			}
		}()
	}
	d.changeN("https://news.example/many", events)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestSilentClientIsDroppedOthersKeepReceiving(t *testing.T) {
	timing := hub.Timing{HelloWait: 5 * time.Second, WriteWait: 2 * time.Second, PongWait: 2 * time.Second, PingPeriod: 500 * time.Millisecond}
	d := start(t, timing)
	d.capture("https://news.example/slow", "Count", "Start.")
	// The silent client: a tiny receive buffer, and it never reads, so it
	// neither takes events nor answers pings.
	dialer := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		var nd net.Dialer
		nd.Control = func(_, _ string, c syscall.RawConn) error {
			return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		}
		return nd.DialContext(ctx, network, addr)
	}}
	silent, _, err := dialer.Dial("ws://"+d.Addr()+"/api/v1/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	silent.WriteJSON(map[string]any{"type": "hello", "token": d.Token(), "last_event_id": 0})

	reader, _ := d.connect(nil)
	// The reader answers pings while it reads (the library's default
	// ping handler), so it is not dropped.
	done := make(chan error, 1)
	go func() {
		for want := int64(1); want <= 300; want++ {
			reader.SetReadDeadline(time.Now().Add(30 * time.Second))
			var e article.Event
			if err := reader.ReadJSON(&e); err != nil || e.ID != want {
				done <- fmt.Errorf("reader at %d: %+v %v", want, e, err)
				return
			}
		}
		done <- nil
	}()
	d.changeN("https://news.example/slow", 300)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The silent client was dropped: reading now, it finds the socket
	// closed by the server after at most the buffered messages. It stays
	// silent while it reads: the library's default ping handler would
	// answer the server's pings and keep a client that has not been
	// dropped yet (the 300 events may all be written before the pong
	// deadline passes) alive.
	silent.SetPingHandler(func(string) error { return nil })
	silent.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		if _, _, err := silent.ReadMessage(); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the silent client was never dropped")
			}
			break
		}
	}
}

func TestEventSocketRefusesStrangers(t *testing.T) {
	d := start(t, hub.Timing{HelloWait: 300 * time.Millisecond, WriteWait: time.Second, PongWait: 5 * time.Second, PingPeriod: 4 * time.Second})
	closeCode := func(ws *websocket.Conn) (int, string) {
		ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		var msg string
		for {
			_, b, err := ws.ReadMessage()
			if err != nil {
				if ce, ok := err.(*websocket.CloseError); ok {
					return ce.Code, msg
				}
				return -1, msg + err.Error()
			}
			msg += string(b)
		}
	}
	// No hello: closed within the hello wait.
	ws, _, err := d.dial("")
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := closeCode(ws); code != hub.CloseBadHello {
		t.Errorf("silent client closed with %d", code)
	}
	// Wrong token.
	ws, _, _ = d.dial(api.ChromeExtensionOrigin)
	ws.WriteJSON(map[string]any{"type": "hello", "token": strings.Repeat("0", 64), "last_event_id": 0})
	if code, msg := closeCode(ws); code != hub.CloseUnauthorized || !strings.Contains(msg, "unauthorized") {
		t.Errorf("wrong token: %d %q", code, msg)
	}
	// Something else first.
	ws, _, _ = d.dial("")
	ws.WriteJSON(map[string]any{"type": "ping"})
	if code, _ := closeCode(ws); code != hub.CloseBadHello {
		t.Errorf("ping before hello: %d", code)
	}
	// A web page's origin, or another extension's, cannot even open it.
	for _, o := range []string{"https://evil.example", "http://127.0.0.1:1", "null", "chrome-extension://abcdefghijklmnopabcdefghijklmnop", "moz-extension://8b6a4d3e-0000-4000-8000-000000000001"} {
		_, resp, err := d.dial(o)
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("origin %s: %v %v", o, resp, err)
		}
	}
	// A foreign Host (DNS rebinding) cannot either.
	h := http.Header{"Host": {"evil.example"}}
	_, resp, err := websocket.DefaultDialer.Dial("ws://"+d.Addr()+"/api/v1/events", h)
	if err == nil || resp == nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("foreign host: %v %v", resp, err)
	}
}

func TestApplicationPingGetsPong(t *testing.T) {
	d := start(t, hub.Timing{})
	ws, _ := d.connect(nil)
	ws.WriteJSON(map[string]string{"type": "ping"})
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, raw, err := ws.ReadMessage()
	if err != nil || string(raw) != "{\"type\":\"pong\"}\n" {
		t.Errorf("pong: %q %v", raw, err)
	}
	if err := contracttest.Validate(contracttest.Schemas(t)["ws-message"], raw); err != nil {
		t.Errorf("pong does not match ws-message.schema.json: %v", err)
	}
}

// BenchmarkEventLatency measures from sending a capture that changes a
// read article to a connected client holding its event: the HTTP request,
// the durable write, the diff, and the push.
func BenchmarkEventLatency(b *testing.B) {
	d := start(b, hub.Timing{})
	d.capture("https://news.example/latency", "Count", "Start.")
	ws, _ := d.connect(nil)
	i := 0
	for b.Loop() {
		i++
		d.capture("https://news.example/latency", "Count", fmt.Sprintf("The count is now %d people.", i))
		readEvents(b, ws, 1)
	}
}
