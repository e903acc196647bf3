package diff

import (
	"cmp"
	"math"
	"slices"

	"redline/daemon/internal/article"
)

// How a new block is linked to an old one.
const (
	linkNone   uint8 = iota // inserted
	linkEqual               // same text, in order
	linkChange              // edited in place
	linkMove                // taken from elsewhere, maybe edited
)

// pairCap is the number of candidate pairs a run of unmatched blocks may
// compare exhaustively; a larger run compares each old block only with the
// new blocks near its proportional position (pairBand either side).
const (
	pairCap  = 4096
	pairBand = 8
)

// alignment links each new block to at most one old block.
type alignment struct {
	newToOld []int   // old index, or -1 when the new block is inserted
	link     []uint8 // how newToOld was found
	oldTaken []bool
}

// blockWords is what similarity needs to know about a block: its distinct
// canonical words, as ids (sorted rarest first, unless the aligner
// compares its few blocks directly).
type blockWords []int32

type aligner struct {
	old, new []article.Block
	ot, nt   *wordCache
	rules    Rules
	sc       *wordScratch // its interner numbers the words
	oldWords []blockWords // distinct words, numbered rarest first
	newWords []blockWords
	vocab    int
	oldGap   []int // for unmatched old blocks: the run between anchors they sit in
	newGap   []int
	runs     int // how many runs there are
	// direct is set when the blocks to pair are few enough to compare
	// each with each (similarDirect); their words are then not ordered.
	direct bool
	al     alignment
}

// alignBlocks aligns old and new blocks: exact text in order (a longest
// common subsequence of block texts), then exact and near-exact copies out
// of order (moves), then edited blocks paired by word similarity inside each
// run of unmatched blocks between the exact matches.
func alignBlocks(old, new []article.Block, ot, nt *wordCache, rules Rules, budget *int, sc *wordScratch) alignment {
	a := &aligner{old: old, new: new, ot: ot, nt: nt, rules: rules, sc: sc}
	m := &sc.align
	a.al = alignment{
		newToOld: room(m.newToOld, len(new))[:len(new)],
		link:     zeroed(m.link, len(new)),
		oldTaken: zeroed(m.oldTaken, len(old)),
	}
	m.newToOld, m.link, m.oldTaken = a.al.newToOld, a.al.link, a.al.oldTaken
	for j := range a.al.newToOld {
		a.al.newToOld[j] = -1
	}
	// The block texts are numbered by the pooled interner (the word diffs
	// of the title and byline are done with it; indexWords takes it next).
	ids := &sc.ids
	ids.reset(len(old) + len(new))
	blockIDs := room(m.blockIDs, len(old)+len(new))[:len(old)+len(new)]
	m.blockIDs = blockIDs
	for k, b := range old {
		blockIDs[k] = ids.id(b.Text)
	}
	for k, b := range new {
		blockIDs[len(old)+k] = ids.id(b.Text)
	}
	oldIDs, newIDs := blockIDs[:len(old)], blockIDs[len(old):]
	texts := ids.len()
	ai, bj := sc.lcs.commonSubsequence(oldIDs, newIDs, texts, budget)
	for k := range ai {
		a.link(int(ai[k]), int(bj[k]), linkEqual)
	}
	a.gaps(ai, bj)

	// Exact copies elsewhere are moves, taken in order: each text's
	// unmatched old blocks queue in a list linked through next, first
	// (1+ its index) in head.
	head, next := zeroed(m.head, texts), room(m.next, len(old))[:len(old)]
	m.head, m.next = head, next
	for i := len(old) - 1; i >= 0; i-- {
		if !a.al.oldTaken[i] {
			next[i] = head[oldIDs[i]]
			head[oldIDs[i]] = int32(i + 1)
		}
	}
	for j := range new {
		if a.al.newToOld[j] >= 0 {
			continue
		}
		if h := head[newIDs[j]]; h > 0 {
			a.link(int(h-1), j, linkMove)
			head[newIDs[j]] = next[h-1]
		}
	}

	a.indexWords()
	a.moves(true)
	a.pairInGaps()
	a.moves(false)
	return a.al
}

