package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata with what the code writes now")

// diffCapture posts a browser capture (a read) with a fixed capture time.
func diffCapture(t *testing.T, base, token, url, at, title string, paras ...string) {
	t.Helper()
	blocks := make([]map[string]string, 0, len(paras))
	for _, p := range paras {
		blocks = append(blocks, map[string]string{"kind": "p", "text": p})
	}
	b, _ := json.Marshal(map[string]any{
		"url": url, "title": title, "byline": "By Ana Ruiz", "captured_at": at,
		"source": "browser", "extractor": "test", "blocks": blocks,
	})
	code, out, err := post(context.Background(), base, token, string(b))
	if err != nil || code != 201 {
		t.Fatalf("capture: %d %v %v", code, out, err)
	}
}

// hostile is captured text that tries to run script wherever it is shown.
const hostile = `<script>alert(1)</script><img src=x onerror="alert(1)">`

// seedDiff stores an article read at 09:00 and changed by 15:30 (the
// headline, an edit, a correction added, hostile text edited), and an
// article of one version.
func seedDiff(t *testing.T, base, token string) {
	t.Helper()
	u := "https://news.example/2026/12/budget"
	diffCapture(t, base, token, u, "2026-12-01T09:00:00Z", "Council delays budget vote",
		"The council delayed the budget vote on Tuesday after a long debate.",
		"The mayor said she was reluctant to raise taxes.",
		"A reader wrote: "+hostile+" first.",
		"A second vote is planned for next month.")
	diffCapture(t, base, token, u, "2026-12-01T15:30:00Z", "Council approves budget after all",
		"The council delayed the budget vote on Tuesday after a long debate.",
		"The mayor said she was willing to raise taxes.",
		"A reader wrote: "+hostile+" again.",
		"A second vote is planned for next month.",
		"Correction: An earlier version of this article gave the wrong date of the vote.")
	diffCapture(t, base, token, "https://news.example/2026/12/once", "2026-12-01T10:00:00Z", "Only once", "Nothing changed here.")
}

