package article

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The page's visible text travels with each capture (Capture.PageText):
// the text a reader could see anywhere on the page, not only in the
// article the extractor found. An extractor that, after a redesign, keeps
// only part of the body, or a template that exposes text the old page
// showed elsewhere, would otherwise read as paragraphs removed or added.
// The store does not keep the text itself but a PageDigest of it: enough
// to tell whether a block's text was on the page, in under two bytes per
// three-word shingle.

// MaxPageTextBytes bounds a capture's page text (UTF-8 bytes). Of the
// real article pages in shared/testdata, the page with the most visible
// text holds about 60 KiB; this leaves more than ten times that. The
// extension cuts the text it sends at this limit, and the daemon cuts what
// it fetches (FitPageText).
const MaxPageTextBytes = 1 << 20

// FitPageText cuts a page's text to MaxPageTextBytes, at a character
// boundary.
func FitPageText(s string) string {
	if len(s) <= MaxPageTextBytes {
		return s
	}
	return cutText(s, MaxPageTextBytes)
}

// shingleWords is how many words make one shingle: three words in a row
// seldom recur by chance in another paragraph, and a text of three words
// can be found at all.
const shingleWords = 3

// digestSpare is how many bits a digest's hashes keep beyond what tells
// its shingles apart: a shingle that is not on the page is taken for one
// that is once in 2^digestSpare.
const digestSpare = 12

// digestFormat is the first byte of an encoded PageDigest.
const digestFormat = 1

// PageDigest is what Redline keeps of a page's visible text: the hashes
// of the page's three-word shingles that are not in the version's own
// article (its title, byline and blocks: those are kept with the version
// and checked from there), and of the pairs of capitalised words in a row
// on the page (names, for bylines), each truncated to Bits bits, sorted,
// without repeats. Encode writes it in about 14 bits a hash. Words are compared in lower case without accents.
type PageDigest struct {
	Bits    uint8
	Shingle []uint32
	Names   []uint32
}

// DigestPage makes the digest of a page's visible text for a version
// whose article is c.
func DigestPage(text string, c Content) *PageDigest {
	own := map[uint64]struct{}{}
	for _, s := range append([]string{c.Title, c.Byline}, blockTexts(c.Blocks)...) {
		for _, h := range Shingles(s) {
			own[h] = struct{}{}
		}
	}
	all := Shingles(text)
	shingles := all[:0]
	for _, h := range all {
		if _, ok := own[h]; !ok {
			shingles = append(shingles, h)
		}
	}
	names := nameHashes(text)
	n := max(len(shingles), len(names), 1)
	d := &PageDigest{Bits: uint8(min(32, max(16, bits.Len(uint(n))+digestSpare)))}
	d.Shingle = truncateHashes(shingles, d.Bits)
	d.Names = truncateHashes(names, d.Bits)
	return d
}

func blockTexts(bs []Block) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.Text
	}
	return out
}

