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
// canonical words, as sorted ids.
type blockWords []int32

type aligner struct {
	old, new []article.Block
	ot, nt   *wordCache
	rules    Rules
	oldWords []blockWords // distinct words, numbered rarest first
	newWords []blockWords
	vocab    int
	oldGap   []int // for unmatched old blocks: the run between anchors they sit in
	newGap   []int
	al       alignment
}

// alignBlocks aligns old and new blocks: exact text in order (a longest
// common subsequence of block texts), then exact and near-exact copies out
// of order (moves), then edited blocks paired by word similarity inside each
// run of unmatched blocks between the exact matches.
func alignBlocks(old, new []article.Block, ot, nt *wordCache, rules Rules, budget *int) alignment {
	a := &aligner{old: old, new: new, ot: ot, nt: nt, rules: rules}
	a.al = alignment{
		newToOld: make([]int, len(new)),
		link:     make([]uint8, len(new)),
		oldTaken: make([]bool, len(old)),
	}
	for j := range a.al.newToOld {
		a.al.newToOld[j] = -1
	}
	ids := map[string]int32{}
	intern := func(bs []article.Block) []int32 {
		out := make([]int32, len(bs))
		for i, b := range bs {
			id, ok := ids[b.Text]
			if !ok {
				id = int32(len(ids))
				ids[b.Text] = id
			}
			out[i] = id
		}
		return out
	}
	oldIDs, newIDs := intern(old), intern(new)
	ai, bj := commonSubsequence(oldIDs, newIDs, len(ids), budget)
	for k := range ai {
		a.link(int(ai[k]), int(bj[k]), linkEqual)
	}
	a.gaps(ai, bj)

	// Exact copies elsewhere are moves.
	queue := map[int32][]int{}
	for i := range old {
		if !a.al.oldTaken[i] {
			queue[oldIDs[i]] = append(queue[oldIDs[i]], i)
		}
	}
	for j := range new {
		if a.al.newToOld[j] >= 0 {
			continue
		}
		if q := queue[newIDs[j]]; len(q) > 0 {
			a.link(q[0], j, linkMove)
			queue[newIDs[j]] = q[1:]
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
	a.oldGap = make([]int, len(a.old))
	a.newGap = make([]int, len(a.new))
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
	ids := map[string]int32{}
	index := func(c *wordCache, taken func(int) bool) []blockWords {
		out := make([]blockWords, len(c.blocks))
		for i := range c.blocks {
			if taken(i) {
				continue
			}
			ws := c.of(i)
			set := make(blockWords, 0, len(ws))
			for _, w := range ws {
				id, ok := ids[w]
				if !ok {
					id = int32(len(ids))
					ids[w] = id
				}
				set = append(set, id)
			}
			slices.Sort(set)
			out[i] = slices.Compact(set)
		}
		return out
	}
	a.oldWords = index(a.ot, func(i int) bool { return a.al.oldTaken[i] })
	a.newWords = index(a.nt, func(j int) bool { return a.al.newToOld[j] >= 0 })

	// Number the words from rarest to commonest, so that a sorted set lists
	// its rarest words first, as moves needs.
	a.vocab = len(ids)
	freq := make([]int32, a.vocab)
	for _, sets := range [][]blockWords{a.oldWords, a.newWords} {
		for _, set := range sets {
			for _, w := range set {
				freq[w]++
			}
		}
	}
	order := make([]int32, a.vocab)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int {
		if c := cmp.Compare(freq[x], freq[y]); c != 0 {
			return c
		}
		return cmp.Compare(x, y)
	})
	rank := freq // reuse
	for r, w := range order {
		rank[w] = int32(r)
	}
	for _, sets := range [][]blockWords{a.oldWords, a.newWords} {
		for _, set := range sets {
			for k, w := range set {
				set[k] = rank[w]
			}
			slices.Sort(set)
		}
	}
}

// dice is the Dice coefficient of two word sets: twice the shared words
// over the total.
func dice(x, y blockWords) float64 {
	if len(x) == 0 || len(y) == 0 {
		return 0
	}
	return 2 * float64(overlap(x, y)) / float64(len(x)+len(y))
}

func overlap(x, y blockWords) int {
	n, i, j := 0, 0, 0
	for i < len(x) && j < len(y) {
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
	return n
}

// sizesAllow reports whether two sets of these sizes can reach Dice t:
// the smaller must hold at least t/(2-t) of the larger.
func sizesAllow(nx, ny int, t float64) bool {
	lo, hi := min(nx, ny), max(nx, ny)
	return float64(lo)*(2-t) >= t*float64(hi)-1e-9
}

type candidate struct {
	old, new int
	sim      float64
}

// moves links unmatched old and new blocks whose words are nearly the same
// (Dice at least MoveSimilarity). With acrossOnly, only blocks in different
// runs are linked: inside one run a near copy is an in-place edit, which
// pairInGaps decides. Candidates are found by prefix filtering: order words
// from rarest to commonest; two sets that share enough words must share one
// among the first few rarest of each, so only those are indexed. Any fixed
// order of words would be correct; rarest first keeps the lists short.
func (a *aligner) moves(acrossOnly bool) {
	t := a.rules.MoveSimilarity
	if t <= 0 || t > 1 {
		return
	}
	var olds, news []int
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
	if len(olds) == 0 || len(news) == 0 {
		return
	}
	// A set of n words needs at least need of them shared to reach t.
	prefix := func(n int) int {
		need := max(int(math.Ceil(t*float64(n)/(2-t)-1e-9)), 1)
		return max(n-need+1, 1)
	}
	postings := make([][]int, a.vocab)
	for _, i := range olds {
		ws := a.oldWords[i]
		for _, w := range ws[:min(prefix(len(ws)), len(ws))] {
			postings[w] = append(postings[w], i)
		}
	}
	var cands []candidate
	stamp := make([]int, len(a.old))
	for _, j := range news {
		ws := a.newWords[j]
		for _, w := range ws[:min(prefix(len(ws)), len(ws))] {
			for _, i := range postings[w] {
				if stamp[i] == j+1 {
					continue
				}
				stamp[i] = j + 1
				if acrossOnly && a.oldGap[i] == a.newGap[j] {
					continue
				}
				if !sizesAllow(len(a.oldWords[i]), len(a.newWords[j]), t) {
					continue
				}
				if s := dice(a.oldWords[i], a.newWords[j]); s >= t {
					cands = append(cands, candidate{i, j, s})
				}
			}
		}
	}
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
// one with the greatest total similarity wins.
func (a *aligner) pairInGaps() {
	t := a.rules.PairSimilarity
	if t <= 0 || t > 1 {
		return
	}
	byGap := map[int][2][]int{}
	var order []int
	for i := range a.old {
		if !a.al.oldTaken[i] {
			g := a.oldGap[i]
			e, ok := byGap[g]
			if !ok {
				order = append(order, g)
			}
			e[0] = append(e[0], i)
			byGap[g] = e
		}
	}
	for j := range a.new {
		if a.al.newToOld[j] < 0 {
			g := a.newGap[j]
			if e, ok := byGap[g]; ok {
				e[1] = append(e[1], j)
				byGap[g] = e
			}
		}
	}
	for _, g := range order {
		e := byGap[g]
		olds, news := e[0], e[1]
		if len(news) == 0 {
			continue
		}
		var cands []candidate
		try := func(p, q int) {
			x, y := a.oldWords[olds[p]], a.newWords[news[q]]
			if len(x) == 0 || len(y) == 0 || !sizesAllow(len(x), len(y), t) {
				return
			}
			if s := dice(x, y); s >= t {
				cands = append(cands, candidate{p, q, s})
			}
		}
		k, l := len(olds), len(news)
		if k*l <= pairCap {
			for p := range k {
				for q := range l {
					try(p, q)
				}
			}
		} else {
			for p := range k {
				c := p * l / k
				for q := max(0, c-pairBand); q <= min(l-1, c+pairBand); q++ {
					try(p, q)
				}
			}
		}
		for _, c := range heaviestChain(cands, l) {
			a.link(olds[c.old], news[c.new], linkChange)
		}
	}
}

// heaviestChain picks candidates that increase strictly in both old and new
// position, maximising the total similarity. Candidates come ordered by old
// position; l is the number of new positions.
func heaviestChain(cands []candidate, l int) []candidate {
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
	type best struct {
		total float64
		end   int // candidate index, -1 for none
	}
	tree := make([]best, l+1)
	for i := range tree {
		tree[i].end = -1
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
	prev := make([]int, len(cands))
	for ci, c := range cands {
		b := query(c.new)
		prev[ci] = b.end
		update(c.new, best{b.total + c.sim, ci})
	}
	top := query(l)
	var chain []candidate
	for ci := top.end; ci >= 0; ci = prev[ci] {
		chain = append(chain, cands[ci])
	}
	slices.Reverse(chain)
	return chain
}
