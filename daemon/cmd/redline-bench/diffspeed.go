package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"redline/daemon/internal/diff"
)

// diffTimes is the median time of one pair under each implementation.
type diffTimes struct {
	Pair    pair
	Redline time.Duration
	DMP     time.Duration // character diff with semantic cleanup
	Difflib time.Duration // word-level sequence matching
}

// timeIt runs f until it has run at least min times and for at least
// budget, at most max times, and returns the median run.
func timeIt(f func(), minRuns, maxRuns int, budget time.Duration) time.Duration {
	f() // warm up
	var runs []time.Duration
	start := time.Now()
	for len(runs) < minRuns || (len(runs) < maxRuns && time.Since(start) < budget) {
		t0 := time.Now()
		f()
		runs = append(runs, time.Since(t0))
	}
	slices.Sort(runs)
	return runs[len(runs)/2]
}

func measureDiffs(work string, pairs []pair, python string, refDir string) ([]diffTimes, error) {
	rules := diff.DefaultRules()
	out := make([]diffTimes, len(pairs))
	type refPair struct {
		Name string `json:"name"`
		Old  string `json:"old"`
		New  string `json:"new"`
	}
	var refs []refPair
	for i, p := range pairs {
		out[i].Pair = p
		out[i].Redline = timeIt(func() { diff.Compare(p.Old, p.New, rules) }, 5, 200, 300*time.Millisecond)
		refs = append(refs, refPair{Name: p.Name, Old: text(p.Old), New: text(p.New)})
	}
	in := filepath.Join(work, "pairs.json")
	b, err := json.Marshal(refs)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(in, b, 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(python, filepath.Join(refDir, "diffspeed.py"), in)
	cmd.Stderr = os.Stderr
	res, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("reference diffs: %w", err)
	}
	var times []struct {
		Name      string `json:"name"`
		DMPNs     int64  `json:"dmp_ns"`
		DifflibNs int64  `json:"difflib_ns"`
	}
	if err := json.Unmarshal(res, &times); err != nil {
		return nil, fmt.Errorf("reference diffs: %w", err)
	}
	for i := range out {
		if i < len(times) && times[i].Name == out[i].Pair.Name {
			out[i].DMP = time.Duration(times[i].DMPNs)
			out[i].Difflib = time.Duration(times[i].DifflibNs)
		}
	}
	return out, nil
}
