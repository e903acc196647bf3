package store

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"redline/daemon/internal/article"
)

// splitWords is the word index's definition written the plain way: the
// whole text lower-cased, split at every rune that is neither a letter
// nor a number. indexWords reads the text in place and must agree.
func splitWords(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }) {
		if (len(w) >= 2 || unicode.IsDigit(rune(w[0]))) && len(w) <= maxWordBytes && !seen[w] {
			if len(out) == maxVersionWords {
				break
			}
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

var wordSeeds = []string{
	"", "a", "7 a 42", "The Council's BUDGET, 2026-11-27: 4.2 million — ÉTÉ été Straße İstanbul",
	"Ⅻ ⅻ Ⓐ ⓐ ½ ² ٣ 三 日本語のテキスト ไทย", "bad \xff\xfe bytes\xc3", "ΣΊΣΥΦΟΣ σίσυφος",
	strings.Repeat("x", 41) + " " + strings.Repeat("y", 40), "a\u0301b e\u200dd",
}

func FuzzIndexWords(f *testing.F) {
	for _, s := range wordSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := indexWords(text), splitWords(text); !slices.Equal(got, want) {
			t.Fatalf("indexWords(%q) = %q, want %q", text, got, want)
		}
	})
}

// contentWords reads title, byline and blocks as one text with spaces
// between, stopping at maxVersionWords distinct words.
func TestContentWords(t *testing.T) {
	var blocks []article.Block
	for i := range maxVersionWords + 50 {
		w := "w" + strconv.Itoa(i)
		blocks = append(blocks, article.Block{Kind: article.KindParagraph, Text: "Word " + w + "."})
	}
	c := article.Content{Title: "Ｔitle of IT", Byline: "By Ana", Blocks: blocks}
	text := c.Title + " " + c.Byline
	for _, b := range c.Blocks {
		text += " " + b.Text
	}
	got, want := contentWords(c), splitWords(text)
	if !slices.Equal(got, want) || len(got) != maxVersionWords {
		t.Fatalf("contentWords: %d words, splitting the joined text %d (want %d)", len(got), len(want), maxVersionWords)
	}
}
