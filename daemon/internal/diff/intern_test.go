package diff

import (
	"fmt"
	"testing"
)

// TestInternerNumbersDistinctStrings checks that the interner gives each
// distinct string its own number in the order first seen, and the same
// number when it comes again: short strings that make the same number of
// their bytes ("a" and "a\x00"), words of eight bytes and longer ones,
// past the size the table was made for.
func TestInternerNumbersDistinctStrings(t *testing.T) {
	var in interner
	in.reset(4)
	strs := []string{"", "a", "a\x00", "a\x00\x00", "ab", "ba", "12345678", "123456789", "\x00"}
	for i := range 3000 { // the table grows several times
		strs = append(strs, fmt.Sprintf("w%d", i), fmt.Sprintf("a longer word %d", i))
	}
	for round := range 2 {
		for want, s := range strs {
			if got := in.id(s); got != int32(want) {
				t.Fatalf("round %d: %q numbered %d, want %d", round, s, got, want)
			}
		}
	}
	if in.len() != len(strs) {
		t.Fatalf("%d strings numbered, want %d", in.len(), len(strs))
	}
}
