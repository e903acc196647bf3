package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/config"
	"redline/daemon/internal/reading"
	"redline/daemon/internal/store"
)

// BenchmarkIdleRSS10000Articles fills a store with 10,000 articles, starts
// the daemon on it, and reports its resident memory once it has answered
// a status request.
func BenchmarkIdleRSS10000Articles(b *testing.B) {
	dir := b.TempDir()
	fill(b, dir, 10000)
	for b.Loop() {
		d := startDaemon(b, dir)
		code, st := get(b, d.base, tokenOf(b, dir), "/api/v1/status")
		if code != 200 || st["articles"].(float64) != 10000 {
			b.Fatalf("status = %d %v", code, st)
		}
		b.ReportMetric(rssMB(b, d.cmd.Process.Pid), "idle-RSS-MB")
		d.kill()
	}
}

func fill(b *testing.B, dir string, n int) {
	b.Helper()
	if err := config.EnsureDataDir(dir); err != nil {
		b.Fatal(err)
	}
	s, err := store.Open(filepath.Join(dir, config.StoreDir), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	para := strings.Repeat("The council met on Tuesday to discuss the budget for next year. ", 30)
	var wg sync.WaitGroup
	for w := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 32 {
				c := &article.Capture{
					URL: fmt.Sprintf("https://news%d.example/story/%d", i%50, i), Title: fmt.Sprintf("Story %d", i),
					Blocks:     []article.Block{{Kind: "p", Text: para}, {Kind: "p", Text: fmt.Sprintf("Story number %d.", i)}},
					CapturedAt: time.Now(), Source: article.SourceBrowser, Extractor: "bench",
				}
				if _, err := reading.New(reading.Config{Store: s}).Read(context.Background(), c, time.Now()); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func rssMB(b *testing.B, pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Skip("no /proc on this system")
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	b.Fatal("no VmRSS")
	return 0
}