func truncateHashes(hs []uint64, b uint8) []uint32 {
	out := make([]uint32, len(hs))
	for i, h := range hs {
		out[i] = uint32(h >> (64 - b))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Has reports whether the page held the shingle whose full hash is h.
func (d *PageDigest) Has(h uint64) bool {
	_, ok := slices.BinarySearch(d.Shingle, uint32(h>>(64-d.Bits)))
	return ok
}

// HasName reports whether the page showed the name whose words (in any
// case, with or without accents, initials left out) are given: each pair
// of its words in a row was a pair of capitalised words on the page.
func (d *PageDigest) HasName(words []string) bool {
	if len(words) < 2 {
		return false
	}
	for i := 1; i < len(words); i++ {
		h := pairHash(wordHash(words[i-1]), wordHash(words[i]))
		if _, ok := slices.BinarySearch(d.Names, uint32(h>>(64-d.Bits))); !ok {
			return false
		}
	}
	return true
}

// Encode writes the digest compactly: format, bits, the number of each
// kind of hash and the Rice parameter of each list, then each sorted list
// as the gaps between its hashes, Rice-coded: a gap's high part in unary
// (that many 1 bits, then a 0), its low k bits as they are, most
// significant bit first, the last byte padded with 0 bits. With hashes
// spread over 2^12 times their number, k is about 12 and a gap takes
// about 14 bits (measured on real pages: BenchmarkPageDigest).
func (d *PageDigest) Encode() []byte {
	out := make([]byte, 0, 8+2*(len(d.Shingle)+len(d.Names)))
	out = append(out, digestFormat, d.Bits)
	out = binary.AppendUvarint(out, uint64(len(d.Shingle)))
	out = binary.AppendUvarint(out, uint64(len(d.Names)))
	lists := [][]uint32{d.Shingle, d.Names}
	var ks [2]uint8
	for i, list := range lists {
		ks[i] = riceParameter(d.Bits, len(list))
		out = append(out, ks[i])
	}
	w := bitWriter{out: out}
	for i, list := range lists {
		prev := uint32(0)
		for _, h := range list {
			w.rice(uint64(h-prev), ks[i])
			prev = h
		}
	}
	return w.bytes()
}

// riceParameter is the k that codes the gaps of n hashes of b bits best:
// the logarithm of their mean gap.
func riceParameter(b uint8, n int) uint8 {
	return uint8(max(0, int(b)-bits.Len(uint(max(n, 1)))))
}

type bitWriter struct {
	out  []byte
	acc  uint8
	used uint8 // bits of acc filled, from the top
}

func (w *bitWriter) bit(b uint8) {
	w.acc |= b << (7 - w.used)
	if w.used++; w.used == 8 {
		w.out = append(w.out, w.acc)
		w.acc, w.used = 0, 0
	}
}

func (w *bitWriter) rice(v uint64, k uint8) {
	for q := v >> k; q > 0; q-- {
		w.bit(1)
	}
	w.bit(0)
	for i := int(k) - 1; i >= 0; i-- {
		w.bit(uint8(v>>i) & 1)
	}
}

func (w *bitWriter) bytes() []byte {
	if w.used > 0 {
		w.out = append(w.out, w.acc)
	}
	return w.out
}

type bitReader struct {
	b   []byte
	pos int // in bits
}

func (r *bitReader) bit() (uint64, bool) {
	if r.pos >= 8*len(r.b) {
		return 0, false
	}
	v := uint64(r.b[r.pos/8]>>(7-r.pos%8)) & 1
	r.pos++
	return v, true
}

// rice reads one Rice-coded value below limit.
func (r *bitReader) rice(k uint8, limit uint64) (uint64, bool) {
	q := uint64(0)
	for {
		b, ok := r.bit()
		if !ok {
			return 0, false
		}
		if b == 0 {
			break
		}
		if q++; q<<k >= limit {
			return 0, false
		}
	}
	v := q << k
	for i := int(k) - 1; i >= 0; i-- {
		b, ok := r.bit()
		if !ok {
			return 0, false
		}
		v |= b << i
	}
	return v, v < limit
}

// errBadDigest means stored digest bytes do not decode.
var errBadDigest = errors.New("page digest is damaged")

// DecodePageDigest reads what Encode wrote.
func DecodePageDigest(b []byte) (*PageDigest, error) {
	if len(b) < 2 || b[0] != digestFormat || b[1] < 16 || b[1] > 32 {
		return nil, errBadDigest
	}
	d := &PageDigest{Bits: b[1]}
	b = b[2:]
	var counts [2]uint64
	for i := range counts {
		n, k := binary.Uvarint(b)
		// A hash takes at least one bit.
		if k <= 0 || n > 8*uint64(len(b)) {
			return nil, errBadDigest
		}
		counts[i], b = n, b[k:]
	}
	if len(b) < 2 || b[0] != riceParameter(d.Bits, int(counts[0])) || b[1] != riceParameter(d.Bits, int(counts[1])) {
		return nil, errBadDigest
	}
	ks := [2]uint8{b[0], b[1]}
	r := bitReader{b: b[2:]}
	limit := uint64(1) << d.Bits
	for i, dst := range []*[]uint32{&d.Shingle, &d.Names} {
		list := make([]uint32, 0, counts[i])
		prev := uint64(0)
		for range counts[i] {
			gap, ok := r.rice(ks[i], limit)
			if !ok || prev+gap >= limit || (len(list) > 0 && gap == 0) {
				return nil, errBadDigest
			}
			prev += gap
			list = append(list, uint32(prev))
		}
		*dst = list
	}
	// Only the padding of the last byte may be left, all 0 bits.
	if rest := 8*len(r.b) - r.pos; rest >= 8 {
		return nil, errBadDigest
	}
	for {
		v, ok := r.bit()
		if !ok {
			break
		}
		if v != 0 {
			return nil, errBadDigest
		}
	}
	return d, nil
}

// Shingles returns the hashes of a text's three-word shingles, in order
// (a text of fewer than three words has none).
func Shingles(text string) []uint64 {
	var out []uint64
	var w [shingleWords]uint64
	n := 0
	pageWords(text, func(word string, _ bool) {
		w[0], w[1] = w[1], w[2]
		w[shingleWords-1] = wordHash(word)
		if n++; n >= shingleWords {
			out = append(out, mix(mix(w[0]*0x9E3779B97F4A7C15^w[1])*0x9E3779B97F4A7C15^w[2]))
		}
	})
	return out
}

// nameHashes returns the hashes of the pairs of capitalised words in a
// row in text, leaving out initials ("Jane M. Doe" gives "jane doe").
func nameHashes(text string) []uint64 {
	var out []uint64
	var prev uint64
	run := false
	pageWords(text, func(word string, capital bool) {
		switch {
		case !capital:
			run = false
		case utf8.RuneCountInString(word) == 1:
			// An initial: the run goes on past it.
		default:
			h := wordHash(word)
			if run {
				out = append(out, pairHash(prev, h))
			}
			prev, run = h, true
		}
	})
	return out
}

func pairHash(a, b uint64) uint64 { return mix(a*0x9E3779B97F4A7C15 ^ b ^ 0x5bd1e995) }

// pageWords calls f with each word of text and whether it
// started with a capital letter. A word is a run of letters, marks and
// digits; a character of a script written without spaces is a word of its
// own.
func pageWords(text string, f func(word string, capital bool)) {
	start := -1
	flush := func(end int) {
		if start >= 0 {
			w := text[start:end]
			r, _ := utf8.DecodeRuneInString(w)
			f(w, unicode.IsUpper(r))
			start = -1
		}
	}
	for i, r := range text {
		switch {
		case unspacedScript(r):
			flush(i)
			start = i
			flush(i + utf8.RuneLen(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if start < 0 {
				start = i
			}
		default:
			flush(i)
		}
	}
	flush(len(text))
}

func unspacedScript(r rune) bool {
	return r >= 0x2E80 && (unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar))
}

// FoldWord is a word in lower case without accents: "JOSÉ" → "jose".
func FoldWord(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(w)
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(w) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return norm.NFC.String(b.String())
}

// wordHash is FNV-1a of a word in lower case without accents
// (FoldWord), mixed. An ASCII word is folded as it is hashed.
func wordHash(w string) uint64 {
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			w = FoldWord(w)
			break
		}
	}
	h := uint64(14695981039346656037)
	for i := 0; i < len(w); i++ {
		c := w[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h ^= uint64(c)
		h *= 1099511628211
	}
	return mix(h)
}

// mix is a 64-bit finaliser: every bit of the input moves every bit of
// the output.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
