package diff

import (
	"strings"

	"redline/daemon/internal/article"
)

// across tells, in a comparison of versions from two lineages, the blocks
// that differ because two extractors read the page from those an edit
// changed.
type across struct {
	// counterpart holds the canonical words of each block of the version
	// of the new side's lineage that stands for the old version; nil when
	// there is none.
	counterpart map[string]bool
}

func newAcross(counterpart *article.Content) *across {
	a := &across{}
	if counterpart != nil {
		a.counterpart = make(map[string]bool, len(counterpart.Blocks))
		for _, b := range counterpart.Blocks {
			a.counterpart[blockKey(words(b.Text))] = true
		}
	}
	return a
}

func blockKey(ws []string) string { return strings.Join(ws, " ") }

// oneSided reports whether op shows only the extractors' difference.
//
// Without a counterpart, a block only one side holds is one side's: the
// headline, the blocks both hold and a correction notice that appeared are
// what is compared. With one, the new
// side's extractor is known by what it made of the old content: a block the
// counterpart already held as the new side holds it was there before (an
// inserted block, or an edited one the new extractor words its own way),
// and a block the counterpart lacks too was never kept by the new side's
// extractor (a deleted block).
func (a *across) oneSided(j *judge, op *Op) bool {
	if a.counterpart == nil {
		// A correction notice is never an extractor's furniture.
		if op.Op == OpInsert && hasCorrection(op.Text, j.new.of(*op.New)) {
			return false
		}
		return op.Op == OpInsert || op.Op == OpDelete
	}
	switch op.Op {
	case OpInsert, OpChange, OpMove:
		return a.counterpart[blockKey(j.new.of(*op.New))]
	case OpDelete:
		return !a.counterpart[blockKey(j.old.of(*op.Old))]
	}
	return false
}