func (a *aligner) link(i, j int, how uint8) {
	a.al.newToOld[j] = i
	a.al.link[j] = how
	a.al.oldTaken[i] = true
}

// gaps numbers the runs of blocks between consecutive exact matches: run k
// lies between match k-1 and match k.
func (a *aligner) gaps(ai, bj []int32) {
	a.runs = len(ai) + 1
	m := &a.sc.align
	a.oldGap, a.newGap = room(m.oldGap, len(a.old))[:len(a.old)], room(m.newGap, len(a.new))[:len(a.new)]
	m.oldGap, m.newGap = a.oldGap, a.newGap
	k := 0
	for i := range a.old {
		for k < len(ai) && int(ai[k]) < i {
			k++
		}
		a.oldGap[i] = k
	}
	k = 0
	for j := range a.new {
		for k < len(bj) && int(bj[k]) < j {
			k++
		}
		a.newGap[j] = k
	}
}

func (a *aligner) indexWords() {
	// Room for the distinct words of the blocks left to pair: prose
	// repeats its words, so about one in eight bytes starts a new one.
	n := 0
	for i, b := range a.old {
		if !a.al.oldTaken[i] {
			n += len(b.Text)
		}
	}
	for j, b := range a.new {
		if a.al.newToOld[j] < 0 {
			n += len(b.Text)
		}
	}
	ids := &a.sc.ids
	ids.reset(n / 8)
	// seen[id] is the number of the last block that had the word, so that
	// a block lists each of its words once without sorting them twice.
	seen := a.sc.seen[:0]
	mark := int32(0)
	// Every set lies in one slice, with room for all the words of the
	// blocks left to pair (a set holds at most its block's words).
	words := 0
	for i := range a.old {
		if !a.al.oldTaken[i] {
			words += len(a.ot.of(i))
		}
	}
	for j := range a.new {
		if a.al.newToOld[j] < 0 {
			words += len(a.nt.of(j))
		}
	}
	sets := room(a.sc.sets, words)
	index := func(c *wordCache, taken func(int) bool, out []blockWords) []blockWords {
		out = zeroed(out, len(c.blocks))
		for i := range c.blocks {
			if taken(i) {
				continue
			}
			mark++
			ws := c.of(i)
			set := blockWords(sets[len(sets) : len(sets) : len(sets)+len(ws)])
			for _, w := range ws {
				id := ids.id(w)
				for int(id) >= len(seen) {
					seen = append(seen, 0)
				}
				if seen[id] != mark {
					seen[id] = mark
					set = append(set, id)
				}
			}
			out[i] = set
			sets = sets[:len(sets)+len(set)]
		}
		return out
	}
	m := &a.sc.align
	a.oldWords = index(a.ot, func(i int) bool { return a.al.oldTaken[i] }, m.oldWords)
	a.newWords = index(a.nt, func(j int) bool { return a.al.newToOld[j] >= 0 }, m.newWords)
	m.oldWords, m.newWords = a.oldWords, a.newWords
	a.sc.seen, a.sc.sets = seen, sets

	a.vocab = ids.len()
	// Few blocks to pair are compared each with each: that costs less
	// than ordering their words for the search below.
	oldSetWords, newSets := 0, 0
	for _, set := range a.oldWords {
		oldSetWords += len(set)
	}
	for _, set := range a.newWords {
		if len(set) > 0 {
			newSets++
		}
	}
	if a.direct = oldSetWords*newSets <= directWork; a.direct {
		return
	}
	// Number the words from rarest to commonest, so that a sorted set lists
	// its rarest words first, as similar needs. A counting sort: words of
	// one frequency keep the order they were first seen in.
	freq := zeroed(m.freq, a.vocab)
	m.freq = freq
	top := int32(0)
	for _, sets := range [][]blockWords{a.oldWords, a.newWords} {
		for _, set := range sets {
			for _, w := range set {
				freq[w]++
				top = max(top, freq[w])
			}
		}
	}
	start := zeroed(m.start, int(top)+2)
	m.start = start
	for _, f := range freq {
		start[f+1]++
	}
	for f := 1; f < len(start); f++ {
		start[f] += start[f-1]
	}
	rank := zeroed(m.rank, a.vocab)
	for w, f := range freq {
		rank[w] = start[f]
		start[f]++
	}
	// Each set is then listed in order of rank without comparing: the
	// sets holding each word are listed by the word's rank (holders, a
	// counting sort again), each set is emptied, and the ranks are handed
	// back to their sets in order. A set gets back as many words as it
	// had, in its own memory.
	at := zeroed(m.at, a.vocab+1)
	for w, f := range freq {
		at[rank[w]+1] = f
	}
	for r := 1; r <= a.vocab; r++ {
		at[r] += at[r-1]
	}
	holders := room(m.holders, int(at[a.vocab]))[:at[a.vocab]]
	fill := append(m.fill[:0], at[:a.vocab]...)
	m.rank, m.at, m.holders, m.fill = rank, at, holders, fill
	// Set k is old block k, or new block k-nOld.
	nOld := len(a.oldWords)
	set := func(k int) *blockWords {
		if k < nOld {
			return &a.oldWords[k]
		}
		return &a.newWords[k-nOld]
	}
	for k := range nOld + len(a.newWords) {
		s := set(k)
		for _, w := range *s {
			r := rank[w]
			holders[fill[r]] = int32(k)
			fill[r]++
		}
		*s = (*s)[:0]
	}
	for r := range int32(a.vocab) {
		for _, k := range holders[at[r]:at[r+1]] {
			s := set(int(k))
			*s = append(*s, r)
		}
	}
}

