package diff

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the small built-in knowledge that lets a one-word edit
// count as substantive: correction notices, negations, antonyms and
// numbers.

// hasCorrection reports whether a block is, or contains, a correction or an
// editor's note. ws are the block's canonical words: a block without any of
// the words that start a notice is passed over quickly.
func hasCorrection(text string, ws []string) bool {
	if !slices.ContainsFunc(ws, isCorrectionWord) {
		return false
	}
	t := strings.ToLower(text)
	if strings.ContainsAny(t, quotesToStraighten) {
		// Replace copies the whole text even when it changes nothing.
		t = straightQuotes.Replace(t)
	}
	for _, p := range correctionPhrases {
		if strings.Contains(t, p) {
			return true
		}
	}
	// A label opening the block: "Correction — …", "CLARIFICATION. …",
	// "Rectificatif : …". Inside prose these words are ordinary nouns, so
	// elsewhere they count only when a colon follows them.
	// The tokens are read in one pass, without a list of them: a label
	// waits for the next token that is not a space.
	first := true
	label, labelFirst := false, false // the last word was a label; it was the first word
	for i := 0; i < len(t); {
		j, kind := nextToken(t, i)
		switch kind {
		case tokWord:
			label, labelFirst, first = correctionLabels[t[i:j]], first, false
		case tokPunct:
			if label && (t[i:j] == ":" || labelFirst) {
				return true
			}
			label = false
		}
		i = j
	}
	return label // a label that ends the block
}

var straightQuotes = strings.NewReplacer("’", "'", "‘", "'", "ʼ", "'", "\u00a0", " ")

// quotesToStraighten are the characters straightQuotes replaces.
const quotesToStraighten = "’‘ʼ\u00a0"

var correctionLabels = set(
	"correction", "corrections", "clarification", "clarifications", "erratum", "errata",
	"rectificatif", "rectification", "korrektur", "richtigstellung", "corrección",
	"aclaración", "rettifica", "correção", "correctie", "исправление", "поправка",
)

// isCorrectionWord reports whether w is one of correctionWords. Most
// words are told apart by their first byte and length alone, without
// hashing them.
func isCorrectionWord(w string) bool {
	if len(w) == 0 {
		return false
	}
	if len(w) < 32 && correctionShapes[w[0]]&(1<<len(w)) == 0 {
		return false
	}
	return correctionWords[w]
}

// correctionShapes has, for each first byte, bit n set when a word of
// correctionWords starts with that byte and is n bytes long (longer words
// than 31 bytes are always looked up).
var correctionShapes = func() (t [256]uint32) {
	for w := range correctionWords {
		if len(w) > 0 && len(w) < 32 {
			t[w[0]] |= 1 << len(w)
		}
	}
	return t
}()

// correctionWords holds every label and the longest word of every phrase:
// a block holding none of them holds no notice.
var correctionWords = func() map[string]bool {
	m := map[string]bool{}
	for w := range correctionLabels {
		m[w] = true
	}
	for _, p := range correctionPhrases {
		longest := ""
		for _, w := range words(p) {
			if len(w) > len(longest) {
				longest = w
			}
		}
		m[longest] = true
	}
	return m
}()

var correctionPhrases = []string{
	"correction:", "corrections:", "clarification:", "editor's note", "editors' note",
	"editors note", "note from the editor",
	"an earlier version of this", "a previous version of this", "an earlier version of the",
	"a previous version of the", "an earlier edition of this",
	"this article has been corrected", "this article was corrected",
	"this article has been updated to", "this article was updated to",
	"this article has been amended", "this article was amended",
	"this story has been corrected", "this story was corrected",
	"this story has been updated to", "this story was updated to",
	"this post has been corrected", "this post has been updated to",
	// French, German, Spanish, Italian, Portuguese.
	"note de la rédaction", "une version précédente de cet article",
	"une précédente version de cet article", "cet article a été corrigé",
	"anmerkung der redaktion", "in einer früheren version dieses artikels",
	"in einer früheren fassung dieses artikels", "dieser artikel wurde korrigiert",
	"fe de erratas", "nota del editor", "nota de la redacción",
	"una versión anterior de este artículo", "este artículo ha sido corregido",
	"nota della redazione", "errata corrige", "nota da redação", "nota do editor",
	"uma versão anterior deste artigo",
}

