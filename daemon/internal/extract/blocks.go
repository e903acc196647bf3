package extract

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"redline/daemon/internal/article"
)

// Blocks turns the article's HTML into blocks, in document order, by the
// rules shared/PROTOCOL.md gives for both sides ("Blocks from HTML"):
// headings are h; paragraphs, definition terms and descriptions, captions
// and summaries are p; list items are li (a nested list's items follow
// their parent's text); everything inside a blockquote is quote; pre keeps
// its lines; a table row is one p of its cells joined by " | "; loose
// text between blocks is a p. Scripts, styles, forms and media carry no
// text. Texts are as found: normalisation happens when they are stored.
func Blocks(root *html.Node) []article.Block {
	w := &walker{}
	if root != nil {
		if root.Type == html.ElementNode {
			w.element(root, article.KindParagraph)
		} else {
			w.walk(root, article.KindParagraph)
		}
		w.flush(article.KindParagraph)
	}
	return w.blocks
}

type walker struct {
	blocks []article.Block
	buf    strings.Builder
}

// leaf maps the elements that make one block of their own text.
var leaf = map[atom.Atom]article.BlockKind{
	atom.H1: article.KindHeading, atom.H2: article.KindHeading, atom.H3: article.KindHeading,
	atom.H4: article.KindHeading, atom.H5: article.KindHeading, atom.H6: article.KindHeading,
	atom.P: article.KindParagraph, atom.Li: article.KindListItem,
	atom.Dt: article.KindParagraph, atom.Dd: article.KindParagraph,
	atom.Figcaption: article.KindParagraph, atom.Caption: article.KindParagraph,
	atom.Summary: article.KindParagraph,
}

// silent elements carry no article text.
var silent = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Svg: true, atom.Math: true, atom.Button: true, atom.Select: true, atom.Option: true,
	atom.Textarea: true, atom.Input: true, atom.Iframe: true, atom.Object: true, atom.Embed: true,
	atom.Canvas: true, atom.Video: true, atom.Audio: true, atom.Img: true, atom.Picture: true,
	atom.Source: true, atom.Track: true, atom.Head: true, atom.Title: true, atom.Meta: true, atom.Link: true,
}

// inline elements continue the text around them.
var inline = map[atom.Atom]bool{
	atom.A: true, atom.Abbr: true, atom.B: true, atom.Bdi: true, atom.Bdo: true, atom.Cite: true,
	atom.Code: true, atom.Data: true, atom.Dfn: true, atom.Em: true, atom.I: true, atom.Kbd: true,
	atom.Mark: true, atom.Q: true, atom.S: true, atom.Samp: true, atom.Small: true, atom.Span: true,
	atom.Strong: true, atom.Sub: true, atom.Sup: true, atom.Time: true, atom.U: true, atom.Var: true,
	atom.Wbr: true, atom.Del: true, atom.Ins: true, atom.Font: true, atom.Label: true, atom.Big: true,
	atom.Tt: true, atom.Strike: true, atom.Nobr: true, atom.Ruby: true, atom.Rt: true, atom.Rp: true,
}

func (w *walker) walk(n *html.Node, kind article.BlockKind) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			w.buf.WriteString(c.Data)
		case html.ElementNode:
			w.element(c, kind)
		}
	}
}

func (w *walker) element(n *html.Node, kind article.BlockKind) {
	tag := n.DataAtom
	switch {
	case silent[tag]:
		return
	case tag == atom.Br:
		w.buf.WriteByte(' ')
		return
	case inline[tag]:
		w.walk(n, kind)
		return
	case tag == atom.Pre:
		w.flush(kind)
		w.emit(article.KindPre, preText(n))
		return
	case tag == atom.Blockquote:
		w.flush(kind)
		w.walk(n, article.KindQuote)
		w.flush(article.KindQuote)
		return
	case tag == atom.Tr:
		w.flush(kind)
		var cells []string
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && (c.DataAtom == atom.Td || c.DataAtom == atom.Th) {
				if t := strings.Join(strings.Fields(textOf(c)), " "); t != "" {
					cells = append(cells, t)
				}
			}
		}
		w.emit(quoteOr(kind, article.KindParagraph), strings.Join(cells, " | "))
		return
	}
	if k, ok := leaf[tag]; ok {
		k = quoteOr(kind, k)
		w.flush(kind)
		w.walk(n, k)
		w.flush(k)
		return
	}
	// Any other element (div, section, lists, tables, unknown tags) is a
	// container: it ends the text before it and its own text is loose.
	w.flush(kind)
	w.walk(n, kind)
	w.flush(kind)
}

// quoteOr keeps everything inside a blockquote a quote.
func quoteOr(outer, k article.BlockKind) article.BlockKind {
	if outer == article.KindQuote {
		return article.KindQuote
	}
	return k
}

func (w *walker) flush(kind article.BlockKind) {
	text := w.buf.String()
	w.buf.Reset()
	w.emit(kind, text)
}

func (w *walker) emit(kind article.BlockKind, text string) {
	if strings.TrimFunc(text, unicode.IsSpace) == "" {
		return
	}
	w.blocks = append(w.blocks, article.Block{Kind: kind, Text: text})
}

// textOf returns the text under n, skipping silent elements; <br> is a
// space.
func textOf(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode:
				b.WriteString(c.Data)
			case c.Type != html.ElementNode, silent[c.DataAtom]:
			case c.DataAtom == atom.Br:
				b.WriteByte(' ')
			default:
				if !inline[c.DataAtom] {
					b.WriteByte(' ')
				}
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

// preText returns the text of a pre element with its line breaks.
func preText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode:
				b.WriteString(c.Data)
			case c.Type == html.ElementNode && c.DataAtom == atom.Br:
				b.WriteByte('\n')
			case c.Type == html.ElementNode && !silent[c.DataAtom]:
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

// Words splits blocks into lower-case words for comparing how much of one
// text another holds. Letters and digits make words; each Han, kana or
// Hangul character counts as a word of its own, so that scripts written
// without spaces are compared by character.
func Words(blocks []article.Block) []string {
	var out []string
	for _, b := range blocks {
		out = appendWords(out, b.Text)
	}
	return out
}

func appendWords(out []string, s string) []string {
	start := -1
	for i, r := range s {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
			if start >= 0 {
				out = append(out, strings.ToLower(s[start:i]))
				start = -1
			}
			out = append(out, string(r))
		case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r):
			if start < 0 {
				start = i
			}
		default:
			if start >= 0 {
				out = append(out, strings.ToLower(s[start:i]))
				start = -1
			}
		}
	}
	if start >= 0 {
		out = append(out, strings.ToLower(s[start:]))
	}
	return out
}

// Coverage is the share of ref's words (counted with repeats) that text
// also holds: 1 when text holds all of them, whatever else it adds.
func Coverage(text, ref []string) float64 {
	if len(ref) == 0 {
		return 1
	}
	have := make(map[string]int, len(text))
	for _, w := range text {
		have[w]++
	}
	found := 0
	for _, w := range ref {
		if have[w] > 0 {
			have[w]--
			found++
		}
	}
	return float64(found) / float64(len(ref))
}
