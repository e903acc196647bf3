package watch

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/watch/watchtest"
)

// BenchmarkChecksPerMinute runs the daemon's loop on the real clock
// against one local server that answers for 20 hosts, every article due
// at once, and reports the pages checked per minute. Each check is a full
// one: fetch, extraction, judgement, store (durable writes). With the
// default politeness (5 s between requests to a host, 4 workers) the
// ceiling is 20 hosts × 12 a minute = 240; the other runs show where the
// ceiling goes as the spacing shrinks.
//
//	go test -run '^$' -bench ChecksPerMinute -benchtime 1x ./daemon/internal/watch
func BenchmarkChecksPerMinute(b *testing.B) {
	for _, c := range []struct {
		spacing time.Duration
		perHost int
	}{
		{DefaultSpacing, 4},
		{time.Second, 10},
		{-1, 10}, // no spacing: as fast as the workers go
	} {
		name := fmt.Sprintf("hosts=20/spacing=%s/workers=%d", max(c.spacing, 0), DefaultWorkers)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				var done, failed atomic.Int64
				total := int64(20 * c.perHost)
				finished := make(chan struct{})
				h := newHarness(b, func(fo *FetcherOptions, o *Options) {
					o.Clock, o.Spacing = time.Now, c.spacing
					o.Checked = func(a article.Article, r article.CheckResult) {
						if r.Outcome != article.CheckBaseline {
							failed.Add(1)
							b.Logf("check of %s: %s: %s", a.URL, r.Outcome, r.Message)
						}
						if done.Add(1) == total {
							close(finished)
						}
					}
				})
				h.clock.Set(time.Now())
				h.site.Set("/story", watchtest.Article("story"))
				for host := 1; host <= 20; host++ {
					for i := range c.perHost {
						h.capture(h.site.URL(fmt.Sprintf("host%02d.test", host), fmt.Sprintf("/story?id=%d", i)), watchtest.Page("story"))
					}
				}
				ctx, cancel := context.WithCancel(context.Background())
				stopped := make(chan struct{})
				start := time.Now()
				b.StartTimer()
				go func() {
					h.w.Run(ctx)
					close(stopped)
				}()
				<-finished
				elapsed := time.Since(start)
				b.StopTimer()
				cancel()
				<-stopped
				b.ReportMetric(float64(total)/elapsed.Minutes(), "checks/min")
				if failed.Load() > 0 {
					b.Fatalf("%d checks failed", failed.Load())
				}
				if per, _ := h.site.MaxConcurrent("host01.test"); per > 1 {
					b.Fatalf("%d requests at once on one host", per)
				}
				b.StartTimer()
			}
		})
	}
}