// negations are words whose insertion or removal flips a statement.
var negations = set(
	"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "cannot", "nowhere",
	"ne", "pas", "jamais", "rien", "aucun", "aucune", "guère", "nullement",
	"nicht", "nichts", "kein", "keine", "keinen", "keiner", "keinem", "keines", "nie", "niemals",
	"keineswegs", "keinesfalls", "weder",
	"nunca", "jamás", "nadie", "nada", "ningún", "ninguna", "ninguno", "tampoco",
	"non", "mai",
	"не", "нет", "никогда", "ни", "لا", "لم", "لن", "ليس", "नहीं", "न", "不", "没", "没有", "未", "無", "无",
)

// frenchPair are the words that, after "ne", make one French negation
// with it: "ne … pas", "n'a jamais".
var frenchPair = set("pas", "jamais", "rien", "aucun", "aucune", "guère", "nullement")

// negationCount counts the negations among words: "not", "never", "no",
// "didn't"; a French "ne … pas" counts once, as does a "pas" alone.
func negationCount(ws []string) int {
	n, ne, pair := 0, 0, 0
	for _, w := range ws {
		switch {
		case frenchNegation(w):
			ne++
		case frenchPair[w]:
			pair++
		case negations[w] || len(w) > 3 && strings.HasSuffix(w, "n't"):
			n++
		}
	}
	return n + max(ne, pair)
}

// auxiliaries may come and go with a negation: "said" → "did not say".
var auxiliaries = set(
	"do", "does", "did", "will", "would", "shall", "should", "can", "could", "may", "might",
	"must", "has", "have", "had", "is", "are", "was", "were", "be", "been",
)

// maxFlipWords is how many other words (not negations, not auxiliaries) an
// edit may change besides its negations for those to flip it: "said" →
// "did not say", "some" → "no".
const maxFlipWords = 2

// contractions are negated forms whose positive is not the form without
// "n't".
var contractions = map[string]string{
	"won't": "will", "can't": "can", "shan't": "shall", "ain't": "is", "cannot": "can",
}

// negatedPair reports whether one word is the negated form of the other:
// "didn't"/"did", "won't"/"will", "cannot"/"can".
func negatedPair(a, b string) bool {
	pos := func(w string) (string, bool) {
		if p, ok := contractions[w]; ok {
			return p, true
		}
		if strings.HasSuffix(w, "n't") && len(w) > 3 {
			return strings.TrimSuffix(w, "n't"), true
		}
		return "", false
	}
	if p, ok := pos(a); ok && p == b {
		return true
	}
	if p, ok := pos(b); ok && p == a {
		return true
	}
	return false
}

// antonymPairs are base forms; inflected forms are recognised by stripping
// common suffixes.
var antonymPairs = [][2]string{
	{"reluctant", "willing"}, {"unwilling", "willing"}, {"increase", "decrease"},
	{"rise", "fall"}, {"rose", "fell"}, {"risen", "fallen"}, {"guilty", "innocent"},
	{"approve", "reject"}, {"accept", "deny"}, {"accept", "reject"}, {"accept", "refuse"},
	{"confirm", "deny"}, {"admit", "deny"}, {"alive", "dead"}, {"win", "lose"}, {"won", "lost"},
	{"winner", "loser"}, {"victory", "defeat"}, {"before", "after"}, {"more", "less"},
	{"more", "fewer"}, {"most", "least"}, {"high", "low"}, {"higher", "lower"},
	{"highest", "lowest"}, {"up", "down"}, {"above", "below"}, {"over", "under"},
	{"true", "false"}, {"legal", "illegal"}, {"lawful", "unlawful"}, {"possible", "impossible"},
	{"likely", "unlikely"}, {"support", "oppose"}, {"agree", "disagree"}, {"allow", "ban"},
	{"allow", "forbid"}, {"allow", "prohibit"}, {"permit", "prohibit"}, {"include", "exclude"},
	{"open", "close"}, {"open", "closed"}, {"start", "stop"}, {"begin", "end"},
	{"succeed", "fail"}, {"success", "failure"}, {"pass", "fail"}, {"gain", "loss"},
	{"profit", "loss"}, {"strong", "weak"}, {"safe", "dangerous"}, {"safe", "unsafe"},
	{"friend", "enemy"}, {"ally", "enemy"}, {"always", "never"}, {"all", "none"},
	{"everyone", "nobody"}, {"everything", "nothing"}, {"first", "last"}, {"early", "late"},
	{"earlier", "later"}, {"minimum", "maximum"}, {"majority", "minority"},
	{"positive", "negative"}, {"acquit", "convict"}, {"arrest", "release"}, {"hire", "fire"},
	{"join", "leave"}, {"enter", "exit"}, {"import", "export"}, {"expand", "shrink"},
	{"grow", "shrink"}, {"love", "hate"}, {"praise", "criticize"}, {"praise", "condemn"},
	{"right", "wrong"}, {"correct", "incorrect"}, {"buy", "sell"}, {"bought", "sold"},
	{"present", "absent"}, {"with", "without"}, {"raise", "lower"}, {"add", "remove"},
	{"legal", "unlawful"}, {"valid", "invalid"}, {"able", "unable"}, {"known", "unknown"},
	{"aware", "unaware"}, {"armed", "unarmed"}, {"yes", "no"}, {"can", "cannot"},
	{"inside", "outside"}, {"peace", "war"}, {"rich", "poor"},
	{"full", "empty"}, {"maximum", "minimum"}, {"north", "south"}, {"east", "west"},
	{"left", "right"}, {"conservative", "liberal"}, {"democrat", "republican"},
	{"optimistic", "pessimistic"}, {"optimism", "pessimism"}, {"gained", "lost"},
	{"raised", "cut"}, {"boost", "cut"}, {"upgrade", "downgrade"}, {"surge", "plunge"},
	{"soar", "plunge"}, {"soar", "slump"}, {"encourage", "discourage"},
	{"honest", "dishonest"}, {"loyal", "disloyal"},
	// French, German, Spanish: a few of the most common.
	{"hausse", "baisse"}, {"coupable", "innocent"}, {"vrai", "faux"},
	{"steigen", "sinken"}, {"schuldig", "unschuldig"}, {"mehr", "weniger"},
	{"subir", "bajar"}, {"culpable", "inocente"}, {"más", "menos"},
}

