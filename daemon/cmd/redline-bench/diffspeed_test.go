package main

import (
	"path/filepath"
	"testing"

	"redline/daemon/internal/diff"
)

// BenchmarkPairs times diff.Compare on each pair the results table
// reports, so that a change to the diff can be profiled on the inputs
// `make bench` measures:
//
//	go test -run - -bench Pairs -cpuprofile cpu.out ./daemon/cmd/redline-bench
func BenchmarkPairs(b *testing.B) {
	b.Chdir(filepath.Join("..", "..", "..")) // the paths the tool takes are from the repository
	pages, err := loadPages(filepath.Join("bench", "testdata", "pages.json"))
	if err != nil {
		b.Fatal(err)
	}
	real, err := realPairs(pages)
	if err != nil {
		b.Fatal(err)
	}
	rules := diff.DefaultRules()
	for _, p := range makePairs(pages, real) {
		b.Run(p.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				diff.Compare(p.Old, p.New, rules)
			}
		})
	}
}
