package diff

import "sort"

// The alignment of blocks and of words both reduce to one problem: given two
// sequences of small integers (interned texts), find a long common
// subsequence. The shortest-edit-script search used here finds the longest
// one in time proportional to (N+M)·D, where D is the number of edits, and
// in linear space. D is small for real edits but approaches N+M for
// unrelated texts, so every search draws on a work budget; when it runs out
// the remaining region is aligned on elements that occur exactly once on
// each side (a cheap, good, but not always longest, answer) and the rest of
// it is reported as replaced. Results are deterministic: the budget counts
// steps, never time.

// workBudget is the number of search steps (diagonals visited) one
// comparison may spend on aligning blocks, and again on diffing words. It
// bounds the worst case (two long unrelated texts) to a few milliseconds.
// Following a run of equal elements is not counted: it costs at most the
// length of the input per level of the divide and conquer.
const workBudget = 300_000

// fallbackDepth bounds the recursion of the unique-element alignment.
const fallbackDepth = 6

type matcher struct {
	a, b   []int32
	vocab  int
	budget *int
	ai, bj []int32 // matched pairs, increasing in both
	sc     *lcsScratch
}

// commonSubsequence returns index pairs (ai[k], bj[k]) with a[ai[k]] ==
// b[bj[k]], increasing in both indices. vocab is one more than the largest
// value in a or b.
func commonSubsequence(a, b []int32, vocab int, budget *int) (ai, bj []int32) {
	return new(lcsScratch).commonSubsequence(a, b, vocab, budget)
}

// lcsScratch is the working memory of commonSubsequence, reused from one
// call to the next of a comparison. What a call returns lives in it, valid
// until the next call.
type lcsScratch struct {
	ai, bj         []int32 // the answer
	subAi, subBj   []int32 // the answer on the reduced sequences
	inA, inB       []bool
	ra, rb, ma, mb []int32
	vf, vb         []int
	// For unique: zero between uses.
	countA, countB, posB []int32
}

// commonSubsequence is the function of that name, in sc's memory.
func (sc *lcsScratch) commonSubsequence(a, b []int32, vocab int, budget *int) (ai, bj []int32) {
	// At most min(len(a), len(b)) pairs: room for them all at once.
	n := min(len(a), len(b))
	m := &matcher{a: a, b: b, vocab: vocab, budget: budget, ai: room(sc.ai, n), bj: room(sc.bj, n), sc: sc}
	a0, a1, b0, b1 := 0, len(a), 0, len(b)
	for a0 < a1 && b0 < b1 && a[a0] == b[b0] {
		m.emit(a0, b0)
		a0++
		b0++
	}
	s := 0
	for a1-s > a0 && b1-s > b0 && a[a1-1-s] == b[b1-1-s] {
		s++
	}
	a1 -= s
	b1 -= s
	if a0 < a1 && b0 < b1 {
		m.middle(a0, a1, b0, b1, vocab)
	}
	for k := 0; k < s; k++ {
		m.emit(a1+k, b1+k)
	}
	sc.ai, sc.bj = m.ai, m.bj
	return m.ai, m.bj
}

func (m *matcher) emit(i, j int) {
	m.ai = append(m.ai, int32(i))
	m.bj = append(m.bj, int32(j))
}