var antonyms = func() map[string]map[string]bool {
	m := map[string]map[string]bool{}
	add := func(a, b string) {
		if m[a] == nil {
			m[a] = map[string]bool{}
		}
		m[a][b] = true
	}
	for _, p := range antonymPairs {
		add(p[0], p[1])
		add(p[1], p[0])
	}
	return m
}()

// maxStems is the most forms stems returns: the word, and for each of the
// ten suffixes a base, a replacement and a base without its doubled
// consonant.
const maxStems = 1 + 10*3

// stems returns the word and the base forms it may be an inflection of:
// "increased" → "increase", "denied" → "deny", "winning" → "win".
//
// The forms are appended to buf[:0] (room for all of them: no allocation
// but for the forms that add letters).
func stems(w string, buf []string) []string {
	out := append(buf[:0], w)
	strip := func(suffix string, repl ...string) {
		if !strings.HasSuffix(w, suffix) || len(w) <= len(suffix)+2 {
			return
		}
		base := strings.TrimSuffix(w, suffix)
		out = append(out, base)
		for _, r := range repl {
			out = append(out, base+r)
		}
		// Doubled final consonant: "winning" → "win", "stopped" → "stop".
		if n := len(base); n >= 2 && base[n-1] == base[n-2] && !strings.ContainsRune("aeiou", rune(base[n-1])) {
			out = append(out, base[:n-1])
		}
	}
	strip("ies", "y")
	strip("ied", "y")
	strip("ing", "e")
	strip("ed", "e")
	strip("es")
	strip("s")
	strip("d")
	strip("ly")
	strip("er")
	strip("est")
	return out
}

// opposite reports whether two words are antonyms, possibly inflected, or
// one is the other with a negating prefix ("unlikely", "non-binding").
func opposite(a, b string) bool {
	var bufA, bufB [maxStems]string
	for _, x := range stems(a, bufA[:]) {
		if m := antonyms[x]; m != nil {
			for _, y := range stems(b, bufB[:]) {
				if m[y] {
					return true
				}
			}
		}
	}
	for _, p := range []string{"un", "non"} {
		if len(b) >= 4 && a == p+b || len(a) >= 4 && b == p+a {
			return true
		}
	}
	return false
}

