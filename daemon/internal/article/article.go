// Package article holds Redline's domain types: the articles a user read,
// the versions kept of each, and the marks of what the user has seen. It
// depends on nothing else in the project; every other package depends on it.
package article

import "time"

// BlockKind says what part of an article a block is.
type BlockKind string

// The kinds of block a capture may hold.
const (
	KindHeading   BlockKind = "h"
	KindParagraph BlockKind = "p"
	KindListItem  BlockKind = "li"
	KindQuote     BlockKind = "quote"
	KindPre       BlockKind = "pre"
)

// Valid reports whether k is one of the kinds the wire contract allows.
func (k BlockKind) Valid() bool {
	switch k {
	case KindHeading, KindParagraph, KindListItem, KindQuote, KindPre:
		return true
	}
	return false
}

// Block is one paragraph, heading, list item, quote or preformatted run of
// an article's text.
type Block struct {
	Kind BlockKind `json:"kind"`
	Text string    `json:"text"`
}

// Source says how a version was obtained.
type Source string

// The sources of a version. Versions are only ever compared with the
// previous version of the same source (its lineage).
const (
	SourceBrowser Source = "browser"
	SourceFetch   Source = "fetch"
)

// Valid reports whether s is a known source.
func (s Source) Valid() bool { return s == SourceBrowser || s == SourceFetch }

// Content is the part of a page that is versioned: what a reader reads.
type Content struct {
	Title  string  `json:"title"`
	Byline string  `json:"byline,omitempty"`
	Blocks []Block `json:"blocks"`
}

// Article is one page the user read, identified by its canonical URL.
type Article struct {
	ID            int64     `json:"id"`
	URL           string    `json:"url"`
	Site          string    `json:"site"`
	SiteName      string    `json:"site_name,omitempty"`
	Title         string    `json:"title"`
	Lang          string    `json:"lang,omitempty"`
	PublishedTime string    `json:"published_time,omitempty"`
	FirstSeen     time.Time `json:"first_seen"`
	LastCaptured  time.Time `json:"last_captured"`
	LastChanged   time.Time `json:"last_changed,omitzero"`
	Versions      int       `json:"versions"`
	Changes       int       `json:"changes"`
	Captures      int       `json:"captures"`
	// Latest is the number of the newest version of each source's lineage.
	LatestBrowser int `json:"latest_browser,omitempty"`
	LatestFetch   int `json:"latest_fetch,omitempty"`
	// Aliases are the other canonical forms of URLs that led here.
	Aliases []string `json:"aliases,omitempty"`
	Read    ReadMark `json:"read"`
	// Seen is the version up to which the user has seen the changes; the
	// changes after it are Unseen, oldest first. A change stays unseen
	// until it is marked seen, even after the user captured the newer
	// version.
	Seen   int            `json:"seen"`
	Unseen []UnseenChange `json:"unseen,omitempty"`
	// Reverts counts versions that brought back content the article had
	// before: a page flipping between headlines is an A/B test.
	Reverts int `json:"reverts,omitempty"`
}

// UnseenChange is a change of an article that the user has not yet seen.
type UnseenChange struct {
	EventID      int64        `json:"event_id"`
	From         int          `json:"from_version"`
	To           int          `json:"to_version"`
	At           time.Time    `json:"at"`
	Significance Significance `json:"significance"`
}

// Version is one distinct state of an article's content.
type Version struct {
	ArticleID  int64     `json:"article_id"`
	Number     int       `json:"number"`
	CapturedAt time.Time `json:"captured_at"`
	Source     Source    `json:"source"`
	Extractor  string    `json:"extractor"`
	Hash       string    `json:"hash"`
	// RevertOf is the earlier version whose content this version repeats
	// (0 when the content is new): a page flipping back.
	RevertOf int `json:"revert_of,omitempty"`
	Content
}

// ReadMark records which version the user last saw, and when.
type ReadMark struct {
	Version int       `json:"version"`
	At      time.Time `json:"at,omitzero"`
}

// Reading says how the user engaged with the page when it was captured.
type Reading struct {
	DwellMS int64   `json:"dwell_ms"`
	Scroll  float64 `json:"scroll"`
}

// Capture is one observation of a page, from the browser or a fetch.
type Capture struct {
	URL           string    `json:"url"`
	CanonicalURL  string    `json:"canonical_url,omitempty"`
	Title         string    `json:"title"`
	Byline        string    `json:"byline,omitempty"`
	SiteName      string    `json:"site_name,omitempty"`
	PublishedTime string    `json:"published_time,omitempty"`
	Lang          string    `json:"lang,omitempty"`
	Blocks        []Block   `json:"blocks"`
	CapturedAt    time.Time `json:"captured_at"`
	Source        Source    `json:"source"`
	Extractor     string    `json:"extractor"`
	Reading       *Reading  `json:"reading,omitempty"`
}

// Content returns the versioned part of a capture.
func (c *Capture) Content() Content {
	return Content{Title: c.Title, Byline: c.Byline, Blocks: c.Blocks}
}

// CaptureStatus says what a capture did to the store.
type CaptureStatus string

// The outcomes of storing a capture.
const (
	StatusNew       CaptureStatus = "new"
	StatusChanged   CaptureStatus = "changed"
	StatusUnchanged CaptureStatus = "unchanged"
)
