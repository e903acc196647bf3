package article

import (
	"strconv"
	"strings"
)

// Phrases says in words what changed, most telling first: "headline
// changed", "2 paragraphs edited", "correction added". It is empty for a
// trivial change. Every front end words a change with it (the dashboard,
// the feeds, the command line) and the extension follows the same rules;
// shared/vectors/summary.json is their common specification.
func (s Summary) Phrases() []string {
	if s.Significance == Trivial {
		return nil
	}
	var out []string
	if s.TitleChanged {
		out = append(out, "headline changed")
	}
	if s.BylineChanged {
		out = append(out, "byline changed")
	}
	for _, p := range []struct {
		n    int
		verb string
	}{{s.BlocksChanged, "edited"}, {s.BlocksAdded, "added"}, {s.BlocksRemoved, "removed"}, {s.BlocksMoved, "moved"}} {
		if p.n > 0 {
			out = append(out, count(p.n, "paragraph", "paragraphs")+" "+p.verb)
		}
	}
	if s.Correction {
		out = append(out, "correction added")
	}
	if len(out) == 0 {
		if words := s.WordsAdded + s.WordsRemoved; words > 0 {
			out = append(out, count(words, "word", "words")+" changed")
		} else {
			out = append(out, "wording changed")
		}
	}
	return out
}

// Sentence is Phrases as one line, capitalised: "Headline changed · 2
// paragraphs edited · correction added"; "" for a trivial change.
func (s Summary) Sentence() string {
	text := strings.Join(s.Phrases(), " · ")
	if text == "" {
		return ""
	}
	return strings.ToUpper(text[:1]) + text[1:]
}

// NoiseOnly is what a front end says of a trivial change, which has no
// sentence: only noise changed, and nothing alerts.
const NoiseOnly = "only timestamps, counters, ads or formatting changed"

// LayoutOnly is what a front end says of a page layout change
// (Summary.Layout with a trivial grade): the extractor kept more or less
// of a page whose story did not change.
const LayoutOnly = "page layout changed"

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