// diceAtLeast returns the Dice coefficient of two word sets, twice the
// shared words over the total, when it is at least t. It stops
// counting shared words as soon as the words left cannot bring the count
// to what t needs: most pairs a pairing looks at are far from it.
func diceAtLeast(x, y blockWords, t float64) (float64, bool) {
	if len(x) == 0 || len(y) == 0 {
		return 0, false
	}
	// need is the fewest shared words that can reach t (a little slack
	// for rounding: the exact test is made on the full count below).
	need := int(t*float64(len(x)+len(y))/2) - 1
	n, i, j := 0, 0, 0
	for i < len(x) && j < len(y) {
		if n+min(len(x)-i, len(y)-j) < need {
			return 0, false
		}
		switch {
		case x[i] == y[j]:
			n++
			i++
			j++
		case x[i] < y[j]:
			i++
		default:
			j++
		}
	}
	s := 2 * float64(n) / float64(len(x)+len(y))
	return s, s >= t
}

// sizesAllow reports whether two sets of these sizes can reach Dice t:
// the smaller must hold at least t/(2-t) of the larger.
func sizesAllow(nx, ny int, t float64) bool {
	lo, hi := min(nx, ny), max(nx, ny)
	return float64(lo)*(2-t) >= t*float64(hi)-1e-9
}

// directWork is the most word look-ups (words of the old blocks to pair
// times the new blocks to pair) for which similar compares each block
// with each rather than searching. A variable only so that a test can
// check that both ways pair the same blocks.
var directWork = 4096

type candidate struct {
	old, new int
	sim      float64
}

