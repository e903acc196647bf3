//go:build !unix

package store

import "time"

// cpuTime is not read on this system: benchmarks report 0.
func cpuTime() time.Duration { return 0 }
