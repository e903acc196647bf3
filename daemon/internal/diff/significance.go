package diff

import (
	"slices"
	"strings"

	"redline/daemon/internal/article"
)

// judge marks noise and sums up a comparison.
type judge struct {
	rules    Rules
	noise    *noise
	old, new *wordCache
	// across is set when the two versions come from different lineages.
	across *across
	// drift is set when a page's visible text is known.
	drift *drift
	// furniture tells the blocks the site repeats across its articles.
	furniture article.Furniture
	// authors are the names either version's byline holds, as
	// bylineNames gives them (see authorBio).
	authors []string
	// del and ins read the edits of one block after another: their word
	// lists keep their memory from one block to the next, and from one
	// comparison to the next (they are the pooled scratch's).
	del, ins *side
}

// summarise marks each op that is only noise and grades the change.
//
// Trivial: every difference is noise. Substantive: the headline changed, a
// correction appeared, a block of SubstantiveBlockWords or more was added or
// removed, enough words changed (SubstantiveWords, or SubstantiveFraction of
// the article), or an edit changed what a sentence says: a negation that
// appears or disappears, an antonym, a number, a day or month, a name or a
// quoted word replaced. Anything else is minor.
func (j *judge) summarise(old, new article.Content, ops []Op) article.Summary {
	var s article.Summary
	j.authors = append(bylineNames(old.Byline), bylineNames(new.Byline)...)
	s.TitleChanged = !sameWords(old.Title, new.Title)
	s.BylineChanged = j.across == nil && !sameByline(old.Byline, new.Byline)
	drifted := false
	if s.BylineChanged && j.drift.bylineDrift(old.Byline, new.Byline) {
		s.BylineChanged, drifted = false, true
	}
	changed := s.TitleChanged || s.BylineChanged
	substantive := s.TitleChanged

	for k := range ops {
		ops[k].Noise = j.isNoise(&ops[k])
		// A block only one extractor kept is marked so even when it is
		// noise anyway (a photo credit): the reader is told why it is
		// left out.
		if j.across != nil && ops[k].Op != OpEqual && j.across.oneSided(j, &ops[k]) {
			ops[k].Noise, ops[k].OneSide = true, true
		}
		if !ops[k].Noise && j.drift != nil && j.drift.drifted(old, new, &ops[k]) {
			ops[k].Noise, ops[k].Drift, drifted = true, true, true
		}
	}
	j.markReflow(ops)
	for k := range ops {
		op := &ops[k]
		if op.Op == OpEqual || op.Noise {
			continue
		}
		changed = true
		switch op.Op {
		case OpInsert:
			n := len(j.new.of(*op.New))
			s.BlocksAdded++
			s.WordsAdded += n
			if hasCorrection(op.Text, j.new.of(*op.New)) {
				s.Correction = true
			}
			if j.rules.SubstantiveBlockWords > 0 && n >= j.rules.SubstantiveBlockWords {
				substantive = true
			}
		case OpDelete:
			n := len(j.old.of(*op.Old))
			s.BlocksRemoved++
			s.WordsRemoved += n
			if j.rules.SubstantiveBlockWords > 0 && n >= j.rules.SubstantiveBlockWords {
				substantive = true
			}
		case OpChange, OpMove:
			if op.Op == OpChange {
				s.BlocksChanged++
			} else {
				s.BlocksMoved++
			}
			if op.Spans == nil {
				continue
			}
			added, removed, flip := j.edits(op)
			s.WordsAdded += added
			s.WordsRemoved += removed
			if flip {
				substantive = true
			}
			// The new text is the block's own (the equal and inserted
			// spans concatenate to it).
			if added > 0 && hasCorrection(j.new.blocks[*op.New].Text, j.new.of(*op.New)) {
				s.Correction = true
			}
		}
	}
	if s.Correction {
		substantive = true
	}
	delta := s.WordsAdded + s.WordsRemoved
	if j.rules.SubstantiveWords > 0 && delta >= j.rules.SubstantiveWords {
		substantive = true
	}
	if j.rules.SubstantiveFraction > 0 && delta > 0 && !substantive {
		size := max(j.old.total(), j.new.total())
		if float64(delta) >= j.rules.SubstantiveFraction*float64(size) {
			substantive = true
		}
	}
	s.Layout = drifted && !substantive
	switch {
	case substantive:
		s.Significance = article.Substantive
	case changed:
		s.Significance = article.Minor
	default:
		s.Significance = article.Trivial
	}
	return s
}

