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
	ID       int64  `json:"id"`
	URL      string `json:"url"`
	Site     string `json:"site"`
	SiteName string `json:"site_name,omitempty"`
	Title    string `json:"title"`
	// TitleWas is the headline the reader read, when a change since
	// replaced it ("was: …"); empty when the headline is the one they read.
	TitleWas      string    `json:"title_was,omitempty"`
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
	// Watch says whether and when the daemon re-checks the article by
	// fetching it (absent in stores that predate the watcher until it
	// starts once).
	Watch *Watch `json:"watch,omitempty"`
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
	// PageText is the visible text of the whole page, beyond the article
	// the extractor found (at most MaxPageTextBytes). It is not versioned:
	// the store keeps a digest of it (PageDigest) to tell an extractor's
	// miss from an edit.
	PageText string `json:"page_text,omitempty"`
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

// WatchState says whether the daemon re-checks an article by fetching it.
type WatchState string

// The states of a watch.
const (
	// WatchWatching: checked on the decaying schedule.
	WatchWatching WatchState = "watching"
	// WatchPaused: the user paused it (or its site); not checked until
	// resumed.
	WatchPaused WatchState = "paused"
	// WatchNotCheckable: a fetch does not give the article the user read
	// (paywall, login, consent page, bot check, local network); only
	// browser captures follow it.
	WatchNotCheckable WatchState = "not_checkable"
	// WatchRemoved: the site answered 404 or 410, or sends the page to its
	// home page. Still checked on the schedule in case it comes back.
	WatchRemoved WatchState = "removed"
	// WatchFinished: the article has not changed for longer than the
	// schedule's cut-off and won't be checked again.
	WatchFinished WatchState = "finished"
)

// Watch is an article's re-check state.
type Watch struct {
	State WatchState `json:"state"`
	// NextCheck is when the next check is due; absent when none is
	// planned ("won't be checked again").
	NextCheck time.Time `json:"next_check,omitzero"`
	// Until is the schedule's cut-off for this article: no check is
	// planned after it unless the article changes again.
	Until       time.Time `json:"until,omitzero"`
	LastChecked time.Time `json:"last_checked,omitzero"`
	// Checks counts fetches; Failures counts the failed ones in a row.
	Checks     int          `json:"checks"`
	Failures   int          `json:"failures"`
	LastResult *CheckResult `json:"last_result,omitempty"`
	// Reason and Message say why the article is not checkable or paused
	// ("site_paused"): a code for programs and a sentence for people.
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// RemovedAt is when the page was first found gone.
	RemovedAt time.Time `json:"removed_at,omitzero"`
	// Named is set when the user asked to watch the URL (track): its
	// first fetch counts as read.
	Named bool `json:"named,omitempty"`
	// ETag and LastModified are the validators sent with the next check
	// (conditional GET).
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// Via is how the article's checks run: "" by the daemon's fetch,
	// ViaBrowser through the reader's browser (a fetch found it not
	// checkable, or its site is to be checked in the browser).
	Via string `json:"via,omitempty"`
	// Browser is the state of its re-checks through the browser (nil
	// until its first).
	Browser *BrowserCheck `json:"browser,omitempty"`
}

// ViaBrowser is Watch.Via and CheckResult.Via of checks made through the
// reader's browser.
const ViaBrowser = "browser"

// BrowserState is where an article's re-check through the browser stands.
type BrowserState string

// The states of BrowserCheck.
const (
	// BrowserWaiting: a job waits for a browser ("waiting for your
	// browser").
	BrowserWaiting BrowserState = "waiting"
	// BrowserRunning: a connected browser holds the job.
	BrowserRunning BrowserState = "running"
	// BrowserIdle: no job is open; the next is planned by the schedule.
	BrowserIdle BrowserState = "idle"
)

// BrowserCheck is an article's state of re-checks through the browser.
type BrowserCheck struct {
	State BrowserState `json:"state"`
	// Since is when the open job was made (waiting, running).
	Since time.Time `json:"since,omitzero"`
	// LastChecked is when a browser last answered a job of the article.
	LastChecked time.Time `json:"last_checked,omitzero"`
	// Message says why a job waits, or what the browser last said.
	Message string `json:"message,omitempty"`
	// ETag and LastModified are the validators of the browser's last
	// answer, sent with the next job.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// CheckOutcome says what one check found.
type CheckOutcome string

// The outcomes of a check.
const (
	// CheckBaseline: the first fetched version was stored.
	CheckBaseline CheckOutcome = "baseline"
	// CheckUnchanged: same content as the previous fetch (or 304).
	CheckUnchanged CheckOutcome = "unchanged"
	// CheckChanged: a new fetched version; Summary grades it.
	CheckChanged CheckOutcome = "changed"
	// CheckRemoved: 404, 410, or a redirect to the site's home page.
	CheckRemoved CheckOutcome = "removed"
	// CheckNotCheckable: the fetch does not give the article (Reason).
	CheckNotCheckable CheckOutcome = "not_checkable"
	// CheckError: the fetch failed (network, timeout, 429, 5xx, too
	// large); it is tried again later.
	CheckError CheckOutcome = "error"
)

// CheckResult is what one check of an article found.
type CheckResult struct {
	Outcome CheckOutcome `json:"outcome"`
	At      time.Time    `json:"at"`
	// Version is the fetched version stored (baseline, changed) or
	// matched (unchanged).
	Version int      `json:"version,omitempty"`
	Summary *Summary `json:"summary,omitempty"`
	// EventID is the article.changed or article.removed event this check
	// appended, if any.
	EventID int64 `json:"event_id,omitempty"`
	// SinceRead is the change since the reader read the article, from
	// version ReadVersion to Version, when this check found one to tell
	// them about (the article.changed event's range and summary).
	SinceRead   *Summary `json:"since_read,omitempty"`
	ReadVersion int      `json:"read_version,omitempty"`
	Reason      string   `json:"reason,omitempty"`
	Message     string   `json:"message"`
	HTTPStatus  int      `json:"http_status,omitempty"`
	// Via is ViaBrowser for a check made through the reader's browser.
	Via string `json:"via,omitempty"`
}

// ReasonPrivateNetwork is the watch reason of an article on this computer
// or a private network, which the daemon fetches only with --allow-private.
const ReasonPrivateNetwork = "private_network"

// EventRemoved is the event of an article found gone (404, 410) after the
// user read it.
const EventRemoved = "article.removed"
