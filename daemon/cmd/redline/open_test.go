package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestOpenPrintsAOneTimeLoginLink(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, dir)
	out, stderr, code := cli(t, "", "open", "--print", "--data", dir)
	if code != 0 {
		t.Fatalf("redline open --print: exit %d: %s", code, stderr)
	}
	link := strings.TrimSpace(out)
	// The dashboard has a host name of its own, under .localhost, on the
	// daemon's port.
	port := d.base[strings.LastIndex(d.base, ":"):]
	if !regexp.MustCompile(`^http://redline-[0-9a-f]{20}\.localhost` + regexp.QuoteMeta(port) + `/login\?code=[0-9a-f]{64}$`).MatchString(link) {
		t.Fatalf("redline open printed %q, want http://redline-ID.localhost%s/login?code=CODE", link, port)
	}
	dash := originOf(t, link)
	browser := newBrowser()
	get := func(url string) int {
		resp, err := browser.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get(dash + "/"); got != http.StatusUnauthorized {
		t.Fatalf("dashboard before login: %d, want 401", got)
	}
	if got := get(link); got != http.StatusOK {
		t.Fatalf("login link: %d, want 200", got)
	}
	if got := get(dash + "/"); got != http.StatusOK {
		t.Fatalf("dashboard after login: %d, want 200", got)
	}
	other := newBrowser()
	resp, err := other.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login link used a second time: %d, want 403", resp.StatusCode)
	}
}

func TestOpenWithoutDaemonSaysToStartIt(t *testing.T) {
	_, stderr, code := cli(t, "", "open", "--print", "--data", t.TempDir())
	if code == 0 || !strings.Contains(stderr, "redline serve") {
		t.Fatalf("exit %d, stderr %q: want an error that says to start the daemon", code, stderr)
	}
}
