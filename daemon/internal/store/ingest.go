package store

import (
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/canonical"
)

// NewIngest validates a capture and prepares it for SaveCapture: the URL
// a new article would be stored under (the declared canonical when it
// names the same page, canonical.Choose), the page's own canonical URL as
// an alias when that differs, the site, and text normalised so that
// formatting noise never makes a new version. The capture's title, byline
// and blocks are replaced by their normal forms.
func NewIngest(c *article.Capture, now time.Time) (Ingest, error) {
	if err := c.Validate(now); err != nil {
		return Ingest{}, err
	}
	page, err := canonical.URL(c.URL)
	if err != nil {
		return Ingest{}, err
	}
	u, err := canonical.Choose(c.URL, c.CanonicalURL)
	if err != nil {
		return Ingest{}, err
	}
	c.Title = canonical.Text(c.Title)
	c.Byline = canonical.Text(c.Byline)
	c.SiteName = canonical.Text(c.SiteName)
	c.Blocks = canonical.Blocks(c.Blocks)
	if len(c.Blocks) == 0 {
		return Ingest{}, article.Errorf(article.EINVALID, "the capture has no text: every block is empty")
	}
	in := Ingest{Capture: c, URL: u, Site: canonical.Site(u), Now: now}
	if page != u {
		in.Aliases = []string{page}
	}
	return in, nil
}
