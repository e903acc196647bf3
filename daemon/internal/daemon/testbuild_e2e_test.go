//go:build e2e

package daemon

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"redline/daemon/internal/api"
	"redline/daemon/internal/hub"
)

// In a build for the end-to-end tests (go test -tags e2e), a holder of
// the token moves the daemon's clock forward: the daemon's uptime jumps
// by the move. Without the token the route is refused like any API call.
func TestE2EBuildMovesTheDaemonClock(t *testing.T) {
	d := start(t, hub.Timing{})
	req, _ := http.NewRequest("POST", d.base+"/api/v1/test/clock", strings.NewReader(`{"advance": "2h"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("without the token: %d, want 401", resp.StatusCode)
	}
	if code, body := d.request("POST", "/api/v1/test/clock", `{"advance": "2h"}`); code != 200 {
		t.Fatalf("move the clock: %d %s", code, body)
	}
	code, body := d.request("GET", "/api/v1/status", "")
	var st api.Status
	if code != 200 || json.Unmarshal(body, &st) != nil {
		t.Fatalf("status %d %s", code, body)
	}
	if st.UptimeSeconds < 7200 {
		t.Fatalf("uptime %d s after moving the clock by 2h", st.UptimeSeconds)
	}
}
