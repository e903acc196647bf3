package main

import "runtime/debug"

// defaultMemoryLimit is the soft ceiling on the daemon's own memory (Go
// heap, stacks and the store's buffers, which all live on the Go heap; not
// the store's files mapped into memory) when GOMEMLIMIT is not set. The
// store's steady working set (memtables, block and index caches, table
// builders during a compaction) stays well below it, so the collector only
// works harder when a burst of captures would otherwise let the heap grow
// to twice its live size.
const defaultMemoryLimit = 128 << 20

// setMemoryLimit applies defaultMemoryLimit unless the user chose a limit
// with GOMEMLIMIT, which the Go runtime has already applied. It returns
// the limit in force.
func setMemoryLimit(getenv func(string) string) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	debug.SetMemoryLimit(defaultMemoryLimit)
	return defaultMemoryLimit
}
