package diff

import (
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
)

var internSeed = maphash.MakeSeed()

// internMul is the random odd multiplier that places strings of at most
// eight bytes (most words): their bytes make one number, multiplied by it,
// whose top bits pick the slot. For any two different numbers the chance
// that they share a slot is at most two in the table's size, whatever the
// text, and it costs far less than hashing the bytes.
var internMul = rand.Uint64() | 1

// interner numbers distinct strings 0, 1, 2… in the order they are first
// seen, so the numbers never depend on the hash. One is reused for every
// text of a comparison: reset keeps its memory. One-byte strings (spaces,
// punctuation), about half the tokens of prose, are looked up in a table.
type interner struct {
	slots []int32    // id+1 of the string hashed to each slot, 0 when empty; a power of two long
	shift uint       // 64 less the number of bits of a slot's index
	strs  []string   // by id
	short [256]int32 // id+1 of each one-byte string, 0 when not seen
}

// reset empties the interner, with room for about n distinct strings.
func (t *interner) reset(n int) {
	size := 16
	for size < 2*n {
		size <<= 1
	}
	t.shift = uint(64 - bits.TrailingZeros(uint(size)))
	if cap(t.slots) < size {
		t.slots = make([]int32, size)
	} else {
		// A table sized for a long text earlier serves a short one at
		// the short one's size: clearing costs what the text needs.
		t.slots = t.slots[:size]
		clear(t.slots)
	}
	t.release()
	if cap(t.strs) < n {
		t.strs = make([]string, 0, n)
	}
	t.strs = t.strs[:0]
}

// len is the number of distinct strings seen since reset.
func (t *interner) len() int { return len(t.strs) }

// id returns the number of s, giving it the next one if it is new.
func (t *interner) id(s string) int32 {
	if len(s) == 1 {
		if v := t.short[s[0]]; v != 0 {
			return v - 1
		}
		id := int32(len(t.strs))
		t.strs = append(t.strs, s)
		t.short[s[0]] = id + 1
		return id
	}
	if len(t.slots) == 0 {
		t.reset(0)
	}
	mask := uint64(len(t.slots) - 1)
	k := t.slot(s)
	for {
		v := t.slots[k]
		if v == 0 {
			break
		}
		if t.strs[v-1] == s {
			return v - 1
		}
		k = (k + 1) & mask
	}
	id := int32(len(t.strs))
	t.strs = append(t.strs, s)
	t.slots[k] = id + 1
	if 2*len(t.strs) > len(t.slots) {
		t.grow()
	}
	return id
}

// slot returns the slot where the search for s starts.
func (t *interner) slot(s string) uint64 {
	if len(s) > 8 {
		return maphash.String(internSeed, s) & uint64(len(t.slots)-1)
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		n |= uint64(s[i]) << (8 * i)
	}
	return (n * internMul) >> t.shift
}

// grow doubles the table and places every string again (hashing it
// again: the table is sized at reset, so this is rare).
func (t *interner) grow() {
	t.slots = make([]int32, 2*len(t.slots))
	t.shift--
	mask := uint64(len(t.slots) - 1)
	for id, s := range t.strs {
		if len(s) == 1 {
			continue
		}
		k := t.slot(s)
		for t.slots[k] != 0 {
			k = (k + 1) & mask
		}
		t.slots[k] = int32(id) + 1
	}
}

// release forgets every string, so that a pooled interner keeps no text
// alive, and leaves it empty.
func (t *interner) release() {
	for _, s := range t.strs {
		if len(s) == 1 {
			t.short[s[0]] = 0
		}
	}
	clear(t.strs)
	t.strs = t.strs[:0]
}
