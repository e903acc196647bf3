package diff

import (
	"slices"
	"strings"
	"unicode/utf8"

	"redline/daemon/internal/article"
)

// Bylines are compared as the people they name. A page's template decides
// how a byline is written — "By JANE DOE", "Jane Doe and John Roe", "Jane
// Doe, Staff Writer | The Riverton Courier", "Par Marie Dupont et Jean
// Martin" — and a new template rewrites it without any change of who wrote
// the article. So a byline is parsed into the set of names it holds, and
// two bylines are the same when their sets are.

// sameByline reports whether two bylines name the same people: letter case,
// accents, the word that introduces a byline ("By", "Par", "Von", "Por",
// "Di"), the separators between names, roles ("Reporting by", "Edited
// by"), outlets and places after a name ("Jane Doe, Riverton News", "Jane
// Doe | Courier"), the order of the names and any timestamp are not
// changes.
// When neither byline holds a name (an outlet alone), their words are
// compared, ignoring timestamps.
func sameByline(a, b string) bool {
	if sameWords(a, b) {
		return true
	}
	na, nb := bylineNames(a), bylineNames(b)
	if len(na) == 0 && len(nb) == 0 {
		return slices.Equal(maskVolatile(words(a), false), maskVolatile(words(b), false))
	}
	return slices.Equal(na, nb)
}

// maxNameWords is the most words a person's name has ("María de la Cruz
// Fernández"); a longer part of a byline is not a name.
const maxNameWords = 6

// bylineNames returns the names a byline holds, each as its words in
// lower case without accents or initials, sorted and without repeats.
//
// The byline is cut into parts at separators: commas, semicolons, "&", "|",
// "·", "•", "/", parentheses, a dash or colon between spaces, a full stop
// after a word (not after an initial), and the words "and", "et", "und",
// "y", "e", "with", "avec", "mit", "con". A role that ends in "by" (or
// "par", "von", "por", "di", "da") also ends a part: "Reporting by",
// "Additional reporting by", "Photographs by", "Propos recueillis par". A
// part is a name when it has two to six words, none of them a word of an
// outlet, a role or a place of work ("news", "press", "staff",
// "correspondent", "rédaction", "Korrespondent", "corresponsal"…), it
// does not start with an article ("The Riverton Courier", "Le …") and, once
// its timestamps are dropped, anything is left. One-word parts are taken
// for outlets or places (an agency's name, a city).
func bylineNames(s string) []string {
	var names []string
	var part []string // the current part's words, canonical
	flush := func() {
		if name, ok := bylineName(part); ok && !slices.Contains(names, name) {
			names = append(names, name)
		}
		part = part[:0]
	}
	toks := tokenize(s)
	for i, tk := range toks {
		switch tk.kind {
		case tokSpace:
			if strings.ContainsAny(tk.text, "\n\r") {
				flush()
			}
		case tokPunct:
			if bylineSeparator(toks, i) {
				flush()
			}
		case tokWord:
			w := foldWord(tk.text)
			if nameJoiners[w] && len(part) > 0 {
				flush()
				continue
			}
			// A role ("Additional reporting by", "Propos recueillis
			// par") ends the part before it and is no part of the name
			// after it. "By" alone does too; the other words only after
			// a role, since they are also names' particles ("Lena von
			// der Heide").
			if rolePrepositions[w] {
				k := len(part)
				for k > 0 && roleWords[part[k-1]] {
					k--
				}
				if w == "by" || k < len(part) {
					part = part[:k]
					flush()
					continue
				}
			}
			part = append(part, w)
		}
	}
	flush()
	slices.Sort(names)
	return names
}

// bylineSeparator reports whether the punctuation token toks[i] separates
// two parts of a byline.
func bylineSeparator(toks []token, i int) bool {
	switch toks[i].text {
	case ",", ";", "&", "|", "·", "•", "/", "(", ")", "[", "]", "+", "＆", "｜", "、", "，":
		return true
	case "-", "–", "—", ":":
		// "Jane Doe - Courier", "Text: Jane Doe"; not "Jean-Pierre".
		spaced := i+1 < len(toks) && toks[i+1].kind == tokSpace || i > 0 && toks[i-1].kind == tokSpace
		return spaced || toks[i].text == "—" || toks[i].text == ":"
	case ".":
		// "Jane Doe. Additional reporting by …", but not "J. K. Doe" or
		// "Jr.": a full stop after a word of three letters or more.
		if i == 0 || toks[i-1].kind != tokWord {
			return false
		}
		return len([]rune(toks[i-1].text)) >= 3
	}
	return false
}