// flips reports whether an edit (the canonical words it removes and adds)
// turns a statement into its opposite: a negation appears or disappears,
// alone or in the place of up to two other words ("did say" → "did not
// say", "said" → "did not say", "some" → "no", "will" → "won't", "a dit"
// → "n'a pas dit"); or one word is replaced by its negated form, or by
// its antonym, alone or in a short rewording ("reluctant" → "willing",
// "still be prohibited" → "be allowed again").
func flips(del, ins []string) bool {
	removed, added := bagDifference(del, ins)
	if len(removed)+len(added) == 0 {
		return false
	}
	if negationCount(removed) != negationCount(added) {
		others := 0
		for _, w := range append(removed, added...) {
			if !negations[w] && !frenchNegation(w) && !auxiliaries[w] && !strings.HasSuffix(w, "n't") {
				others++
			}
		}
		if others <= maxFlipWords {
			return true
		}
	}
	if len(removed) == 1 && len(added) == 1 {
		if a, b := removed[0], added[0]; negatedPair(a, b) || opposite(a, b) {
			return true
		}
	}
	return reworded(removed, added)
}

// maxRewordWords bounds each side of a short rewording read for an
// antonym; minAntonymLetters keeps out the short words ("up", "over",
// "more", "after") a rewording moves around without turning it over.
const (
	maxRewordWords    = 8
	minAntonymLetters = 5
)

// reworded reports whether a short rewording puts a word's antonym in its
// place among other words: "will still be prohibited" → "will be allowed
// again".
func reworded(removed, added []string) bool {
	if len(removed) > maxRewordWords || len(added) > maxRewordWords {
		return false
	}
	for _, a := range removed {
		if utf8.RuneCountInString(a) < minAntonymLetters {
			continue
		}
		for _, b := range added {
			if utf8.RuneCountInString(b) >= minAntonymLetters && opposite(a, b) {
				return true
			}
		}
	}
	return false
}

// frenchNegation reports whether w is "ne" or its elided form ("n'a").
func frenchNegation(w string) bool { return w == "ne" || strings.HasPrefix(w, "n'") && len(w) > 2 }

// bagDifference returns the words of x not matched in y and those of y not
// matched in x, counting repeats (bagDifferenceIdx, as words).
func bagDifference(x, y []string) (onlyX, onlyY []string) {
	if len(x)+len(y) == 0 {
		return nil, nil
	}
	// Both lists lie in one allocation, each with room for all of its
	// side's words (appending to onlyX never reaches onlyY).
	buf := make([]string, len(x)+len(y))
	onlyX, onlyY = buf[:0:len(x)], buf[len(x):len(x):len(x)+len(y)]
	if len(y) <= 64 {
		// As bagDifferenceIdx does, without the lists of positions.
		used := pairOff(x, y, func(i int) { onlyX = append(onlyX, x[i]) })
		for k, w := range y {
			if used&(1<<k) == 0 {
				onlyY = append(onlyY, w)
			}
		}
		return onlyX, onlyY
	}
	ix, iy := bagDifferenceIdx(x, y)
	for _, i := range ix {
		onlyX = append(onlyX, x[i])
	}
	for _, i := range iy {
		onlyY = append(onlyY, y[i])
	}
	return onlyX, onlyY
}

// spelled numbers, so that "five" → "5" is no change and "five" → "50" is.
var spelled = map[string]string{
	"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
	"seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
	"thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17",
	"eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40",
	"fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90",
	"hundred": "100", "thousand": "1000", "million": "1000000", "billion": "1000000000",
	"trillion": "1000000000000", "dozen": "12", "dozens": "12s", "hundreds": "100s",
	"thousands": "1000s", "millions": "1000000s", "billions": "1000000000s",
}

// numbers returns the numbers among canonical words, each in one form.
func numbers(ws []string) []string {
	var out []string
	for _, w := range ws {
		if v, ok := spelled[w]; ok {
			out = append(out, v)
			continue
		}
		if isNumber(w) {
			v := strings.Map(func(r rune) rune {
				if r == ',' {
					return -1
				}
				return r
			}, w)
			for _, ord := range []string{"st", "nd", "rd", "th"} {
				v = strings.TrimSuffix(v, ord)
			}
			out = append(out, v)
		}
	}
	return out
}

// numberChanged reports whether a replacement changes a number: both sides
// have words and their numbers differ ("killed 5" → "killed 50", "five" →
// "a dozen"). Pure insertions and deletions are judged by their size.
func numberChanged(del, ins []string) bool {
	if len(del) == 0 || len(ins) == 0 {
		return false
	}
	nd, ni := numbers(del), numbers(ins)
	if len(nd) == 0 && len(ni) == 0 {
		return false
	}
	a, b := bagDifference(nd, ni)
	return len(a)+len(b) > 0
}

// An edit is read word by word on each side (the old text for what it
// removes, the new text for what it adds), with what the words around it
// say of each word: whether it opens a sentence, is written with a
// capital, stands inside quotation marks.

