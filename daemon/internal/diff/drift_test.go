package diff

import (
	"strings"
	"testing"

	"redline/daemon/internal/article"
)

// A removed block is drift only when almost all of it is still on the new
// page: the whole paragraph is, one with a sentence of its own rewritten
// is not; the op says why it is noise.
func TestDriftNeedsAlmostAllTheText(t *testing.T) {
	keep := "The mayor said shelters at two schools had taken in more than 300 people by nightfall on Monday."
	gone := "Volunteers filled sandbags along Water Street through the afternoon. The fire department went door to door in the lowest streets, and the bridge stayed shut until the water dropped."
	old := article.Content{Title: "Flood", Blocks: []article.Block{{Kind: article.KindParagraph, Text: keep}, {Kind: article.KindParagraph, Text: gone}}}
	new := article.Content{Title: "Flood", Blocks: old.Blocks[:1]}
	for _, tc := range []struct {
		name  string
		page  string
		drift bool
	}{
		{"whole paragraph on the page", keep + "\n" + gone, true},
		{"one sentence rewritten on the page", keep + "\n" + strings.Replace(gone, "the bridge stayed shut until the water dropped", "the bridge reopened to traffic late on Tuesday night", 1), false},
		{"not on the page", keep, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := ComparePair(article.Pair{Old: old, New: new, NewPage: article.DigestPage(tc.page, new)}, DefaultRules())
			op := res.Ops[len(res.Ops)-1]
			if op.Op != OpDelete || op.Drift != tc.drift || op.Noise != tc.drift || op.OneSide {
				t.Fatalf("op = %+v, want a deletion with drift %v", op, tc.drift)
			}
			if res.Summary.Layout != tc.drift {
				t.Errorf("layout = %v, want %v", res.Summary.Layout, tc.drift)
			}
		})
	}
}

// Only the side whose page is known is checked: without the new page, a
// removed block is removed even when the old page is known.
func TestDriftNeedsTheOtherSidesPage(t *testing.T) {
	text := "Volunteers filled sandbags along Water Street through the afternoon while firefighters knocked on doors."
	old := article.Content{Title: "Flood", Blocks: []article.Block{{Kind: article.KindParagraph, Text: "Rain fell all night on the town."}, {Kind: article.KindParagraph, Text: text}}}
	new := article.Content{Title: "Flood", Blocks: old.Blocks[:1]}
	res := ComparePair(article.Pair{Old: old, New: new, OldPage: article.DigestPage(text, old)}, DefaultRules())
	if s := res.Summary; s.BlocksRemoved != 1 || s.Layout || s.Significance != article.Substantive {
		t.Errorf("summary = %+v, want a substantive paragraph removed", s)
	}
}