// similar returns the pairs of old and new blocks (indexes into a.old and
// a.new) whose words reach Dice t, among those keep allows. Candidates are
// found by prefix filtering: words are numbered from rarest to commonest;
// two sets that share enough words must share one among the first few
// rarest of each, so only those are indexed. Any fixed order of words would
// be correct; rarest first keeps the lists short. The cost follows the
// shared rare words, not the number of pairs.
func (a *aligner) similar(olds, news []int, t float64, keep func(i, j int) bool) []candidate {
	if len(olds) == 0 || len(news) == 0 {
		return nil
	}
	if a.direct {
		return a.similarDirect(olds, news, t, keep)
	}
	// A set of n words needs at least need of them shared to reach t.
	prefix := func(n int) int {
		need := max(int(math.Ceil(t*float64(n)/(2-t)-1e-9)), 1)
		return min(max(n-need+1, 1), n)
	}
	// The postings of word w are post[start[w]:start[w+1]], laid out in
	// one slice: counted first, then filled.
	sc := a.sc
	start := zeroed(sc.simStart, a.vocab+1)
	for _, i := range olds {
		ws := a.oldWords[i]
		for _, w := range ws[:prefix(len(ws))] {
			start[w+1]++
		}
	}
	for w := 1; w <= a.vocab; w++ {
		start[w] += start[w-1]
	}
	post := zeroed(sc.simPost, int(start[a.vocab]))
	fill := append(sc.simFill[:0], start[:a.vocab]...)
	for _, i := range olds {
		ws := a.oldWords[i]
		for _, w := range ws[:prefix(len(ws))] {
			post[fill[w]] = int32(i)
			fill[w]++
		}
	}
	cands := sc.align.cands[:0]
	stamp := zeroed(sc.simStamp, len(a.old))
	defer func() {
		sc.simStart, sc.simPost, sc.simFill, sc.simStamp, sc.align.cands = start, post, fill, stamp, cands
	}()
	for _, j := range news {
		ws := a.newWords[j]
		for _, w := range ws[:prefix(len(ws))] {
			for _, i32 := range post[start[w]:start[w+1]] {
				i := int(i32)
				if stamp[i] == j+1 {
					continue
				}
				stamp[i] = j + 1
				if !keep(i, j) || !sizesAllow(len(a.oldWords[i]), len(ws), t) {
					continue
				}
				if s, ok := diceAtLeast(a.oldWords[i], ws, t); ok {
					cands = append(cands, candidate{i, j, s})
				}
			}
		}
	}
	return cands
}

// similarDirect is similar for few blocks: each new block's words are
// marked, and each old block counts its marked words. It finds the same
// pairs, with the same similarity.
func (a *aligner) similarDirect(olds, news []int, t float64, keep func(i, j int) bool) []candidate {
	mark := zeroed(a.sc.simMark, a.vocab)
	cands := a.sc.align.cands[:0]
	defer func() { a.sc.simMark, a.sc.align.cands = mark, cands }()
	for k, j := range news {
		ws, m := a.newWords[j], int32(k+1)
		for _, w := range ws {
			mark[w] = m
		}
		for _, i := range olds {
			x := a.oldWords[i]
			if !keep(i, j) || !sizesAllow(len(x), len(ws), t) {
				continue
			}
			n := 0
			for _, w := range x {
				if mark[w] == m {
					n++
				}
			}
			if s := 2 * float64(n) / float64(len(x)+len(ws)); s >= t {
				cands = append(cands, candidate{i, j, s})
			}
		}
	}
	return cands
}

// unmatched returns the old and new blocks not linked yet that have words.
// The lists are the scratch's: each call's lists replace the last's.
func (a *aligner) unmatched() (olds, news []int) {
	olds, news = a.sc.olds[:0], a.sc.news[:0]
	defer func() { a.sc.olds, a.sc.news = olds, news }()
	for i := range a.old {
		if !a.al.oldTaken[i] && len(a.oldWords[i]) > 0 {
			olds = append(olds, i)
		}
	}
	for j := range a.new {
		if a.al.newToOld[j] < 0 && len(a.newWords[j]) > 0 {
			news = append(news, j)
		}
	}
	return olds, news
}

