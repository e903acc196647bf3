// Package diff compares two versions of an article: it aligns their blocks,
// diffs the words of edited blocks, tells noise (whitespace, quote style,
// timestamps, counters, advertisement markers) from real change, and grades
// the change for the reader as trivial, minor or substantive.
//
// The rules are written down for maintainers and users in docs/diff.md; the
// shared test vectors in shared/vectors/diff pin them.
package diff

import (
	"strings"

	"redline/daemon/internal/article"
)

// Op kinds.
const (
	OpEqual  = "equal"
	OpInsert = "insert"
	OpDelete = "delete"
	OpChange = "change"
	OpMove   = "move"
)

// Result is the difference between two versions of an article.
type Result struct {
	Title   []Span          `json:"title"`  // word spans old→new title (all equal if unchanged)
	Byline  []Span          `json:"byline"` // word spans old→new byline
	Ops     []Op            `json:"ops"`
	Summary article.Summary `json:"summary"`
}

// Op is one step from the old blocks to the new ones. Ops come in reading
// order of the new version; a deleted block comes where it was in the old
// one, before the blocks that replaced it.
type Op struct {
	Op      string            `json:"op"`                 // "equal" | "insert" | "delete" | "change" | "move"
	Old     *int              `json:"old,omitempty"`      // index into old blocks (equal, delete, change, move)
	New     *int              `json:"new,omitempty"`      // index into new blocks (equal, insert, change, move)
	Kind    article.BlockKind `json:"kind"`               // kind of the new block (old for delete)
	OldKind article.BlockKind `json:"old_kind,omitempty"` // when a change also changed the kind
	Text    string            `json:"text,omitempty"`     // block text for equal/insert/delete/move
	Spans   []Span            `json:"spans,omitempty"`    // for change (and move with edits)
	Noise   bool              `json:"noise,omitempty"`    // this op is only noise (volatile line, punctuation/quote/case-only)
	// OneSide marks, in a comparison across lineages, a block that only
	// one extractor kept (or worded its own way): not an edit, and not
	// counted. Such an op is also Noise.
	OneSide bool `json:"one_side,omitempty"`
	// Drift marks a block the extractor missed on one page while its
	// text was on that page: reported removed but still on the new page,
	// or added but already on the old one (see drift.go). Such an op is
	// also Noise.
	Drift bool `json:"drift,omitempty"`
}

// Rules are the thresholds of the comparison; they are user settings. A
// zero field takes its default; a negative threshold turns its rule off.
type Rules struct {
	// PairSimilarity is how alike an old and a new block must be (Dice
	// coefficient of their word sets, 0–1) to be shown as one edited block
	// rather than a deletion and an insertion.
	PairSimilarity float64 `json:"pair_similarity"`
	// MoveSimilarity is how alike a block must be to one elsewhere in the
	// other version to count as moved.
	MoveSimilarity float64 `json:"move_similarity"`
	// SubstantiveBlockWords: adding or removing a block of at least this
	// many words is substantive.
	SubstantiveBlockWords int `json:"substantive_block_words"`
	// SubstantiveFraction: changing at least this fraction of the
	// article's words (added plus removed, over the longer version) is
	// substantive.
	SubstantiveFraction float64 `json:"substantive_fraction"`
	// SubstantiveWords: changing at least this many words is substantive,
	// however long the article.
	SubstantiveWords int `json:"substantive_words"`
	// NoisePhrases are extra lines that are noise when a block holds only
	// them (compared ignoring case and punctuation), e.g. a site's own
	// boilerplate.
	NoisePhrases []string `json:"noise_phrases,omitempty"`
}

// DefaultRules returns the rules Redline ships with.
func DefaultRules() Rules {
	return Rules{
		PairSimilarity:        0.5,
		MoveSimilarity:        0.9,
		SubstantiveBlockWords: 8,
		SubstantiveFraction:   0.05,
		SubstantiveWords:      25,
	}
}

