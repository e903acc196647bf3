package diff

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenKind says what a token of text is. Words carry meaning; spaces and
// punctuation are kept as their own tokens so that every diff concatenates
// back to the exact text it came from.
type tokenKind uint8

const (
	tokSpace tokenKind = iota
	tokPunct
	tokWord
)

type token struct {
	text string
	kind tokenKind
}

// tokenize splits s into words, runs of whitespace and single punctuation
// marks. The tokens are substrings of s and concatenate back to s exactly,
// even when s is not valid UTF-8.
//
// A word is a run of letters, marks and digits. An apostrophe inside a word
// stays in it ("didn't", "Iran’s"), as does a zero-width joiner or
// non-joiner, and so do the separators inside a number ("1,234", "10:42",
// "2014-09-15", "3.5"). Scripts written without spaces between words
// (Chinese, Japanese, Thai and their neighbours) give one token per
// character, so that an edit there is shown as the characters that changed
// rather than the whole sentence.
func tokenize(s string) []token {
	return appendTokens(make([]token, 0, len(s)/2+1), s)
}

// appendTokens appends the tokens of s to toks.
func appendTokens(toks []token, s string) []token {
	for i := 0; i < len(s); {
		j, kind := nextToken(s, i)
		toks = append(toks, token{s[i:j], kind})
		i = j
	}
	return toks
}

// nextToken returns the end and kind of the token that starts at s[i].
func nextToken(s string, i int) (int, tokenKind) {
	r, w := utf8.DecodeRuneInString(s[i:])
	switch {
	case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'):
		return wordEnd(s, i), tokWord
	case r == ' ':
		j := i + 1
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j == len(s) || s[j] < utf8.RuneSelf && !asciiSpace(s[j]) {
			return j, tokSpace
		}
		fallthrough
	case unicode.IsSpace(r):
		j := i + w
		for j < len(s) {
			r2, w2 := utf8.DecodeRuneInString(s[j:])
			if r2 == utf8.RuneError && w2 <= 1 || !unicode.IsSpace(r2) {
				break
			}
			j += w2
		}
		return j, tokSpace
	case r < utf8.RuneSelf:
		// Any other ASCII character is a punctuation mark (the cases
		// below would say so too, more slowly).
		return i + 1, tokPunct
	case r == utf8.RuneError && w <= 1:
		return i + 1, tokPunct
	case unspaced(r):
		j := i + w
		for j < len(s) {
			r2, w2 := utf8.DecodeRuneInString(s[j:])
			if r2 == utf8.RuneError && w2 <= 1 || !unicode.IsMark(r2) {
				break
			}
			j += w2
		}
		return j, tokWord
	case wordRune(r):
		return wordEnd(s, i), tokWord
	}
	return i + w, tokPunct
}

func asciiAlnum(c byte) bool { return alnumByte[c] }

// Classes of bytes, for the fast path of word lists: an ASCII letter or
// digit, and an ASCII capital.
const (
	classAlnum uint8 = 1 << iota
	classUpper
)

// byteClass gives the classes of each byte; 0 for any other byte.
var byteClass = func() (t [256]uint8) {
	for c := range t {
		if alnumByte[c] {
			t[c] |= classAlnum
		}
		if c >= 'A' && c <= 'Z' {
			t[c] |= classUpper
		}
	}
	return t
}()

// alnumByte marks the bytes that are ASCII letters and digits.
var alnumByte = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	return t
}()

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// wordEnd returns the end of the word that starts at s[i].
func wordEnd(s string, i int) int {
	prev, w := utf8.DecodeRuneInString(s[i:])
	j := i + w
	for j < len(s) {
		if c := s[j]; c < utf8.RuneSelf {
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
				prev = rune(c)
				j++
				continue
			}
			if !connector(rune(c)) || connectorEnds(s, j, unicode.IsDigit(prev)) {
				break
			}
		}
		r, w := utf8.DecodeRuneInString(s[j:])
		if r == utf8.RuneError && w <= 1 {
			break
		}
		if wordRune(r) && !unspaced(r) {
			prev = r
			j += w
			continue
		}
		if !connector(r) || j+w >= len(s) {
			break
		}
		next, nw := utf8.DecodeRuneInString(s[j+w:])
		if next == utf8.RuneError && nw <= 1 {
			break
		}
		switch {
		case joiner(r) && wordRune(next) && !unspaced(next):
		case isApostrophe(r) && wordRune(prev) && unicode.IsLetter(next) && !unspaced(next):
		case numberSeparator(r) && unicode.IsDigit(prev) && unicode.IsDigit(next):
		default:
			return j
		}
		prev = next
		j += w + nw
	}
	return j
}

// connectorEnds reports whether a word ends before s[j], an ASCII
// connector, when an ASCII byte (or nothing) follows it: an apostrophe
// joins only a letter, a number separator only a digit to a digit (prev
// says whether the word's last character is one). It reports false when
// it cannot tell from ASCII alone; wordEnd's general path decides then.
func connectorEnds(s string, j int, prevDigit bool) bool {
	if j+1 == len(s) {
		return true
	}
	n := s[j+1]
	if n >= utf8.RuneSelf {
		return false
	}
	if s[j] == '\'' {
		return !(n >= 'a' && n <= 'z' || n >= 'A' && n <= 'Z')
	}
	return !(prevDigit && n >= '0' && n <= '9')
}

func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// unspaced reports whether r belongs to a script that does not put spaces
// between words.
func unspaced(r rune) bool {
	if r < 0x0E00 {
		return false
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana,
		unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar, unicode.Tibetan, unicode.Yi)
}

