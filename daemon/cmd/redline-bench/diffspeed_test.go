package main

import (
	"path/filepath"
	"redline/daemon/internal/testtool"
	"testing"

	"redline/daemon/internal/diff"
)

// BenchmarkPairs times diff.Compare on each pair the results table
// reports, so that a change to the diff can be profiled on the inputs
// `make bench` measures. It also reports the process CPU time per op
// (cpu-ns/op): on a busy machine it is steadier than wall time.
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
			start, n := int64(testtool.CPUTime()), 0
			for b.Loop() {
				diff.Compare(p.Old, p.New, rules)
				n++
			}
			b.ReportMetric(float64(int64(testtool.CPUTime())-start)/float64(n), "cpu-ns/op")
		})
	}
}
