package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestPairPrintsAOneTimeLinkThatGivesTheToken(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, dir)
	out, stderr, code := cli(t, "", "pair", "--print", "--data", dir)
	if code != 0 {
		t.Fatalf("redline pair --print: exit %d: %s", code, stderr)
	}
	link := strings.TrimSpace(out)
	m := regexp.MustCompile(`^` + regexp.QuoteMeta(d.base) + `/pair#([0-9a-f]{32})$`).FindStringSubmatch(link)
	if m == nil {
		t.Fatalf("redline pair printed %q, want %s/pair#CODE", link, d.base)
	}
	claim := func() int {
		req, _ := http.NewRequest("POST", d.base+"/api/v1/pair/claim", strings.NewReader(`{"code":"`+m[1]+`"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := claim(); got != http.StatusOK {
		t.Fatalf("claim with the printed code: %d", got)
	}
	if got := claim(); got != http.StatusForbidden {
		t.Fatalf("second claim: %d, want 403", got)
	}
}

func TestPairWithoutDaemonSaysToStartIt(t *testing.T) {
	_, stderr, code := cli(t, "", "pair", "--print", "--data", t.TempDir())
	if code == 0 || !strings.Contains(stderr, "redline serve") {
		t.Fatalf("exit %d, stderr %q: want an error that says to start the daemon", code, stderr)
	}
}
