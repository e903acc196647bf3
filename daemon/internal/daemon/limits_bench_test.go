package daemon

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/hub"
)

// maximalParas returns blocks paragraphs of about size bytes each of
// made-up prose (many distinct words: the costliest text for the word
// index and the diff).
func maximalParas(r *rand.Rand, p *prose, blocks, size int) []string {
	out := make([]string, blocks)
	for i := range out {
		var b strings.Builder
		for b.Len() < size {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(p.paragraph(r, 8))
		}
		out[i] = b.String()[:size]
	}
	return out
}

// editEvery changes one word in every paragraph: the second version of a
// maximal capture, which the daemon must diff block by block.
func editEvery(paras []string) []string {
	out := make([]string, len(paras))
	for i, s := range paras {
		out[i] = "Edited " + s[:len(s)-7]
	}
	return out
}

// resetPeakRSS makes the kernel start the process's peak resident size
// (VmHWM) over from its current size.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// sampleHeap samples the bytes of heap objects (live or not yet
// collected) every millisecond until the returned function is called,
// which returns the highest seen.
func sampleHeap() (stop func() uint64) {
	done := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var high uint64
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			high = max(high, s[0].Value.Uint64())
			select {
			case <-done:
				peak <- high
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		return <-peak
	}
}

// BenchmarkMaximalCapture posts, over real HTTP to a real daemon, a
// capture at the limits (article.MaxBlocks, MaxTextBytes) and then a
// second version of it with every block edited (stored, diffed against
// the first and judged), and reports what one such pair costs: MB
// allocated and the process's peak resident size (the client's bodies
// included, a few MB), next to its resident size before the captures, and
// the most heap its objects took (sampled every millisecond).
// "parallel=4" posts four maximal articles at once.
//
//	go test -run '^$' -bench MaximalCapture -benchtime 3x ./daemon/internal/daemon
func BenchmarkMaximalCapture(b *testing.B) {
	// The two shapes of a capture at the limits: as many blocks as it may
	// hold, sharing the text; and as few, each as long as it may be.
	many := article.MaxTextBytes / article.MaxBlocks
	few := article.MaxTextBytes / article.MaxBlockBytes
	shapes := []struct {
		name          string
		blocks, bytes int
		parallel      int
	}{
		{fmt.Sprintf("blocks=%d,bytes=%d", article.MaxBlocks, many), article.MaxBlocks, many, 1},
		{fmt.Sprintf("blocks=%d,bytes=%d", few, article.MaxBlockBytes), few, article.MaxBlockBytes, 1},
		{fmt.Sprintf("blocks=%d,bytes=%d,parallel=4", article.MaxBlocks, many), article.MaxBlocks, many, 4},
	}
	p := newProse()
	for _, sh := range shapes {
		b.Run(sh.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(3, 4))
			firsts := make([]string, sh.parallel)
			seconds := make([]string, sh.parallel)
			paras := make([][]string, sh.parallel)
			for i := range paras {
				paras[i] = maximalParas(r, p, sh.blocks, sh.bytes)
			}
			d := start(b, hub.Timing{})
			n := 0
			var allocated uint64
			var peakKB, baseKB int64
			var peakHeap uint64
			for b.Loop() {
				b.StopTimer()
				for i := range firsts {
					n++
					u := fmt.Sprintf("https://news.test/maximal/%d", n)
					firsts[i] = captureBody(u, "A maximal article", paras[i]...)
					seconds[i] = captureBody(u, "A maximal article", editEvery(paras[i])...)
				}
				runtime.GC()
				debug.FreeOSMemory()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				baseKB = max(baseKB, procKB("VmRSS"))
				if !resetPeakRSS() {
					b.Log("cannot reset the peak RSS (/proc/self/clear_refs): peak-RSS-MB is the process's since it began")
				}
				heap := sampleHeap()
				b.StartTimer()
				var wg sync.WaitGroup
				for i := range firsts {
					wg.Go(func() {
						for _, body := range []string{firsts[i], seconds[i]} {
							// Not d.request: it may stop the benchmark, which only
							// its own goroutine may do.
							req, _ := http.NewRequest("POST", d.base+"/api/v1/captures", strings.NewReader(body))
							req.Header.Set("Content-Type", "application/json")
							req.Header.Set("Authorization", "Bearer "+d.Token())
							resp, err := http.DefaultClient.Do(req)
							if err != nil {
								b.Errorf("capture: %v", err)
								return
							}
							ans, _ := io.ReadAll(resp.Body)
							resp.Body.Close()
							if resp.StatusCode != 201 {
								b.Errorf("capture: %d %.200s", resp.StatusCode, ans)
								return
							}
						}
					})
				}
				wg.Wait()
				b.StopTimer()
				peakHeap = max(peakHeap, heap())
				runtime.ReadMemStats(&after)
				allocated += after.TotalAlloc - before.TotalAlloc
				peakKB = max(peakKB, procKB("VmHWM"))
				b.StartTimer()
			}
			b.ReportMetric(float64(allocated)/float64(b.N)/(1<<20), "alloc-MB/op")
			b.ReportMetric(float64(peakKB)/1024, "peak-RSS-MB")
			b.ReportMetric(float64(baseKB)/1024, "RSS-before-MB")
			b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(len(firsts[0]))/(1<<20), "body-MB")
		})
	}
}