// Marks of a word in an edit.
const (
	markCapital uint8 = 1 << iota // written with a capital first letter
	markName                      // with a capital, not opening a sentence
	markQuoted                    // inside quotation marks
	markAllCaps                   // a single letter, or every letter a capital
)

// side reads one side of a block's edits: the old text of the deletions
// or the new text of the insertions, with the unchanged text between them.
type side struct {
	ws    []string // the current edit's canonical words
	marks []uint8  // and the marks of each
	// start: the next word opens a sentence; quoted: the text is inside
	// quotation marks.
	start, quoted bool
	prev          string // the word before a full stop
	// long: the edit has more words than are read for their meaning;
	// they are counted, not kept.
	long bool
	// lower backs the canonical forms of ASCII words with capitals.
	lower strings.Builder
}

// begin makes s ready to read a new block: a sentence opens, outside
// quotation marks. The memory of its word lists is kept.
func (s *side) begin() {
	s.clear()
	s.start, s.quoted, s.prev = true, false, ""
}

// release forgets the words s read, so that a pooled side keeps no text
// alive.
func (s *side) release() {
	clear(s.ws[:cap(s.ws)])
	s.clear()
	s.prev = ""
	s.lower = strings.Builder{}
}

func (s *side) clear() {
	s.ws = s.ws[:0]
	s.marks = s.marks[:0]
	s.long = false
}

// read takes the text an edit removes (or adds) and returns its number of
// words.
func (s *side) read(text string) int {
	n := 0
	for i := 0; i < len(text); {
		j, kind := nextToken(text, i)
		tk := text[i:j]
		switch kind {
		case tokWord:
			n++
			var m uint8
			if r, _ := utf8.DecodeRuneInString(tk); unicode.IsUpper(r) || unicode.IsTitle(r) {
				m |= markCapital
				if !s.start && !pronounI(tk) {
					m |= markName
				}
				if !strings.ContainsFunc(tk, unicode.IsLower) {
					m |= markAllCaps
				}
			}
			if s.quoted {
				m |= markQuoted
			}
			if len(s.ws) < maxMeaningWords {
				s.ws = append(s.ws, canonicalInto(tk, &s.lower))
				s.marks = append(s.marks, m)
			} else {
				s.long = true
			}
			s.start, s.prev = false, tk
		case tokPunct:
			s.punct(tk)
		}
		i = j
	}
	return n
}

// pass takes unchanged text: only what it says of the words after it
// counts, so it is not split into words.
func (s *side) pass(text string) {
	// Quotation marks anywhere in it. Each is '"' or starts with one of
	// four lead bytes: a scan of bytes finds them.
	for k := 0; k < len(text); k++ {
		switch text[k] {
		case '"', 0xC2, 0xE2, 0xE3, 0xEF:
			r, size := utf8.DecodeRuneInString(text[k:])
			if strings.ContainsRune(quoteMarks, r) {
				s.punct(text[k : k+size])
			}
			k += size - 1
		}
	}
	// Its last mark or word says whether a sentence opens after it.
	t := strings.TrimRightFunc(text, unicode.IsSpace)
	if t == "" {
		return
	}
	r, size := utf8.DecodeLastRuneInString(t)
	switch {
	case wordRune(r):
		s.start = false
	case strings.ContainsRune(quoteMarks, r):
		// Already read above.
	default:
		// The word before a full stop decides whether it ends a
		// sentence ("Mr." does not).
		w := t[:len(t)-size]
		k := len(w)
		for k > 0 {
			r2, n := utf8.DecodeLastRuneInString(w[:k])
			if !wordRune(r2) {
				break
			}
			k -= n
		}
		if k < len(w) {
			s.start = false
		}
		s.prev = w[k:]
		s.punct(string(r))
	}
}

// quoteMarks are the double quotation marks of English, French, German and
// Spanish text. A quotation opens at one and closes at the next, whichever
// way round a language writes them.
const quoteMarks = "\"“”„«»‟〝〞＂"

// isQuoteMark reports whether p, one character, is a quotation mark.
func isQuoteMark(p string) bool {
	r, size := utf8.DecodeRuneInString(p)
	return size == len(p) && r != utf8.RuneError && strings.ContainsRune(quoteMarks, r)
}

