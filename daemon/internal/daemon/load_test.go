package daemon

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"redline/daemon/internal/article"
	"redline/daemon/internal/hub"
)

// envSize reads a test's size from the environment: def when unset, and
// at least least. The suites are short in `make test` and long in `make
// soak`.
func envSize(t *testing.T, name string, def, least int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < least {
		t.Fatalf("%s=%q: want a whole number, at least %d", name, s, least)
	}
	return n
}

// procKB reads a memory figure of this process from /proc (kB).
func procKB(field string) int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

type ack struct {
	id      int64
	version int
	status  string
	marker  string
}

// The load suite: 100 event clients and 200 captures a second against one
// daemon. Every capture is acknowledged and stored, every client receives
// every event once and in order, memory goes back down afterwards and no
// goroutine is left behind.
func TestLoadHundredClientsTwoHundredCapturesASecond(t *testing.T) {
	const clients, rate, writers, articles = 100, 200, 16, 40
	seconds := envSize(t, "REDLINE_LOAD_SECONDS", 3, 1) // 60 in make soak
	total := rate * seconds
	baseGoroutines := runtime.NumGoroutine()

	d := start(t, hub.Timing{})
	// The articles the load changes, read once before the clients connect.
	for a := range articles {
		d.capture(loadURL(a), fmt.Sprintf("Story %d", a), "The first version of this story, before any update.")
	}

	conns := make([]*websocket.Conn, clients)
	for i := range conns {
		conns[i], _ = d.connect(nil)
	}

	// Each client reads until it has the event the test says is the last
	// one (lastEvent, set once every capture is acknowledged), checking
	// that ids run 1, 2, 3… with no gap and no duplicate.
	var lastEvent atomic.Int64
	lastEvent.Store(-1)
	received := make([]int64, clients)
	var readers sync.WaitGroup
	readErrs := make(chan error, clients)
	for i, ws := range conns {
		readers.Add(1)
		go func() {
			defer readers.Done()
			want := int64(1)
			for {
				if last := lastEvent.Load(); last >= 0 && want > last {
					received[i] = want - 1
					return
				}
				ws.SetReadDeadline(time.Now().Add(60 * time.Second))
				var e article.Event
				if err := ws.ReadJSON(&e); err != nil {
					readErrs <- fmt.Errorf("client %d waiting for event %d: %w", i, want, err)
					return
				}
				if e.Type == "pong" {
					continue // the answer to the ping sent at the end
				}
				if e.ID != want {
					readErrs <- fmt.Errorf("client %d got event %d, want %d (gap or duplicate)", i, e.ID, want)
					return
				}
				want++
			}
		}()
	}

	// Memory: the process's peak RSS (it holds the clients too, so it is
	// an upper bound for the daemon) and the Go heap, sampled.
	var peakHeap atomic.Uint64
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-stopSampling:
				return
			case <-tick.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peakHeap.Load() {
					peakHeap.Store(ms.HeapInuse)
				}
			}
		}
	}()

	// Captures: paced at rate a second and shared by the writers; three in
	// four change one of the read articles (an event each), one in four is
	// a new article (no event).
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: writers}}
	defer client.CloseIdleConnections()
	jobs := make(chan int)
	acks := make([]ack, total)
	var failures atomic.Int64
	var failMu sync.Mutex
	var firstFailure string
	var writersWG sync.WaitGroup
	for range writers {
		writersWG.Add(1)
		go func() {
			defer writersWG.Done()
			for n := range jobs {
				a, err := loadCapture(client, d, n)
				if err != nil {
					failures.Add(1)
					failMu.Lock()
					if firstFailure == "" {
						firstFailure = err.Error()
					}
					failMu.Unlock()
					continue
				}
				acks[n] = a
			}
		}()
	}
	began := time.Now()
	pace := time.NewTicker(time.Second / rate)
	for n := range total {
		<-pace.C
		jobs <- n
	}
	pace.Stop()
	close(jobs)
	writersWG.Wait()
	took := time.Since(began)
	if f := failures.Load(); f > 0 {
		t.Fatalf("%d of %d captures were not acknowledged; first: %s", f, total, firstFailure)
	}

	// Every acknowledged capture is stored, with the text that was sent.
	changed := int64(0)
	for n, a := range acks {
		if a.status == "changed" {
			changed++
		}
		code, body := d.request("GET", fmt.Sprintf("/api/v1/articles/%d/versions/%d", a.id, a.version), "")
		if code != 200 || !strings.Contains(string(body), a.marker) {
			t.Fatalf("capture %d (article %d version %d): %d, text with %q missing", n, a.id, a.version, code, a.marker)
		}
	}
	// The newest event, as a new client is told it.
	probe, w := d.connect(nil)
	probe.Close()
	if w.LastEventID != changed {
		t.Errorf("%d events for %d changed captures", w.LastEventID, changed)
	}
	lastEvent.Store(w.LastEventID)
	// A client that already has every event waits in a read: a ping makes
	// the daemon answer with a pong, after which it sees it is done.
	for _, ws := range conns {
		ws.WriteJSON(map[string]string{"type": "ping"})
	}
	readers.Wait()
	close(readErrs)
	for err := range readErrs {
		t.Error(err)
	}
	for i, got := range received {
		if got != w.LastEventID {
			t.Errorf("client %d received %d of %d events", i, got, w.LastEventID)
		}
	}
	close(stopSampling)
	<-sampled

	// Memory goes back down once the load is over.
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("%d captures (%d changes, %d events) from %d writers in %v: %.0f captures/s; %d clients each received every event in order",
		total, changed, w.LastEventID, writers, took.Round(time.Millisecond), float64(total)/took.Seconds(), clients)
	t.Logf("memory: peak RSS %d MB (daemon and the %d clients, one process), peak Go heap %d MB, heap after the load %d MB",
		procKB("VmHWM")>>10, clients, peakHeap.Load()>>20, ms.HeapInuse>>20)
	if after := ms.HeapInuse; after > 256<<20 {
		t.Errorf("heap still %d MB after the load: memory is not given back", after>>20)
	}

	// No goroutine is left once the clients hang up and the daemon stops.
	for _, ws := range conns {
		ws.Close()
	}
	if err := d.Close(); err != nil {
		t.Fatalf("close daemon: %v", err)
	}
	client.CloseIdleConnections()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > baseGoroutines+2 && time.Now().Before(deadline) {
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > baseGoroutines+2 {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after the daemon stopped, %d before it started:\n%s", n, baseGoroutines, buf[:runtime.Stack(buf, true)])
	}
}

