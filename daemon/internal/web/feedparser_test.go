package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"redline/daemon/internal/testtool"
)

// feedparserScript reads a feed on stdin with Python's feedparser (an
// independent, widely used client) and prints what it understood.
const feedparserScript = `
import json, sys, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({
    "bozo": bool(d.bozo), "error": str(d.get("bozo_exception", "")), "version": d.version,
    "title": d.feed.get("title", ""),
    "entries": [{"title": e.title, "summary": e.get("summary", ""), "content": e.content[0].value if e.get("content") else "", "link": e.get("link", "")} for e in d.entries],
}))
`

// TestFeedsParseInFeedparser needs Debian's python3-feedparser.
func TestFeedsParseInFeedparser(t *testing.T) {
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import feedparser").Run(); err != nil {
		testtool.Need(t, "no feedparser: apt-get install python3-feedparser")
	}
	s := newStack(t)
	u := "https://evil.example/story"
	id := s.capture(u, hostile, "", paras("The mayor said she was reluctant to raise taxes.", "Other text stays.")...)
	s.capture(u, hostile+" (updated)", "", paras("The mayor said she was willing to raise taxes.", "Other text stays.", hostile)...)
	b := s.loggedIn()
	_, page, _ := b.get("/")
	var feedURL string
	for _, l := range elements(parseHTML(t, page), "link") {
		if attr(l, "type") == "application/atom+xml" {
			feedURL = attr(l, "href")
		}
	}
	token := strings.TrimPrefix(feedURL, "/feeds/changes.atom?token=")
	parse := func(path string) (out struct {
		Bozo    bool   `json:"bozo"`
		Error   string `json:"error"`
		Version string `json:"version"`
		Entries []struct {
			Title, Summary, Content, Link string
		} `json:"entries"`
	}) {
		t.Helper()
		resp, err := http.Get(s.base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cmd := exec.Command(python, "-c", feedparserScript)
		cmd.Stdin = strings.NewReader(string(body))
		js, err := cmd.Output()
		if err != nil {
			t.Fatalf("feedparser: %v", err)
		}
		if err := json.Unmarshal(js, &out); err != nil {
			t.Fatalf("feedparser output %s: %v", js, err)
		}
		if out.Bozo || out.Version != "atom10" {
			t.Fatalf("%s: feedparser says bozo=%v (%s), version %q", path, out.Bozo, out.Error, out.Version)
		}
		return out
	}
	changes := parse(feedURL)
	if len(changes.Entries) != 1 {
		t.Fatalf("changes feed: %d entries, want 1", len(changes.Entries))
	}
	e := changes.Entries[0]
	if e.Title != "Changed: "+hostile+" (updated)" {
		t.Errorf("entry title as a reader shows it: %q", e.Title)
	}
	if !strings.Contains(e.Content, "<del>reluctant</del>") || !strings.Contains(e.Content, "<ins>willing</ins>") || !strings.Contains(e.Content, "&lt;script&gt;") {
		t.Errorf("entry content as a reader shows it: %s", e.Content)
	}
	if !strings.Contains(e.Link, "/articles/") {
		t.Errorf("entry link %q", e.Link)
	}
	versions := parse("/feeds/articles/" + itoa(id) + ".atom?token=" + token)
	if len(versions.Entries) != 2 || !strings.HasPrefix(versions.Entries[0].Title, "Version 2: ") {
		t.Errorf("article feed entries: %+v", versions.Entries)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
