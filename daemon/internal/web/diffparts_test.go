package web_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"redline/daemon/internal/article"
)

// maxPartPage is the most HTML one part of a long comparison may be: a
// part shows about 128 KiB, and the page around it (header, versions,
// timeline) adds a little. Before parts, the comparison of a capture at
// the limits with every paragraph edited was 2,162 KiB side by side.
const maxPartPage = 192 << 10

var (
	nextPartRe = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	partOfRe   = regexp.MustCompile(`part (\d+) of (\d+)`)
	// A changed paragraph's row in the side-by-side view: its number in
	// the new version, and its text.
	changedRowRe = regexp.MustCompile(`<div class="row op-change k-p">\s*<div class="cell old"><span class="no" aria-label="old paragraph">\d+</span>[^\n]*</div>\s*<div class="cell new"><span class="no" aria-label="new paragraph">(\d+)</span>`)
)

// walkParts reads every part of a comparison from the first, following
// "Next part", and returns each part's page.
func walkParts(t *testing.T, b *browser, first string) []string {
	t.Helper()
	var pages []string
	for path := first; path != ""; {
		code, page, _ := b.get(path)
		if code != http.StatusOK {
			t.Fatalf("%s: %d", path, code)
		}
		pages = append(pages, page)
		if len(pages) > 200 {
			t.Fatal("more than 200 parts")
		}
		path = ""
		if m := nextPartRe.FindStringSubmatch(page); m != nil {
			// The link is the article page's own, with another query.
			href, _, _ := strings.Cut(html.UnescapeString(m[1]), "#")
			path = first[:strings.Index(first, "?")] + href
		}
	}
	return pages
}

// The comparison of a capture at the limits, every paragraph edited, comes
// in parts: each page is small, says which part it is, and following
// "Next part" from the first reaches every edited paragraph once, in
// order. With paragraphs as long as they may be (100 KiB), a part holds
// one: its two columns are the page.
func TestMaximalComparisonComesInParts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		versions func() (v1, v2 []block)
		maxPage  int
	}{
		{"many short paragraphs", maximalVersions, maxPartPage},
		{"few long paragraphs", longParagraphVersions, 2*article.MaxBlockBytes + 64<<10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t)
			v1, v2 := tc.versions()
			id := s.capture("https://news.test/maximal", "A maximal report", "", v1...)
			s.capture("https://news.test/maximal", "A maximal report", "", v2...)
			b := s.loggedIn()

			pages := walkParts(t, b, fmt.Sprintf("/articles/%d?from=1&to=2&mode=side", id))
			if len(pages) < 2 {
				t.Fatalf("the comparison of %d edited paragraphs is one page of %d KiB", len(v2), len(pages[0])>>10)
			}
			next := 1
			for i, page := range pages {
				if len(page) > tc.maxPage {
					t.Errorf("part %d is %d KiB, more than %d KiB", i+1, len(page)>>10, tc.maxPage>>10)
				}
				if m := partOfRe.FindStringSubmatch(page); m == nil || m[1] != strconv.Itoa(i+1) || m[2] != strconv.Itoa(len(pages)) {
					t.Errorf("part %d of %d says %q", i+1, len(pages), m)
				}
				for _, m := range changedRowRe.FindAllStringSubmatch(page, -1) {
					if n, _ := strconv.Atoi(m[1]); n != next {
						t.Fatalf("part %d shows edited paragraph %d, want %d next", i+1, n, next)
					}
					next++
				}
			}
			if next-1 != len(v2) {
				t.Errorf("the parts show %d edited paragraphs, want all %d", next-1, len(v2))
			}
			// The same part inline is as small, and its links keep the mode.
			code, inline, _ := b.get(fmt.Sprintf("/articles/%d?from=1&to=2&mode=inline&part=2", id))
			if code != http.StatusOK || len(inline) > tc.maxPage || !strings.Contains(inline, "part 2 of") || !strings.Contains(inline, "mode=inline&amp;part=") {
				t.Errorf("inline part 2: %d, %d KiB", code, len(inline)>>10)
			}
		})
	}
}

// longParagraphVersions are two versions of an article at the text limit
// in as few paragraphs as may hold it (100 KiB each), every one edited.
func longParagraphVersions() (v1, v2 []block) {
	for i := range article.MaxTextBytes / article.MaxBlockBytes {
		p := strings.Repeat(fmt.Sprintf("Section %d: the committee heard evidence from witnesses about the budget. ", i), article.MaxBlockBytes/70)[:article.MaxBlockBytes-1] + "."
		v1 = append(v1, block{"p", p})
		v2 = append(v2, block{"p", strings.Replace(p, "witnesses", "reluctant witnesses", 1)[:article.MaxBlockBytes]})
	}
	return v1, v2
}

// A long article with one edit is one small page: the edit with a
// paragraph of context, and the unchanged stretches around it counted.
func TestLongUnchangedStretchesAreCounted(t *testing.T) {
	s := newStack(t)
	v1, _ := maximalVersions()
	v2 := append([]block(nil), v1...)
	v2[2500] = block{"p", strings.Replace(v1[2500].Text, "witnesses", "reluctant witnesses", 1)}
	id := s.capture("https://news.test/one-edit", "A long report", "", v1...)
	s.capture("https://news.test/one-edit", "A long report", "", v2...)
	b := s.loggedIn()
	code, page, _ := b.get(fmt.Sprintf("/articles/%d?from=1&to=2", id))
	if code != http.StatusOK {
		t.Fatalf("%d", code)
	}
	if len(page) > maxPartPage || strings.Contains(page, `class="parts"`) {
		t.Errorf("one edit in a long article: %d KiB, in parts %v", len(page)>>10, strings.Contains(page, `class="parts"`))
	}
	if !strings.Contains(page, "<ins>reluctant </ins>") {
		t.Error("the edit is not shown")
	}
	// Paragraph 2501 changed; 2500 and 2502 are shown beside it.
	for _, want := range []string{"2499 unchanged paragraphs (paragraphs 1–2499), not shown here", "2498 unchanged paragraphs (paragraphs 2503–5000), not shown here"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// A part that does not exist is a clear error; an article people read is
// one part, its unchanged runs folded with their text as before.
func TestComparisonParts(t *testing.T) {
	s := newStack(t)
	id := s.changedArticle("https://news.test/budget")
	b := s.loggedIn()
	for _, q := range []string{"part=0", "part=2", "part=x", "part=-1"} {
		code, page, _ := b.get(fmt.Sprintf("/articles/%d?from=1&to=2&%s", id, q))
		if code != http.StatusBadRequest || !strings.Contains(page, "part") {
			t.Errorf("%s: %d, want 400 saying which parts there are", q, code)
		}
	}
	code, page, _ := b.get(fmt.Sprintf("/articles/%d?from=1&to=2&part=1", id))
	if code != http.StatusOK || strings.Contains(page, `class="parts"`) || !strings.Contains(page, "<ins>willing</ins>") {
		t.Errorf("part 1 of a one-part comparison: %d", code)
	}
}