// styleRe finds the shared file's inline stylesheet: the dashboard's
// app.css, which has tests of its own; the golden file holds the rest.
var styleRe = regexp.MustCompile(`(?s)<style>.*?</style>`)

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from what `redline diff` writes now (run with -update if the change is meant):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// `redline diff` of a changed article: the terminal diff plain (piped)
// and coloured (--color always), the Markdown and the HTML file, each
// the same from the running daemon and, once it stopped, from the store
// read-only; and every kind of bad input refused with a clear error.
func TestDiffCommand(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, dir)
	token := tokenOf(t, dir)
	seedDiff(t, d.base, token)

	cases := []struct {
		golden string
		args   []string
	}{
		{"diff-plain.golden", nil},
		{"diff-color.golden", []string{"--color", "always"}},
		{"diff-markdown.golden", []string{"--format", "markdown"}},
		{"diff-html.golden", []string{"--format", "html"}},
	}
	outputs := map[string]string{}
	for _, c := range cases {
		args := append([]string{"diff", "--data", dir}, c.args...)
		out, stderr, code := cli(t, "", append(args, "https://news.example/2026/12/budget?utm_source=x")...)
		if code != 0 || stderr != "" {
			t.Fatalf("redline %v: %d %s", args, code, stderr)
		}
		outputs[c.golden] = out
		if c.golden == "diff-html.golden" {
			if !strings.Contains(out, "<style>") || strings.Count(out, "<style>") != 1 {
				t.Errorf("the HTML file has no single inline stylesheet")
			}
			out = styleRe.ReplaceAllString(out, "<style>(the dashboard's app.css, then the file's own rules)</style>")
		}
		golden(t, c.golden, out)
	}
	plain := outputs["diff-plain.golden"]
	for _, want := range []string{"Council approves budget after all", "[-reluctant-]", "{+willing+}", "Headline changed · 2 paragraphs edited · 1 paragraph added · correction added (substantive)", hostile} {
		if !strings.Contains(plain, want) {
			t.Errorf("plain diff lacks %q:\n%s", want, plain)
		}
	}
	if strings.Contains(plain, "\x1b") {
		t.Errorf("the diff piped without --color carries terminal escapes:\n%q", plain)
	}
	if !strings.Contains(outputs["diff-color.golden"], "\x1b[4;32mwilling\x1b[0m") {
		t.Errorf("--color always did not colour the insertion:\n%q", outputs["diff-color.golden"])
	}
	html := outputs["diff-html.golden"]
	if strings.Contains(html, "<script") || strings.Contains(html, "<img") {
		t.Errorf("captured markup came out as markup in the HTML file")
	}
	if strings.Contains(outputs["diff-markdown.golden"], "<script>") {
		t.Errorf("captured markup came out unescaped in the Markdown")
	}

	// The dashboard's Download as HTML is the same file, byte for byte.
	link, stderr, code := cli(t, "", "open", "--print", "--data", dir)
	if code != 0 {
		t.Fatalf("open --print: %d %s", code, stderr)
	}
	link = strings.TrimSpace(link)
	browser := newBrowser()
	for _, u := range []string{link, originOf(t, link) + "/articles/1/share.html?from=1&to=2"} {
		resp, err := browser.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", u, resp.StatusCode)
		}
		if strings.Contains(u, "share.html") && string(b) != html {
			t.Errorf("the dashboard's HTML file differs from `redline diff --format html`:\n%s", b)
		}
	}

	// NO_COLOR wins over auto, not over always.
	cmd := redline("diff", "--data", dir, "--color", "always", "1")
	cmd.Env = append(cmd.Env, "NO_COLOR=1")
	if out, err := cmd.Output(); err != nil || !strings.Contains(string(out), "\x1b[") {
		t.Errorf("--color always with NO_COLOR set: %v %q", err, out)
	}

	// By id and with the versions named, the same change.
	out, _, code := cli(t, "", "diff", "--data", dir, "--from", "1", "--to", "2", "1")
	if code != 0 || out != plain {
		t.Errorf("diff --from 1 --to 2 by id: %d\n%s", code, out)
	}

	bad := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no article named", []string{}, 2, "name one article"},
		{"two articles named", []string{"1", "2"}, 2, "name one article"},
		{"unknown format", []string{"--format", "pdf", "1"}, 2, "--format is text, markdown or html"},
		{"unknown colour mode", []string{"--color", "sometimes", "1"}, 2, "--color is auto, always or never"},
		{"from after to", []string{"--from", "2", "--to", "1", "1"}, 2, "--from 2 is after --to 1"},
		{"version zero", []string{"--from", "0", "1"}, 2, "--from is a version number"},
		{"bad flag", []string{"--bogus", "1"}, 2, "unknown flag --bogus"},
		{"version out of range", []string{"--to", "7", "1"}, 1, "article 1 has versions 1 to 2, not 7"},
		{"from after the newest", []string{"--from", "3", "1"}, 1, "article 1 has versions 1 to 2, not 3"},
		{"unknown id", []string{"99"}, 1, "Redline has no article 99"},
		{"unknown URL", []string{"https://news.example/never"}, 1, "redline track"},
		{"one version only", []string{"https://news.example/2026/12/once"}, 1, "only one version so far"},
	}
	check := func(where string) {
		for _, b := range bad {
			out, stderr, code := cli(t, "", append([]string{"diff", "--data", dir}, b.args...)...)
			if code != b.code || out != "" || !strings.Contains(stderr, b.stderr) {
				t.Errorf("%s, %s: exit %d (want %d), stdout %q, stderr %q (want %q)", where, b.name, code, b.code, out, stderr, b.stderr)
			}
		}
	}
	check("daemon running")

	d.stop(t)
	for _, c := range cases {
		out, stderr, code := cli(t, "", append(append([]string{"diff", "--data", dir}, c.args...), "https://news.example/2026/12/budget")...)
		if code != 0 || out != outputs[c.golden] {
			t.Errorf("without the daemon, %v: %d %s\n%s", c.args, code, stderr, out)
		}
	}
	check("daemon stopped")
}
