package extract

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"redline/daemon/internal/canonical"
)

// The headline the reader sees wins. The reader-mode library takes an
// article's title from its metadata first (JSON-LD, then og:title), and a
// page's metadata can go stale: a rewritten headline shows in the <h1>,
// the <title> and og:title while the JSON-LD still holds the old one. So
// the title found is checked against the page's <h1> elements:
//
//  1. An <h1> that is the title, or the title with the site's name before
//     or after it, confirms the title: it stays.
//  2. Otherwise, the page's other titles — <title>, og:title and
//     twitter:title — that disagree with the title found (neither is the
//     other, with or without the site's name) are its witnesses. An <h1>
//     that one of them names (the witness is the <h1>'s text, or that
//     text with the site's name before or after it) is the visible
//     headline, and it is the title.
//  3. With no such <h1>, the title stays: an <h1> no other title names may
//     be a logo, a section's name or a kicker.
//
// Hidden <h1> elements (the hidden attribute, aria-hidden="true", an
// inline display:none or visibility:hidden on it or an ancestor) and those
// inside <template> or <noscript> are not seen; neither is an <h1> that is
// the site's name (og:site_name). Among several named <h1>s, one a witness
// names exactly comes first, then one inside <article> or <main>, then the
// one with the most words, then the first. Texts are compared by their
// words in lower case (see headlineWords). The extension's capture applies
// the same rule (extension/src/content/headline.ts); the cases in
// shared/vectors/headline.json pin both.

// headlineFacts is what a page says of its headline, read before the
// reader-mode library changes the document.
type headlineFacts struct {
	h1s       []h1Facts
	witnesses []string // <title>, og:title, twitter:title, as found
}

type h1Facts struct {
	text      string // normalised
	words     []string
	inArticle bool
}

// readHeadline collects the visible <h1> elements and the page's titles.
func readHeadline(doc *html.Node) headlineFacts {
	var f headlineFacts
	var siteName []string
	var title, ogTitle, twitterTitle string
	var walk func(n *html.Node, inArticle bool)
	walk = func(n *html.Node, inArticle bool) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Template, atom.Noscript, atom.Script, atom.Style:
				return
			case atom.Title:
				if title == "" {
					title = canonical.Text(textOf(n))
				}
				return
			case atom.Meta:
				key := strings.ToLower(attr(n, "property"))
				if key == "" {
					key = strings.ToLower(attr(n, "name"))
				}
				switch key {
				case "og:title":
					ogTitle = canonical.Text(attr(n, "content"))
				case "twitter:title":
					twitterTitle = canonical.Text(attr(n, "content"))
				case "og:site_name":
					siteName = headlineWords(attr(n, "content"))
				}
				return
			}
			if hiddenElement(n) {
				return
			}
			if n.DataAtom == atom.Article || n.DataAtom == atom.Main || strings.EqualFold(attr(n, "role"), "main") {
				inArticle = true
			}
			if n.DataAtom == atom.H1 {
				if text := canonical.Text(headlineText(n)); text != "" {
					f.h1s = append(f.h1s, h1Facts{text: text, words: headlineWords(text), inArticle: inArticle})
				}
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inArticle)
		}
	}
	walk(doc, false)
	// The site's name is no headline.
	if len(siteName) > 0 {
		kept := f.h1s[:0]
		for _, h := range f.h1s {
			if !equalWords(h.words, siteName) {
				kept = append(kept, h)
			}
		}
		f.h1s = kept
	}
	for _, w := range []string{title, ogTitle, twitterTitle} {
		if w != "" {
			f.witnesses = append(f.witnesses, w)
		}
	}
	return f
}

// choose returns the article's title: title (the one the reader-mode
// library found) or, when the page shows another headline, that one.
func (f headlineFacts) choose(title string) string {
	tw := headlineWords(title)
	if len(f.h1s) == 0 || len(tw) == 0 {
		return title
	}
	for _, h := range f.h1s {
		if namedBy(h.words, tw) {
			return title
		}
	}
	best, bestScore := -1, [4]int{}
	for _, w := range f.witnesses {
		ww := headlineWords(w)
		if namedBy(tw, ww) || namedBy(ww, tw) {
			continue // this title agrees with the one found
		}
		for i, h := range f.h1s {
			if !namedBy(h.words, ww) {
				continue
			}
			score := [4]int{0, 0, len(h.words), -i}
			if equalWords(h.words, ww) {
				score[0] = 1
			}
			if h.inArticle {
				score[1] = 1
			}
			if best < 0 || greater(score, bestScore) {
				best, bestScore = i, score
			}
		}
	}
	if best < 0 {
		return title
	}
	return f.h1s[best].text
}

func greater(a, b [4]int) bool {
	for k := range a {
		if a[k] != b[k] {
			return a[k] > b[k]
		}
	}
	return false
}

// namedBy reports whether the words of a headline are those of a title,
// or the leading or trailing run of them: "Budget vote delayed" is named by
// "Budget vote delayed | The Example" and by "The Example: Budget vote
// delayed".
func namedBy(h, title []string) bool {
	if len(h) == 0 || len(h) > len(title) {
		return false
	}
	return equalWords(h, title[:len(h)]) || equalWords(h, title[len(title)-len(h):])
}

func equalWords(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// headlineWords splits a headline into words for comparing: runs of
// letters, digits and combining marks in lower case (a final sigma as a
// sigma), each Han, kana or Hangul character a word of its own.
func headlineWords(s string) []string {
	ws := appendWords(nil, s)
	for i, w := range ws {
		ws[i] = strings.ReplaceAll(w, "ς", "σ")
	}
	return ws
}

// headlineText is the text of an <h1> as the reader reads it: its text
// nodes, a <br> as a space, without scripts, styles and templates.
func headlineText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode:
				b.WriteString(c.Data)
			case c.Type != html.ElementNode:
			case c.DataAtom == atom.Br:
				b.WriteByte(' ')
			case c.DataAtom == atom.Script || c.DataAtom == atom.Style || c.DataAtom == atom.Template || c.DataAtom == atom.Noscript:
			case hiddenElement(c):
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

// hiddenElement reports whether an element hides itself and its content:
// the hidden attribute, aria-hidden="true", or an inline style with
// display:none or visibility:hidden.
func hiddenElement(n *html.Node) bool {
	for _, a := range n.Attr {
		switch strings.ToLower(a.Key) {
		case "hidden":
			return true
		case "aria-hidden":
			if strings.EqualFold(strings.TrimSpace(a.Val), "true") {
				return true
			}
		case "style":
			style := strings.Map(func(r rune) rune {
				if unicode.IsSpace(r) {
					return -1
				}
				return unicode.ToLower(r)
			}, a.Val)
			if strings.Contains(style, "display:none") || strings.Contains(style, "visibility:hidden") {
				return true
			}
		}
	}
	return false
}
