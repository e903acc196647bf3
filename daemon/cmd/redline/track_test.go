package main

import (
	"regexp"
	"strings"
	"testing"

	"redline/daemon/internal/config"
	"redline/daemon/internal/watch/watchtest"
)

// The watch commands against a real daemon process and a local news
// site: refused on loopback until allowed, then track, check by URL and
// by id, an edit, a removal, pause and resume; and the same commands with
// no daemon running.
func TestTrackAndCheck(t *testing.T) {
	site := watchtest.NewSite(t)
	site.Set("/2026/11/budget", watchtest.Article("story"))
	u := site.LoopbackURL("/2026/11/budget")
	dir := t.TempDir()

	d := startDaemon(t, dir)
	_, stderr, code := cli(t, "", "track", "--data", dir, u)
	if code != 1 || !strings.Contains(stderr, "--allow-private") {
		t.Fatalf("track of a loopback page without --allow-private: %d %q", code, stderr)
	}
	if n := site.Hits("/2026/11/budget"); n != 0 {
		t.Fatalf("the refused page was fetched %d times", n)
	}
	d.stop(t)

	t.Setenv(config.EnvAllowPrivate, "1")
	d = startDaemon(t, dir)
	if !strings.Contains(d.logText(), "--allow-private") {
		t.Errorf("the daemon did not warn that private addresses are allowed:\n%s", d.logText())
	}
	out, stderr, code := cli(t, "", "track", "--data", dir, u)
	if code != 0 || !strings.Contains(out, "watching "+u+" (article 1)") ||
		!strings.Contains(out, "first fetch stored as version 1; it counts as read") || !regexp.MustCompile(`next check in 1[3-7] min`).MatchString(out) {
		t.Fatalf("track: %d\n%s%s", code, out, stderr)
	}
	if ua := site.Requests("/2026/11/budget")[0].Header.Get("User-Agent"); !regexp.MustCompile(`^Redline/\S+ \(\+local change tracker\)$`).MatchString(ua) {
		t.Errorf("User-Agent %q", ua)
	}

	out, stderr, code = cli(t, "", "check", "--data", dir, u+"?utm_source=newsletter")
	if code != 0 || !strings.Contains(out, "unchanged since the last check") {
		t.Fatalf("check by URL: %d\n%s%s", code, out, stderr)
	}

	site.Set("/2026/11/budget", watchtest.Article("story-edited"))
	out, stderr, code = cli(t, "", "check", "--data", dir, "1")
	if code != 0 || !strings.Contains(out, "changed: version 2:") || !strings.Contains(out, "correction added") ||
		!strings.Contains(out, "changed since you read it") {
		t.Fatalf("check after an edit: %d\n%s%s", code, out, stderr)
	}

	out, stderr, code = cli(t, "", "pause", "--data", dir, "1")
	if code != 0 || !strings.Contains(out, "paused: not checked until resumed") {
		t.Fatalf("pause: %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = cli(t, "", "resume", "--data", dir, u)
	if code != 0 || !strings.Contains(out, "next check now") {
		t.Fatalf("resume: %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = cli(t, "", "pause", "--data", dir, "--site", "127.0.0.1")
	if code != 0 || !strings.Contains(out, "paused 127.0.0.1: 1 article") {
		t.Fatalf("pause site: %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = cli(t, "", "resume", "--data", dir, "--site", "127.0.0.1")
	if code != 0 || !strings.Contains(out, "resumed 127.0.0.1: 1 article") {
		t.Fatalf("resume site: %d\n%s%s", code, out, stderr)
	}

	_, stderr, code = cli(t, "", "check", "--data", dir, site.LoopbackURL("/never-seen"))
	if code != 1 || !strings.Contains(stderr, "redline track") {
		t.Fatalf("check of an unknown URL: %d %q", code, stderr)
	}
	site.Set("/slow", watchtest.Response{Status: 503})
	_, stderr, code = cli(t, "", "track", "--data", dir, site.LoopbackURL("/slow"))
	if code != 1 || !strings.Contains(stderr, "cannot watch") || !strings.Contains(stderr, "503") {
		t.Fatalf("track of a failing page: %d %q", code, stderr)
	}
	d.stop(t)

	// No daemon: the commands open the store themselves.
	site.Set("/2026/11/budget", watchtest.Response{Status: 404})
	out, stderr, code = cli(t, "", "check", "--data", dir, "1")
	if code != 0 || !strings.Contains(out, "removed: the site answers 404 Not Found") {
		t.Fatalf("check without a daemon: %d\n%s%s", code, out, stderr)
	}
	site.Set("/other", watchtest.Article("story"))
	out, stderr, code = cli(t, "", "track", "--data", dir, site.LoopbackURL("/other"))
	if code != 0 || !strings.Contains(out, "(article 2)") {
		t.Fatalf("track without a daemon: %d\n%s%s", code, out, stderr)
	}
}

func TestWatchCommandsUsage(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"track", "--data", dir},
		{"check", "--data", dir, "a", "b"},
		{"pause", "--data", dir},
		{"resume", "--data", dir, "1", "--site", "x.com"},
	} {
		_, stderr, code := cli(t, "", args...)
		if code != 2 || !strings.Contains(stderr, "usage: redline "+args[0]) {
			t.Errorf("%q: %d %q", args, code, stderr)
		}
	}
	out, _, code := cli(t, "", "check", "--help")
	if code != 0 || !strings.Contains(out, "Usage: redline check") {
		t.Errorf("check --help: %d %q", code, out)
	}
}
