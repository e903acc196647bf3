package testclock

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// serve mounts the clock's route on a real server on 127.0.0.1 and counts
// how often it woke the watcher.
func serve(t *testing.T, c *Clock) (post func(body string) (int, map[string]any), wakes *int) {
	t.Helper()
	n := 0
	srv := httptest.NewServer(c.Handler(func() { n++ }))
	t.Cleanup(srv.Close)
	return func(body string) (int, map[string]any) {
		t.Helper()
		resp, err := http.Post(srv.URL+Path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("answer is not JSON: %v", err)
		}
		return resp.StatusCode, out
	}, &n
}

func fixed(t time.Time) func() time.Time { return func() time.Time { return t } }

// A move puts the clock ahead of the real time by what was asked, moves
// add up, and each wakes the watcher.
func TestAdvanceMovesTheClockForward(t *testing.T) {
	real := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	c := New(fixed(real))
	post, wakes := serve(t, c)
	if !c.Now().Equal(real) {
		t.Fatalf("a new clock says %s, want the real time %s", c.Now(), real)
	}
	code, out := post(`{"advance": "20m"}`)
	if code != 200 || out["now"] != "2026-12-03T09:20:00Z" || out["offset"] != "20m0s" {
		t.Fatalf("answer %d %v, want 200 at 09:20", code, out)
	}
	code, out = post(`{"advance": "1h30m"}`)
	if code != 200 || out["now"] != "2026-12-03T10:50:00Z" {
		t.Fatalf("answer %d %v, want 200 at 10:50", code, out)
	}
	if want := real.Add(110 * time.Minute); !c.Now().Equal(want) {
		t.Fatalf("clock says %s, want %s", c.Now(), want)
	}
	if *wakes != 2 {
		t.Fatalf("the watcher was woken %d times, want 2", *wakes)
	}
}

// Each kind of bad request is 400 invalid with why, and moves nothing.
func TestBadAdvanceChangesNothing(t *testing.T) {
	real := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	c := New(fixed(real))
	post, wakes := serve(t, c)
	for _, tt := range []struct{ name, body, says string }{
		{"not JSON", `advance 20m`, "the body must be"},
		{"not an object", `["20m"]`, "the body must be"},
		{"two objects", `{"advance": "20m"} {"advance": "20m"}`, "one JSON object"},
		{"unknown field", `{"advance": "20m", "to": "2027-01-01T00:00:00Z"}`, "unknown field"},
		{"missing", `{}`, "advance is missing"},
		{"a number", `{"advance": 1200}`, "the body must be"},
		{"not a duration", `{"advance": "twenty minutes"}`, "not a duration"},
		{"days are not Go durations", `{"advance": "3d"}`, "not a duration"},
		{"zero", `{"advance": "0s"}`, "more than zero"},
		{"backwards", `{"advance": "-5m"}`, "more than zero"},
		{"too far", `{"advance": "9601h"}`, "at most"},
	} {
		code, out := post(tt.body)
		e, _ := out["error"].(map[string]any)
		msg, _ := e["message"].(string)
		if code != 400 || e["code"] != "invalid" || !strings.Contains(msg, tt.says) {
			t.Errorf("%s: answer %d %v, want 400 invalid saying %q", tt.name, code, out, tt.says)
		}
	}
	if !c.Now().Equal(real) || c.Offset() != 0 {
		t.Fatalf("bad requests moved the clock to %s", c.Now())
	}
	if *wakes != 0 {
		t.Fatalf("bad requests woke the watcher %d times", *wakes)
	}
}
