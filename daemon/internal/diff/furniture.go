package diff

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Template furniture: the lines a site's template puts around an article
// (photo credits and captions, media labels, kickers, "Read more" links,
// notices of an article's age, newsletter prompts, print-edition lines).
// A new template shows more or less of them; none is a change of the
// article. A block is furniture when it has one of the shapes below, in
// English, French, German or Spanish, or when the site repeats it across
// its articles (article.Pair.Furniture, learned by the store).
//
// A shape must never take a sentence of the article for furniture: each
// one needs a mark prose does not carry (a label followed by a colon, a
// credit glued to a caption, a closing "(Name/Agency)" after the
// caption's last sentence), and shared/vectors/diff holds near-misses
// that stay counted.

// furnitureShape reports whether a block, given as its text and its
// canonical words, has the shape of template furniture.
func furnitureShape(text string, ws []string) bool {
	if len(ws) == 0 {
		return false
	}
	return labelledLine(text, ws) || ageNotice(ws) || printLine(ws) || newsletterPrompt(ws) ||
		creditLine(text, ws) || captionWithCredit(text, ws)
}

// maxLabelledWords is the longest "Read more: …" or "Video: …" line.
const maxLabelledWords = 25

// lineLabels open a link or media line when a separator follows them:
// "Lire aussi : …", "Lesen Sie auch: …", "Video: …", "Map: …".
var lineLabels = [][]string{
	{"read", "more"}, {"read", "also"}, {"see", "also"}, {"related"}, {"more", "on", "this", "story"},
	{"more", "on", "this"}, {"watch"}, {"video"}, {"videos"}, {"map"}, {"graphic"}, {"photos"},
	{"gallery"}, {"listen"}, {"podcast"}, {"more"},
	{"lire", "aussi"}, {"à", "lire", "aussi"}, {"voir", "aussi"}, {"à", "lire"}, {"lire"}, {"voir"},
	{"vidéo"}, {"carte"}, {"sur", "le", "même", "sujet"},
	{"lesen", "sie", "auch"}, {"lesen", "sie", "mehr"}, {"mehr", "zum", "thema"}, {"auch", "interessant"},
	{"siehe", "auch"}, {"karte"}, {"bilder"},
	{"lee", "también"}, {"leer", "más"}, {"ver", "también"}, {"más", "información"},
	{"te", "puede", "interesar"}, {"vídeo"}, {"mapa"}, {"fotos"},
}

// lineLabelStarts, printLineStarts and promptStarts are the first words
// of each list: most blocks are passed over on their first word.
var (
	lineLabelStarts = firstWords(lineLabels)
	printLineStarts = firstWords(printLines)
	promptStarts    = firstWords(promptOpenings)
)

func firstWords(lists [][]string) map[string]bool {
	m := map[string]bool{}
	for _, l := range lists {
		m[l[0]] = true
	}
	return m
}

// labelSeparators may follow a label: a colon, a bar, an arrow. A dash
// may not: "More — much more — is needed" is a sentence.
const labelSeparators = ":|»›→"

// labelledLine recognises a short link or media line that starts with a
// label and a separator ("Lire aussi : Les boîtes noires expliquées").
// Without the separator, "Read more" starts a sentence like any other.
func labelledLine(text string, ws []string) bool {
	if len(ws) > maxLabelledWords || !lineLabelStarts[ws[0]] {
		return false
	}
	for _, l := range lineLabels {
		if len(ws) > len(l) && slices.Equal(ws[:len(l)], l) && separatorAfter(text, len(l)) {
			return true
		}
	}
	return false
}

// afterWords returns what follows the first n words of text, spaces
// trimmed; ok is false when text has fewer words.
func afterWords(text string, n int) (rest string, ok bool) {
	seen := 0
	for i := 0; i < len(text); {
		if seen == n {
			return strings.TrimLeftFunc(text[i:], unicode.IsSpace), true
		}
		j, kind := nextToken(text, i)
		if kind == tokWord {
			seen++
		}
		i = j
	}
	return "", seen == n
}

