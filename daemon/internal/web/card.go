package web

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"redline/daemon/internal/diff"
)

// The card is sized for social posts (the link preview size most of them
// use).
const (
	CardWidth  = 1200
	CardHeight = 630
	cardMargin = 72
)

// Card is a shared change drawn as a PNG picture: the headline and the
// most telling edit (previewOf), what changed in words, and when.
type Card struct {
	PNG []byte
	// Lines is the text drawn on the card, line by line.
	Lines []string
	// Left is what the card leaves out because its font has no glyph for
	// some of its characters (a headline in a script the font lacks):
	// "the headline", "the edit". The card says what changed in words
	// instead, and the page offers the text to copy.
	Left []string
}

// cardFonts are the card's fonts: the Go fonts (BSD licence, in
// FONT-LICENSE), embedded in the binary.
var cardFonts = sync.OnceValues(func() ([2]*sfnt.Font, error) {
	var out [2]*sfnt.Font
	for i, ttf := range [][]byte{goregular.TTF, gobold.TTF} {
		f, err := opentype.Parse(ttf)
		if err != nil {
			return out, fmt.Errorf("parse the card's font: %w", err)
		}
		out[i] = f
	}
	return out, nil
})

// Card colours, the dashboard's light theme.
var (
	cardBG     = color.RGBA{0xfb, 0xfa, 0xf8, 0xff}
	cardFG     = color.RGBA{0x1d, 0x1b, 0x19, 0xff}
	cardDim    = color.RGBA{0x6b, 0x66, 0x5f, 0xff}
	cardAccent = color.RGBA{0xb3, 0x26, 0x1e, 0xff}
	cardInsBG  = color.RGBA{0xdf, 0xf3, 0xe3, 0xff}
	cardInsFG  = color.RGBA{0x0f, 0x53, 0x23, 0xff}
	cardDelBG  = color.RGBA{0xfb, 0xe1, 0xdf, 0xff}
	cardDelFG  = color.RGBA{0x8c, 0x1d, 0x18, 0xff}
)

// drawable reports whether f has a glyph for every character of s that
// is drawn (spaces and control characters are not).
func drawable(f *sfnt.Font, s string) bool {
	var buf sfnt.Buffer
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			continue
		}
		if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
			return false
		}
	}
	return true
}

// CardLeavesOut says what the card of s leaves out because its font
// cannot draw it, without drawing the card.
func (s Share) CardLeavesOut() ([]string, error) {
	fonts, err := cardFonts()
	if err != nil {
		return nil, err
	}
	return s.cardPlan(fonts).left, nil
}

// cardPlan is what goes on a card.
type cardPlan struct {
	site     string
	headline string
	label    string
	edit     []diff.Span
	left     []string
}

func (s Share) cardPlan(fonts [2]*sfnt.Font) cardPlan {
	var p cardPlan
	can := func(t string) bool { return drawable(fonts[0], t) && drawable(fonts[1], t) }
	for _, site := range []string{s.SiteName, s.Site} {
		if site != "" && can(site) {
			p.site = site
			break
		}
	}
	if title := termSafe(s.Title); can(title) {
		p.headline = title
	} else {
		p.left = append(p.left, "the headline")
	}
	if pv := previewOf(s.Result); pv != nil {
		text := ""
		for _, sp := range pv.Spans {
			text += sp.Text
		}
		if can(text) {
			p.label, p.edit = pv.Label, pv.Spans
		} else {
			p.left = append(p.left, "the edit")
		}
	}
	return p
}

