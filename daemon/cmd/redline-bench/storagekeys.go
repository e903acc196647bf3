package main

import (
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// storageRows measures the two storage rows: one article with 100
// versions, and 1,000 articles with 5 versions each. With each non-nil,
// it is called with each row's Redline store after it is measured.
func storageRows(work, python, refDir string, pages []page, each func(name, dir string) error) ([]sizes, error) {
	var out []sizes
	log.Print("storage: one article, 100 versions")
	rng := rand.New(rand.NewPCG(3, 5))
	extra := pool(pages[len(pages)/2:])
	one := histories{history(rng, pages[0], extra, 100)}
	s, err := measureStorage(work, "history", python, refDir, one)
	if err != nil {
		return nil, err
	}
	s.Name = "1 article × 100 versions"
	out = append(out, s)
	if each != nil {
		if err := each(s.Name, filepath.Join(work, "history", "redline")); err != nil {
			return nil, err
		}
	}

	log.Print("storage: 1,000 articles × 5 versions")
	var corpus histories
	gen := newMarkov(pages)
	for i := range 1000 {
		p := gen.article(rng, fmt.Sprintf("Story %d: %s", i, gen.paragraph(rng, 8)), 600+rng.IntN(1800))
		corpus = append(corpus, history(rng, p, extra, 5))
	}
	if s, err = measureStorage(work, "corpus", python, refDir, corpus); err != nil {
		return nil, err
	}
	s.Name = "1,000 articles × 5 versions"
	out = append(out, s)
	if each != nil {
		if err := each(s.Name, filepath.Join(work, "corpus", "redline")); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// runStorage prints the storage rows and, for each Redline store, its
// live keys and their bytes grouped by key prefix: what each part of the
// store costs before compression.
func runStorage(python string) error {
	work, err := os.MkdirTemp("", "redline-storage-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	pages, err := loadPages(filepath.Join("bench", "testdata", "pages.json"))
	if err != nil {
		return err
	}
	rows, err := storageRows(work, python, filepath.Join("bench", "reference"), pages, func(name, dir string) error {
		groups, err := keyGroups(dir)
		if err != nil {
			return err
		}
		fmt.Printf("%s: store %d bytes on disk\n", name, diskBytes(dir))
		fmt.Printf("  %-12s %10s %12s %12s\n", "prefix", "keys", "key bytes", "value bytes")
		for _, g := range groups {
			fmt.Printf("  %-12q %10d %12d %12d\n", g.prefix, g.keys, g.keyBytes, g.valueBytes)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range rows {
		fmt.Printf("%s: %d versions, Redline %d bytes, git %d bytes (%.2f× git)\n", r.Name, r.Versions, r.Redline, r.Git, float64(r.Redline)/float64(r.Git))
	}
	return nil
}

type keyGroup struct {
	prefix                     string
	keys, keyBytes, valueBytes int64
}

// keyGroups counts a closed store's live keys by prefix: the letters up
// to and including the colon, and for the list index (l:) one more.
func keyGroups(dir string) ([]keyGroup, error) {
	db, err := badger.Open(badger.DefaultOptions(dir).WithReadOnly(true).WithLogger(nil))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dir, err)
	}
	defer db.Close()
	byPrefix := map[string]*keyGroup{}
	err = db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			p := string(k)
			if i := strings.IndexByte(p, ':'); i >= 0 {
				p = p[:i+1]
				if p == "l:" && len(k) > i+1 {
					p = string(k[:i+2])
				}
			}
			g := byPrefix[p]
			if g == nil {
				g = &keyGroup{prefix: p}
				byPrefix[p] = g
			}
			g.keys++
			g.keyBytes += int64(len(k))
			g.valueBytes += it.Item().ValueSize()
		}
		return nil
	})
	var out []keyGroup
	for _, g := range byPrefix {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b keyGroup) int { return strings.Compare(a.prefix, b.prefix) })
	return out, err
}
