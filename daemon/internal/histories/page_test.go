package histories

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/net/html"

	"redline/daemon/internal/contracttest"
	"redline/daemon/internal/extract"
)

// corpusDir holds the manifest, the ratchet and the corpus's own files.
func corpusDir() string {
	return filepath.Join(contracttest.SharedDir(), "testdata", "histories")
}

// pageDirs are searched in order for a page's folder: the real pages both
// sides test against, then the pages only this corpus uses.
func pageDirs() []string {
	return []string{
		filepath.Join(contracttest.SharedDir(), "testdata", "pages"),
		filepath.Join(corpusDir(), "pages"),
	}
}

// anatomy names the parts of one real page, as selectors (select_test.go)
// found by reading its source once.
type anatomy struct {
	// Site is the outlet: its pages share a host, and a reader of one has
	// read the others (the history a site's template is learned from).
	Site string `json:"site"`
	// Headline: the visible headline (default "h1"; every match is set).
	Headline string `json:"headline"`
	// Byline: the element showing the author ("By NAME").
	Byline string `json:"byline"`
	// Author: the author's name as the byline writes it.
	Author string `json:"author"`
	// Body: the article's paragraphs and subheads in reading order.
	Body string `json:"body"`
	// Figures: the article's own figures; Caption and Credit, inside
	// one, its caption text and the photographer's credit.
	Figures string `json:"figures"`
	Caption string `json:"caption"`
	Credit  string `json:"credit"`
	// Summary: the standfirst under the headline, if the template has one.
	Summary string `json:"summary"`
	// Slots are other blocks that belong to the article and go with it
	// into another template (the print-edition line, the author's
	// biography), by name: a slot both pages have takes the moved
	// article's text; one the moved article lacks is removed.
	Slots map[string]string `json:"slots"`
}

// source is a real page as read from the corpus, once: its bytes decoded
// to UTF-8 and its parsed tree, which is only ever read (every version
// is built on a copy).
type source struct {
	html []byte
	doc  *html.Node
}

var sources sync.Map // name → func() (*source, error)

func readSource(name string) (*source, error) {
	f, _ := sources.LoadOrStore(name, sync.OnceValues(func() (*source, error) {
		for _, dir := range pageDirs() {
			b, err := os.ReadFile(filepath.Join(dir, name, "source.html"))
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			src := &source{html: extract.ToUTF8(b, "text/html")}
			if src.doc, err = html.Parse(bytes.NewReader(src.html)); err != nil {
				return nil, fmt.Errorf("parse page %s: %w", name, err)
			}
			return src, nil
		}
		return nil, fmt.Errorf("page %q is in none of %v", name, pageDirs())
	}))
	return f.(func() (*source, error))()
}

// page is one real page being transformed into a version of a case.
type page struct {
	name string
	doc  *html.Node
	anat anatomy
	m    *manifest
}

// loadPage returns a copy of a page of the manifest to transform.
func (m *manifest) loadPage(name string) (*page, error) {
	p, err := m.readOnlyPage(name)
	if err != nil {
		return nil, err
	}
	p.doc = cloneTree(p.doc)
	return p, nil
}

// readOnlyPage returns a page of the manifest that must not be changed:
// the page an article is moved from.
func (m *manifest) readOnlyPage(name string) (*page, error) {
	anat, ok := m.Pages[name]
	if !ok {
		return nil, fmt.Errorf("page %q is not described in the manifest's pages", name)
	}
	src, err := readSource(name)
	if err != nil {
		return nil, err
	}
	if anat.Headline == "" {
		anat.Headline = "h1"
	}
	return &page{name: name, doc: src.doc, anat: anat, m: m}, nil
}

// render serialises the page, as a site would serve it.
func (p *page) render() ([]byte, error) {
	var b bytes.Buffer
	if err := html.Render(&b, p.doc); err != nil {
		return nil, fmt.Errorf("render %s: %w", p.name, err)
	}
	return b.Bytes(), nil
}