// moves links unmatched old and new blocks whose words are nearly the same
// (Dice at least MoveSimilarity). With acrossOnly, only blocks in different
// runs are linked: inside one run a near copy is an in-place edit, which
// pairInGaps decides.
func (a *aligner) moves(acrossOnly bool) {
	t := a.rules.MoveSimilarity
	if t <= 0 || t > 1 {
		return
	}
	olds, news := a.unmatched()
	cands := a.similar(olds, news, t, func(i, j int) bool { return !acrossOnly || a.oldGap[i] != a.newGap[j] })
	slices.SortFunc(cands, func(x, y candidate) int {
		if c := cmp.Compare(y.sim, x.sim); c != 0 {
			return c
		}
		if c := cmp.Compare(x.new, y.new); c != 0 {
			return c
		}
		return cmp.Compare(x.old, y.old)
	})
	for _, c := range cands {
		if !a.al.oldTaken[c.old] && a.al.newToOld[c.new] < 0 {
			a.link(c.old, c.new, linkMove)
		}
	}
}

// pairInGaps pairs, inside each run of unmatched blocks, old and new blocks
// whose words are similar enough (Dice at least PairSimilarity) as edits in
// place. The pairs keep reading order on both sides; among such choices the
// one with the greatest total similarity wins. A run of more than pairCap
// possible pairs only pairs an old block with the new blocks near its
// proportional place in the run (pairBand either side).
func (a *aligner) pairInGaps() {
	t := a.rules.PairSimilarity
	if t <= 0 || t > 1 {
		return
	}
	// The unmatched blocks of each run, in reading order, and each block's
	// place among them. Runs follow each other in reading order, so the
	// unmatched blocks of one side, in order, list run after run: run g's
	// are blocks[at[g]:at[g+1]].
	byGap := func(n int, gap []int, unmatched func(int) bool, blocks, at, pos []int) ([]int, []int, []int) {
		blocks, at, pos = room(blocks, n), zeroed(at, a.runs+1), zeroed(pos, n)
		for i := range n {
			if unmatched(i) {
				at[gap[i]+1]++
				blocks = append(blocks, i)
			}
		}
		for g := 1; g <= a.runs; g++ {
			at[g] += at[g-1]
		}
		for k, i := range blocks {
			pos[i] = k - at[gap[i]]
		}
		return blocks, at, pos
	}
	m := &a.sc.align
	oldRun, oldAt, oldPos := byGap(len(a.old), a.oldGap, func(i int) bool { return !a.al.oldTaken[i] }, m.oldRun, m.oldAt, m.oldPos)
	newRun, newAt, newPos := byGap(len(a.new), a.newGap, func(j int) bool { return a.al.newToOld[j] < 0 }, m.newRun, m.newAt, m.newPos)
	m.oldRun, m.oldAt, m.oldPos, m.newRun, m.newAt, m.newPos = oldRun, oldAt, oldPos, newRun, newAt, newPos
	runOld := func(g int) []int { return oldRun[oldAt[g]:oldAt[g+1]] }
	runNew := func(g int) []int { return newRun[newAt[g]:newAt[g+1]] }
	olds, news := a.unmatched()
	cands := a.similar(olds, news, t, func(i, j int) bool {
		g := a.oldGap[i]
		if g != a.newGap[j] {
			return false
		}
		k, l := len(runOld(g)), len(runNew(g))
		if k*l <= pairCap {
			return true
		}
		c := oldPos[i] * l / k
		return newPos[j] >= c-pairBand && newPos[j] <= c+pairBand
	})
	// Chain each run's candidates, by their places in the run. They are
	// laid out run after run in one list (a counting sort that keeps
	// their order within a run): run g's are byRun[at[g]:at[g+1]].
	at := zeroed(m.runAt, a.runs+1)
	for _, c := range cands {
		at[a.oldGap[c.old]+1]++
	}
	for g := 1; g <= a.runs; g++ {
		at[g] += at[g-1]
	}
	fill := append(m.runFill[:0], at[:a.runs]...)
	byRun := room(m.byRun, len(cands))[:len(cands)]
	m.runAt, m.runFill, m.byRun = at, fill, byRun
	for _, c := range cands {
		g := a.oldGap[c.old]
		byRun[fill[g]] = candidate{oldPos[c.old], newPos[c.new], c.sim}
		fill[g]++
	}
	for g := range a.runs {
		for _, c := range heaviestChain(byRun[at[g]:at[g+1]], len(runNew(g)), m) {
			a.link(runOld(g)[c.old], runNew(g)[c.new], linkChange)
		}
	}
}

