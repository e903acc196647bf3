package main

import (
	"fmt"
	"io/fs"
	"log"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/store"
)

// storageHistories are the two histories of the storage rows: one article
// edited 100 times, and 1,000 generated articles with 5 versions each.
// Both runs of the bench (make bench and -storage) measure these.
func storageHistories(pages []page) (one, corpus histories) {
	rng := rand.New(rand.NewPCG(3, 5))
	extra := pool(pages[len(pages)/2:])
	one = histories{history(rng, pages[0], extra, 100)}
	gen := newMarkov(pages)
	for i := range 1000 {
		p := gen.article(rng, fmt.Sprintf("Story %d: %s", i, gen.paragraph(rng, 8)), 600+rng.IntN(1800))
		corpus = append(corpus, history(rng, p, extra, 5))
	}
	return one, corpus
}

// runStorage prints the storage rows and where Redline's bytes go, by file
// kind and by key prefix. The Brotli reference is measured only when the
// Python given has its module.
func runStorage(python string) error {
	work, pages, err := workspace("redline-storage-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	refDir := filepath.Join("bench", "reference")
	if err := exec.Command(python, "-c", "import brotli").Run(); err != nil {
		log.Printf("no Brotli reference: %s cannot import brotli (%v)", python, err)
		python = ""
	}
	one, corpus := storageHistories(pages)
	for _, c := range []struct {
		name string
		h    histories
	}{{"1 article × 100 versions", one}, {"1,000 articles × 5 versions", corpus}} {
		dir := strings.NewReplacer(" ", "", "×", "x", ",", "").Replace(c.name)
		s, err := measureStorage(work, dir, python, refDir, c.h)
		if err != nil {
			return err
		}
		fmt.Printf("%s: %d versions, text %s; Redline %s, git %s (%.2f× git)", c.name, s.Versions, kb(s.Raw), kb(s.Redline), kb(s.Git), float64(s.Redline)/float64(s.Git))
		if s.Brotli > 0 {
			fmt.Printf(", Brotli %s", kb(s.Brotli))
		}
		fmt.Println()
		if err := printBreakdown(filepath.Join(work, dir, "redline")); err != nil {
			return err
		}
	}
	return nil
}

// printBreakdown lists the store's files by kind (bytes allocated on disk)
// and its live keys by prefix (key and value bytes before Badger's block
// compression, and the number of keys).
func printBreakdown(dir string) error {
	files := map[string][2]int64{} // kind -> allocated, apparent
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		kind := filepath.Ext(path)
		if kind == "" {
			kind = filepath.Base(path)
		}
		f := files[kind]
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			f[0] += st.Blocks * 512
		}
		f[1] += info.Size()
		files[kind] = f
		return nil
	})
	fmt.Println("  files (allocated / apparent):")
	for _, k := range sortedKeys(files) {
		fmt.Printf("    %-12s %10s %10s\n", k, kb(files[k][0]), kb(files[k][1]))
	}
	db, err := badger.Open(badger.DefaultOptions(dir).WithReadOnly(true).WithLogger(nil))
	if err != nil {
		return fmt.Errorf("open the measured store: %w", err)
	}
	defer db.Close()
	type use struct{ keys, keyBytes, valueBytes int64 }
	uses := map[string]*use{}
	err = db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			k := item.Key()
			p := string(k[:min(2, len(k))])
			if p == "l:" && len(k) > 2 {
				p = string(k[:3])
			}
			u := uses[p]
			if u == nil {
				u = &use{}
				uses[p] = u
			}
			u.keys++
			u.keyBytes += int64(len(k))
			u.valueBytes += item.ValueSize()
		}
		return nil
	})
	if err != nil {
		return err
	}
	var tables int64
	for _, t := range db.Tables() {
		tables += int64(t.OnDiskSize)
	}
	fmt.Printf("  live keys by prefix (%d tables, %s on disk):\n", len(db.Tables()), kb(tables))
	prefixes := sortedKeys(uses)
	slices.SortFunc(prefixes, func(a, b string) int {
		return int((uses[b].keyBytes + uses[b].valueBytes) - (uses[a].keyBytes + uses[a].valueBytes))
	})
	alone := map[string]int64{}
	for _, p := range prefixes {
		if alone[p], err = prefixAlone(db, p); err != nil {
			return err
		}
	}
	fmt.Println("    (alone: the tables of a store holding only those keys, compacted)")
	for _, p := range prefixes {
		u := uses[p]
		fmt.Printf("    %-4s %7d keys  keys %10s  values %10s  alone %10s\n", p, u.keys, kb(u.keyBytes), kb(u.valueBytes), kb(alone[p]))
	}
	return nil
}

// prefixAlone copies the live keys under prefix into a new store with the
// daemon's options, compacts it and returns the size of its tables: what
// those keys cost on disk, block compression, indexes and Bloom filters
// included.
func prefixAlone(db *badger.DB, prefix string) (int64, error) {
	dir, err := os.MkdirTemp("", "redline-prefix-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	out, err := badger.Open(store.BadgerOptions(dir).WithSyncWrites(false))
	if err != nil {
		return 0, err
	}
	wb := out.NewWriteBatch()
	err = db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefix)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if err := wb.Set(it.Item().KeyCopy(nil), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = wb.Flush()
	}
	if err == nil {
		err = out.Flatten(1)
	}
	if err != nil {
		out.Close()
		return 0, err
	}
	if err := out.Close(); err != nil {
		return 0, err
	}
	var total int64
	matches, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
	for _, m := range matches {
		if info, err := os.Stat(m); err == nil {
			total += info.Size()
		}
	}
	return total, nil
}