// separatorAfter reports whether the first n words of text are followed
// by a label's separator.
func separatorAfter(text string, n int) bool {
	rest, ok := afterWords(text, n)
	if !ok || rest == "" {
		return false
	}
	if strings.HasPrefix(rest, "...") {
		return true
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return strings.ContainsRune(labelSeparators, r) || r == '…'
}

// maxNoticeWords is the longest notice of an article's age.
const maxNoticeWords = 16

// ageNotice recognises "This article was published more than 4 years
// ago", "Cet article a été publié il y a plus de 4 ans", "Dieser Artikel
// wurde vor mehr als 4 Jahren veröffentlicht", "Este artículo fue
// publicado hace más de 4 años" and "This article is more than 5 years
// old": only notice words, a publishing or age word, and a span of time.
func ageNotice(ws []string) bool {
	if len(ws) < 4 || len(ws) > maxNoticeWords {
		return false
	}
	published, span, count := false, false, false
	for _, w := range ws {
		switch {
		case noticePublished[w]:
			published = true
		case noticeSpans[w]:
			span = true
		case isNumber(w) || spelledCounts[w]:
			count = true
		case noticeWords[w]:
		default:
			return false
		}
	}
	return published && span && count
}

var noticePublished = set(
	"published", "old", "publié", "publiée", "paru", "veröffentlicht", "erschienen", "alt",
	"publicado", "publicada", "publicó",
)

var noticeSpans = set(
	"year", "years", "month", "months", "an", "ans", "mois", "jahr", "jahre", "jahren", "monat",
	"monate", "monaten", "año", "años", "mes", "meses",
)

var spelledCounts = set(
	"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
	"un", "deux", "trois", "quatre", "cinq", "sept", "huit", "neuf", "dix",
	"ein", "einem", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn",
	"uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez",
)

var noticeWords = set(
	"this", "article", "story", "was", "is", "more", "than", "over", "ago", "nearly", "almost",
	"about", "first", "originally",
	"cet", "a", "été", "il", "y", "plus", "de", "d'un", "depuis", "est",
	"dieser", "artikel", "wurde", "vor", "mehr", "als", "ist", "über", "bereits",
	"este", "artículo", "fue", "hace", "más", "se", "es", "de", "tiene",
)

// maxPrintWords is the longest print-edition line.
const maxPrintWords = 70

// printLines open a print-edition line ("A version of this article
// appears in print on …, on Page A7 of the New York edition …").
var printLines = [][]string{
	{"a", "version", "of", "this", "article", "appears", "in", "print"},
	{"a", "version", "of", "this", "article", "appeared", "in", "print"},
	{"this", "article", "appeared", "in", "print"},
	{"this", "article", "appears", "in", "print"},
	{"une", "version", "de", "cet", "article", "est", "parue"},
	{"cet", "article", "est", "paru", "dans"},
	{"cet", "article", "a", "été", "publié", "dans", "l'édition"},
	{"eine", "version", "dieses", "artikels", "erschien"},
	{"dieser", "artikel", "erschien", "in", "der"},
	{"dieser", "artikel", "ist", "in", "der", "printausgabe"},
	{"una", "versión", "de", "este", "artículo", "apareció"},
	{"este", "artículo", "apareció", "en", "la", "edición"},
}

func printLine(ws []string) bool {
	if len(ws) > maxPrintWords || !printLineStarts[ws[0]] {
		return false
	}
	for _, p := range printLines {
		if len(ws) >= len(p) && slices.Equal(ws[:len(p)], p) {
			return true
		}
	}
	return false
}

// maxPromptWords is the longest newsletter prompt ("Sign up for River
// Watch, our weekly newsletter on the valley's most important stories").
const maxPromptWords = 24

// promptOpenings start a newsletter prompt.
var promptOpenings = [][]string{
	{"sign", "up"}, {"subscribe"}, {"get"}, {"join"}, {"register"},
	{"abonnez", "vous"}, {"inscrivez", "vous"}, {"recevez"},
	{"abonnieren", "sie"}, {"melden", "sie", "sich"}, {"jetzt"},
	{"suscríbete"}, {"suscríbase"}, {"regístrate"}, {"apúntate"}, {"recibe"},
}

var newsletterWords = set(
	"newsletter", "newsletters", "infolettre", "boletín", "boletines",
)

// reportingWords make a line a sentence of the article: "Join us, the
// newsletter said, …".
var reportingWords = set(
	"said", "says", "told", "reported", "wrote", "dit", "déclaré", "affirmé", "sagte", "sagt",
	"erklärte", "dijo", "afirmó", "declaró",
)

// newsletterPrompt recognises a newsletter sign-up line: it opens with a
// call to sign up and names a newsletter within its first words.
func newsletterPrompt(ws []string) bool {
	if len(ws) == 0 || len(ws) > maxPromptWords || !promptStarts[ws[0]] {
		return false
	}
	opens := false
	for _, p := range promptOpenings {
		if len(ws) > len(p) && slices.Equal(ws[:len(p)], p) {
			opens = true
			break
		}
	}
	if !opens {
		return false
	}
	named := false
	for k, w := range ws {
		if reportingWords[w] {
			return false
		}
		if newsletterWords[w] && k < 12 {
			named = true
		}
	}
	return named
}

// maxCreditWords is the most words a credit may name ("Sam Keller for
// The Riverton Courier").
const maxCreditWords = 10

// creditLabels may introduce a credit, in its written case.
var creditLabels = []string{
	"Photo credit", "Crédit photo", "Crédits photo", "Credits", "Credit", "CREDIT", "Crédits", "Crédit",
	"Photographs", "Photograph", "Photos", "Photo", "PHOTO", "Fotos", "Foto", "FOTO", "Bild",
	"Imagen", "Fotografía", "Image", "Illustration", "Ilustración", "Picture",
}

// creditLine recognises a line that is only a credit: "Credit...Name/
// Agency", "Photo: Name", "Foto: Name", "Crédit : Name", "© Name".
func creditLine(text string, ws []string) bool {
	if len(ws) > maxCreditWords+2 {
		return false
	}
	t := strings.TrimSpace(text)
	if r, _ := utf8.DecodeRuneInString(t); !unicode.IsUpper(r) && r != '©' {
		return false
	}
	if strings.HasPrefix(t, "©") {
		return creditNames(strings.TrimPrefix(t, "©"))
	}
	for _, l := range creditLabels {
		if !strings.HasPrefix(t, l) {
			continue
		}
		rest := t[len(l):]
		if tail, ok := creditSeparated(rest); ok {
			return creditNames(tail)
		}
	}
	return false
}

// creditSeparated returns what follows a credit label's separator (":",
// "...", "…"), or the name glued to "Credit" ("CreditName").
func creditSeparated(rest string) (string, bool) {
	trimmed := strings.TrimLeft(rest, " \u00a0")
	switch {
	case strings.HasPrefix(trimmed, "..."):
		return strings.TrimLeft(trimmed, ". "), true
	case strings.HasPrefix(trimmed, "…"), strings.HasPrefix(trimmed, ":"), strings.HasPrefix(trimmed, "©"):
		_, size := utf8.DecodeRuneInString(trimmed)
		return trimmed[size:], true
	}
	return "", false
}

// creditConnectors may join the names of a credit.
var creditConnectors = set(
	"for", "and", "of", "the", "via", "by", "de", "del", "des", "du", "la", "le", "les", "et", "pour",
	"von", "van", "der", "den", "und", "für", "y", "para", "e", "al", "da", "di",
)

// creditNames reports whether text is the names of a credit: at most
// maxCreditWords words, each capitalised (or a number, or a connector such
// as "for" or "de"), at least one of them capitalised.
func creditNames(text string) bool {
	n, named := 0, false
	for i := 0; i < len(text); {
		j, kind := nextToken(text, i)
		if kind == tokWord {
			w := text[i:j]
			n++
			r, _ := utf8.DecodeRuneInString(w)
			switch {
			case unicode.IsUpper(r):
				named = true
			case unicode.IsDigit(r), creditConnectors[canonicalWord(w)]:
			default:
				return false
			}
		}
		i = j
	}
	return named && n <= maxCreditWords
}

// maxCaptionWords is the longest caption taken for furniture.
const maxCaptionWords = 90

// captionWithCredit recognises a photo caption by the credit it ends
// with: "… at City Hall Credit: RIVERTON COURIER", "… in Riverton.CreditSam
// Keller/The Riverton Courier", "… on Monday. Photo: Name/Agency",
// "… after his victory. (Name/Agency/Agency)". Prose never ends that way:
// the label is capitalised and followed by its separator (or glued to the
// name, or the name holds an agency's slash), and a closing parenthesis
// of names with a slash comes after the caption's last sentence.
func captionWithCredit(text string, ws []string) bool {
	if len(ws) < 2 || len(ws) > maxCaptionWords {
		return false
	}
	t := strings.TrimRightFunc(text, unicode.IsSpace)
	if strings.HasSuffix(t, ")") {
		if open := strings.LastIndexByte(t, '('); open > 0 {
			inner, before := t[open+1:len(t)-1], strings.TrimRightFunc(t[:open], unicode.IsSpace)
			if strings.Contains(inner, "/") && creditNames(inner) && endsSentence(before) {
				return true
			}
		}
	}
	// A label and its separator: look at each separator, then at what
	// ends just before it. Each kind of separator is searched for on its
	// own (a search for a string is faster than reading every byte); the
	// order they are looked at in does not matter, as any one will do.
	for _, sep := range captionSeparators {
		for from := 0; ; {
			k := strings.Index(t[from:], sep)
			if k < 0 {
				break
			}
			p := from + k
			before := strings.TrimRight(t[:p], " \u00a0")
			if creditLabelEnds(before) && creditNames(strings.TrimLeft(t[p+len(sep):], ". ")) {
				return true
			}
			from = p + len(sep)
		}
	}
	// "CreditName": the label glued to the name, or "Credit Name/Agency"
	// with an agency's slash.
	for _, l := range []string{"Credit", "Crédit"} {
		for from := 0; ; {
			k := strings.Index(t[from:], l)
			if k < 0 {
				break
			}
			at := from + k
			from = at + len(l)
			if at == 0 || wordBefore(t[:at]) {
				continue // a line that starts with its credit is creditLine's
			}
			rest := t[at+len(l):]
			r, _ := utf8.DecodeRuneInString(rest)
			if (unicode.IsUpper(r) || strings.Contains(rest, "/")) && creditNames(rest) {
				return true
			}
		}
	}
	return false
}

// captionSeparators may come between a credit label and the names.
var captionSeparators = []string{":", "…", "©", "..."}

// creditLabelEnds reports whether text ends with a credit label that is a
// word of its own and not the whole of text (a line that starts with its
// credit is creditLine's).
func creditLabelEnds(text string) bool {
	for _, l := range creditLabels {
		if len(text) > len(l) && strings.HasSuffix(text, l) && !wordBefore(text[:len(text)-len(l)]) {
			return true
		}
	}
	return false
}

// wordBefore reports whether text ends with a letter or digit: a label
// found after it is the end of a longer word ("Telephoto").
func wordBefore(text string) bool {
	r, _ := utf8.DecodeLastRuneInString(text)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// endsSentence reports whether text ends a sentence: a full stop, a
// question or exclamation mark, maybe followed by a closing quote.
func endsSentence(text string) bool {
	text = strings.TrimRight(text, "\"'”’»")
	r, _ := utf8.DecodeLastRuneInString(text)
	return r == '.' || r == '!' || r == '?'
}

// maxBioWords is the longest note about an article's author.
const maxBioWords = 80

// bioVerbs may follow an author's name at the start of a note about them:
// "Jane Doe is a Metro reporter…", "Marie Dupont est journaliste…",
// "Lena Vogel ist Korrespondentin…", "Ana Ruiz es corresponsal…".
var bioVerbs = set("is", "was", "covers", "writes", "reports", "est", "était", "couvre", "ist", "war",
	"berichtet", "schreibt", "es", "fue", "cubre", "escribe")

// authorBio reports whether a block is a note about the article's author,
// which some templates print below the article and others leave out: it
// opens with a name the byline holds (authors, from bylineNames) and one
// of bioVerbs, and is at most a short paragraph. A paragraph of the
// article that opens with another person's name is not one.
func authorBio(ws []string, authors []string) bool {
	if len(authors) == 0 || len(ws) < 3 || len(ws) > maxBioWords {
		return false
	}
	for _, name := range authors {
		n := strings.Count(name, " ") + 1
		if len(ws) <= n || !bioVerbs[ws[n]] {
			continue
		}
		lead := make([]string, n)
		for i, w := range ws[:n] {
			lead[i] = foldWord(w)
		}
		if strings.Join(lead, " ") == name {
			return true
		}
	}
	return false
}
