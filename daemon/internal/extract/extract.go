// Package extract turns a fetched HTML page into the article a reader
// sees: its title, byline and text as the same blocks (h, p, li, quote,
// pre) that the browser extension sends, so that the daemon's fetches are
// stored and compared like captures. go-readability finds the article in
// the page. The package also notes the signs of a page that is not the
// article at all: a paywall, a login or consent wall, a bot check.
package extract

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"

	"redline/daemon/internal/article"
)

// Extractor names this extraction on every fetched version: the library
// and the version of the rules that turn its output into blocks. A version
// is only ever compared with versions of its own source.
const Extractor = "go-readability@2.1.3+blocks/1"

// ErrNoArticle means the page holds no text that reads like an article.
var ErrNoArticle = errors.New("no article text in the page")

// Page is the article found in an HTML page.
type Page struct {
	Title         string
	Byline        string
	SiteName      string
	Lang          string
	PublishedTime string
	// CanonicalURL is the page's rel=canonical, resolved ("" if none).
	CanonicalURL string
	Blocks       []article.Block
	// PageText is the page's description and the visible text of the
	// whole page (see PageText), at most article.MaxPageTextBytes.
	PageText string
	// Wall is set when the page shows signs of not being the article.
	Wall Wall
}

// Words counts the words of the page's blocks.
func (p *Page) Words() int { return len(Words(p.Blocks)) }

// HTML extracts the article from an HTML page fetched from pageURL.
// contentType is the response's Content-Type header: its charset, then the
// page's <meta charset>, then a check for UTF-8 decide how the bytes are
// decoded; bytes that are not valid in it become U+FFFD.
func HTML(body []byte, contentType string, pageURL *url.URL) (*Page, error) {
	doc, err := html.Parse(bytes.NewReader(ToUTF8(body, contentType)))
	if err != nil {
		return nil, fmt.Errorf("parse HTML: %w", err)
	}
	p := &Page{Wall: findWall(doc, body), Lang: attr(findFirst(doc, atom.Html), "lang")}
	p.CanonicalURL = canonicalLink(doc, pageURL)
	docTitle := strings.TrimSpace(textOf(findFirst(doc, atom.Title)))
	headline := readHeadline(doc)
	p.PageText = PageText(doc) // before the extractor cuts the page up

	parser := readability.NewParser()
	art, err := parser.ParseAndMutate(doc, pageURL)
	if err != nil {
		return nil, fmt.Errorf("find the article: %w", err)
	}
	p.Title = strings.TrimSpace(art.Title())
	if p.Title == "" {
		p.Title = docTitle
	}
	p.Title = headline.choose(p.Title)
	p.Byline = strings.TrimSpace(art.Byline())
	p.SiteName = strings.TrimSpace(art.SiteName())
	if lang := strings.TrimSpace(art.Language()); lang != "" {
		p.Lang = lang
	}
	if t, err := art.PublishedTime(); err == nil {
		p.PublishedTime = t.UTC().Format(time.RFC3339)
	}
	if art.Node != nil {
		p.Blocks = Blocks(art.Node)
	}
	if len(p.Blocks) == 0 {
		return p, ErrNoArticle
	}
	if p.Title == "" {
		p.Title = p.Blocks[0].Text
	}
	return p, nil
}

// ToUTF8 decodes an HTML document to UTF-8 the way a browser picks the
// encoding: byte-order mark, the Content-Type charset, <meta charset> in
// the first bytes, else UTF-8 when the bytes are valid UTF-8, else
// windows-1252. Invalid sequences become U+FFFD.
func ToUTF8(body []byte, contentType string) []byte {
	head := body[:min(len(body), 4096)]
	enc, name, certain := charset.DetermineEncoding(head, contentType)
	if !certain && name == "windows-1252" && utf8.Valid(body) {
		enc = encoding.Nop // only ASCII in the first bytes, UTF-8 after them
	}
	if enc != encoding.Nop {
		if out, err := enc.NewDecoder().Bytes(body); err == nil {
			body = out
		}
	}
	return bytes.ToValidUTF8(body, []byte("\uFFFD"))
}

func attr(n *html.Node, name string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, name) {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

func findFirst(n *html.Node, tag atom.Atom) *html.Node {
	if n == nil {
		return nil
	}
	if n.Type == html.ElementNode && n.DataAtom == tag {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findFirst(c, tag); f != nil {
			return f
		}
	}
	return nil
}

// canonicalLink returns the page's <link rel="canonical"> resolved against
// the page URL.
func canonicalLink(doc *html.Node, pageURL *url.URL) string {
	var found string
	var walk func(n *html.Node) bool
	walk = func(n *html.Node) bool {
		if n.Type == html.ElementNode && n.DataAtom == atom.Link {
			for _, rel := range strings.Fields(strings.ToLower(attr(n, "rel"))) {
				if rel == "canonical" {
					found = attr(n, "href")
					return true
				}
			}
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Body {
			return false // the canonical link belongs in the head
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if walk(c) {
				return true
			}
		}
		return false
	}
	walk(doc)
	if found == "" {
		return ""
	}
	u, err := pageURL.Parse(found)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return u.String()
}
