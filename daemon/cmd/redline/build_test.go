package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The shipped binary (`make daemon`: go build ./daemon/cmd/redline) links
// no test clock; only a build for the end-to-end tests (-tags e2e, as
// extension/e2e/harness.mjs builds it) does.
func TestShippedBinaryLeavesOutTheTestClock(t *testing.T) {
	const clock = "redline/daemon/internal/testclock"
	deps := func(tags ...string) []string {
		t.Helper()
		goTool, err := exec.LookPath("go")
		if err != nil {
			t.Fatalf("the go command is needed to list the binary's packages: %v", err)
		}
		args := append([]string{"list", "-deps"}, tags...)
		out, err := exec.Command(goTool, append(args, "redline/daemon/cmd/redline")...).Output()
		if err != nil {
			t.Fatalf("go %s: %v", strings.Join(args, " "), err)
		}
		return strings.Fields(string(out))
	}
	if got := deps(); slices.Contains(got, clock) {
		t.Errorf("the shipped build links %s", clock)
	} else if !slices.Contains(got, "redline/daemon/internal/daemon") {
		t.Fatalf("go list -deps did not list the daemon's packages: %v", got)
	}
	if !slices.Contains(deps("-tags", "e2e"), clock) {
		t.Errorf("the build for the end-to-end tests does not link %s", clock)
	}
}