// middle aligns a[a0:a1] with b[b0:b1] after dropping the elements that
// occur on one side only: they can never be part of a common subsequence,
// and in unrelated texts they are nearly all of them.
func (m *matcher) middle(a0, a1, b0, b1, vocab int) {
	sc := m.sc
	sc.inA, sc.inB = zeroed(sc.inA, vocab), zeroed(sc.inB, vocab)
	inA, inB := sc.inA, sc.inB
	for _, v := range m.a[a0:a1] {
		inA[v] = true
	}
	for _, v := range m.b[b0:b1] {
		inB[v] = true
	}
	ra := room(sc.ra, a1-a0) // reduced sequences
	rb := room(sc.rb, b1-b0)
	ma := room(sc.ma, a1-a0) // their positions in a and b
	mb := room(sc.mb, b1-b0)
	for i := a0; i < a1; i++ {
		if inB[m.a[i]] {
			ra = append(ra, m.a[i])
			ma = append(ma, int32(i))
		}
	}
	for j := b0; j < b1; j++ {
		if inA[m.b[j]] {
			rb = append(rb, m.b[j])
			mb = append(mb, int32(j))
		}
	}
	sc.ra, sc.rb, sc.ma, sc.mb = ra, rb, ma, mb
	if len(ra) == 0 || len(rb) == 0 {
		return
	}
	n := min(len(ra), len(rb))
	sub := &matcher{a: ra, b: rb, vocab: vocab, budget: m.budget, ai: room(sc.subAi, n), bj: room(sc.subBj, n), sc: sc}
	sub.align(0, len(ra), 0, len(rb))
	sc.subAi, sc.subBj = sub.ai, sub.bj
	for k := range sub.ai {
		m.emit(int(ma[sub.ai[k]]), int(mb[sub.bj[k]]))
	}
}

