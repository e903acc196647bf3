package web_test

import (
	"fmt"
	"html"
	"net/http"
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

// The article page offers the change to share, and its downloads need
// the dashboard login: the HTML file and the card of the versions named,
// a clear refusal of versions the article does not have, and nothing
// for a browser without the session.
func TestShareDownloads(t *testing.T) {
	s := newStack(t)
	id := s.changedArticle("https://news.example/budget")
	once := s.capture("https://news.example/once", "Only once", "", paras("Nothing changed.")...)
	b := s.loggedIn()

	code, page, _ := b.get(fmt.Sprintf("/articles/%d", id))
	if code != http.StatusOK {
		t.Fatalf("article page: %d", code)
	}
	htmlLink := fmt.Sprintf("/articles/%d/share.html?from=1&amp;to=2", id)
	cardLink := fmt.Sprintf("/articles/%d/card.png?from=1&amp;to=2", id)
	for _, want := range []string{htmlLink, cardLink, "Download as HTML", "Download card", "Copy as Markdown", `id="share-md"`, "~~reluctant~~ **willing**"} {
		if !strings.Contains(page, want) {
			t.Errorf("the article page lacks %q", want)
		}
	}

	code, body, h := b.get(html.UnescapeString(htmlLink))
	if code != http.StatusOK || h.Get("Content-Type") != "text/html; charset=utf-8" ||
		h.Get("Content-Disposition") != fmt.Sprintf(`attachment; filename="redline-%d-v1-v2.html"`, id) {
		t.Fatalf("share.html: %d %v", code, h)
	}
	for _, want := range []string{`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
		"<del>reluctant</del>", "<ins>willing</ins>", "https://news.example/budget", "Captured by Redline", "SHA-256"} {
		if !strings.Contains(body, want) {
			t.Errorf("the HTML file lacks %q", want)
		}
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "<link") {
		t.Errorf("the HTML file loads or runs something")
	}

	code, body, h = b.get(html.UnescapeString(cardLink))
	if code != http.StatusOK || h.Get("Content-Type") != "image/png" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("card.png: %d %v", code, h)
	}
	if spread := lumaSpread(t, []byte(body)); spread < 5 {
		t.Errorf("the card looks blank")
	}
	code, body, h = b.get(fmt.Sprintf("/articles/%d/share.md?from=1&to=2", id))
	if code != http.StatusOK || h.Get("Content-Type") != "text/markdown; charset=utf-8" ||
		h.Get("Content-Disposition") != fmt.Sprintf(`attachment; filename="redline-%d-v1-v2.md"`, id) || !strings.Contains(body, "~~reluctant~~ **willing**") {
		t.Fatalf("share.md: %d %v\n%s", code, h, body)
	}
	// Without versions named: the change since the read.
	if code, body, _ = b.get(fmt.Sprintf("/articles/%d/share.html", id)); code != http.StatusOK || !strings.Contains(body, "<ins>willing</ins>") {
		t.Errorf("share.html without versions: %d", code)
	}

	for _, bad := range []struct {
		path string
		code int
		says string
	}{
		{fmt.Sprintf("/articles/%d/share.html?from=2&to=1", id), http.StatusBadRequest, "Version 2 is after version 1"},
		{fmt.Sprintf("/articles/%d/card.png?to=9", id), http.StatusBadRequest, "This article has versions 1 to 2."},
		{fmt.Sprintf("/articles/%d/card.png?from=x", id), http.StatusBadRequest, "This article has versions 1 to 2."},
		{fmt.Sprintf("/articles/%d/share.html", once), http.StatusBadRequest, "only one version so far"},
		{"/articles/999/share.html", http.StatusNotFound, "no such article"},
		{"/articles/x/card.png", http.StatusNotFound, ""},
	} {
		code, body, h := b.get(bad.path)
		if code != bad.code || !strings.Contains(body, bad.says) || h.Get("Content-Disposition") != "" {
			t.Errorf("%s: %d (want %d), Content-Disposition %q, says %q", bad.path, code, bad.code, h.Get("Content-Disposition"), bad.says)
		}
	}

	// No session, or the session's cookie sent to another host name: refused.
	stranger := s.newBrowser()
	for _, path := range []string{fmt.Sprintf("/articles/%d/share.html", id), fmt.Sprintf("/articles/%d/card.png", id), fmt.Sprintf("/articles/%d/share.md", id)} {
		code, body, h := stranger.get(path)
		if code != http.StatusUnauthorized || h.Get("Content-Disposition") != "" || strings.Contains(body, "willing") {
			t.Errorf("%s without a session: %d %v", path, code, h)
		}
		code, body, h = b.get(s.base + path)
		if code != http.StatusUnauthorized || h.Get("Content-Disposition") != "" || strings.Contains(body, "willing") {
			t.Errorf("%s on 127.0.0.1: %d %v", path, code, h)
		}
	}
}

// An article whose headline the card's font cannot draw: its page says
// what the card leaves out and shows the Markdown to copy.
func TestSharePageSaysWhatTheCardLeavesOut(t *testing.T) {
	s := newStack(t)
	id := s.capture("https://news.example/zh", "市议会推迟预算投票", "", paras("The council met.")...)
	s.capture("https://news.example/zh", "市议会最终批准预算", "", paras("The council met.")...)
	_, page, _ := s.loggedIn().get(fmt.Sprintf("/articles/%d", id))
	for _, want := range []string{"The card leaves out the headline and the edit", `<details class="md" id="md-box" open>`, "市议会最终批准预算"} {
		if !strings.Contains(page, want) {
			t.Errorf("the article page lacks %q", want)
		}
	}
}

// A change too long to carry as Markdown in its page (every paragraph of
// a capture at the limits edited): the page stays small, and offers the
// Markdown as a download.
func TestShareOfALongChangeKeepsThePageSmall(t *testing.T) {
	s := newStack(t)
	v1, v2 := maximalVersions()
	id := s.capture("https://news.test/maximal", "A maximal report", "", v1...)
	s.capture("https://news.test/maximal", "A maximal report", "", v2...)
	b := s.loggedIn()
	code, page, _ := b.get(fmt.Sprintf("/articles/%d", id))
	if code != http.StatusOK || strings.Contains(page, `id="share-md"`) || !strings.Contains(page, fmt.Sprintf("/articles/%d/share.md?from=1&amp;to=2", id)) {
		t.Fatalf("the page of a long change: %d, textarea %v", code, strings.Contains(page, `id="share-md"`))
	}
	if len(page) > 256<<10 {
		t.Errorf("the page is %d KiB", len(page)>>10)
	}
	code, md, _ := b.get(fmt.Sprintf("/articles/%d/share.md?from=1&to=2", id))
	if code != http.StatusOK || strings.Count(md, "\n> ") != len(v2) {
		t.Errorf("share.md of a long change: %d, %d quoted paragraphs, want %d", code, strings.Count(md, "\n> "), len(v2))
	}
}