// isNoise reports whether an op is only noise: an added or removed volatile
// line or piece of template furniture, one replaced by another, an edit of punctuation, quote
// style or case only, a new timestamp in a byline-like line, or a change of
// block kind alone.
func (j *judge) isNoise(op *Op) bool {
	switch op.Op {
	case OpInsert:
		return j.noiseBlock(j.new, *op.New)
	case OpDelete:
		return j.noiseBlock(j.old, *op.Old)
	case OpChange, OpMove:
		o, n := j.old.of(*op.Old), j.new.of(*op.New)
		if op.Op == OpChange && (slices.Equal(o, n) || sameStampLine(o, n)) {
			return true
		}
		return j.noiseBlock(j.old, *op.Old) && j.noiseBlock(j.new, *op.New)
	}
	return false
}

// noiseBlock reports whether block i of one side is noise on its own: a
// volatile line, or template furniture by its shape or as the site's
// learned furniture.
func (j *judge) noiseBlock(c *wordCache, i int) bool {
	ws := c.of(i)
	if j.noise.volatile(ws) {
		return true
	}
	text := c.blocks[i].Text
	if furnitureShape(text, ws) || authorBio(ws, j.authors) {
		return true
	}
	// A correction notice is worded the same way in every article it is
	// added to: that a site repeats it never makes it furniture.
	return j.furniture != nil && j.furniture.Furniture(text) && !hasCorrection(text, ws)
}

// markReflow marks as noise the ops of each stretch between unchanged
// blocks whose words, read in order, are exactly the same before and after:
// a paragraph split in two, two paragraphs merged, a sentence carried over
// to the next paragraph. The reader sees the same text with different
// paragraph breaks. Ops that are noise on their own (an advertisement line
// among them) do not spoil the comparison.
func (j *judge) markReflow(ops []Op) {
	start := 0
	for k := 0; k <= len(ops); k++ {
		if k < len(ops) && ops[k].Op != OpEqual {
			continue
		}
		region := ops[start:k]
		start = k + 1
		// Count first: the words can only be the same if their number is.
		no, nn, edits := 0, 0, 0
		for _, op := range region {
			if op.Noise {
				continue
			}
			switch op.Op {
			case OpDelete:
				no += len(j.old.of(*op.Old))
			case OpInsert:
				nn += len(j.new.of(*op.New))
			case OpChange:
				no += len(j.old.of(*op.Old))
				nn += len(j.new.of(*op.New))
			default:
				continue
			}
			edits++
		}
		if edits < 2 || no != nn {
			continue
		}
		ow, nw := make([]string, 0, no), make([]string, 0, nn)
		for _, op := range region {
			if op.Noise {
				continue
			}
			switch op.Op {
			case OpDelete:
				ow = append(ow, j.old.of(*op.Old)...)
			case OpInsert:
				nw = append(nw, j.new.of(*op.New)...)
			case OpChange:
				ow = append(ow, j.old.of(*op.Old)...)
				nw = append(nw, j.new.of(*op.New)...)
			}
		}
		if !slices.Equal(ow, nw) {
			continue
		}
		for i := range region {
			if region[i].Op != OpMove {
				region[i].Noise = true
			}
		}
	}
}

// maxMeaningWords is the longest edit (words removed plus added) that is
// checked for meaning flips and changed numbers, dates, names and quotes.
const maxMeaningWords = 200

// edits counts the words an edited block gained and lost, and reports
// whether any one edit in it changes what the block says: a negation or an
// antonym, a number, a date, a name or a quoted word (see meaning.go).
func (j *judge) edits(op *Op) (added, removed int, meaning bool) {
	del, ins := j.del, j.ins
	del.begin()
	ins.begin()
	b := blockSides{j: j, op: op}
	check := func() {
		if len(del.ws) == 0 && len(ins.ws) == 0 {
			return
		}
		// A long rewrite is judged by its size; only short edits are
		// read for their meaning.
		if !meaning && !del.long && !ins.long && len(del.ws)+len(ins.ws) <= maxMeaningWords && b.meaningChanged(del, ins) {
			meaning = true
		}
		del.clear()
		ins.clear()
	}
	for _, sp := range op.Spans {
		switch sp.Op {
		case SpanDelete:
			removed += del.read(sp.Text)
		case SpanInsert:
			added += ins.read(sp.Text)
		default:
			check()
			del.pass(sp.Text)
			ins.pass(sp.Text)
		}
	}
	check()
	return added, removed, meaning
}

func newText(spans []Span) string {
	var b strings.Builder
	for _, sp := range spans {
		if sp.Op != SpanDelete {
			b.WriteString(sp.Text)
		}
	}
	return b.String()
}

func oldText(spans []Span) string {
	var b strings.Builder
	for _, sp := range spans {
		if sp.Op != SpanInsert {
			b.WriteString(sp.Text)
		}
	}
	return b.String()
}
