package watch

import (
	"fmt"

	"redline/daemon/internal/article"
	"redline/daemon/internal/extract"
)

// Quality decides when a fetched page is too poor to be the article the
// user read. A fetch that is not the article is never stored and never
// compared, so a paywall or a bot check can never look like an edit.
type Quality struct {
	// MinCoverage: a fetch holding less than this share of the words of
	// the page it is judged against is much poorer (default 0.5).
	MinCoverage float64 `json:"min_coverage"`
	// MinWords: a page shorter than this is not judged by its length
	// (default 40 words).
	MinWords int `json:"min_words"`
	// ShortWords: with nothing to judge against, a page this short that
	// shows the signs of a wall is the wall (default 150 words).
	ShortWords int `json:"short_words"`
	// Strikes: once an article was fetched well, this many poor fetches
	// in a row make it not checkable; fewer are failures (default 3).
	Strikes int `json:"strikes"`
}

func (q Quality) withDefaults() Quality {
	if q.MinCoverage <= 0 {
		q.MinCoverage = 0.5
	}
	if q.MinWords <= 0 {
		q.MinWords = 40
	}
	if q.ShortWords <= 0 {
		q.ShortWords = 150
	}
	if q.Strikes <= 0 {
		q.Strikes = 3
	}
	return q
}

// Reasons an article is not checkable by fetch.
const (
	ReasonPaywall   = extract.WallPaywall
	ReasonLogin     = extract.WallLogin
	ReasonConsent   = extract.WallConsent
	ReasonBotCheck  = extract.WallBotCheck
	ReasonPoorer    = "much_poorer"
	ReasonNoText    = "no_text"
	ReasonNotHTML   = "not_html"
	ReasonPrivate   = article.ReasonPrivateNetwork
	ReasonRefused   = "refused"
	ReasonBlocked   = "blocked"
	ReasonNotFound  = "not_found_by_fetch"
	ReasonRedirects = "redirects_elsewhere"
	// ReasonNeedsVisit: the page the browser fetched shows its article
	// only with script (re-checks through the browser).
	ReasonNeedsVisit = "needs_visit"
)

// reasonText says a reason in words; the article is then followed by the
// user's own browser captures.
func reasonText(reason, detail string) string {
	var s string
	switch reason {
	case ReasonPaywall:
		s = "the page Redline fetches asks for a subscription"
	case ReasonLogin:
		s = "the page Redline fetches asks to log in"
	case ReasonConsent:
		s = "the page Redline fetches is a cookie-consent page"
	case ReasonBotCheck:
		s = "the site answers Redline with a bot check"
	case ReasonPoorer:
		s = "the page Redline fetches holds " + detail + " of the text you read"
	case ReasonNoText:
		s = "Redline finds no article text in the page it fetches"
	case ReasonNotHTML:
		s = "the page is not HTML (" + detail + ")"
	case ReasonPrivate:
		return detail
	case ReasonRefused:
		s = "the site refuses Redline's fetch (" + detail + ")"
	case ReasonBlocked:
		s = "the site withholds the page for legal reasons (451)"
	case ReasonNotFound:
		s = "the site answers Redline's fetch with " + detail + " although you read the page"
	case ReasonRedirects:
		s = "the site sends Redline's fetch to its home page although you read the page"
	default:
		s = "the fetched page is not the article"
	}
	return s + "; it is followed through your browser captures only"
}

// judge returns why a page is not the article ("" when it is): against
// the previous fetch once the article was fetched well, else against the
// browser capture the user read, else by the signs of a wall.
func (q Quality) judge(page *extract.Page, browser, prevFetch *article.Content) (reason, detail string) {
	words := extract.Words(page.Blocks)
	ref := browser
	if prevFetch != nil {
		ref = prevFetch
	}
	if ref != nil {
		refWords := extract.Words(ref.Blocks)
		if len(refWords) < q.MinWords {
			return "", ""
		}
		c := extract.Coverage(words, refWords)
		if c >= q.MinCoverage {
			return "", ""
		}
		if page.Wall.Kind != "" {
			return page.Wall.Kind, page.Wall.Evidence
		}
		if prevFetch != nil {
			// No sign of a wall: a page that lost most of its text was
			// edited (a retraction, a story cut down). That is news.
			return "", ""
		}
		return ReasonPoorer, fmt.Sprintf("%.0f%%", 100*c)
	}
	if page.Wall.Kind != "" && len(words) < q.ShortWords {
		return page.Wall.Kind, page.Wall.Evidence
	}
	return "", ""
}