func connector(r rune) bool { return isApostrophe(r) || numberSeparator(r) || joiner(r) }

// joiner reports whether r is a zero-width joiner or non-joiner, which
// shape Persian, Arabic and Indic words from inside them.
func joiner(r rune) bool { return r == '\u200c' || r == '\u200d' }

func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' }

func numberSeparator(r rune) bool {
	return r == '.' || r == ',' || r == ':' || r == '/' || r == '-'
}

// words returns the word tokens of s in their canonical form: lower case,
// with typographic apostrophes made straight. Two texts with the same
// canonical words differ only in case, whitespace, punctuation or quote
// style.
func words(s string) []string {
	return appendWords(make([]string, 0, len(s)/6+1), s)
}

func appendWords(dst []string, s string) []string {
	return appendWordsLowering(dst, s, nil)
}

// appendWordsLowering is appendWords; when lower is set, an ASCII word
// with capitals is lowered into it rather than into a string of its own,
// so that many words cost one allocation. What lower holds is never
// changed, only added to, so the words stay valid.
func appendWordsLowering(dst []string, s string, lower *strings.Builder) []string {
	for i := 0; i < len(s); {
		// Most text is ASCII: a byte that is not a letter or digit starts
		// no word (spaces and punctuation are tokens of their own), and a
		// run of letters and digits followed by a byte that cannot join a
		// word is one. Anything else takes the general path.
		if c := s[i]; c < utf8.RuneSelf {
			if !asciiAlnum(c) {
				i++
				continue
			}
			j, class := i+1, byteClass[c]
			for j < len(s) {
				k := byteClass[s[j]]
				if k == 0 {
					break
				}
				class |= k
				j++
			}
			if j == len(s) || s[j] < utf8.RuneSelf && (!connector(rune(s[j])) || connectorEnds(s, j, s[j-1] >= '0' && s[j-1] <= '9')) {
				if class&classUpper != 0 {
					dst = append(dst, lowerASCII(s[i:j], lower))
				} else {
					dst = append(dst, s[i:j])
				}
				i = j
				continue
			}
		}
		j, kind := nextToken(s, i)
		if kind == tokWord {
			dst = append(dst, canonicalInto(s[i:j], lower))
		}
		i = j
	}
	return dst
}

// canonicalInto is canonicalWord, lowering an ASCII word into lower when
// it is set.
func canonicalInto(w string, lower *strings.Builder) string {
	upper := false
	for k := 0; k < len(w); k++ {
		c := w[k]
		if c >= utf8.RuneSelf {
			if lower == nil || !utf8.ValidString(w) {
				return canonicalWord(w)
			}
			return foldInto(w, lower)
		}
		upper = upper || c >= 'A' && c <= 'Z'
	}
	if !upper {
		return w
	}
	return lowerASCII(w, lower)
}

// foldInto is canonicalWord for a word of valid UTF-8 that is not all
// ASCII: when its canonical form differs from it, that form is written
// into lower rather than into a string of its own. Each rune is lowered
// as strings.ToLower lowers it, then a typographic apostrophe is made
// straight, as canonicalWord does.
func foldInto(w string, lower *strings.Builder) string {
	fold := func(r rune) rune {
		r = unicode.ToLower(r)
		if r == '’' || r == 'ʼ' {
			r = '\''
		}
		return r
	}
	same := true
	for _, r := range w {
		if fold(r) != r {
			same = false
			break
		}
	}
	if same {
		return w
	}
	// A lowered rune takes at most half as many bytes again.
	if lower.Cap()-lower.Len() < 2*len(w) {
		next := max(min(2*lower.Cap(), lowerChunk), 64, 2*len(w))
		*lower = strings.Builder{}
		lower.Grow(next)
	}
	start := lower.Len()
	for _, r := range w {
		lower.WriteRune(fold(r))
	}
	return lower.String()[start:]
}

// lowerASCII lowers an ASCII word with capitals: into lower when it is
// set, so that many words share one allocation.
func lowerASCII(w string, lower *strings.Builder) string {
	if lower == nil {
		return strings.ToLower(w)
	}
	if lower.Cap()-lower.Len() < len(w) {
		// A new buffer rather than a larger copy of this one: the words
		// already lowered keep the old one, and nothing is copied. Each
		// is twice the last, up to lowerChunk.
		next := max(min(2*lower.Cap(), lowerChunk), 64, len(w))
		*lower = strings.Builder{}
		lower.Grow(next)
	}
	start := lower.Len()
	for k := 0; k < len(w); k++ {
		c := w[k]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower.WriteByte(c)
	}
	return lower.String()[start:]
}

// lowerChunk is the most bytes a buffer of lowered words takes at once.
const lowerChunk = 8 << 10

// apostrophes straightens the apostrophes of a word; built once, as a
// replacer compiles its table when made.
var apostrophes = strings.NewReplacer("’", "'", "ʼ", "'")

func canonicalWord(w string) string {
	lower := true
	for k := 0; k < len(w); k++ {
		if c := w[k]; c >= utf8.RuneSelf || c >= 'A' && c <= 'Z' {
			lower = false
			break
		}
	}
	if lower {
		return w
	}
	w = strings.ToLower(w)
	if strings.ContainsAny(w, "’ʼ") {
		w = apostrophes.Replace(w)
	}
	return w
}

// countWords counts the words of s; a character of an unspaced script
// counts as one word.
func countWords(s string) int {
	n := 0
	for i := 0; i < len(s); {
		j, kind := nextToken(s, i)
		if kind == tokWord {
			n++
		}
		i = j
	}
	return n
}