// Card draws the change as a CardWidth×CardHeight PNG. Text the font
// cannot draw is left out, never drawn as empty boxes: the card then says
// what changed in words and that the text is in Redline.
func (s Share) Card() (Card, error) {
	fonts, err := cardFonts()
	if err != nil {
		return Card{}, err
	}
	p := s.cardPlan(fonts)
	c := &canvas{img: image.NewRGBA(image.Rect(0, 0, CardWidth, CardHeight)), fonts: fonts, faces: map[faceKey]font.Face{}}
	defer c.close()
	for _, k := range cardFaces {
		f, err := opentype.NewFace(fonts[k.bold], &opentype.FaceOptions{Size: k.size, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			return Card{}, fmt.Errorf("the card's font at %v px: %w", k.size, err)
		}
		c.faces[k] = f
	}
	draw.Draw(c.img, c.img.Bounds(), image.NewUniform(cardBG), image.Point{}, draw.Src)
	draw.Draw(c.img, image.Rect(0, 0, 14, CardHeight), image.NewUniform(cardAccent), image.Point{}, draw.Src)

	width := CardWidth - 2*cardMargin
	y := 78
	top := "REDLINE"
	if p.site != "" {
		top += " · " + p.site
	}
	y = c.paragraph(plainSpans(top), 0, 24, cardDim, width, 1, y) + 18
	switch {
	case p.headline != "":
		y = c.paragraph(plainSpans(p.headline), 1, 52, cardFG, width, 3, y) + 22
	default:
		y = c.paragraph(plainSpans("This article changed. Its headline is in a script this card cannot draw: see it in Redline."), 1, 40, cardFG, width, 3, y) + 22
	}
	if p.edit != nil {
		y = c.paragraph(plainSpans(strings.ToUpper(p.label)), 1, 22, cardDim, width, 1, y) + 8
		c.paragraph(p.edit, 0, 32, cardFG, width, max(1, (CardHeight-130-y)/44), y)
	} else if len(p.left) > 0 {
		c.paragraph(plainSpans("The edit is in Redline, to copy as text."), 0, 30, cardDim, width, 2, y)
	}
	words := s.Words()
	c.paragraph(plainSpans(words), 1, 26, cardAccent, width, 1, CardHeight-96)
	when := fmt.Sprintf("Version %d, %s → version %d, %s · captured by Redline", s.From.Number, shareTime(s.From.CapturedAt), s.To.Number, shareTime(s.To.CapturedAt))
	c.paragraph(plainSpans(when), 0, 20, cardDim, width, 1, CardHeight-56)

	var buf bytes.Buffer
	if err := png.Encode(&buf, c.img); err != nil {
		return Card{}, fmt.Errorf("encode the card: %w", err)
	}
	return Card{PNG: buf.Bytes(), Lines: c.lines, Left: p.left}, nil
}

func plainSpans(s string) []diff.Span { return []diff.Span{{Op: diff.SpanEqual, Text: s}} }

// canvas draws text on the card.
type canvas struct {
	img   *image.RGBA
	fonts [2]*sfnt.Font
	faces map[faceKey]font.Face
	lines []string
}

// faceKey is a face of the card: regular (0) or bold (1), at a size in
// pixels.
type faceKey struct {
	bold int
	size float64
}

// cardFaces are every face the card draws with, made before drawing (a
// face is not safe to share between cards).
var cardFaces = []faceKey{{0, 24}, {1, 52}, {1, 40}, {1, 22}, {0, 32}, {0, 30}, {1, 26}, {0, 20}}

func (c *canvas) close() {
	for _, f := range c.faces {
		f.Close()
	}
}

// word is a word of a paragraph with the op of the span it comes from.
type word struct {
	text  string
	op    string
	space bool // a space comes before it
}

func words(spans []diff.Span) []word {
	var out []word
	space := false
	prev := ""
	for _, s := range spans {
		// A deletion and the insertion beside it are kept apart, as
		// the dashboard keeps them (spans-all).
		if s.Op != diff.SpanEqual && prev != "" && prev != diff.SpanEqual && prev != s.Op {
			space = true
		}
		prev = s.Op
		var cur strings.Builder
		flush := func() {
			if cur.Len() > 0 {
				out = append(out, word{text: cur.String(), op: s.Op, space: space})
				cur.Reset()
				space = false
			}
		}
		for _, r := range termSafe(s.Text) {
			if unicode.IsSpace(r) {
				flush()
				space = true
				continue
			}
			cur.WriteRune(r)
		}
		flush() // a word ends with its span: the next span's op is another
	}
	return out
}

// paragraph draws spans from the top y, wrapped to width in at most
// maxLines lines (the last cut with "…"), and returns the y under it.
// Deleted words are red and struck through, inserted ones green, both on
// a pale ground.
func (c *canvas) paragraph(spans []diff.Span, bold int, size float64, fg color.Color, width, maxLines, y int) int {
	f := c.faces[faceKey{bold, size}]
	lineH := int(size * 1.3)
	space := font.MeasureString(f, " ").Ceil()
	var lines [][]word
	var cur []word
	used := 0
	for _, w := range words(spans) {
		wd := font.MeasureString(f, w.text).Ceil()
		gap := 0
		if len(cur) > 0 && w.space {
			gap = space
		}
		if len(cur) > 0 && used+gap+wd > width {
			lines = append(lines, cur)
			cur, used, gap = nil, 0, 0
		}
		for wd > width { // a word longer than the line: cut it
			r := []rune(w.text)
			w.text = string(r[:len(r)*width/wd])
			wd = font.MeasureString(f, w.text).Ceil()
		}
		w.space = gap > 0
		cur = append(cur, w)
		used += gap + wd
	}
	if len(cur) > 0 {
		lines = append(lines, cur)
	}
	if len(lines) > maxLines {
		lines = lines[:maxLines]
		last := lines[maxLines-1]
		ell := font.MeasureString(f, " …").Ceil()
		for len(last) > 1 && lineWidth(f, last, space)+ell > width {
			last = last[:len(last)-1]
		}
		lines[maxLines-1] = append(last, word{text: "…", op: diff.SpanEqual, space: true})
	}
	ascent := f.Metrics().Ascent.Ceil()
	for _, line := range lines {
		x := cardMargin
		var text strings.Builder
		for _, w := range line {
			if w.space {
				x += space
				text.WriteString(" ")
			}
			wd := font.MeasureString(f, w.text).Ceil()
			col := fg
			switch w.op {
			case diff.SpanInsert:
				draw.Draw(c.img, image.Rect(x-3, y, x+wd+3, y+lineH), image.NewUniform(cardInsBG), image.Point{}, draw.Src)
				col = cardInsFG
			case diff.SpanDelete:
				draw.Draw(c.img, image.Rect(x-3, y, x+wd+3, y+lineH), image.NewUniform(cardDelBG), image.Point{}, draw.Src)
				col = cardDelFG
			}
			d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: f, Dot: fixed.P(x, y+ascent+(lineH-int(size))/2)}
			d.DrawString(w.text)
			if w.op == diff.SpanDelete {
				mid := y + lineH/2 + 2
				draw.Draw(c.img, image.Rect(x, mid, x+wd, mid+max(2, int(size/16))), image.NewUniform(cardDelFG), image.Point{}, draw.Src)
			}
			text.WriteString(w.text)
			x += wd
		}
		c.lines = append(c.lines, text.String())
		y += lineH
	}
	return y
}

func lineWidth(f font.Face, line []word, space int) int {
	n := 0
	for _, w := range line {
		if w.space {
			n += space
		}
		n += font.MeasureString(f, w.text).Ceil()
	}
	return n
}
