package canonical

import (
	"strings"

	"golang.org/x/text/unicode/norm"

	"redline/daemon/internal/article"
)

// Text returns the normalised form of a title, byline or non-preformatted
// block: Unicode NFC, invisible characters and controls removed, every run
// of whitespace one ASCII space, no space at either end. Two renderings of
// the same words (by the browser and by the server, or before and after a
// site redeploy) give the same Text.
//
// Zero-width joiner (U+200D) and non-joiner (U+200C) are kept: they change
// how Persian, Arabic and Indic words are written (می‌خواهم is not
// میخواهم) and which emoji is shown (👩‍💻 is one glyph, 👩💻 two), so
// removing them would change what the reader reads.
func Text(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case isSpace(r):
			space = true
		case isInvisible(r):
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		}
	}
	// NFC runs after invisibles are gone: a soft hyphen between a letter
	// and its combining accent would otherwise keep them apart, and a
	// second pass would compose them.
	return norm.NFC.String(b.String())
}

// Pre returns the normalised form of preformatted text (code, poetry,
// tables drawn in text). It is Text that keeps the lines: line breaks
// (CRLF, CR, NEL, U+2028, U+2029) become LF, tabs stay, other whitespace
// becomes one ASCII space each so columns still line up, whitespace at the
// end of each line and blank lines at either end are removed.
func Pre(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == '\r':
			if !strings.HasPrefix(s[i+1:], "\n") {
				b.WriteByte('\n')
			}
		case r == '\n' || r == 0x85 || r == 0x2028 || r == 0x2029:
			b.WriteByte('\n')
		case r == '\t':
			b.WriteByte('\t')
		case isSpace(r):
			b.WriteByte(' ')
		case isInvisible(r):
		default:
			b.WriteRune(r)
		}
	}
	lines := strings.Split(norm.NFC.String(b.String()), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	first, last := 0, len(lines)
	for first < last && lines[first] == "" {
		first++
	}
	for last > first && lines[last-1] == "" {
		last--
	}
	return strings.Join(lines[first:last], "\n")
}

// Blocks returns the normalised blocks of an article in a new slice: Pre
// for preformatted blocks, Text for the others, and no block left empty
// or holding only a page's furniture.
func Blocks(in []article.Block) []article.Block {
	out := make([]article.Block, 0, len(in))
	for _, bl := range in {
		if bl.Kind == article.KindPre {
			bl.Text = Pre(bl.Text)
		} else {
			bl.Text = Text(bl.Text)
		}
		if bl.Text != "" && !Furniture(bl.Text) {
			out = append(out, bl)
		}
	}
	return out
}

// furniture are the lines a news page puts between paragraphs that are no
// part of the story, lower-cased, with ’ as '. An extractor keeps them as
// paragraphs; they are dropped before a version is stored. The TypeScript
// side lists the same (core/canonical.ts).
var furniture = map[string]bool{
	"advertisement": true, "skip advertisement": true,
	"continue reading the main story": true, "continue reading": true,
	"story continues below": true, "story continues below advertisement": true,
	"article continues below": true, "article continues below advertisement": true,
	"scroll to continue with content": true, "what's next": true,
}

// Furniture reports whether a normalised block text is only a page's
// furniture ("Continue reading the main story", "What's Next").
func Furniture(text string) bool {
	if len(text) > 40 {
		return false
	}
	t := strings.ToLower(strings.ReplaceAll(text, "’", "'"))
	t = strings.TrimRight(t, " .:…›»>")
	return furniture[t]
}

// isSpace reports whether r is Unicode whitespace (the White_Space
// property, as unicode.IsSpace). Listed out so the TypeScript side can
// list the same set: JavaScript's \s differs (it has U+FEFF, lacks U+0085).
func isSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0x85, 0xA0, 0x1680,
		0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
		return true
	}
	return 0x2000 <= r && r <= 0x200A
}

// isInvisible reports whether r is removed from text: zero-width space,
// word joiner, byte order mark, soft hyphen (each present or absent
// depending on the renderer, never a change a reader sees) and C0/C1
// controls other than whitespace.
func isInvisible(r rune) bool {
	switch r {
	case 0x200B, 0x2060, 0xFEFF, 0xAD:
		return true
	}
	return r < 0x20 || 0x7F <= r && r <= 0x9F
}
