package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkCaptureIngest posts captures over real HTTP to a real store
// with durable (synced) writes, from 1 and 16 concurrent clients, and
// reports captures/s and the p50/p99 latency.
func BenchmarkCaptureIngest(b *testing.B) {
	for _, clients := range []int{1, 16} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			h := newHarness(b)
			para := strings.Repeat("The council met on Tuesday to discuss the budget. ", 20)
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
						n := next.Add(1)
						// Half new articles, half new versions of earlier ones.
						body := captureJSON(fmt.Sprintf("https://news.example/%d", n/2), "Budget", para, fmt.Sprintf("Update %d.", n))
						req, _ := http.NewRequest("POST", h.base+"/api/v1/captures", strings.NewReader(body))
						req.Header.Set("Authorization", "Bearer "+token)
						req.Header.Set("Content-Type", "application/json")
						t0 := time.Now()
						resp, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						resp.Body.Close()
						if resp.StatusCode != 201 {
							b.Errorf("status %d", resp.StatusCode)
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
		})
	}
}
