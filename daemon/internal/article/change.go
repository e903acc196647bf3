package article

import "time"

// Significance grades a change for the reader.
type Significance string

// The grades of a change. Trivial changes never alert.
const (
	Trivial     Significance = "trivial"
	Minor       Significance = "minor"
	Substantive Significance = "substantive"
)

// Summary says in numbers what changed between two versions.
type Summary struct {
	TitleChanged  bool `json:"title_changed"`
	BylineChanged bool `json:"byline_changed"`
	BlocksAdded   int  `json:"blocks_added"`
	BlocksRemoved int  `json:"blocks_removed"`
	BlocksChanged int  `json:"blocks_changed"`
	BlocksMoved   int  `json:"blocks_moved"`
	WordsAdded    int  `json:"words_added"`
	WordsRemoved  int  `json:"words_removed"`
	Correction    bool `json:"correction"`
	// Layout is set when the extraction shifted with the page's template
	// (blocks reported removed that are still on the new page, or added
	// that were on the old one) and nothing else substantive changed: a
	// page layout change, not an edit.
	Layout       bool         `json:"layout,omitempty"`
	Significance Significance `json:"significance"`
}

// Event types in the durable event log.
const (
	EventChanged = "article.changed"
	EventSeen    = "article.seen"
)

// Event is one entry of the durable event log that clients replay. IDs are
// positive and strictly increasing from 1.
type Event struct {
	ID        int64  `json:"event_id"`
	Type      string `json:"type"`
	ArticleID int64  `json:"article_id"`
	URL       string `json:"url"`
	Title     string `json:"title"`
	// TitleWas is the headline the reader read, when the change since
	// replaced it.
	TitleWas    string `json:"title_was,omitempty"`
	FromVersion int    `json:"from_version,omitempty"`
	ToVersion   int    `json:"to_version,omitempty"`
	Version     int    `json:"version,omitempty"`
	// RevertOf is set when the new version brought back the content of
	// that earlier version.
	RevertOf int       `json:"revert_of,omitempty"`
	Summary  *Summary  `json:"summary,omitempty"`
	At       time.Time `json:"at"`
}

// Pair is two versions of an article to compare. Old and New come from
// one lineage (the browser's captures, or the daemon's fetches) unless
// Across is set: then they were extracted by different extractors, and a
// block only one side kept is the extractors' difference, not an edit.
// Counterpart, when known, is the version of New's lineage that stands for
// Old (fetched about when Old was read): a block it shares with New, or
// lacks like New, tells an extractor's habit from an edit. Without it,
// every block only one side holds is taken as the extractors' difference,
// and only the headline and the blocks both sides hold are compared.
//
// OldPage and NewPage, when known, are the digests of the visible text of
// the pages Old and New were captured from: a block reported removed
// whose text is still on the new page, or added whose text was on the
// old one, is the extractor's drift, not an edit. Without them (a store
// from before page digests, a client that sends no page text) the rule
// does not apply.
type Pair struct {
	Old, New         Content
	Across           bool
	Counterpart      *Content
	OldPage, NewPage *PageDigest
	// Furniture, when set, tells the blocks the article's site repeats
	// across its articles (learned from the reader's history): they are
	// the site's template, not the article, and never count as a change.
	Furniture Furniture
}

// Furniture tells whether a block's text is learned template furniture of
// a site.
type Furniture interface {
	Furniture(text string) bool
}
