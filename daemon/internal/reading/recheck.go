package reading

import (
	"context"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/store"
)

// Rechecked files what the reader's browser found when it re-checked
// article a for the daemon: a browser version, filed where the article
// is (a redirect or a canonical link never moves it), and not a read: the
// read mark stays where the reader left it, so "changed since you read
// it" stays relative to what they read.
func (s *Service) Rechecked(ctx context.Context, a article.Article, c *article.Capture, now time.Time) (store.Saved, error) {
	if c.Source != article.SourceBrowser {
		return store.Saved{}, article.Errorf(article.EINVALID, "source must be \"browser\": a re-check through the browser is a browser capture")
	}
	c.Reading = nil
	return s.fileAt(ctx, a, c, now, "a re-check")
}
