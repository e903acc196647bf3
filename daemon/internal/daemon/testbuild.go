package daemon

import (
	"net/http"
	"time"
)

// What a build for the end-to-end tests adds to the daemon
// (testbuild_e2e.go, compiled only with `-tags e2e`): the daemon's clock,
// which a test moves forward, and the API route that moves it. Both stay
// nil in every other build, so the shipped binary runs on the real time
// and answers that route 404 (TestShippedBuildHasNoTestClock).
var (
	// testClock is the time of the watcher, the API and the dashboard.
	testClock func() time.Time
	// testRoutes are more API routes behind the token; wake makes the
	// watcher look at its due checks again.
	testRoutes func(wake func()) map[string]http.Handler
)