// punct updates what a punctuation mark says of the next word.
func (s *side) punct(p string) {
	switch {
	case isQuoteMark(p):
		s.quoted = !s.quoted
		// A quotation opens with a capital; after one closes, a
		// sentence goes on.
		s.start = s.quoted
	case p == "." && abbreviation(s.prev):
		// "Mr. Ortega", "J. K. Doe", "U.S. officials": no sentence ends.
	case p == "." || p == "!" || p == "?" || p == "…" || p == ":" || p == "¿" || p == "¡":
		s.start = true
	}
}

// abbreviation reports whether a full stop after w ends an abbreviation,
// not a sentence: an initial, or a title before a name.
func abbreviation(w string) bool {
	if utf8.RuneCountInString(w) == 1 {
		return true
	}
	return abbreviations[canonicalWord(w)]
}

var abbreviations = set(
	"mr", "mrs", "ms", "dr", "prof", "st", "sen", "rep", "gov", "gen", "lt", "col", "sgt", "capt",
	"cmdr", "adm", "maj", "pres", "rev", "jr", "sr", "mt", "ft", "vs", "corp", "inc", "ltd",
	"dept", "univ", "mme", "mlle", "hr", "sra", "srta", "dña", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
	"dec",
)

// pronounI reports whether w is the English "I" (with a contraction: "I'm").
func pronounI(w string) bool {
	return w == "I" || len(w) > 2 && w[0] == 'I' && (w[1] == '\'' || strings.HasPrefix(w[1:], "’"))
}

// blockSides gives the checks of one changed block what they need of the
// whole block, worked out only when they need it.
type blockSides struct {
	j        *judge
	op       *Op
	namesSet bool
	names    bool // capitals mark names in this block
}

// meaningChanged reports whether one edit — the words it removes and those
// it adds — changes what the block says.
func (b *blockSides) meaningChanged(del, ins *side) bool {
	if flips(del.ws, ins.ws) || numberChanged(del.ws, ins.ws) {
		return true
	}
	// The rest is about a word replaced: words on both sides.
	if len(del.ws) == 0 || len(ins.ws) == 0 {
		return false
	}
	return dateChanged(del, ins) || b.nameOrQuoteReplaced(del, ins)
}

// nameOrQuoteReplaced reports whether an edit replaces a name (a word
// written with a capital that does not open a sentence: "Mr. Ortega" →
// "Mr. Ruiz") or a word inside quotation marks. A spelling fix is not a
// replacement: a change of one letter, or two letters swapped, in a word
// of six letters or more ("Ortgea" → "Ortega"). A change of case,
// punctuation or quotation marks leaves the words as they were.
func (b *blockSides) nameOrQuoteReplaced(del, ins *side) bool {
	if !slices.ContainsFunc(del.marks, marked) && !slices.ContainsFunc(ins.marks, marked) {
		return false
	}
	onlyDel, onlyIns := bagDifferenceIdx(del.ws, ins.ws)
	if len(onlyDel) == 0 || len(onlyIns) == 0 {
		return false
	}
	// Pair off spelling fixes.
	for a := 0; a < len(onlyDel); a++ {
		for c := 0; c < len(onlyIns); c++ {
			if spellingFix(del.ws[onlyDel[a]], ins.ws[onlyIns[c]]) {
				onlyDel = append(onlyDel[:a], onlyDel[a+1:]...)
				onlyIns = append(onlyIns[:c], onlyIns[c+1:]...)
				a--
				break
			}
		}
	}
	if len(onlyDel) == 0 || len(onlyIns) == 0 {
		return false
	}
	for _, sd := range []struct {
		s   *side
		idx []int
	}{{del, onlyDel}, {ins, onlyIns}} {
		for _, i := range sd.idx {
			if sd.s.marks[i]&markQuoted != 0 {
				return true
			}
		}
	}
	da, dn := del.initials(onlyDel)
	ia, in := ins.initials(onlyIns)
	if dn == 0 && in == 0 || !b.capitalsAreNames() {
		return false
	}
	// A name and its initials are the same name: "U.S." → "US",
	// "European Union" → "EU".
	if dn > 0 && in > 0 && (del.acronym(onlyDel) || ins.acronym(onlyIns)) && da == ia {
		return false
	}
	return true
}

// marked reports whether a word's marks may make it a name or a quoted
// word.
func marked(m uint8) bool { return m&(markName|markQuoted) != 0 }

// isName reports whether the word at i is a name: written with a capital
// inside a sentence, and neither a number nor a day or a month (those have
// their own rules).
func (s *side) isName(i int) bool {
	w := s.ws[i]
	return s.marks[i]&markName != 0 && !isNumber(w) && dateID(w, s.marks[i]) == ""
}

