package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/reading"
	"redline/daemon/internal/store"
)

// footprint is what the daemon costs the machine.
type footprint struct {
	BinaryBytes  int64
	Articles     int
	FillTime     time.Duration
	StartTime    time.Duration // process start to answering /healthz
	IdleRSS      int64
	IdleAnon     int64 // the daemon's own memory, without the store's mapped files
	LoadRSS      int64 // peak while serving the load
	LoadAnon     int64 // peak of the daemon's own memory under the load
	LoadCaptures int
	LoadSeconds  float64
}

// buildBinary builds the daemon as released, with the given build tags
// added (the memory run's heap profiles use "heapprofile").
func buildBinary(work string, tags ...string) (string, int64, error) {
	bin := filepath.Join(work, "redline")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-tags", strings.Join(tags, ","), "-o", bin, "./daemon/cmd/redline")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", 0, fmt.Errorf("build: %w: %s", err, out)
	}
	info, err := os.Stat(bin)
	if err != nil {
		return "", 0, err
	}
	return bin, info.Size(), nil
}

// fill writes n articles of realistic size into the store under dataDir.
func fill(dataDir string, n int, paras []article.Block) error {
	st, err := store.Open(filepath.Join(dataDir, "store"), store.Options{})
	if err != nil {
		return err
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	ids := make([]int64, n)
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				blocks := make([]article.Block, 12)
				for j := range blocks {
					blocks[j] = paras[(i*13+j)%len(paras)]
				}
				c := &article.Capture{
					URL: fmt.Sprintf("https://news%d.example/%d/story-%d", i%200, i/1000, i), Title: fmt.Sprintf("Story %d", i),
					Blocks: blocks, CapturedAt: time.Now(), Source: article.SourceBrowser, Extractor: "bench",
				}
				saved, err := reading.New(reading.Config{Store: st}).Read(context.Background(), c, time.Now())
				ids[i] = saved.Article.ID
				if err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		st.Close()
		return err
	}
	// Spread the re-checks over the next month, as in a store that grew
	// over time: "idle" then means idle, not a watcher working through a
	// backlog of every article at once.
	at := map[int64]time.Time{}
	r := rand.New(rand.NewPCG(3, 4))
	now := time.Now()
	for _, id := range ids {
		at[id] = now.Add(time.Duration(1+r.IntN(30*24*3600)) * time.Second)
	}
	if err := st.Reschedule(context.Background(), at); err != nil {
		st.Close()
		return err
	}
	return st.Close()
}

var listenRe = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)

// serve starts the daemon binary on data at a free port and returns its
// address, its process id and how to stop it. Its log is read and
// dropped, so that it never blocks on a full pipe. env is added to the
// daemon's environment.
func serve(bin, data string, env ...string) (base string, pid int, stop func(), err error) {
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", data)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return "", 0, nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", 0, nil, err
	}
	stop = func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if m := listenRe.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
			break
		}
	}
	if base == "" {
		stop()
		return "", 0, nil, fmt.Errorf("the daemon did not start")
	}
	go func() {
		for sc.Scan() {
		}
	}()
	return base, cmd.Process.Pid, stop, nil
}

func measureFootprint(work, bin string, binSize int64, articles int, paras []article.Block) (footprint, error) {
	f := footprint{BinaryBytes: binSize, Articles: articles}
	data := filepath.Join(work, "footprint")
	t0 := time.Now()
	if err := fill(data, articles, paras); err != nil {
		return f, fmt.Errorf("fill store: %w", err)
	}
	f.FillTime = time.Since(t0)

	start := time.Now()
	base, pid, stop, err := serve(bin, data)
	if err != nil {
		return f, err
	}
	defer stop()
	if resp, err := http.Get(base + "/healthz"); err != nil {
		return f, err
	} else {
		resp.Body.Close()
	}
	f.StartTime = time.Since(start)
	tok, err := os.ReadFile(filepath.Join(data, "token"))
	if err != nil {
		return f, err
	}
	token := strings.TrimSpace(string(tok))
	req, _ := http.NewRequest("GET", base+"/api/v1/status", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err := http.DefaultClient.Do(req); err != nil {
		return f, err
	} else {
		resp.Body.Close()
	}
	f.IdleRSS = procStatus(pid, "VmRSS")
	f.IdleAnon = procStatus(pid, "RssAnon")

	// Load: 16 clients capturing for 10 s, half new articles, half new
	// versions of them.
	deadline := time.Now().Add(10 * time.Second)
	var done atomic.Int64
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				resp, err := postCapture(client, base, token, fmt.Sprintf("https://load.example/%d/%d", w, i/2), "Load", paras, w*31+i)
				if err != nil {
					return
				}
				resp.Body.Close()
				if resp.StatusCode == 201 {
					done.Add(1)
				}
			}
		}()
	}
	loadStart := time.Now()
	peak := samplePeak(pid, "RssAnon")
	wg.Wait()
	f.LoadAnon = max(f.LoadAnon, peak())
	f.LoadSeconds = time.Since(loadStart).Seconds()
	f.LoadCaptures = int(done.Load())
	f.LoadRSS = procStatus(pid, "VmHWM")
	return f, nil
}

// procStatus reads a memory figure (kB) of a process, in bytes.
func procStatus(pid int, field string) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// goBench runs go benchmarks and returns each benchmark's metrics by unit.
func goBench(pkg, pattern, benchtime string) (map[string]map[string]float64, error) {
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", pattern, "-benchtime", benchtime, pkg)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go test -bench %s %s: %w: %s", pattern, pkg, err, out)
	}
	res := map[string]map[string]float64{}
	for _, line := range strings.Split(string(out), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		name := regexp.MustCompile(`-\d+$`).ReplaceAllString(strings.TrimPrefix(fields[0], "Benchmark"), "")
		m := map[string]float64{}
		for i := 2; i+1 < len(fields); i += 2 {
			if v, err := strconv.ParseFloat(fields[i], 64); err == nil {
				m[fields[i+1]] = v
			}
		}
		res[name] = m
	}
	return res, nil
}

// postCapture sends a browser capture of twelve of paras' paragraphs,
// starting at the from-th, to the daemon's API.
func postCapture(client *http.Client, base, token, url, title string, paras []article.Block, from int) (*http.Response, error) {
	blocks := []map[string]string{}
	for j := range 12 {
		blocks = append(blocks, map[string]string{"kind": "p", "text": paras[(from+j)%len(paras)].Text})
	}
	body, _ := json.Marshal(map[string]any{
		"url": url, "title": title, "blocks": blocks,
		"captured_at": time.Now().UTC().Format(time.RFC3339Nano), "source": "browser", "extractor": "bench",
	})
	req, err := http.NewRequest("POST", base+"/api/v1/captures", strings.NewReader(string(body)))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	return client.Do(req)
}

// samplePeak reads a /proc/PID/status figure every 100 ms until the
// function it returns is called, which gives the highest reading.
func samplePeak(pid int, field string) func() int64 {
	var peak int64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				peak = max(peak, procStatus(pid, field))
			}
		}
	}()
	return func() int64 {
		close(stop)
		<-done
		return peak
	}
}