// zeroed returns s with n elements, all zero.
func zeroed[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// align finds a longest common subsequence of a[a0:a1] and b[b0:b1] by
// divide and conquer on the middle of the shortest edit path, emitting the
// pairs in order.
func (m *matcher) align(a0, a1, b0, b1 int) {
	for a0 < a1 && b0 < b1 && m.a[a0] == m.b[b0] {
		m.emit(a0, b0)
		a0++
		b0++
	}
	s := 0
	for a1-s > a0 && b1-s > b0 && m.a[a1-1-s] == m.b[b1-1-s] {
		s++
	}
	a1 -= s
	b1 -= s
	if a0 < a1 && b0 < b1 {
		x, y, ok := m.split(a0, a1, b0, b1)
		switch {
		case !ok:
			m.unique(a0, a1, b0, b1, 0)
		case x == a0 && y == b0 || x == a1 && y == b1:
			// No progress is possible; cannot happen for a correct split,
			// but never recurse forever.
		default:
			m.align(a0, x, b0, y)
			m.align(x, a1, y, b1)
		}
	}
	for k := 0; k < s; k++ {
		m.emit(a1+k, b1+k)
	}
}

// split searches the shortest edit path from both ends at once and returns
// a point on it where the two searches meet. ok is false when the budget ran
// out or the sequences share nothing.
func (m *matcher) split(a0, a1, b0, b1 int) (x, y int, ok bool) {
	n, mm := a1-a0, b1-b0
	maxD := (n + mm + 1) / 2
	size := 2*maxD + 2
	if cap(m.sc.vf) < size {
		m.sc.vf = make([]int, size)
		m.sc.vb = make([]int, size)
	}
	vf, vb := m.sc.vf[:size], m.sc.vb[:size]
	for i := range vf {
		vf[i] = -1
		vb[i] = -1
	}
	off := maxD
	vf[off+1] = 0
	vb[off+1] = 0
	delta := n - mm
	odd := delta%2 != 0
	// Diagonals that ran off the grid are skipped from then on.
	fStart, fEnd, bStart, bEnd := 0, 0, 0, 0
	for d := 0; d < maxD; d++ {
		*m.budget -= 2*d + 2
		if *m.budget < 0 {
			return 0, 0, false
		}
		for k := -d + fStart; k <= d-fEnd; k += 2 {
			ko := off + k
			var px int
			if k == -d || k != d && vf[ko-1] < vf[ko+1] {
				px = vf[ko+1]
			} else {
				px = vf[ko-1] + 1
			}
			py := px - k
			for px < n && py < mm && m.a[a0+px] == m.b[b0+py] {
				px++
				py++
			}
			vf[ko] = px
			switch {
			case px > n:
				fEnd += 2
			case py > mm:
				fStart += 2
			case odd:
				kb := off + delta - k
				if kb >= 0 && kb < size && vb[kb] != -1 && px >= n-vb[kb] {
					return a0 + px, b0 + py, true
				}
			}
		}
		for k := -d + bStart; k <= d-bEnd; k += 2 {
			ko := off + k
			var px int
			if k == -d || k != d && vb[ko-1] < vb[ko+1] {
				px = vb[ko+1]
			} else {
				px = vb[ko-1] + 1
			}
			py := px - k
			for px < n && py < mm && m.a[a1-1-px] == m.b[b1-1-py] {
				px++
				py++
			}
			vb[ko] = px
			switch {
			case px > n:
				bEnd += 2
			case py > mm:
				bStart += 2
			case !odd:
				kf := off + delta - k
				if kf >= 0 && kf < size && vf[kf] != -1 {
					fx := vf[kf]
					fy := off + fx - kf
					if fx >= n-px {
						return a0 + fx, b0 + fy, true
					}
				}
			}
		}
	}
	return 0, 0, false
}

// unique aligns a[a0:a1] with b[b0:b1] on the elements that occur exactly
// once in each, keeping the longest run of them that is in the same order on
// both sides, then does the same inside each gap between them. It costs
// O(n log n) per level and never gives up: what it cannot align is reported
// as replaced.
func (m *matcher) unique(a0, a1, b0, b1, depth int) {
	for a0 < a1 && b0 < b1 && m.a[a0] == m.b[b0] {
		m.emit(a0, b0)
		a0++
		b0++
	}
	s := 0
	for a1-s > a0 && b1-s > b0 && m.a[a1-1-s] == m.b[b1-1-s] {
		s++
	}
	a1 -= s
	b1 -= s
	if a0 < a1 && b0 < b1 && depth < fallbackDepth {
		sc := m.sc
		if len(sc.countA) < m.vocab {
			sc.countA = make([]int32, m.vocab)
			sc.countB = make([]int32, m.vocab)
			sc.posB = make([]int32, m.vocab)
		}
		countA, countB, posB := sc.countA, sc.countB, sc.posB
		for i := a0; i < a1; i++ {
			countA[m.a[i]]++
		}
		for j := b0; j < b1; j++ {
			countB[m.b[j]]++
			posB[m.b[j]] = int32(j)
		}
		// Candidate anchors in the order of a; keep the longest run that
		// increases in b (patience sorting).
		var cand [][2]int32
		for i := a0; i < a1; i++ {
			if v := m.a[i]; countA[v] == 1 && countB[v] == 1 {
				cand = append(cand, [2]int32{int32(i), posB[v]})
			}
		}
		for i := a0; i < a1; i++ {
			countA[m.a[i]] = 0
		}
		for j := b0; j < b1; j++ {
			countB[m.b[j]] = 0
		}
		anchors := increasingRun(cand)
		pa, pb := a0, b0
		for _, p := range anchors {
			m.unique(pa, int(p[0]), pb, int(p[1]), depth+1)
			m.emit(int(p[0]), int(p[1]))
			pa, pb = int(p[0])+1, int(p[1])+1
		}
		if len(anchors) > 0 {
			m.unique(pa, a1, pb, b1, depth+1)
		}
	}
	for k := 0; k < s; k++ {
		m.emit(a1+k, b1+k)
	}
}

// increasingRun returns the longest subsequence of cand (ordered by the
// first element) whose second elements strictly increase.
func increasingRun(cand [][2]int32) [][2]int32 {
	if len(cand) == 0 {
		return nil
	}
	tails := []int{}               // index into cand of the smallest tail of each length
	prev := make([]int, len(cand)) // predecessor in the run ending here
	for i, c := range cand {
		k := sort.Search(len(tails), func(t int) bool { return cand[tails[t]][1] >= c[1] })
		if k > 0 {
			prev[i] = tails[k-1]
		} else {
			prev[i] = -1
		}
		if k == len(tails) {
			tails = append(tails, i)
		} else {
			tails[k] = i
		}
	}
	out := make([][2]int32, len(tails))
	for i, k := tails[len(tails)-1], len(tails)-1; k >= 0; i, k = prev[i], k-1 {
		out[k] = cand[i]
	}
	return out
}
