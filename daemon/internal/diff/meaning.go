package diff

import (
	"slices"
	"strings"
)

// This file holds the small built-in knowledge that lets a one-word edit
// count as substantive: correction notices, negations, antonyms and
// numbers.

// hasCorrection reports whether a block is, or contains, a correction or an
// editor's note. ws are the block's canonical words: a block without any of
// the words that start a notice is passed over quickly.
func hasCorrection(text string, ws []string) bool {
	if !slices.ContainsFunc(ws, func(w string) bool { return correctionWords[w] }) {
		return false
	}
	t := straightQuotes.Replace(strings.ToLower(text))
	for _, p := range correctionPhrases {
		if strings.Contains(t, p) {
			return true
		}
	}
	// A label opening the block: "Correction — …", "CLARIFICATION. …",
	// "Rectificatif : …". Inside prose these words are ordinary nouns, so
	// elsewhere they count only when a colon follows them.
	toks := tokenize(t)
	first := true
	for i, tk := range toks {
		if tk.kind != tokWord {
			continue
		}
		label := correctionLabels[tk.text]
		j := i + 1
		for j < len(toks) && toks[j].kind == tokSpace {
			j++
		}
		if label && (j == len(toks) || toks[j].text == ":" || first && toks[j].kind == tokPunct) {
			return true
		}
		first = false
	}
	return false
}

var straightQuotes = strings.NewReplacer("’", "'", "‘", "'", "ʼ", "'", "\u00a0", " ")

var correctionLabels = set(
	"correction", "corrections", "clarification", "clarifications", "erratum", "errata",
	"rectificatif", "rectification", "korrektur", "richtigstellung", "corrección",
	"aclaración", "rettifica", "correção", "correctie", "исправление", "поправка",
)

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
	"ne", "pas", "jamais", "nicht", "kein", "keine", "keinen", "keiner", "nie", "niemals",
	"nunca", "jamás", "nadie", "ningún", "ninguna", "non", "mai",
	"не", "нет", "никогда", "ни", "لا", "لم", "لن", "ليس", "नहीं", "न", "不", "没", "没有", "未", "無", "无",
)

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

// stems returns the word and the base forms it may be an inflection of:
// "increased" → "increase", "denied" → "deny", "winning" → "win".
func stems(w string) []string {
	out := []string{w}
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
	for _, x := range stems(a) {
		if m := antonyms[x]; m != nil {
			for _, y := range stems(b) {
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
// turns a statement into its opposite: a negation inserted or removed
// ("did not" → "did"), or one word replaced by its antonym ("reluctant" →
// "willing").
func flips(del, ins []string) bool {
	removed, added := bagDifference(del, ins)
	if len(removed)+len(added) == 0 {
		return false
	}
	if (len(removed) == 0) != (len(added) == 0) && len(removed)+len(added) <= 2 {
		all := true
		for _, w := range append(removed, added...) {
			if !negations[w] {
				all = false
			}
		}
		if all {
			return true
		}
	}
	if len(removed) == 1 && len(added) == 1 {
		a, b := removed[0], added[0]
		return negatedPair(a, b) || opposite(a, b)
	}
	return false
}

// bagDifference returns the words of x not matched in y and those of y not
// matched in x, counting repeats.
func bagDifference(x, y []string) (onlyX, onlyY []string) {
	count := make(map[string]int, len(y))
	for _, w := range y {
		count[w]++
	}
	for _, w := range x {
		if count[w] > 0 {
			count[w]--
		} else {
			onlyX = append(onlyX, w)
		}
	}
	for _, w := range y {
		if count[w] > 0 {
			onlyY = append(onlyY, w)
			count[w]--
		}
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
