// Package testtool helps tests that need something from outside Go: a
// browser, a Python library, systemd's tools, root to mount a file
// system.
package testtool

import (
	"fmt"
	"os"
	"testing"
)

// Need reports something missing that a test needs from outside Go. On a
// developer's machine the test is skipped with what to install; in CI
// (CI set, as .ci/run sets it), which installs everything and runs as
// root, it fails, so a test can never pass by not running.
func Need(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " (CI must give it: see .ci/run)")
	}
	t.Skip(msg)
}
