package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"redline/daemon/internal/api"
	"redline/daemon/internal/article"
	"redline/daemon/internal/config"
	"redline/daemon/internal/watch/watchtest"
)

// decodeStrict decodes a command's --json output into v, refusing fields
// v does not name: the shape is the one the README documents.
func decodeStrict(t *testing.T, what, out string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v\n%s", what, err, out)
	}
	if dec.More() {
		t.Fatalf("%s: more than one JSON value:\n%s", what, out)
	}
}

// statusShape is `redline status --json` as the README documents it.
type statusShape struct {
	Running       bool      `json:"running"`
	Address       string    `json:"address"`
	Version       string    `json:"version"`
	StartedAt     time.Time `json:"started_at"`
	UptimeSeconds int64     `json:"uptime_seconds"`
	DataDir       string    `json:"data_dir"`
	Articles      int       `json:"articles"`
	Versions      int       `json:"versions"`
	BytesOnDisk   int64     `json:"bytes_on_disk"`
}

// listShape is `redline list --json`: articles as the API gives them.
type listShape struct {
	Articles []article.Article `json:"articles"`
	More     bool              `json:"more"`
}

func ids(l listShape) []int64 {
	var out []int64
	for _, a := range l.Articles {
		out = append(out, a.ID)
	}
	return out
}

// --json on status, track, check and list, with the daemon running and
// without it; flags after the arguments; what `redline list` shows.
func TestJSONAnswersAndList(t *testing.T) {
	t.Setenv(config.EnvAllowPrivate, "1")
	site := watchtest.NewSite(t)
	site.Set("/2026/11/budget", watchtest.Article("story"))
	site.Set("/2026/11/other", watchtest.Article("story"))
	budget, other := site.LoopbackURL("/2026/11/budget"), site.LoopbackURL("/2026/11/other")
	dir := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		out, errOut, code := cli(t, "", args...)
		if code != 0 || errOut != "" {
			t.Fatalf("%q: exit %d, stderr %q", args, code, errOut)
		}
		return out
	}

	d := startDaemon(t, dir)
	var st statusShape
	decodeStrict(t, "status --json", run("status", "--json", "--data", dir), &st)
	if !st.Running || st.Address != d.base || st.Version != version || st.StartedAt.IsZero() || st.DataDir != dir || st.Articles != 0 {
		t.Errorf("status --json while running: %+v", st)
	}

	// Flags after the argument.
	var tr api.TrackResponse
	decodeStrict(t, "track --json", run("track", budget, "--data", dir, "--json"), &tr)
	if !tr.Created || tr.Article.ID != 1 || tr.Article.URL != budget || tr.Result.Outcome != article.CheckBaseline || tr.Result.Version != 1 {
		t.Errorf("track --json: %+v", tr)
	}
	decodeStrict(t, "track --json again", run("track", "--json", budget, "--data", dir), &tr)
	if tr.Created || tr.Article.ID != 1 {
		t.Errorf("track --json of a known page: created %v, article %d", tr.Created, tr.Article.ID)
	}
	run("track", other, "--data", dir)

	site.Set("/2026/11/budget", watchtest.Article("story-edited"))
	var ch api.CheckResponse
	decodeStrict(t, "check --json", run("check", "1", "--json", "--data", dir), &ch)
	if ch.Result.Outcome != article.CheckChanged || ch.Result.Version != 2 || ch.Result.SinceRead == nil || ch.Result.ReadVersion != 1 ||
		ch.Article.ID != 1 || ch.Article.Changes != 1 {
		t.Errorf("check --json after an edit: %+v", ch)
	}

	var all, changed, first listShape
	decodeStrict(t, "list --json", run("list", "--json", "--data", dir), &all)
	decodeStrict(t, "list --changed --json", run("list", "--data", dir, "--changed", "--json"), &changed)
	decodeStrict(t, "list --limit 1 --json", run("list", "--limit", "1", "--json", "--data", dir), &first)
	if got := ids(all); len(got) != 2 || got[0] != 2 || got[1] != 1 || all.More {
		t.Errorf("list --json: articles %v, more %v; want 2 then 1, no more", got, all.More)
	}
	if got := ids(changed); len(got) != 1 || got[0] != 1 || changed.Articles[0].URL != budget || changed.Articles[0].LastChanged.IsZero() {
		t.Errorf("list --changed --json: %+v; want only article 1", changed)
	}
	if got := ids(first); len(got) != 1 || got[0] != 2 || !first.More {
		t.Errorf("list --limit 1 --json: articles %v, more %v; want article 2 and more", got, first.More)
	}

	plain := run("list", "--data", dir)
	if !regexp.MustCompile(`(?m)^ID +FIRST SEEN +LAST CHANGE +CHANGES +SITE +TITLE$`).MatchString(plain) ||
		!regexp.MustCompile(`(?m)^1 +\d{4}-\d\d-\d\d \d\d:\d\d +\d{4}-\d\d-\d\d \d\d:\d\d +1 +127\.0\.0\.1 +\S`).MatchString(plain) ||
		!regexp.MustCompile(`(?m)^2 +\d{4}-\d\d-\d\d \d\d:\d\d +never +0 +127\.0\.0\.1 +\S`).MatchString(plain) ||
		strings.Contains(plain, "--limit") {
		t.Errorf("list:\n%s", plain)
	}
	if out := run("list", "--changed", "--data", dir); !regexp.MustCompile(`(?m)^1 `).MatchString(out) || regexp.MustCompile(`(?m)^2 `).MatchString(out) {
		t.Errorf("list --changed shows more than article 1:\n%s", out)
	}
	if out := run("list", "--data", dir, "--limit", "1"); !strings.HasSuffix(out, "(the first 1; --limit shows more)\n") {
		t.Errorf("list --limit 1 does not say more follow:\n%s", out)
	}
	d.stop(t)

	// No daemon: the same answers from the store.
	st = statusShape{}
	decodeStrict(t, "status --json offline", run("status", "--data", dir, "--json"), &st)
	if st.Running || st.Address != "" || st.Version != "" || !st.StartedAt.IsZero() || st.Articles != 2 || st.Versions != 3 || st.BytesOnDisk <= 0 {
		t.Errorf("status --json without a daemon: %+v", st)
	}
	var offline listShape
	decodeStrict(t, "list --changed --json offline", run("list", "--changed", "--json", "--data", dir), &offline)
	if got := ids(offline); len(got) != 1 || got[0] != 1 {
		t.Errorf("list --changed --json without a daemon: %v", got)
	}
	decodeStrict(t, "list --json offline", run("list", "--json", "--data", dir), &offline)
	if got := ids(offline); len(got) != 2 || got[0] != 2 || got[1] != 1 {
		t.Errorf("list --json without a daemon: %v", got)
	}
	decodeStrict(t, "check --json offline", run("check", budget, "--json", "--data", dir), &ch)
	if ch.Result.Outcome != article.CheckUnchanged || ch.Article.ID != 1 {
		t.Errorf("check --json without a daemon: %+v", ch.Result)
	}

	// A check that runs and fails answers its JSON and exits 1.
	site.Set("/2026/11/other", watchtest.Response{Status: 503})
	out, errOut, code := cli(t, "", "check", "2", "--json", "--data", dir)
	decodeStrict(t, "check --json of a failing page", out, &ch)
	if code != 1 || ch.Result.Outcome != article.CheckError || !strings.Contains(errOut, "the check failed") {
		t.Errorf("check --json of a failing page: exit %d, outcome %q, stderr %q", code, ch.Result.Outcome, errOut)
	}
}

