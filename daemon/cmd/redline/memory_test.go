package main

import (
	"runtime/debug"
	"testing"
)

// An idle daemon, and one in the middle of a short burst, keep their
// memory; the first quiet moment after a burst hands it back; a daemon busy
// for long releases as it goes; a trickle of small captures never adds up
// to a release on every tick.
func TestMemoryIsReleasedOnceABurstEnds(t *testing.T) {
	var b burstRelease
	total := uint64(5 << 20)
	step := func(alloc uint64) bool {
		total += alloc
		return b.tick(total)
	}
	if step(0) {
		t.Fatal("released on the first reading")
	}
	for i := range 5 {
		if step(100 << 10) {
			t.Fatalf("idle tick %d released memory", i)
		}
	}
	for i := range 4 {
		if step(40 << 20) {
			t.Fatalf("released during the burst, tick %d", i)
		}
	}
	if !step(0) {
		t.Fatal("the first quiet tick after a burst did not release")
	}
	if step(0) {
		t.Fatal("released again with nothing new")
	}
	// Busy for a long stretch (the watcher working through a burst's new
	// articles): a release each time busyBytes have gone by.
	releases := 0
	for range 64 {
		if step(40 << 20) {
			releases++
		}
	}
	if want := 64 / ((busyBytes + 40<<20 - 1) / (40 << 20)); releases != want {
		t.Fatalf("a long busy stretch released %d times, want %d", releases, want)
	}
	step(0)
	// A trickle: below the quiet threshold each time, it adds up to a
	// burst's worth only after many ticks, and then one release.
	releases = 0
	for range 400 {
		if step(512 << 10) {
			releases++
		}
	}
	if releases != 400*(512<<10)/burstBytes {
		t.Fatalf("a trickle of small work released %d times, want %d", releases, 400*(512<<10)/burstBytes)
	}
}

// Without GOMEMLIMIT the daemon sets its own ceiling; with it, the user's
// choice stands.
func TestMemoryLimitDefaultsUnlessTheUserSetsOne(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(old) })
	if got := setMemoryLimit(func(string) string { return "" }); got != defaultMemoryLimit || debug.SetMemoryLimit(-1) != defaultMemoryLimit {
		t.Fatalf("limit without GOMEMLIMIT = %d, runtime %d; want %d", got, debug.SetMemoryLimit(-1), defaultMemoryLimit)
	}
	debug.SetMemoryLimit(1 << 30)
	env := func(k string) string {
		if k == "GOMEMLIMIT" {
			return "1GiB"
		}
		return ""
	}
	if got := setMemoryLimit(env); got != 1<<30 || debug.SetMemoryLimit(-1) != 1<<30 {
		t.Fatalf("limit with GOMEMLIMIT=1GiB = %d, want the user's 1 GiB kept", got)
	}
}
