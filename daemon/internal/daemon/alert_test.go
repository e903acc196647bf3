package daemon

import (
	"encoding/json"
	"testing"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/contracttest"
	"redline/daemon/internal/hub"
)

// The alert policy is the daemon's, and every client learns it the same
// way: the welcome carries it, a connected client is told when the user
// changes it (settings.changed), and a daemon started again on the same
// store welcomes with the policy kept there.
func TestAlertPolicyReachesEveryClient(t *testing.T) {
	cfg := Config{Addr: "127.0.0.1:0", DataDir: t.TempDir()}
	d0, err := Start(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	d := &testDaemon{Daemon: d0, t: t, base: "http://" + d0.Addr()}
	sch := contracttest.Schemas(t)

	ws, w := d.connect(ptr(0))
	if w.Settings.AlertOn != article.AlertSubstantive {
		t.Errorf("a new daemon welcomes with alert_on %q, want substantive", w.Settings.AlertOn)
	}
	if code, b := d.request("POST", "/api/v1/settings/alerts", `{"alert_on":"minor"}`); code != 200 {
		t.Fatalf("set alert_on: %d %s", code, b)
	}
	ws.SetReadDeadline(time.Now().Add(20 * time.Second)) // a safety net, not a clock for the test
	_, raw, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	if err := contracttest.Validate(sch["ws-message"], raw); err != nil {
		t.Errorf("settings.changed does not match ws-message.schema.json: %v\n%s", err, raw)
	}
	var m hub.SettingsChanged
	json.Unmarshal(raw, &m)
	if m.Type != "settings.changed" || m.Settings.AlertOn != article.AlertMinor {
		t.Errorf("the connected client was told %s, want settings.changed with alert_on minor", raw)
	}
	// A client that connects now learns it in the welcome.
	if _, w := d.connect(nil); w.Settings.AlertOn != article.AlertMinor {
		t.Errorf("a later welcome carries alert_on %q, want minor", w.Settings.AlertOn)
	}
	ws.Close()
	if err := d0.Close(); err != nil {
		t.Fatal(err)
	}

	d1, err := Start(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d1.Close() })
	d = &testDaemon{Daemon: d1, t: t, base: "http://" + d1.Addr()}
	ws, _, err = d.dial("")
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.WriteJSON(map[string]any{"type": "hello", "token": d.Token()})
	ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, raw, err = ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	if err := contracttest.Validate(sch["ws-message"], raw); err != nil {
		t.Errorf("welcome does not match ws-message.schema.json: %v\n%s", err, raw)
	}
	var again hub.Welcome
	json.Unmarshal(raw, &again)
	if again.Type != "welcome" || again.Settings.AlertOn != article.AlertMinor {
		t.Errorf("after a restart the welcome is %s, want alert_on minor", raw)
	}
}
