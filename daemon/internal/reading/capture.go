package reading

import (
	"context"
	"fmt"
	"slices"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/canonical"
	"redline/daemon/internal/store"
)

// Captures come in three ways, each filed by its own rule: the browser's
// (Read: a read, filed by the page's URL and the canonical it declares),
// the watcher's fetches of an article it re-checks (Fetched: filed where
// the article is), and the first fetch of a page the user names (Named:
// a read, with the URL named as an alias). A capture that is not valid
// changes nothing and fails with an invalid error.

// Read files a capture the browser sent as the user read a page: in the
// page's article, else a new one; as a new version when its text
// changed; and as a read. Only the daemon makes fetch versions. The
// result carries the change the reader has not seen (Saved.SinceRead).
func (s *Service) Read(ctx context.Context, c *article.Capture, now time.Time) (store.Saved, error) {
	if c.Source != "" && c.Source != article.SourceBrowser {
		return store.Saved{}, article.Errorf(article.EINVALID, "source must be \"browser\": only the daemon itself makes fetch versions")
	}
	in, err := ingest(c, now)
	if err != nil {
		return store.Saved{}, err
	}
	in.MarkRead = true
	return s.store.SaveCapture(ctx, in)
}

// Fetched files what the watcher fetched of article a as a version of the
// fetch lineage. Fetches follow the article where it is: a redirect or a
// canonical link never moves it or files it elsewhere.
func (s *Service) Fetched(ctx context.Context, a article.Article, c *article.Capture, now time.Time) (store.Saved, error) {
	return s.fileAt(ctx, a, c, now, "a fetch")
}

// fileAt files capture c (what, in errors) as a version of article a,
// where the article is: a redirect or a canonical link never moves it.
func (s *Service) fileAt(ctx context.Context, a article.Article, c *article.Capture, now time.Time, what string) (store.Saved, error) {
	c.URL, c.CanonicalURL = a.URL, ""
	in, err := ingest(c, now)
	if err != nil {
		return store.Saved{}, err
	}
	saved, err := s.store.SaveCapture(ctx, in)
	if err != nil {
		return store.Saved{}, err
	}
	if saved.Article.ID != a.ID {
		return store.Saved{}, fmt.Errorf("%s of article %d was stored as article %d", what, a.ID, saved.Article.ID)
	}
	return saved, nil
}

// Named files the first fetch of a page the user named (canonical form
// named): under the URL the page gives for itself, with the URL named as
// an alias, and as a read: later changes are "changed since you read it".
func (s *Service) Named(ctx context.Context, named string, c *article.Capture, now time.Time) (store.Saved, error) {
	in, err := ingest(c, now)
	if err != nil {
		return store.Saved{}, err
	}
	if named != in.URL && !slices.Contains(in.Aliases, named) {
		in.Aliases = append(in.Aliases, named)
	}
	in.MarkRead = true
	return s.store.SaveCapture(ctx, in)
}

// ingest validates a capture and prepares it for the store: the URL a new
// article would be stored under (the declared canonical when it names the
// same page, canonical.Choose), the page's own canonical URL as an alias
// when that differs, the site, and text normalised so that formatting
// noise never makes a new version. The capture's title, byline and blocks
// are replaced by their normal forms.
func ingest(c *article.Capture, now time.Time) (store.Ingest, error) {
	if err := c.Validate(now); err != nil {
		return store.Ingest{}, err
	}
	page, err := canonical.URL(c.URL)
	if err != nil {
		return store.Ingest{}, err
	}
	u, err := canonical.Choose(c.URL, c.CanonicalURL)
	if err != nil {
		return store.Ingest{}, err
	}
	c.Title = canonical.Text(c.Title)
	c.Byline = canonical.Text(c.Byline)
	c.SiteName = canonical.Text(c.SiteName)
	c.Blocks = canonical.Blocks(c.Blocks)
	if len(c.Blocks) == 0 {
		return store.Ingest{}, article.Errorf(article.EINVALID, "the capture has no text: every block is empty")
	}
	in := store.Ingest{Capture: c, URL: u, Site: canonical.Site(u), Now: now}
	if page != u {
		in.Aliases = []string{page}
	}
	return in, nil
}