// An empty store lists nothing and says so; bad --limit values are usage
// errors that print nothing on stdout.
func TestListEmptyAndBadInput(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, dir)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "--data", dir}, "no articles yet\n"},
		{[]string{"list", "--data", dir, "--changed"}, "no article has changed yet\n"},
		{[]string{"list", "--data", dir, "--json"}, "{\n  \"articles\": [],\n  \"more\": false\n}\n"},
	} {
		if out, errOut, code := cli(t, "", c.args...); code != 0 || out != c.want {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want %q", c.args, code, out, errOut, c.want)
		}
	}
	d.stop(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "--limit", "0"}, "--limit must be a number from 1 to 500"},
		{[]string{"list", "--limit", "501"}, "--limit must be a number from 1 to 500"},
		{[]string{"list", "--limit", "-3"}, "--limit must be a number from 1 to 500"},
		{[]string{"list", "--limit", "ten"}, `invalid value "ten" for flag --limit`},
		{[]string{"list", "--limit"}, "flag needs an argument: --limit"},
		{[]string{"list", "news"}, `unexpected argument "news"`},
		{[]string{"list", "--changed=sometimes"}, `invalid boolean value "sometimes" for --changed`},
		{[]string{"status", "--json=maybe"}, `invalid boolean value "maybe" for --json`},
	} {
		out, errOut, code := cli(t, "", append([]string{c.args[0], "--data", dir}, c.args[1:]...)...)
		if code != 2 || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, out, errOut, c.want)
		}
	}
	if _, errOut, code := cli(t, "", "list", "--data", filepath.Join(t.TempDir(), "nothing")); code != 1 || !strings.Contains(errOut, "no Redline data in") {
		t.Errorf("list of a folder with no store: exit %d, stderr %q", code, errOut)
	}
}

// A headline is captured text: `redline list` shows it without control
// characters or bidi overrides, so a page cannot write to the terminal
// (move the cursor, set its title, recolour it) or break the table.
func TestListShowsHeadlinesSafely(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, dir)
	body, _ := json.Marshal(map[string]any{
		"url": "https://news.example/hostile", "title": "Budget\x1b]0;owned\x07 vote\x1b[2J\ndelayed\u202e txet", "captured_at": time.Now().UTC().Format(time.RFC3339Nano),
		"source": "browser", "extractor": "test", "blocks": []map[string]string{{"kind": "p", "text": "Text."}},
	})
	if code, out, err := post(context.Background(), d.base, tokenOf(t, dir), string(body)); code != 201 || err != nil {
		t.Fatalf("capture = %d %v %v", code, out, err)
	}
	out, _, code := cli(t, "", "list", "--data", dir)
	if code != 0 || bytes.ContainsAny([]byte(out), "\x1b\x07\u202e") || !strings.Contains(out, "Budget]0;owned vote[2J delayed txet") || strings.Count(out, "\n") != 2 {
		t.Errorf("list shows the hostile headline as %q", out)
	}
	for _, args := range [][]string{{"check", "1", "--data", dir}, {"pause", "1", "--data", dir}} {
		out, _, _ := cli(t, "", args...)
		if bytes.ContainsAny([]byte(out), "\x1b\x07\u202e") || !strings.HasPrefix(out, "Budget]0;owned vote[2J delayed txet (article 1)\n") {
			t.Errorf("%s shows the hostile headline as %q", args[0], out)
		}
	}
}
