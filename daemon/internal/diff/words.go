package diff

import (
	"sync"
	"unicode/utf8"
)

// Span ops.
const (
	SpanEqual  = "equal"
	SpanInsert = "insert"
	SpanDelete = "delete"
)

// Span is a run of text that is the same in both versions (equal), only in
// the old one (delete) or only in the new one (insert). The equal and delete
// spans of a diff concatenate to the old text; the equal and insert spans to
// the new text.
type Span struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// run is a stretch of a word diff: tokens a[a0:a1] and b[b0:b1]. An equal
// run has the same tokens on both sides; an edit run replaces a[a0:a1] with
// b[b0:b1] (either side may be empty).
type run struct {
	a0, a1, b0, b1 int
	equal          bool
}

// wordScratch is wordDiff's working memory, reused from one block to the
// next of a comparison: a capture at the limits diffs thousands of blocks,
// and allocating it for each would cost many times the text.
type wordScratch struct {
	ta, tb []token
	ids    interner
	lcs    lcsScratch
	seen   []int32 // for the aligner's word lists
	sets   []int32 // backs the aligner's word sets
	// The aligner's unmatched blocks.
	olds, news []int
	// buildOps' deleted blocks and next blocks in place.
	deleted, nextInPlace []int
	// For the aligner's search of similar blocks.
	simStart, simPost, simFill []int32
	simStamp                   []int
	simMark                    []int32 // for similarDirect
	// The canonical words of the old and new blocks.
	old, new wordCache
	// The aligner's lists.
	align alignScratch
	// The judge's readers of deletions and insertions.
	del, ins side
	ia, ib   []int32
	runs     []run
	merged   []run // cleanup's result
	ra, rb   []int // rune offsets
	ba, bb   []int // byte offsets
}

// scratchPool keeps the working memory of finished comparisons for the
// next ones, so that a comparison does not allocate its tables afresh.
var scratchPool = sync.Pool{New: func() any { return new(wordScratch) }}

// maxPooled is the most elements a scratch buffer may hold to go back to
// the pool: the memory of a rare huge comparison is given back instead.
const maxPooled = 1 << 16

func getScratch() *wordScratch { return scratchPool.Get().(*wordScratch) }

// release returns sc to the pool, holding no reference to the texts it
// worked on; sc must not be used after.
func (sc *wordScratch) release() {
	if cap(sc.ta) > maxPooled || cap(sc.tb) > maxPooled || cap(sc.ids.strs) > maxPooled || len(sc.ids.slots) > 2*maxPooled ||
		cap(sc.lcs.vf) > 2*maxPooled || len(sc.lcs.countA) > maxPooled || cap(sc.lcs.inA) > maxPooled || cap(sc.runs) > maxPooled || cap(sc.merged) > maxPooled || cap(sc.seen) > maxPooled || cap(sc.sets) > maxPooled || cap(sc.olds) > maxPooled || cap(sc.deleted) > maxPooled || cap(sc.nextInPlace) > maxPooled || cap(sc.news) > maxPooled || cap(sc.simPost) > maxPooled || cap(sc.simMark) > maxPooled ||
		sc.align.tooBig() || sc.old.pooledWords() > maxPooled || sc.new.pooledWords() > maxPooled || cap(sc.old.words) > maxPooled || cap(sc.new.words) > maxPooled {
		return
	}
	clear(sc.ta)
	clear(sc.tb)
	sc.ta, sc.tb = sc.ta[:0], sc.tb[:0]
	sc.ids.release()
	sc.old.release()
	sc.new.release()
	sc.del.release()
	sc.ins.release()
	scratchPool.Put(sc)
}