// heaviestChain picks candidates that increase strictly in both old and new
// position, maximising the total similarity. Candidates come ordered by old
// position; l is the number of new positions. The chain lies in m's
// memory, valid until the next call.
func heaviestChain(cands []candidate, l int, m *alignScratch) []candidate {
	if len(cands) == 0 {
		return nil
	}
	// Within one old position, visit larger new positions first, so that
	// two candidates of the same old block never chain.
	slices.SortFunc(cands, func(x, y candidate) int {
		if c := cmp.Compare(x.old, y.old); c != 0 {
			return c
		}
		return cmp.Compare(y.new, x.new)
	})
	// A Fenwick tree over new positions holds the best chain ending at or
	// before each position.
	tree := room(m.tree, l+1)[:l+1]
	m.tree = tree
	for i := range tree {
		tree[i] = best{end: -1}
	}
	query := func(q int) best { // best chain ending at a new position < q
		b := best{end: -1}
		for i := q; i > 0; i -= i & -i {
			if tree[i].total > b.total {
				b = tree[i]
			}
		}
		return b
	}
	update := func(q int, v best) {
		for i := q + 1; i <= l; i += i & -i {
			if v.total > tree[i].total {
				tree[i] = v
			}
		}
	}
	prev := room(m.prev, len(cands))[:len(cands)]
	m.prev = prev
	for ci, c := range cands {
		b := query(c.new)
		prev[ci] = b.end
		update(c.new, best{b.total + c.sim, ci})
	}
	top := query(l)
	chain := m.chain[:0]
	for ci := top.end; ci >= 0; ci = prev[ci] {
		chain = append(chain, cands[ci])
	}
	slices.Reverse(chain)
	m.chain = chain
	return chain
}

// best is a chain of heaviestChain: its total similarity and the index of
// its last candidate, -1 for none.
type best struct {
	total float64
	end   int
}

// alignScratch is the aligner's working memory, kept by the pooled
// scratch from one comparison to the next. It holds block numbers and
// word numbers, never text.
type alignScratch struct {
	newToOld, oldGap, newGap []int
	link                     []uint8
	oldTaken                 []bool
	blockIDs, head, next     []int32
	oldWords, newWords       []blockWords
	freq, start              []int32
	rank, at, holders, fill  []int32 // for ordering the sets by rank
	// similar's candidates; pairInGaps' runs and their candidates;
	// heaviestChain's tree, links and chain.
	cands                                        []candidate
	oldRun, oldAt, oldPos, newRun, newAt, newPos []int
	runAt, runFill                               []int
	byRun, chain                                 []candidate
	tree                                         []best
	prev                                         []int
}

// tooBig reports whether m holds more than a pooled scratch keeps.
func (m *alignScratch) tooBig() bool {
	return max(cap(m.newToOld), cap(m.oldGap), cap(m.newGap), cap(m.link), cap(m.oldTaken), cap(m.blockIDs),
		cap(m.head), cap(m.next), cap(m.oldWords), cap(m.newWords), cap(m.freq), cap(m.start),
		cap(m.rank), cap(m.at), cap(m.holders), cap(m.fill),
		cap(m.cands), cap(m.oldRun), cap(m.oldAt), cap(m.oldPos), cap(m.newRun), cap(m.newAt), cap(m.newPos),
		cap(m.runAt), cap(m.runFill), cap(m.byRun), cap(m.chain), cap(m.tree), cap(m.prev)) > maxPooled
}
