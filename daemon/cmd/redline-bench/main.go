// Command bench measures Redline against the two ways people track changes
// to articles today, on the same inputs in the same run, and writes the
// table to bench/RESULTS.md:
//
//   - server-side trackers: a character diff with semantic cleanup, every
//     version committed to a git repository;
//   - page monitors: a word-level diff with Python's difflib, every
//     snapshot a Brotli file.
//
// Run it with `make bench` from the repository root; its reference
// scripts and test pages are in bench/.
package main

import (
	"flag"
	"fmt"
	"log"
	"maps"
	"os"
	"path/filepath"
	"time"
)

func main() {
	out := flag.String("out", "bench/RESULTS.md", "where to write the results")
	python := flag.String("python", "/usr/bin/python3", "the Python with the reference libraries")
	articles := flag.Int("articles", 100000, "articles in the start-up and footprint store")
	memory := flag.Bool("memory", false, "measure only the daemon's memory: cold on a filled store, during a burst of captures and after it")
	burst := flag.Int("burst", 10000, "with -memory: captures sent over HTTP by 16 clients")
	wait := flag.Duration("wait", time.Minute, "with -memory: idle time after the burst before the last reading")
	storage := flag.Bool("storage", false, "measure only the storage rows, and print where Redline's bytes go")
	reuse := flag.String("reuse", "", "with -memory: keep the filled store in this folder and reuse it on later runs")
	flag.IntVar(&storageClients, "storage-clients", storageClients, "captures sent at once while filling the storage rows' stores")
	heapProfile := flag.String("heapprofile", "", "with -memory: build the daemon with heap profiles and write them to this path prefix: -1 halfway through the burst, -2 at its end, -3 after the idle wait")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("bench: ")
	if *storage {
		if err := runStorage(*python); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *memory {
		if err := runMemory(*reuse, *heapProfile, *articles, *burst, *wait); err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := run(*out, *python, *articles); err != nil {
		log.Fatal(err)
	}
}

// runMemory prints the daemon's memory figures; it takes a few minutes.
func runMemory(reuse, heapProfile string, articles, burst int, wait time.Duration) error {
	work, pages, err := workspace("redline-memory-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	var tags []string
	if heapProfile != "" {
		if heapProfile, err = filepath.Abs(heapProfile); err != nil {
			return err
		}
		tags = append(tags, "heapprofile")
	}
	bin, _, err := buildBinary(work, tags...)
	if err != nil {
		return err
	}
	m, err := measureMemory(work, bin, reuse, heapProfile, articles, burst, wait, pool(pages))
	if err != nil {
		return err
	}
	fmt.Print(m)
	return nil
}

func run(out, python string, articles int) error {
	started := time.Now()
	work, pages, err := workspace("redline-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	refDir := filepath.Join("bench", "reference")
	real, err := realPairs(pages)
	if err != nil {
		return err
	}
	r := &report{Started: started}

	log.Print("diff speed")
	if r.Diffs, err = measureDiffs(work, makePairs(pages, real), python, refDir); err != nil {
		return err
	}

	log.Print("storage: one article, 100 versions")
	one, corpus := storageHistories(pages)
	s, err := measureStorage(work, "history", python, refDir, one)
	if err != nil {
		return err
	}
	s.Name = "1 article × 100 versions"
	r.Storage = append(r.Storage, s)

	log.Print("storage: 1,000 articles × 5 versions")
	if s, err = measureStorage(work, "corpus", python, refDir, corpus); err != nil {
		return err
	}
	s.Name = "1,000 articles × 5 versions"
	r.Storage = append(r.Storage, s)

	log.Print("ingest over HTTP (all captures, and captures that append an event)")
	if r.Ingest, err = goBench("./daemon/internal/api", "CaptureIngest", "2000x"); err != nil {
		return err
	}

	log.Printf("footprint with %d articles", articles)
	bin, size, err := buildBinary(work)
	if err != nil {
		return err
	}
	if r.Footprint, err = measureFootprint(work, bin, size, articles, pool(pages)); err != nil {
		return err
	}

	log.Print("daemon memory: 10,000 articles, a burst of 10,000 captures, a minute after")
	if r.Memory, err = measureMemory(work, bin, "", "", 10000, 10000, time.Minute, pool(pages)); err != nil {
		return err
	}

	log.Print("watcher")
	if r.Watcher, err = goBench("./daemon/internal/store", "SchedulerTick", "1x"); err != nil {
		return err
	}
	checks, err := goBench("./daemon/internal/watch", "ChecksPerMinute", "1x")
	if err != nil {
		return err
	}
	maps.Copy(r.Watcher, checks)
	log.Print("extension in headless Chromium")
	if r.Extension, err = extensionFigures(); err != nil {
		return err
	}

	r.Finished = time.Now()
	md := r.markdown()
	if err := os.WriteFile(out, []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Print(md)
	return nil
}

// workspace makes a temporary folder for a run (the caller removes it)
// and loads the real pages the bench's inputs are made from.
func workspace(prefix string) (string, []page, error) {
	work, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", nil, err
	}
	pages, err := loadPages(filepath.Join("bench", "testdata", "pages.json"))
	if err != nil {
		os.RemoveAll(work)
		return "", nil, err
	}
	return work, pages, nil
}