func (p *page) body() (*html.Node, error) {
	bs, err := selectSome(p.doc, "body", "body")
	if err != nil {
		return nil, err
	}
	return bs[0], nil
}

func (p *page) head() (*html.Node, error) {
	hs, err := selectSome(p.doc, "head", "head")
	if err != nil {
		return nil, err
	}
	return hs[0], nil
}

// blocks returns the article's body blocks.
func (p *page) blocks() ([]*html.Node, error) {
	if p.anat.Body == "" {
		return nil, fmt.Errorf("page %s: the manifest names no body for it", p.name)
	}
	return selectSome(p.doc, p.anat.Body, "article body")
}

// headline is the page's visible headline text.
func (p *page) headline() (string, error) {
	hs, err := selectSome(p.doc, p.anat.Headline, "headline")
	if err != nil {
		return "", err
	}
	return textOf(hs[0]), nil
}

// textOf is the text a node shows, whitespace collapsed.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
			b.WriteByte(' ')
		case n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style" || n.Data == "noscript"):
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// setText replaces what n holds by one text.
func setText(n *html.Node, s string) {
	for n.FirstChild != nil {
		n.RemoveChild(n.FirstChild)
	}
	n.AppendChild(&html.Node{Type: html.TextNode, Data: s})
}

// fragment parses HTML as the children of context would be parsed.
func fragment(context *html.Node, s string) ([]*html.Node, error) {
	nodes, err := html.ParseFragment(strings.NewReader(s), context)
	if err != nil {
		return nil, fmt.Errorf("parse %q: %w", s, err)
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("%q holds no HTML", s)
	}
	return nodes, nil
}

func insertBefore(ref *html.Node, nodes []*html.Node) {
	for _, n := range nodes {
		ref.Parent.InsertBefore(n, ref)
	}
}

func insertAfter(ref *html.Node, nodes []*html.Node) {
	next := ref.NextSibling
	for _, n := range nodes {
		if next == nil {
			ref.Parent.AppendChild(n)
		} else {
			ref.Parent.InsertBefore(n, next)
		}
	}
}

func remove(n *html.Node) {
	if n.Parent != nil {
		n.Parent.RemoveChild(n)
	}
}

// cloneTree copies n and everything under it, detached.
func cloneTree(n *html.Node) *html.Node {
	c := &html.Node{Type: n.Type, DataAtom: n.DataAtom, Data: n.Data, Namespace: n.Namespace, Attr: append([]html.Attribute(nil), n.Attr...)}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.AppendChild(cloneTree(ch))
	}
	return c
}

// jsonLD returns the page's JSON-LD scripts.
func (p *page) jsonLD() ([]*html.Node, error) {
	return selectAll(p.doc, `script[type="application/ld+json"]`)
}

// rewriteJSONLD applies f to every string of a JSON-LD script's data
// (scripts that do not parse are rewritten as text). It reports whether
// anything changed.
func rewriteJSONLD(script *html.Node, f func(key, s string) string) bool {
	var raw strings.Builder
	for c := script.FirstChild; c != nil; c = c.NextSibling {
		raw.WriteString(c.Data)
	}
	text := strings.TrimSpace(raw.String())
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		out := f("", text)
		if out == text {
			return false
		}
		setText(script, out)
		return true
	}
	changed := false
	var walk func(key string, v any) any
	walk = func(key string, v any) any {
		switch t := v.(type) {
		case string:
			if out := f(key, t); out != t {
				changed = true
				return out
			}
		case map[string]any:
			for k, e := range t {
				t[k] = walk(k, e)
			}
		case []any:
			for i, e := range t {
				t[i] = walk(key, e)
			}
		}
		return v
	}
	v = walk("", v)
	if !changed {
		return false
	}
	b, err := json.Marshal(v)
	if err != nil {
		return false
	}
	setText(script, string(b))
	return true
}
