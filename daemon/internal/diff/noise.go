package diff

import (
	"slices"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// Noise is any difference a reader would not call a change of the article:
// whitespace, punctuation, quote and dash style, letter case, and volatile
// lines — timestamps, counters, advertisement markers and share prompts —
// that pages rewrite on every load.

// sameWords reports whether two texts differ only by whitespace,
// punctuation, quote style or case.
func sameWords(a, b string) bool {
	if a == b {
		return true
	}
	return slices.Equal(words(a), words(b))
}

// noise classifies block texts.
type noise struct {
	phrases map[string]bool // extra volatile lines from the rules, canonical; nil when there are none
}

// plainNoise is the noise of rules without extra phrases; a noise is
// never changed once made, so comparisons share it.
var plainNoise = &noise{}

// cachedNoise is the noise of one list of extra phrases.
type cachedNoise struct {
	phrases []string // a copy: the caller's list may change
	n       *noise
}

// lastNoise holds the noise of the last list of extra phrases: the rules
// are the same for many comparisons in a row, and building the table
// again for each would cost more than most comparisons.
var lastNoise atomic.Pointer[cachedNoise]

// noiseFor returns the noise of the extra phrases, made once per list.
func noiseFor(extra []string) *noise {
	if len(extra) == 0 {
		return plainNoise
	}
	if c := lastNoise.Load(); c != nil && slices.Equal(c.phrases, extra) {
		return c.n
	}
	n := newNoise(extra)
	lastNoise.Store(&cachedNoise{phrases: slices.Clone(extra), n: n})
	return n
}

func newNoise(extra []string) *noise {
	n := &noise{}
	for _, p := range extra {
		if ws := words(p); len(ws) > 0 {
			if n.phrases == nil {
				n.phrases = map[string]bool{}
			}
			n.phrases[strings.Join(ws, " ")] = true
		}
	}
	return n
}

// appendJoined appends ws, separated by single spaces, to b.
func appendJoined(b []byte, ws []string) []byte {
	for k, w := range ws {
		if k > 0 {
			b = append(b, ' ')
		}
		b = append(b, w...)
	}
	return b
}

// maxVolatileWords is the longest line that can be a timestamp or counter.
const maxVolatileWords = 16

// volatile reports whether a whole block, given as its canonical words, is
// a volatile line: it has no words at all (a separator such as "* * *"), or
// it is an advertisement marker, a share or newsletter prompt, a timestamp
// or dateline, or a counter.
func (n *noise) volatile(ws []string) bool {
	if len(ws) == 0 {
		return true
	}
	if len(ws) <= maxVolatileWords || len(n.phrases) > 0 {
		// The line is joined in a buffer on the stack (when it fits):
		// a map looked up with a conversion of bytes allocates nothing.
		var buf [256]byte
		line := appendJoined(buf[:0], ws)
		if n.phrases[string(line)] || len(ws) <= maxVolatileWords && boilerplate[string(line)] {
			return true
		}
	}
	// "Advertisement - Scroll to continue", "Advertisement: story continues".
	if len(ws) <= 6 && (slices.Contains(ws, "advertisement") || slices.Contains(ws, "advertisements")) {
		return true
	}
	if sharePrompt(ws) {
		return true
	}
	return len(ws) <= maxVolatileWords && timeOrCounter(ws)
}

// sharePrompt recognises "Share this article", "Share on Facebook",
// "Follow us on Instagram", "Sign up for our newsletter" and the like.
func sharePrompt(ws []string) bool {
	switch ws[0] {
	case "share", "tweet", "email", "print", "save", "copy", "gift", "follow":
		if len(ws) > 7 {
			return false
		}
		for _, w := range ws {
			if !shareWords[w] {
				return false
			}
		}
		return true
	}
	// "Sign up for our newsletter", "Subscribe to … newsletter", and
	// longer ones (furniture.go).
	return newsletterPrompt(ws)
}

// timeOrCounter reports whether every word is part of a date, a time, a
// relative time or a counter ("Updated 10:42 a.m. ET", "Sept. 15, 2014",
// "5 min read", "1,234 comments"), with at least one number or date word.
func timeOrCounter(ws []string) bool {
	anchored := false
	for _, w := range ws {
		if isNumber(w) || dateAnchors[w] {
			anchored = true
			continue
		}
		if !dateWords[w] {
			return false
		}
	}
	return anchored
}

// maskVolatile drops from a word list every run of date, time and counter
// words that holds a number or date word. Bylines often carry a timestamp
// ("By Jane Doe, updated 10:42 a.m. ET"): it changes on every load and says
// nothing about who wrote the article. With stampsOnly, a run is dropped
// only when it is labelled as a timestamp ("updated", "published", "ago"):
// in a body block an unlabelled date may be a fact.
//
// When nothing is dropped it returns ws itself, allocating nothing.
func maskVolatile(ws []string, stampsOnly bool) []string {
	var out []string
	dropped := false // out holds the words kept so far once something was dropped
	for i := 0; i < len(ws); {
		j := i
		anchored, labelled := false, false
		for j < len(ws) && (dateWords[ws[j]] || dateAnchors[ws[j]] || isNumber(ws[j])) {
			if dateAnchors[ws[j]] || isNumber(ws[j]) {
				anchored = true
			}
			if stampLabels[ws[j]] {
				labelled = true
			}
			j++
		}
		if j > i {
			if !anchored || stampsOnly && !labelled {
				if dropped {
					out = append(out, ws[i:j]...)
				}
			} else if !dropped {
				out, dropped = append(make([]string, 0, len(ws)), ws[:i]...), true
			}
			i = j
			continue
		}
		if dropped {
			out = append(out, ws[i])
		}
		i++
	}
	if !dropped {
		return ws
	}
	return out
}

// maxStampLineWords is the most words a body block may keep besides its
// timestamp for the timestamp alone to be ignored: a byline or dateline
// line ("By Jane Doe | Updated 10:42 a.m. ET"), not a sentence.
const maxStampLineWords = 8

// sameStampLine reports whether two body blocks are the same short line
// apart from a labelled timestamp in it.
func sameStampLine(a, b []string) bool {
	// Masking keeps every word that is not a date, time or counter word:
	// a block with more of those than a stamp line holds is passed over
	// without masking it (prose, nearly always, on its first few words).
	kept := 0
	for _, w := range a {
		if !dateWords[w] && !dateAnchors[w] && !isNumber(w) {
			if kept++; kept > maxStampLineWords {
				return false
			}
		}
	}
	ma := maskVolatile(a, true)
	if len(ma) == len(a) || len(ma) > maxStampLineWords {
		return false
	}
	return slices.Equal(ma, maskVolatile(b, true))
}

// numberSuffixes may follow the digits of a number: ordinals, thousands,
// times of day, durations.
var numberSuffixes = map[string]bool{
	"": true, "st": true, "nd": true, "rd": true, "th": true, "k": true, "m": true, "b": true,
	"bn": true, "am": true, "pm": true, "h": true, "hr": true, "hrs": true, "min": true, "mins": true,
	"s": true, "d": true, "w": true, "mo": true, "y": true, "er": true, "e": true, "°": true,
}

// isNumber reports whether a canonical word is a number written in digits,
// possibly with separators and a short suffix ("1,234", "10:42", "15th",
// "12k", "10am").
func isNumber(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	if !unicode.IsDigit(r) {
		return false
	}
	end := len(w)
	for end > 0 {
		r, size := utf8.DecodeLastRuneInString(w[:end])
		if !unicode.IsLetter(r) {
			break
		}
		end -= size
	}
	if !numberSuffixes[w[end:]] {
		return false
	}
	for _, r := range w[:end] {
		if !unicode.IsDigit(r) && !numberSeparator(r) {
			return frenchTime(w)
		}
	}
	return true
}

// frenchTime reports whether w is a time written the French way, hours
// "h" minutes ("10h32").
func frenchTime(w string) bool {
	h, m, ok := strings.Cut(w, "h")
	return ok && h != "" && m != "" && len(h) <= 2 && len(m) == 2 && allDigits(h) && allDigits(m)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func set(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// boilerplate lines, as canonical words joined by single spaces.
var boilerplate = set(
	"ad", "ads", "advertisement", "advertising", "sponsored", "sponsored content", "paid content",
	"paid post", "promoted", "promoted content", "skip advertisement",
	"continue reading the main story", "continue reading", "continue reading below",
	"story continues below", "article continues below", "story continues below advertisement",
	"article continues below advertisement", "scroll to continue with content",
	"listen to this article", "listen", "read more", "comments", "show comments", "view comments",
	"leave a comment", "link copied", "copy link", "share", "share this", "print this page",
	// Other languages: advertisement markers.
	"publicité", "anzeige", "werbung", "publicidad", "pubblicità", "publicidade", "reclame",
	"реклама", "广告", "廣告", "広告", "إعلان", "विज्ञापन",
	// Template furniture (furniture.go): media labels, sponsorship lines,
	// kickers and section labels, page tools.
	"photo", "photos", "image", "images", "video", "videos", "audio", "graphic", "illustration",
	"gallery", "slideshow", "supported by", "sponsored by", "presented by", "advertisement feature",
	"analysis", "news analysis", "opinion", "explainer", "exclusive", "breaking news", "live",
	"live updates", "order reprints today's paper subscribe", "today's paper", "order reprints",
	"vidéo", "galerie", "diaporama", "analyse", "tribune", "décryptage", "enquête", "chronique",
	"éditorial", "entretien", "en direct", "direct", "abonnés", "article réservé aux abonnés",
	"foto", "fotos", "bild", "bilder", "bildergalerie", "kommentar", "meinung", "exklusiv",
	"eilmeldung", "hintergrund", "imagen", "imágenes", "vídeo", "galería", "análisis", "opinión",
	"exclusiva", "última hora", "en directo", "en vivo", "editorial", "patrocinado",
)

// shareWords may make up a share or follow prompt.
var shareWords = set(
	"share", "shares", "this", "article", "story", "page", "post", "on", "via", "by", "with", "to",
	"a", "the", "your", "friend", "friends", "full", "it", "link", "copy", "email", "e", "mail",
	"print", "save", "tweet", "gift", "follow", "us", "me", "options", "facebook", "twitter", "x",
	"linkedin", "whatsapp", "reddit", "pinterest", "telegram", "messenger", "bluesky", "threads",
	"mastodon", "instagram", "tiktok", "youtube", "flipboard", "sms", "google", "news",
)

// dateAnchors are words that make a short line a date or a time.
var dateAnchors = set(
	// English months, days and relative times.
	"january", "february", "march", "april", "may", "june", "july", "august", "september",
	"october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
	"sept", "oct", "nov", "dec",
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	"mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
	"ago", "today", "yesterday", "updated", "published", "posted", "modified",
	// French.
	"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
	"octobre", "novembre", "décembre", "lundi", "mardi", "mercredi", "jeudi", "vendredi",
	"samedi", "dimanche", "publié", "modifié", "hier", "aujourd'hui",
	// German.
	"januar", "februar", "märz", "juni", "juli", "oktober", "dezember", "montag", "dienstag",
	"mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "aktualisiert",
	"veröffentlicht", "gestern", "heute", "aktualisierung",
	// Spanish.
	"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
	"octubre", "noviembre", "diciembre", "lunes", "martes", "miércoles", "jueves", "viernes",
	"sábado", "domingo", "actualizado", "actualizada", "actualización", "publicado", "publicada",
	"hace", "ayer", "hoy",
)

// stampLabels mark a date or time as the page's own timestamp.
var stampLabels = set(
	"updated", "update", "published", "posted", "modified", "edited", "ago",
	"publié", "modifié", "aktualisiert", "veröffentlicht", "actualizado", "publicado", "hace",
	"stand", "actualizada", "actualización", "publicada",
)

// dateWords may appear in a date, time or counter line without being one on
// their own.
var dateWords = set(
	"a", "m", "p", "am", "pm", "noon", "midnight", "just", "now", "on", "at", "of", "last", "first",
	"originally", "update", "date", "time", "as", "and", "since", "the", "in", "th", "st", "nd", "rd",
	"second", "seconds", "sec", "secs", "minute", "minutes", "min", "mins", "hour", "hours", "hr",
	"hrs", "h", "day", "days", "d", "week", "weeks", "wk", "month", "months", "mo", "year", "years",
	"yr", "yrs", "an",
	"et", "est", "edt", "ct", "cst", "cdt", "mt", "mst", "mdt", "pt", "pst", "pdt", "gmt", "utc",
	"bst", "cet", "cest", "eet", "eest", "ist", "jst", "kst", "aest", "aedt", "hkt", "sgt", "z",
	// Counters.
	"comment", "comments", "share", "shares", "view", "views", "like", "likes", "read", "reads",
	"reading", "reply", "replies", "reaction", "reactions", "retweet", "retweets", "response",
	"responses", "follower", "followers", "vote", "votes", "k",
	// French, German, Spanish connectives and units.
	"le", "la", "à", "mis", "jour", "il", "y", "heure", "heures", "minute", "lecture",
	"am", "um", "uhr", "vor", "stunde", "stunden", "minuten", "tag", "tagen", "lesezeit",
	"el", "de", "las", "los", "hora", "horas", "minutos", "días", "lectura",
	"du", "mise", "dernière", "stand", "zuletzt", "letzte", "última", "del",
)