// wordDiff diffs two texts word by word and groups the result for reading.
// It spends search steps from budget. The spans' texts are substrings of
// old and new. sc may be nil.
func wordDiff(old, new string, budget *int, sc *wordScratch) []Span {
	if old == new {
		if old == "" {
			return []Span{}
		}
		return []Span{{SpanEqual, old}}
	}
	if sc == nil {
		sc = &wordScratch{}
	}
	clear(sc.ta) // the tokens of the last texts: only what is in use holds text
	clear(sc.tb)
	sc.ta, sc.tb = appendTokens(room(sc.ta, len(old)/2+1), old), appendTokens(room(sc.tb, len(new)/2+1), new)
	ta, tb, ids := sc.ta, sc.tb, &sc.ids
	// The tokens both texts begin and end with are matched as they are:
	// only the tokens between are numbered and searched. The search would
	// match the same ones first (commonSubsequence does), so the result
	// is the same; an edit of a few words in a long paragraph numbers
	// those few.
	pre := 0
	for pre < len(ta) && pre < len(tb) && ta[pre].text == tb[pre].text {
		pre++
	}
	suf := 0
	for suf < len(ta)-pre && suf < len(tb)-pre && ta[len(ta)-1-suf].text == tb[len(tb)-1-suf].text {
		suf++
	}
	ma, mb := ta[pre:len(ta)-suf], tb[pre:len(tb)-suf]
	var ai, bj []int32
	if len(ma) > 0 && len(mb) > 0 {
		ids.reset(len(ma) + len(mb))
		intern := func(out []int32, toks []token) []int32 {
			for _, t := range toks {
				out = append(out, ids.id(t.text))
			}
			return out
		}
		sc.ia, sc.ib = intern(room(sc.ia, len(ma)), ma), intern(room(sc.ib, len(mb)), mb)
		ai, bj = sc.lcs.commonSubsequence(sc.ia, sc.ib, ids.len(), budget)
	}

	runs := room(sc.runs, 2*len(ai)+3)
	if pre > 0 {
		runs = append(runs, run{0, pre, 0, pre, true})
	}
	pa, pb := pre, pre
	for k := range ai {
		i, j := pre+int(ai[k]), pre+int(bj[k])
		if i > pa || j > pb {
			runs = append(runs, run{pa, i, pb, j, false})
		}
		if n := len(runs); n > 0 && runs[n-1].equal && runs[n-1].a1 == i && runs[n-1].b1 == j {
			runs[n-1].a1++
			runs[n-1].b1++
		} else {
			runs = append(runs, run{i, i + 1, j, j + 1, true})
		}
		pa, pb = i+1, j+1
	}
	if ea, eb := len(ta)-suf, len(tb)-suf; pa < ea || pb < eb {
		runs = append(runs, run{pa, ea, pb, eb, false})
	}
	if suf > 0 {
		i, j := len(ta)-suf, len(tb)-suf
		if n := len(runs); n > 0 && runs[n-1].equal && runs[n-1].a1 == i && runs[n-1].b1 == j {
			runs[n-1].a1, runs[n-1].b1 = len(ta), len(tb)
		} else {
			runs = append(runs, run{i, len(ta), j, len(tb), true})
		}
	}
	sc.runs = runs

	g := grouper{a: ta, b: tb, old: old, new: new}
	sc.ba, sc.ra, g.ba, g.ra = offsets(sc.ba, sc.ra, ta, old)
	sc.bb, sc.rb, g.bb, g.rb = offsets(sc.bb, sc.rb, tb, new)
	runs = g.slide(runs)
	sc.merged = g.cleanup(runs, room(sc.merged, len(runs)))
	return g.spans(sc.merged)
}

// room returns s emptied, with room for n elements: s itself when it has
// it, else a new slice of exactly that room (appending would leave copies
// behind as it grew).
func room[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, 0, n)
	}
	return s[:0]
}

type grouper struct {
	a, b     []token
	ra, rb   []int // rune offsets: ra[i] is the number of runes in a[:i]
	ba, bb   []int // byte offsets: ba[i] is the number of bytes in a[:i]
	old, new string
}

// offsets works out the byte and rune offsets of toks, the tokens of
// text, in the memory of bytes and runes: bytes[i] and runes[i] count what
// toks[:i] hold. It returns the two slices to keep for the next call and
// the two offsets to use: in ASCII text a rune is a byte, and the byte
// offsets serve as both.
func offsets(bytes, runes []int, toks []token, text string) (keepBytes, keepRunes, byteOffs, runeOffs []int) {
	bytes = append(room(bytes, len(toks)+1), 0)
	for i, t := range toks {
		bytes = append(bytes, bytes[i]+len(t.text))
	}
	if asciiOnly(text) {
		return bytes, runes, bytes, bytes
	}
	runes = append(room(runes, len(toks)+1), 0)
	for i, t := range toks {
		runes = append(runes, runes[i]+utf8.RuneCountInString(t.text))
	}
	return bytes, runes, bytes, runes
}

// asciiOnly reports whether s holds only ASCII bytes.
func asciiOnly(s string) bool {
	var or byte
	for i := 0; i < len(s); i++ {
		or |= s[i]
	}
	return or < utf8.RuneSelf
}

