package main

import (
	"runtime/debug"
	"testing"
)

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
