package extract

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"redline/daemon/internal/article"
)

// PageText is what a capture carries of the whole page (its page_text):
// the page's description (the summary the outlet published with it, see
// description) on a line of its own, then its visible text.
func PageText(doc *html.Node) string {
	text := VisibleText(doc)
	if d := description(doc); d != "" {
		text = d + "\n" + text
	}
	return article.FitPageText(text)
}

// description returns the page's own summary of the article: its meta
// description, else its og:description, else its twitter:description.
// The outlet published it with the page; a new template often shows it
// as the standfirst above the story, which is then not new text.
func description(doc *html.Node) string {
	var found [3]string
	keys := []string{"description", "og:description", "twitter:description"}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Meta {
			key := strings.ToLower(attr(n, "property"))
			if key == "" {
				key = strings.ToLower(attr(n, "name"))
			}
			for i, k := range keys {
				if key == k && found[i] == "" {
					found[i] = strings.Join(strings.Fields(attr(n, "content")), " ")
				}
			}
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, d := range found {
		if d != "" {
			return d
		}
	}
	return ""
}

// VisibleText returns the text a reader could see anywhere on the page:
// the body's text, without scripts, styles, forms and media (see silent),
// nor elements the page hides (hiddenElement). Each element that
// is not inline starts a new line, as a browser's innerText does; runs of
// spaces become one. The result is cut to article.MaxPageTextBytes.
func VisibleText(doc *html.Node) string {
	body := findFirst(doc, atom.Body)
	if body == nil {
		return ""
	}
	var w lineWriter
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil && w.b.Len() <= article.MaxPageTextBytes; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode:
				w.text(c.Data)
			case c.Type != html.ElementNode, silent[c.DataAtom], hiddenElement(c):
			case c.DataAtom == atom.Br:
				w.line()
			case inline[c.DataAtom]:
				walk(c)
			default:
				w.line()
				walk(c)
				w.line()
			}
		}
	}
	walk(body)
	return article.FitPageText(w.b.String())
}

// lineWriter writes text with each run of spaces as one space and each
// run of line breaks (with the spaces around them) as one line break,
// and no space or break at either end.
type lineWriter struct {
	b          strings.Builder
	space, brk bool
}

func (w *lineWriter) line() { w.brk = true }

func (w *lineWriter) text(s string) {
	for _, r := range s {
		if unicode.IsSpace(r) {
			w.space = true
			continue
		}
		if w.b.Len() > 0 {
			switch {
			case w.brk:
				w.b.WriteByte('\n')
			case w.space:
				w.b.WriteByte(' ')
			}
		}
		w.space, w.brk = false, false
		w.b.WriteRune(r)
	}
}
