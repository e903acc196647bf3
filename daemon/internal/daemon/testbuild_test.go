//go:build !e2e

package daemon

import (
	"encoding/json"
	"testing"

	"redline/daemon/internal/api"
	"redline/daemon/internal/hub"
)

// The shipped build has no test clock: the route that moves it in a
// build for the end-to-end tests is 404 here, even with the token, and
// the daemon's time is the real time.
func TestShippedBuildHasNoTestClock(t *testing.T) {
	if testClock != nil || testRoutes != nil {
		t.Fatal("a build without the e2e tag has a test clock")
	}
	d := start(t, hub.Timing{})
	code, body := d.request("POST", "/api/v1/test/clock", `{"advance": "2h"}`)
	if code != 404 {
		t.Fatalf("POST /api/v1/test/clock answered %d %s, want 404", code, body)
	}
	code, body = d.request("GET", "/api/v1/status", "")
	var st api.Status
	if code != 200 || json.Unmarshal(body, &st) != nil {
		t.Fatalf("status %d %s", code, body)
	}
	if st.UptimeSeconds >= 3600 {
		t.Fatalf("uptime %d s after a request to move the clock by 2h: the clock moved", st.UptimeSeconds)
	}
}
