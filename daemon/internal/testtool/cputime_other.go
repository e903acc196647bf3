//go:build !unix

package testtool

import "time"

// CPUTime is not read on this system: benchmarks report 0.
func CPUTime() time.Duration { return 0 }
