//go:build e2e

package daemon

import (
	"net/http"

	"redline/daemon/internal/testclock"
)

// A build for the end-to-end tests: the daemon runs on a clock that
// POST /api/v1/test/clock {"advance": "20m"} (with the token) moves
// forward, so that a check the schedule planned minutes away comes due
// at once. See docs/how-it-works.md, Tests.
func init() {
	clock := testclock.New(nil)
	testClock = clock.Now
	testRoutes = func(wake func()) map[string]http.Handler {
		return map[string]http.Handler{"POST " + testclock.Path: clock.Handler(wake)}
	}
}
