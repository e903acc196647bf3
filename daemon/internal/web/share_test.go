package web_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/diff"
	"redline/daemon/internal/web"
)

// hostileShare is a change whose captured text tries to take over what
// shows it: terminal escapes, bidirectional overrides, Markdown links,
// images and HTML, a heading at the start of a paragraph.
func hostileShare() web.Share {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	old := article.Content{Title: "Quiet day", Blocks: []article.Block{{Kind: article.KindParagraph, Text: "Nothing happened."}}}
	evil := "\x1b]0;owned\x07\x1b[2J\r\u202Egnp.exe " + `[click](javascript:alert(1)) ![x](https://evil.example/x.png) <b onmouseover=alert(1)>hi</b> &lt;`
	new := article.Content{Title: "# Quiet day \x1b[31m", Blocks: []article.Block{{Kind: article.KindParagraph, Text: "Nothing happened."}, {Kind: article.KindParagraph, Text: "- " + evil}}}
	a := article.Article{ID: 1, URL: "https://news.example/quiet", Site: "news.example", Title: new.Title}
	res := diff.Compare(old, new, diff.DefaultRules())
	return web.NewShare(a, article.Version{Number: 1, CapturedAt: at, Source: article.SourceBrowser, Content: old},
		article.Version{Number: 2, CapturedAt: at.Add(time.Hour), Source: article.SourceBrowser, Content: new}, res, false)
}

// The terminal diff never passes a control character of captured text
// to the terminal: with or without colour, the only escapes are its own
// colours.
func TestShareTextKeepsCapturedTextInert(t *testing.T) {
	s := hostileShare()
	for _, color := range []bool{false, true} {
		var b strings.Builder
		if err := s.Text(&b, color); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, bad := range []string{"\x07", "\r", "\u202E", "\x1b]", "\x1b[2J", "\x1b[31m"} {
			if strings.Contains(out, bad) {
				t.Errorf("color=%v: the output carries %q from the captured text:\n%q", color, bad, out)
			}
		}
		if !strings.Contains(out, "gnp.exe") {
			t.Errorf("color=%v: the captured words are gone:\n%q", color, out)
		}
	}
}

// The Markdown of a hostile change makes no link, image, HTML, entity or
// heading out of captured text.
func TestShareMarkdownKeepsCapturedTextInert(t *testing.T) {
	var b strings.Builder
	if err := hostileShare().Markdown(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{`[^\\]\[click`, `[^\\]\[x\]`, `[^\\]<b `, `[^\\]&lt;`, "\x1b", "\u202E", `\n> - `, `\n# `} {
		if regexp.MustCompile(bad).MatchString(out) {
			t.Errorf("the Markdown carries %q unescaped:\n%s", bad, out)
		}
	}
	for _, want := range []string{`\[click\](javascript:alert(1))`, `\<b onmouseover=alert(1)\>`, `\&lt;`} {
		if !strings.Contains(out, want) {
			t.Errorf("the Markdown lacks %q:\n%s", want, out)
		}
	}
}
