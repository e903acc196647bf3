package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/reading"
	"redline/daemon/internal/store"
)

// sizes is the disk cost of one set of article histories.
type sizes struct {
	Name     string
	Versions int
	Raw      int64 // the texts themselves, uncompressed
	Redline  int64
	Git      int64 // one commit per version, after gc --aggressive
	Brotli   int64 // one Brotli file per version
}

// diskBytes sums the blocks allocated to every file under dir.
func diskBytes(dir string) int64 {
	var total int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			total += st.Blocks * 512
		} else {
			total += info.Size()
		}
		return nil
	})
	return total
}

// histories is a set of articles, each a list of versions.
type histories [][]article.Content

func measureStorage(work, name, python, refDir string, h histories) (sizes, error) {
	s := sizes{Name: name}
	for _, versions := range h {
		s.Versions += len(versions)
		for _, v := range versions {
			s.Raw += int64(len(text(v)))
		}
	}
	var err error
	if s.Redline, err = redlineBytes(filepath.Join(work, name, "redline"), h); err != nil {
		return s, err
	}
	if s.Git, err = gitBytes(filepath.Join(work, name, "git"), h); err != nil {
		return s, err
	}
	if python == "" {
		return s, nil
	}
	if s.Brotli, err = brotliBytes(filepath.Join(work, name, "brotli"), python, refDir, h); err != nil {
		return s, err
	}
	return s, nil
}

// storageClients is how many captures redlineBytes sends at once. With
// more than 8, captures of one site can lose the race for a shared key more
// times than the store retries; the bytes stored do not depend on how many
// write at once.
var storageClients = 8

// redlineBytes stores every version as browser captures of its article,
// oldest first, then closes the store and measures it.
func redlineBytes(dir string, h histories) (int64, error) {
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		return 0, err
	}
	work := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range max(storageClients, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range work {
				for i, v := range h[a] {
					c := &article.Capture{
						URL: fmt.Sprintf("https://news.example/story/%d", a), Title: v.Title, Byline: v.Byline,
						Blocks: v.Blocks, CapturedAt: time.Now().Add(time.Duration(i-len(h[a])) * time.Hour),
						Source: article.SourceBrowser, Extractor: "bench",
					}
					if _, err := reading.New(reading.Config{Store: st}).Read(context.Background(), c, time.Now()); err != nil {
						mu.Lock()
						firstErr = err
						mu.Unlock()
						return
					}
				}
			}
		}()
	}
	for a := range h {
		work <- a
	}
	close(work)
	wg.Wait()
	if err := st.Close(); err != nil {
		return 0, err
	}
	if firstErr != nil {
		return 0, firstErr
	}
	return diskBytes(dir), nil
}

// gitBytes builds the repository a server-side tracker keeps: one file per
// article, one commit per version, then packs it as tightly as git can.
func gitBytes(dir string, h histories) (int64, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, err
	}
	git := func(stdin []byte, args ...string) error {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Stdin = bytes.NewReader(stdin)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=bench", "GIT_AUTHOR_EMAIL=bench@localhost",
			"GIT_COMMITTER_NAME=bench", "GIT_COMMITTER_EMAIL=bench@localhost")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %w: %s", args[0], err, out)
		}
		return nil
	}
	if err := git(nil, "init", "-q", "--template=", "-b", "main"); err != nil {
		return 0, err
	}
	// Commits in the order versions appear: round-robin over articles.
	var stream bytes.Buffer
	mark := 0
	for v := 0; ; v++ {
		any := false
		for a, versions := range h {
			if v >= len(versions) {
				continue
			}
			any = true
			body := []byte(text(versions[v]))
			mark++
			fmt.Fprintf(&stream, "commit refs/heads/main\nmark :%d\ncommitter bench <bench@localhost> %d +0000\ndata 0\n", mark, 1700000000+mark)
			if mark > 1 {
				fmt.Fprintf(&stream, "from :%d\n", mark-1)
			}
			fmt.Fprintf(&stream, "M 644 inline articles/%d.txt\ndata %d\n", a, len(body))
			stream.Write(body)
			stream.WriteByte('\n')
		}
		if !any {
			break
		}
	}
	if err := git(stream.Bytes(), "fast-import", "--quiet"); err != nil {
		return 0, err
	}
	if err := git(nil, "gc", "--aggressive", "--prune=now", "--quiet"); err != nil {
		return 0, err
	}
	return diskBytes(filepath.Join(dir, ".git")), nil
}

// brotliBytes writes one Brotli file per version, as page monitors keep
// their snapshots.
func brotliBytes(dir, python, refDir string, h histories) (int64, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, err
	}
	for a, versions := range h {
		for v, c := range versions {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d-%d.txt", a, v)), []byte(text(c)), 0o600); err != nil {
				return 0, err
			}
		}
	}
	cmd := exec.Command(python, filepath.Join(refDir, "brotli_files.py"), dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("brotli files: %w: %s", err, out)
	}
	return diskBytes(dir), nil
}