// slide moves each pure insertion or deletion along the equal text around
// it, when that text repeats, to where it reads best: starting with a word
// and ending with a space ("did not vote" → "did vote" removes "not ", not
// " not").
func (g *grouper) slide(runs []run) []run {
	for k := 1; k+1 < len(runs); k++ {
		r := &runs[k]
		prev, next := &runs[k-1], &runs[k+1]
		if r.equal || !prev.equal || !next.equal {
			continue
		}
		var toks []token
		var lo, hi int // the edit covers toks[lo:hi]
		if r.a0 == r.a1 {
			toks, lo, hi = g.b, r.b0, r.b1
		} else if r.b0 == r.b1 {
			toks, lo, hi = g.a, r.a0, r.a1
		} else {
			continue
		}
		limLeft := prev.a1 - prev.a0 // how far the edit may move left
		limRight := next.a1 - next.a0
		left := 0
		for left < limLeft && toks[lo-left-1].text == toks[hi-left-1].text {
			left++
		}
		right := 0
		for right < limRight && toks[lo+right].text == toks[hi+right].text {
			right++
		}
		best, bestScore := 0, -1
		for s := -left; s <= right; s++ {
			if sc := editScore(toks, lo+s, hi+s); sc > bestScore {
				best, bestScore = s, sc
			}
		}
		if best == 0 {
			continue
		}
		prev.a1 += best
		prev.b1 += best
		next.a0 += best
		next.b0 += best
		r.a0 += best
		r.a1 += best
		r.b0 += best
		r.b1 += best
	}
	// Drop equal runs that sliding emptied and join the edits around them.
	out := runs[:0]
	for _, r := range runs {
		if r.a0 == r.a1 && r.b0 == r.b1 {
			continue
		}
		if n := len(out); n > 0 && !r.equal && !out[n-1].equal {
			out[n-1].a1, out[n-1].b1 = r.a1, r.b1
			continue
		}
		out = append(out, r)
	}
	return out
}

func editScore(toks []token, lo, hi int) int {
	s := 0
	if toks[lo].kind == tokWord {
		s += 2
	}
	if toks[hi-1].kind == tokSpace {
		s++
	}
	if lo == 0 || toks[lo-1].kind == tokSpace {
		s++
	}
	return s
}

// cleanup merges small equal islands into the edits around them, so that a
// reworded phrase reads as "old phrase → new phrase" instead of alternating
// fragments. An equal run is absorbed when it is no longer than the larger
// side of the edit before it and of the edit after it, or when it holds no
// word at all. Each merge makes an edit larger, which can make the next
// island to the left small enough in turn; a stack handles that in one pass.
// The result is appended to out, which must not share memory with runs.
func (g *grouper) cleanup(runs, out []run) []run {
	for _, r := range runs {
		if n := len(out); n > 0 && !r.equal && !out[n-1].equal {
			out[n-1].a1, out[n-1].b1 = r.a1, r.b1
		} else {
			out = append(out, r)
		}
		for len(out) >= 3 {
			n := len(out)
			before, island, after := out[n-3], out[n-2], out[n-1]
			if before.equal || !island.equal || after.equal || !g.absorb(before, island, after) {
				break
			}
			out = out[:n-3]
			out = append(out, run{before.a0, after.a1, before.b0, after.b1, false})
		}
	}
	return out
}

func (g *grouper) absorb(before, island, after run) bool {
	hasWord := false
	for _, t := range g.a[island.a0:island.a1] {
		if t.kind == tokWord {
			hasWord = true
			break
		}
	}
	if !hasWord {
		return true
	}
	n := g.ra[island.a1] - g.ra[island.a0]
	return n <= g.editSize(before) && n <= g.editSize(after)
}

func (g *grouper) editSize(r run) int {
	return max(g.ra[r.a1]-g.ra[r.a0], g.rb[r.b1]-g.rb[r.b0])
}

// spans turns runs into spans whose texts are substrings of old and new
// (the tokens of a run are contiguous in their text).
func (g *grouper) spans(runs []run) []Span {
	out := make([]Span, 0, len(runs)+len(runs)/2)
	add := func(op string, text string, offs []int, i0, i1 int) {
		if i0 < i1 {
			out = append(out, Span{op, text[offs[i0]:offs[i1]]})
		}
	}
	for _, r := range runs {
		if r.equal {
			add(SpanEqual, g.old, g.ba, r.a0, r.a1)
			continue
		}
		add(SpanDelete, g.old, g.ba, r.a0, r.a1)
		add(SpanInsert, g.new, g.bb, r.b0, r.b1)
	}
	return out
}
