package web_test

import (
	"fmt"
	"os"
	"testing"
)

// needTool reports a missing outside tool (Chromium, node packages,
// python3-feedparser). On a developer's machine the test is skipped with
// the install command; in CI, which installs them all, it fails, so a
// missing tool can never pass silently.
func needTool(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " (CI must install it: see .ci/run)")
	}
	t.Skip(msg)
}