func loadURL(a int) string { return fmt.Sprintf("https://load.example/story-%d", a) }

// loadCapture sends capture n: a change of one of the read articles, or
// every fourth one a new article.
func loadCapture(client *http.Client, d *testDaemon, n int) (ack, error) {
	const articles = 40
	marker := fmt.Sprintf("load-marker-%d", n)
	url := loadURL(n % articles)
	if n%4 == 3 {
		url = fmt.Sprintf("https://load.example/new-%d", n)
	}
	body := captureBody(url, "Story", "Update number "+strconv.Itoa(n)+": the figures changed again ("+marker+").",
		"A second paragraph that stays the same in every version of the story.")
	req, err := http.NewRequest("POST", d.base+"/api/v1/captures", strings.NewReader(body))
	if err != nil {
		return ack{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+d.Token())
	resp, err := client.Do(req)
	if err != nil {
		return ack{}, fmt.Errorf("capture %d: %w", n, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return ack{}, fmt.Errorf("capture %d: read answer: %w", n, err)
	}
	if resp.StatusCode != http.StatusCreated {
		return ack{}, fmt.Errorf("capture %d: %d %s", n, resp.StatusCode, raw)
	}
	var a captureAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return ack{}, fmt.Errorf("capture %d: answer: %w", n, err)
	}
	return ack{id: a.ArticleID, version: a.Version, status: a.Status, marker: marker}, nil
}