// initials returns the first letters of the names among the words at idx
// (every letter of a word in capitals: "US", "NATO") and how many names
// there are.
func (s *side) initials(idx []int) (string, int) {
	var b strings.Builder
	n := 0
	for _, i := range idx {
		if !s.isName(i) {
			continue
		}
		n++
		if s.capitals(i) {
			b.WriteString(s.ws[i])
		} else {
			r, _ := utf8.DecodeRuneInString(s.ws[i])
			b.WriteRune(r)
		}
	}
	return b.String(), n
}

// acronym reports whether every name among the words at idx is an
// initial or a word in capitals.
func (s *side) acronym(idx []int) bool {
	for _, i := range idx {
		if s.isName(i) && !s.capitals(i) {
			return false
		}
	}
	return true
}

// capitals reports whether the word at i was written in capitals, or is
// a single letter.
func (s *side) capitals(i int) bool { return s.marks[i]&markAllCaps != 0 }

// capitalsAreNames reports whether a capital inside a sentence marks a
// name in this block: not in German, where every noun has one, nor in a
// heading written in title case.
func (b *blockSides) capitalsAreNames() bool {
	if b.namesSet {
		return b.names
	}
	b.namesSet = true
	j, op := b.j, b.op
	if german(j.old.of(*op.Old)) || german(j.new.of(*op.New)) {
		return false
	}
	if op.Kind == "h" && (titleCase(j.old.blocks[*op.Old].Text) || titleCase(j.new.blocks[*op.New].Text)) {
		return false
	}
	b.names = true
	return true
}

// german reports whether a block's canonical words read as German: at
// least two different words from a list of its commonest short words,
// none of which is common in English, French or Spanish.
func german(ws []string) bool {
	var first string
	for _, w := range ws {
		if germanWords[w] && w != first {
			if first != "" {
				return true
			}
			first = w
		}
	}
	return false
}

var germanWords = set(
	"der", "das", "und", "ist", "nicht", "ein", "eine", "einen", "einem", "einer", "dem", "den",
	"sich", "auf", "für", "wird", "wurde", "werden", "sind", "mit", "zu", "im", "auch", "nach",
	"bei", "aus", "oder", "hat", "haben", "wie", "noch", "nur", "vom", "zum", "zur", "sagte",
)

// titleCase reports whether most words of four letters or more in s start
// with a capital: "Shelters Open Across the County".
func titleCase(s string) bool {
	long, capital := 0, 0
	for i := 0; i < len(s); {
		j, kind := nextToken(s, i)
		if kind == tokWord && utf8.RuneCountInString(s[i:j]) >= 4 {
			long++
			if r, _ := utf8.DecodeRuneInString(s[i:j]); unicode.IsUpper(r) {
				capital++
			}
		}
		i = j
	}
	return long >= 2 && capital*5 >= long*4
}

// spellingFix reports whether two different words are one spelling of the
// other: one letter changed, added or removed, or two letters next to each
// other swapped, in a word of six letters or more. Numbers are never
// spelling fixes ("1998" → "1989").
func spellingFix(a, b string) bool {
	na, nb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
	if max(na, nb) < 6 || na-nb > 1 || nb-na > 1 || isNumber(a) || isNumber(b) {
		return false
	}
	// The letters, in memory on the stack for words of ordinary length.
	var bufA, bufB [32]rune
	ra, rb := appendRunes(bufA[:0], a), appendRunes(bufB[:0], b)
	if len(ra) > len(rb) {
		ra, rb = rb, ra
	}
	switch len(rb) - len(ra) {
	case 0:
		i := 0
		for i < len(ra) && ra[i] == rb[i] {
			i++
		}
		if i == len(ra) {
			return false // the same word
		}
		// One letter changed, or two swapped.
		if slices.Equal(ra[i+1:], rb[i+1:]) {
			return true
		}
		return i+1 < len(ra) && ra[i] == rb[i+1] && ra[i+1] == rb[i] && slices.Equal(ra[i+2:], rb[i+2:])
	case 1:
		i := 0
		for i < len(ra) && ra[i] == rb[i] {
			i++
		}
		return slices.Equal(ra[i:], rb[i+1:])
	}
	return false
}

// appendRunes appends the runes of s to dst, as []rune(s) gives them.
func appendRunes(dst []rune, s string) []rune {
	for _, r := range s {
		dst = append(dst, r)
	}
	return dst
}