func (r Rules) withDefaults() Rules {
	d := DefaultRules()
	if r.PairSimilarity == 0 {
		r.PairSimilarity = d.PairSimilarity
	}
	if r.MoveSimilarity == 0 {
		r.MoveSimilarity = d.MoveSimilarity
	}
	if r.SubstantiveBlockWords == 0 {
		r.SubstantiveBlockWords = d.SubstantiveBlockWords
	}
	if r.SubstantiveFraction == 0 {
		r.SubstantiveFraction = d.SubstantiveFraction
	}
	if r.SubstantiveWords == 0 {
		r.SubstantiveWords = d.SubstantiveWords
	}
	return r
}

// Compare returns how new differs from old. It never fails; its running
// time is bounded for any input (see lcs.go).
func Compare(old, new article.Content, rules Rules) Result {
	return ComparePair(article.Pair{Old: old, New: new}, rules)
}

// ComparePair compares a pair of versions; across lineages it tells the
// extractors' differences from edits (see article.Pair), marks them
// OneSide and leaves them out of the summary, and does not compare bylines
// (each extractor finds its own).
func ComparePair(p article.Pair, rules Rules) Result {
	old, new := p.Old, p.New
	rules = rules.withDefaults()
	wordBudget, blockBudget := workBudget, workBudget
	sc := getScratch()
	defer sc.release()
	res := Result{
		Title:  wordDiff(old.Title, new.Title, &wordBudget, sc),
		Byline: wordDiff(old.Byline, new.Byline, &wordBudget, sc),
	}
	ot, nt := sc.old.reset(old.Blocks), sc.new.reset(new.Blocks)
	al := alignBlocks(old.Blocks, new.Blocks, ot, nt, rules, &blockBudget, sc)
	res.Ops = buildOps(old.Blocks, new.Blocks, al, &wordBudget, sc)
	j := judge{rules: rules, noise: noiseFor(rules.NoisePhrases), old: ot, new: nt, furniture: p.Furniture, del: &sc.del, ins: &sc.ins}
	if p.Across {
		j.across = newAcross(p.Counterpart)
	}
	j.drift = newDrift(p)
	res.Summary = j.summarise(old, new, res.Ops)
	return res
}

// Judge returns a store's judge: it grades pairs with the rules get
// returns at the time.
func Judge(get func() Rules) func(article.Pair) article.Summary {
	return func(p article.Pair) article.Summary { return ComparePair(p, get()).Summary }
}

// arenaChunk is how many words a wordCache allocates at once.
const arenaChunk = 1024

// wordCache holds the canonical words of each block, worked out once and
// only for the blocks that need them (not the unchanged ones).
type wordCache struct {
	blocks []article.Block
	words  [][]string
	done   []bool
	arena  []string        // backs the word lists, to allocate in bulk
	chunk  int             // how many words the arena takes at once
	chunks [][]string      // every chunk the arena has had, reused by a pooled cache
	used   int             // how many of chunks this comparison has taken
	lower  strings.Builder // backs the words lowered to their canonical form
}

// reset makes c the cache of bs, keeping the memory it has (a pooled
// cache), and returns it.
func (c *wordCache) reset(bs []article.Block) *wordCache {
	// A chunk holds about the words of the whole text (a word and its
	// space take six bytes on average), up to arenaChunk: a short article
	// does not pay for a long one's arena.
	n := 0
	for _, b := range bs {
		n += len(b.Text)
	}
	c.blocks, c.chunk = bs, min(arenaChunk, n/6+1)
	c.words, c.done = zeroed(c.words, len(bs)), zeroed(c.done, len(bs))
	c.arena, c.used = nil, 0
	c.lower = strings.Builder{} // the words it backs may still be in use
	return c
}

// nextChunk returns an empty chunk with room for n words: one of an
// earlier comparison when it is large enough, else a new one.
func (c *wordCache) nextChunk(n int) []string {
	for c.used < len(c.chunks) {
		ch := c.chunks[c.used]
		c.used++
		if cap(ch) >= n {
			return ch[:0]
		}
	}
	ch := make([]string, 0, max(c.chunk, n))
	c.chunks = append(c.chunks, ch)
	c.used = len(c.chunks)
	return ch
}

