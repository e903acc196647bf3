//go:build unix

package testtool

import (
	"syscall"
	"time"
)

// CPUTime is the CPU time the process has used, user and system: what a
// benchmark reports beside the clock's time on a machine shared with other
// work, whose load disturbs the clock far more.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