// dateChanged reports whether an edit replaces a day or a month: "on
// Monday" → "on Tuesday", "Sept. 15" → "Oct. 15", "hier" → "aujourd'hui".
// A day or month written another way ("Sept." → "September") is the same.
func dateChanged(del, ins *side) bool {
	var a, b []string
	for k, w := range del.ws {
		if id := dateID(w, del.marks[k]); id != "" {
			a = append(a, id)
		}
	}
	for k, w := range ins.ws {
		if id := dateID(w, ins.marks[k]); id != "" {
			b = append(b, id)
		}
	}
	if len(a) == 0 && len(b) == 0 {
		return false
	}
	x, y := bagDifference(a, b)
	return len(x)+len(y) > 0
}

// dateID names the day or month a word is, in one form for every language
// and spelling; "" if it is none. Words that are also ordinary words ("may",
// "march", "sun") count only with a capital.
func dateID(w string, m uint8) string {
	id, ok := dateNames[w]
	if !ok || ambiguousDates[w] && m&markCapital == 0 {
		return ""
	}
	return id
}

var ambiguousDates = set("may", "march", "mar", "sun", "sat", "wed", "mon", "jan", "dec", "fri", "thu", "tue")

var dateNames = func() map[string]string {
	m := map[string]string{}
	groups := [][]string{
		{"january", "jan", "janvier", "januar", "jänner", "enero"},
		{"february", "feb", "février", "fevrier", "februar", "febrero"},
		{"march", "mar", "mars", "märz", "marzo"},
		{"april", "apr", "avril", "abril"},
		{"may", "mai", "mayo"},
		{"june", "jun", "juin", "juni", "junio"},
		{"july", "jul", "juillet", "juli", "julio"},
		{"august", "aug", "août", "aout", "agosto"},
		{"september", "sep", "sept", "septembre", "septiembre", "setiembre"},
		{"october", "oct", "octobre", "oktober", "octubre"},
		{"november", "nov", "novembre", "noviembre"},
		{"december", "dec", "décembre", "decembre", "dezember", "diciembre"},
		{"monday", "mon", "lundi", "montag", "lunes"},
		{"tuesday", "tue", "tues", "mardi", "dienstag", "martes"},
		{"wednesday", "wed", "mercredi", "mittwoch", "miércoles", "miercoles"},
		{"thursday", "thu", "thur", "thurs", "jeudi", "donnerstag", "jueves"},
		{"friday", "fri", "vendredi", "freitag", "viernes"},
		{"saturday", "sat", "samedi", "samstag", "sonnabend", "sábado", "sabado"},
		{"sunday", "sun", "dimanche", "sonntag", "domingo"},
		{"yesterday", "hier", "gestern", "ayer"},
		{"today", "aujourd'hui", "heute", "hoy"},
		{"tomorrow", "demain"},
	}
	for _, g := range groups {
		for _, w := range g {
			m[w] = g[0]
		}
	}
	return m
}()

// pairOff matches each word of x with an unmatched equal word of y (at
// most 64 words), calls unmatched with the position of each word of x
// left over, and returns which words of y were matched, as bits.
func pairOff(x, y []string, unmatched func(i int)) uint64 {
	var used uint64
	for i, w := range x {
		k := 0
		for ; k < len(y); k++ {
			if used&(1<<k) == 0 && y[k] == w {
				used |= 1 << k
				break
			}
		}
		if k == len(y) {
			unmatched(i)
		}
	}
	return used
}

// bagDifferenceIdx returns the positions of the words of x not matched in
// y and of those of y not matched in x, counting repeats.
func bagDifferenceIdx(x, y []string) (onlyX, onlyY []int) {
	if len(y) <= 64 {
		// An edit is mostly a few words: match them pairwise, without a
		// map.
		used := pairOff(x, y, func(i int) { onlyX = append(onlyX, i) })
		for k := range y {
			if used&(1<<k) == 0 {
				onlyY = append(onlyY, k)
			}
		}
		return onlyX, onlyY
	}
	count := make(map[string]int, len(y))
	for _, w := range y {
		count[w]++
	}
	for i, w := range x {
		if count[w] > 0 {
			count[w]--
		} else {
			onlyX = append(onlyX, i)
		}
	}
	for i, w := range y {
		if count[w] > 0 {
			onlyY = append(onlyY, i)
			count[w]--
		}
	}
	return onlyX, onlyY
}
