package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"redline/daemon/internal/article"
	"redline/daemon/internal/contracttest"
)

func (h *harness) alertOn() article.AlertPolicy {
	h.t.Helper()
	resp, b := h.do(req{path: "/api/v1/settings/alerts"})
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("GET alert settings: %d %s", resp.StatusCode, b)
	}
	if err := contracttest.Validate(contracttest.Schemas(h.t)["alert-settings"], b); err != nil {
		h.t.Errorf("answer does not match alert-settings.schema.json: %v\n%s", err, b)
	}
	var s struct {
		AlertOn article.AlertPolicy `json:"alert_on"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		h.t.Fatal(err)
	}
	return s.AlertOn
}

// The policy the extension's options edit is the one the daemon keeps:
// substantive until the user opts in to minor changes, and back.
func TestAlertSettingsRoundTrip(t *testing.T) {
	h := newHarness(t)
	if got := h.alertOn(); got != article.AlertSubstantive {
		t.Fatalf("a new daemon alerts on %q, want substantive", got)
	}
	resp, b := h.do(req{method: "POST", path: "/api/v1/settings/alerts", body: `{"alert_on":"minor"}`})
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(b)) != `{"alert_on":"minor"}` {
		t.Fatalf("set minor: %d %s", resp.StatusCode, b)
	}
	if got := h.alertOn(); got != article.AlertMinor {
		t.Errorf("kept %q, want minor", got)
	}
	h.do(req{method: "POST", path: "/api/v1/settings/alerts", body: `{"alert_on":"substantive"}`})
	if got := h.alertOn(); got != article.AlertSubstantive {
		t.Errorf("kept %q, want substantive", got)
	}
}

// Each kind of bad input gets a clear 400 and changes nothing.
func TestAlertSettingsRefuseBadInput(t *testing.T) {
	h := newHarness(t)
	h.do(req{method: "POST", path: "/api/v1/settings/alerts", body: `{"alert_on":"minor"}`})
	for _, c := range []struct{ name, body, says string }{
		{"another word", `{"alert_on":"everything"}`, `alert_on must be "substantive" or "minor"`},
		{"trivial", `{"alert_on":"trivial"}`, `alert_on must be "substantive" or "minor"`},
		{"empty", `{"alert_on":""}`, `alert_on must be "substantive" or "minor"`},
		{"another case", `{"alert_on":"Minor"}`, `alert_on must be "substantive" or "minor"`},
		{"missing", `{}`, "alert_on is missing"},
		{"null", `{"alert_on":null}`, "alert_on is missing"},
		{"a number", `{"alert_on":1}`, "wrong type"},
		{"not JSON", `{"alert_on":`, "malformed JSON"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, b := h.do(req{method: "POST", path: "/api/v1/settings/alerts", body: c.body})
			var e struct {
				Error struct{ Code, Message string }
			}
			json.Unmarshal(b, &e)
			if resp.StatusCode != http.StatusBadRequest || e.Error.Code != "invalid" || !strings.Contains(e.Error.Message, c.says) {
				t.Errorf("%d %s, want 400 invalid saying %q", resp.StatusCode, b, c.says)
			}
			if got := h.alertOn(); got != article.AlertMinor {
				t.Errorf("the policy changed to %q", got)
			}
		})
	}
}

// Only the paired extension (or the CLI) with the token reads or changes
// the policy.
func TestAlertSettingsNeedTheToken(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct {
		name   string
		r      req
		status int
	}{
		{"read without token", req{path: "/api/v1/settings/alerts", header: map[string]string{"Authorization": ""}}, http.StatusUnauthorized},
		{"write with a wrong token", req{method: "POST", path: "/api/v1/settings/alerts", body: `{"alert_on":"minor"}`, header: map[string]string{"Authorization": "Bearer " + strings.Repeat("f", 64)}}, http.StatusUnauthorized},
		{"write from a web page", req{method: "POST", path: "/api/v1/settings/alerts", body: `{"alert_on":"minor"}`, header: map[string]string{"Origin": "https://evil.example"}}, http.StatusForbidden},
		{"a form post", req{method: "POST", path: "/api/v1/settings/alerts", body: `{"alert_on":"minor"}`, header: map[string]string{"Content-Type": "text/plain"}}, http.StatusUnsupportedMediaType},
	} {
		if resp, b := h.do(c.r); resp.StatusCode != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, resp.StatusCode, b, c.status)
		}
	}
	if got := h.alertOn(); got != article.AlertSubstantive {
		t.Errorf("the policy changed to %q", got)
	}
}
