package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"redline/daemon/internal/article"
)

// memoryFigures are the daemon's memory at the moments a user notices it:
// started on a filled store, during a burst of captures, and a while after.
type memoryFigures struct {
	Articles     int
	ColdRSS      int64 // started on the filled store, answering
	ColdAnon     int64 // the daemon's own memory then (RssAnon: heap, stacks, off-heap buffers)
	BurstAnon    int64 // peak own memory sampled during the burst
	BurstHWM     int64 // peak RSS (VmHWM) by the end of the burst
	BurstCount   int
	BurstSeconds float64
	AfterRSS     int64 // a while after the burst, idle
	AfterAnon    int64
	AfterWait    time.Duration
}

// measureMemory fills a store with articles, starts the daemon binary on it,
// sends burst captures over HTTP from 16 clients and reads /proc figures
// cold, at the burst's peak and wait after it. It is a measuring command,
// not a test: it waits on the clock.
// With reuse set, the filled store is kept there and copied from it on
// later runs, so that runs comparing options measure the same store.
// With heapProfile set, the binary was built with heap profiles and is
// asked for one halfway through the burst, at its end and after the wait.
func measureMemory(work, bin, reuse, heapProfile string, articles, burst int, wait time.Duration, paras []article.Block) (memoryFigures, error) {
	m := memoryFigures{Articles: articles, AfterWait: wait}
	data := filepath.Join(work, "memory")
	if reuse != "" {
		if _, err := os.Stat(filepath.Join(reuse, "store", "MANIFEST")); err != nil {
			if err := fill(reuse, articles, paras); err != nil {
				return m, fmt.Errorf("fill store: %w", err)
			}
		}
		if err := os.CopyFS(data, os.DirFS(reuse)); err != nil {
			return m, fmt.Errorf("copy the kept store: %w", err)
		}
		if err := os.Chmod(data, 0o700); err != nil {
			return m, err
		}
	} else if err := fill(data, articles, paras); err != nil {
		return m, fmt.Errorf("fill store: %w", err)
	}
	var env []string
	if heapProfile != "" {
		env = append(env, "REDLINE_HEAPPROFILE="+heapProfile)
	}
	base, pid, stopDaemon, err := serve(bin, data, env...)
	if err != nil {
		return m, err
	}
	defer stopDaemon()
	tok, err := os.ReadFile(filepath.Join(data, "token"))
	if err != nil {
		return m, err
	}
	token := strings.TrimSpace(string(tok))
	req, _ := http.NewRequest("GET", base+"/api/v1/status", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return m, err
	}
	resp.Body.Close()
	m.ColdRSS = procStatus(pid, "VmRSS")
	m.ColdAnon = procStatus(pid, "RssAnon")

	// The burst: new articles, as when a reading session or an import
	// sends many captures at once.
	var next, done atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= burst {
					return
				}
				resp, err := postCapture(client, base, token, fmt.Sprintf("https://burst%d.test/%d/story-%d", i%50, i/1000, i), fmt.Sprintf("Burst %d", i), paras, w*31+i)
				if err != nil {
					failed.Store(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated && done.Add(1) == int64(burst/2) && heapProfile != "" {
					syscall.Kill(pid, syscall.SIGUSR1)
				}
			}
		}()
	}
	start := time.Now()
	peak := samplePeak(pid, "RssAnon")
	wg.Wait()
	m.BurstAnon = max(m.BurstAnon, peak())
	if err, ok := failed.Load().(error); ok {
		return m, fmt.Errorf("burst: %w", err)
	}
	m.BurstSeconds = time.Since(start).Seconds()
	m.BurstCount = int(done.Load())
	m.BurstAnon = max(m.BurstAnon, procStatus(pid, "RssAnon"))
	m.BurstHWM = procStatus(pid, "VmHWM")
	if heapProfile != "" {
		syscall.Kill(pid, syscall.SIGUSR1)
	}
	time.Sleep(wait)
	m.AfterRSS = procStatus(pid, "VmRSS")
	m.AfterAnon = procStatus(pid, "RssAnon")
	if heapProfile != "" {
		syscall.Kill(pid, syscall.SIGUSR1)
		// The profile is written after a collection; give it the time
		// before the daemon is stopped (a measuring run, not a test).
		time.Sleep(2 * time.Second)
	}
	return m, nil
}

func (m memoryFigures) String() string {
	mb := func(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }
	return fmt.Sprintf("articles %d\ncold:  RSS %s, own %s\nburst: %d captures in %.1f s; peak own %s, peak RSS %s\nafter %s idle: RSS %s, own %s\n",
		m.Articles, mb(m.ColdRSS), mb(m.ColdAnon), m.BurstCount, m.BurstSeconds, mb(m.BurstAnon), mb(m.BurstHWM),
		m.AfterWait, mb(m.AfterRSS), mb(m.AfterAnon))
}
