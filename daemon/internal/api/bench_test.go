package api_test

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// benchPara is the body of every benchmark capture.
var benchPara = strings.Repeat("The council met on Tuesday to discuss the budget. ", 20)

// BenchmarkCaptureIngest posts captures over real HTTP to a real store
// with durable (synced) writes, from 1 and 16 concurrent clients, and
// reports captures/s and the p50/p99 latency. Half are new articles, half
// new versions of articles no one has read since.
func BenchmarkCaptureIngest(b *testing.B) {
	for _, clients := range []int{1, 16} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			h := newHarness(b)
			postCaptures(b, h, clients, func(n int64) string {
				// Half new articles, half new versions of earlier ones.
				return captureJSON(fmt.Sprintf("https://news.example/%d", n/2), "Budget", benchPara, fmt.Sprintf("Update %d.", n))
			})
		})
	}
}

// eventArticles is how many articles BenchmarkCaptureIngestEvents spreads
// its captures over: enough that concurrent captures rarely touch the
// same article.
const eventArticles = 512

// BenchmarkCaptureIngestEvents is BenchmarkCaptureIngest for captures that
// append an event: each is a changed version of an article the reader has
// read, so it appends an article.changed event. It checks that every
// capture appended one.
func BenchmarkCaptureIngestEvents(b *testing.B) {
	for _, clients := range []int{1, 16} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			h := newHarness(b)
			url := func(n int64) string { return fmt.Sprintf("https://news.example/read/%d", n%eventArticles) }
			for n := range int64(eventArticles) {
				h.capture(captureJSON(url(n), "Budget", benchPara, "First."))
			}
			before, err := h.store.LastEventID()
			if err != nil {
				b.Fatal(err)
			}
			postCaptures(b, h, clients, func(n int64) string {
				return captureJSON(url(n), "Budget", benchPara, fmt.Sprintf("Update %d.", n))
			})
			after, err := h.store.LastEventID()
			if err != nil {
				b.Fatal(err)
			}
			if got := after - before; got != int64(b.N) {
				b.Fatalf("%d captures appended %d events, want one each", b.N, got)
			}
		})
	}
}

// postCaptures posts b.N captures, body(n) for n = 1..b.N, from clients
// concurrent clients, and reports captures/s and the p50/p99 latency.
func postCaptures(b *testing.B, h *harness, clients int, body func(n int64) string) {
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	transport := &http.Transport{MaxIdleConnsPerHost: clients}
	client := &http.Client{Transport: transport}
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	work := make(chan struct{}, b.N)
	for range b.N {
		work <- struct{}{}
	}
	close(work)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for range work {
				req, _ := http.NewRequest("POST", h.base+"/api/v1/captures", strings.NewReader(body(next.Add(1))))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				msg, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 201 {
					b.Errorf("status %d: %s", resp.StatusCode, msg)
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	transport.CloseIdleConnections()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "captures/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
