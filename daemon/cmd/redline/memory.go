package main

import (
	"context"
	"log/slog"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

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

// burstRelease decides when to hand memory back to the system: once a burst
// of work (captures, a compaction) has ended. Without it the heap a burst
// grew stays mapped until the runtime's periodic collection and its slow
// scavenger get to it, which leaves an idle daemon several times its size.
type burstRelease struct {
	last    uint64 // bytes allocated, as of the previous tick
	pending uint64 // bytes allocated since the last release
	started bool
}

// Thresholds for burstRelease, per tick: a tick that allocated less than
// quietBytes (800 KB/s, what the store's background work after a burst
// may still take) is quiet; a release is worth it after burstBytes of
// allocation. A daemon that stays busy (the watcher re-checking a burst's
// new articles keeps it so for minutes) releases once busyBytes have been
// allocated, at most once a tick.
const (
	quietBytes   = 8 << 20
	burstBytes   = 32 << 20
	busyBytes    = 256 << 20
	releaseEvery = 10 * time.Second
)

// tick takes the total bytes allocated so far and says whether to release
// now: the last tick was quiet and a burst came before it, or the work
// since the last release adds up to busyBytes.
func (b *burstRelease) tick(allocated uint64) bool {
	if !b.started {
		b.started, b.last = true, allocated
		return false
	}
	delta := allocated - b.last
	b.last = allocated
	b.pending += delta
	if b.pending < burstBytes || (delta >= quietBytes && b.pending < busyBytes) {
		return false
	}
	b.pending = 0
	return true
}

// releaseAfterBursts runs until ctx ends, returning memory to the system
// after each burst of work.
func releaseAfterBursts(ctx context.Context, logger *slog.Logger) {
	t := time.NewTicker(releaseEvery)
	defer t.Stop()
	sample := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	var b burstRelease
	for {
		metrics.Read(sample)
		if b.tick(sample[0].Value.Uint64()) {
			debug.FreeOSMemory()
			logger.Debug("returned memory to the system after a burst of work")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