// pooledWords is how many words the chunks of c hold.
func (c *wordCache) pooledWords() int {
	n := 0
	for _, ch := range c.chunks {
		n += cap(ch)
	}
	return n
}

// release forgets the texts c worked on, so that a pooled cache keeps
// none alive.
func (c *wordCache) release() {
	// Only the word lists of this comparison hold text; each lies in a
	// chunk.
	for _, ws := range c.words {
		clear(ws)
	}
	clear(c.words)
	c.blocks, c.arena, c.words, c.used = nil, nil, c.words[:0], 0
	c.lower = strings.Builder{}
}

func (c *wordCache) of(i int) []string {
	if !c.done[i] {
		// The arena is filled in chunks, each with room for the block's
		// words (a text of n bytes holds at most n/2+1): a word list never
		// moves, and growing the arena leaves no copies behind.
		if room := len(c.blocks[i].Text)/2 + 1; cap(c.arena)-len(c.arena) < room {
			c.arena = c.nextChunk(room)
		}
		start := len(c.arena)
		c.arena = appendWordsLowering(c.arena, c.blocks[i].Text, &c.lower)
		c.words[i] = c.arena[start:len(c.arena):len(c.arena)]
		c.done[i] = true
	}
	return c.words[i]
}

// total counts the words of all blocks.
func (c *wordCache) total() int {
	n := 0
	for i, b := range c.blocks {
		if c.done[i] {
			n += len(c.words[i])
		} else {
			n += countWords(b.Text)
		}
	}
	return n
}

// buildOps lays the alignment out in reading order of the new version.
func buildOps(old, new []article.Block, al alignment, budget *int, sc *wordScratch) []Op {
	deleted := sc.deleted[:0]
	for i := range old {
		if !al.oldTaken[i] {
			deleted = append(deleted, i)
		}
	}
	ops := make([]Op, 0, len(new)+len(deleted))
	// nextInPlace[j] is the old index of the first block at or after new
	// position j that stayed in place; deletions before it come first.
	nextInPlace := room(sc.nextInPlace, len(new)+1)[:len(new)+1]
	defer func() { sc.deleted, sc.nextInPlace = deleted, nextInPlace }()
	nextInPlace[len(new)] = len(old)
	for j := len(new) - 1; j >= 0; j-- {
		nextInPlace[j] = nextInPlace[j+1]
		if l := al.link[j]; l == linkEqual || l == linkChange {
			nextInPlace[j] = al.newToOld[j]
		}
	}
	// Ops point into these rather than allocating an int each.
	oldIdx, newIdx := indexes(len(old)), indexes(len(new))
	del := func(i int) Op {
		return Op{Op: OpDelete, Old: &oldIdx[i], Kind: old[i].Kind, Text: old[i].Text}
	}
	d := 0
	for j, nb := range new {
		for d < len(deleted) && deleted[d] < nextInPlace[j] {
			ops = append(ops, del(deleted[d]))
			d++
		}
		i := al.newToOld[j]
		if i < 0 {
			ops = append(ops, Op{Op: OpInsert, New: &newIdx[j], Kind: nb.Kind, Text: nb.Text})
			continue
		}
		ob := old[i]
		op := Op{Old: &oldIdx[i], New: &newIdx[j], Kind: nb.Kind}
		if ob.Kind != nb.Kind {
			op.OldKind = ob.Kind
		}
		switch al.link[j] {
		case linkEqual:
			if ob.Kind == nb.Kind {
				op.Op, op.Text = OpEqual, nb.Text
			} else {
				op.Op, op.Spans = OpChange, wordDiff(ob.Text, nb.Text, budget, sc)
			}
		case linkChange:
			op.Op, op.Spans = OpChange, wordDiff(ob.Text, nb.Text, budget, sc)
		case linkMove:
			op.Op = OpMove
			if ob.Text == nb.Text {
				op.Text = nb.Text
			} else {
				op.Spans = wordDiff(ob.Text, nb.Text, budget, sc)
			}
		}
		ops = append(ops, op)
	}
	for ; d < len(deleted); d++ {
		ops = append(ops, del(deleted[d]))
	}
	return ops
}

func indexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