// bylineName turns one part of a byline into a name, or reports that it is
// not one.
func bylineName(part []string) (string, bool) {
	ws := maskVolatile(part, false)
	// The word that introduces a byline: "By", "Par", "Von", "Por", "Di".
	// Except for "by", it is also a name's particle ("Di Carlo", "Von
	// Arx"), so it goes only when a name of two words is left.
	for len(ws) > 0 && bylinePrefixes[ws[0]] && (ws[0] == "by" || len(ws) > 2) {
		ws = ws[1:]
	}
	// Initials: "Jane M. Doe" is "Jane Doe" (a character of a script
	// written without spaces is a word of its own, not an initial).
	full := ws[:0:0]
	for _, w := range ws {
		if r, size := utf8.DecodeRuneInString(w); size < len(w) || unspaced(r) {
			full = append(full, w)
		}
	}
	if len(full) < 2 || len(full) > maxNameWords || outletArticles[full[0]] {
		return "", false
	}
	for _, w := range full {
		if outletWords[w] {
			return "", false
		}
	}
	return strings.Join(full, " "), true
}

// foldWord returns a canonical word without accents: "JOSÉ" → "jose".
func foldWord(w string) string { return article.FoldWord(canonicalWord(w)) }

// bylinePrefixes introduce a byline: English, French, German, Spanish,
// Portuguese, Italian.
var bylinePrefixes = set("by", "par", "von", "por", "di", "da")

// rolePrepositions end a role that comes before a name: "Edited by",
// "Propos recueillis par", "Mit Material von".
var rolePrepositions = set("by", "par", "von", "por", "di", "da")

// nameJoiners stand between two names.
var nameJoiners = set("and", "et", "und", "y", "with", "avec", "mit", "con", "sowie")

// roleWords may make up a role before "by": "Additional reporting by",
// "Photographs by", "Propos recueillis par", "Mit Material von", "Edición
// por".
var roleWords = set(
	"additional", "reporting", "reported", "report", "research", "researched", "editing", "edited",
	"written", "words", "story", "text", "interview", "interviews", "interviewed", "compiled",
	"produced", "production", "photographs", "photographed", "photos", "photo",
	"photography", "pictures", "images", "illustrations", "illustration", "illustrated",
	"graphics", "video", "videos", "design", "designed", "animation", "data", "analysis",
	"translated", "translation", "contributed", "contributions", "contribution", "and", "&",
	// French, German, Spanish.
	"propos", "recueillis", "texte", "textes", "photographies", "réalisé", "realise", "écrit",
	"ecrit", "traduit", "mit", "material", "fotos", "bilder", "recherche", "mitarbeit",
	"bearbeitet", "redigiert", "übersetzt", "ubersetzt", "escrito", "texto", "fotografías",
	"fotografias", "edición", "edicion", "información", "informacion", "traducido", "reportaje",
	"redactado", "con",
)

// outletArticles open the name of an outlet, never a person's name: "The
// Riverton Courier", "Le …", "Die …", "El …".
var outletArticles = set("the", "le", "la", "les", "der", "die", "das", "el", "los", "las")

// outletWords belong to the names of outlets, agencies and desks, to roles
// and to titles: a part of a byline that holds one is not a person's name.
var outletWords = set(
	// Outlets and agencies.
	"news", "press", "agency", "agence", "agentur", "agencia", "wire", "wires", "service",
	"services", "times", "post", "journal", "herald", "tribune", "gazette", "courier", "chronicle",
	"observer", "guardian", "telegraph", "independent", "express", "mirror", "daily", "weekly",
	"sunday", "magazine", "review", "standard", "globe", "bulletin", "dispatch", "inquirer",
	"examiner", "monitor", "register", "record", "media", "network", "radio", "tv", "television",
	"broadcasting", "online", "digital", "com", "net", "org", "editorial", "board", "newsroom",
	"desk", "bureau", "team", "staff", "contributors", "reporters", "correspondents",
	// Roles and titles.
	"correspondent", "reporter", "writer", "editor", "columnist", "contributor", "contributing",
	"analyst", "critic", "producer", "photographer", "chief", "senior", "special", "political",
	"economics", "science", "health", "business", "sports", "technology", "culture", "foreign",
	"international", "national", "investigations", "investigative", "author", "journalist",
	"freelance", "intern", "fellow", "host", "anchor",
	// French.
	"rédaction", "redaction", "correspondant", "correspondante", "envoyé", "envoye", "envoyée",
	"envoyee", "spécial", "speciale", "spéciale", "journaliste", "rédacteur", "redacteur",
	"rédactrice", "redactrice", "chroniqueur", "chroniqueuse", "avec",
	"quotidien", "hebdomadaire", "presse",
	// German.
	"redaktion", "korrespondent", "korrespondentin", "redakteur", "redakteurin", "autor",
	"autorin", "reporterin", "nachrichten", "zeitung", "allgemeine", "rundschau", "kurier",
	"anzeiger", "tagblatt", "agenturen", "mitarbeit", "gastbeitrag",
	// Spanish.
	"redacción", "redaccion", "corresponsal", "enviado", "enviada", "especial", "periodista",
	"noticias", "diario", "agencias", "colaborador", "colaboradora", "redactor", "redactora",
	"columnista",
)
