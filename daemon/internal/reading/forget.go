package reading

import (
	"context"
	"fmt"

	"redline/daemon/internal/article"
)

// Forget removes everything Redline keeps of an article (its versions,
// URLs, read mark, watch and events), then tells the hub, so that no
// client is served its events again.
func (s *Service) Forget(ctx context.Context, id int64) error {
	if err := s.store.DeleteArticle(ctx, id); err != nil {
		return err
	}
	if s.hub != nil {
		s.hub.Forget(id)
	}
	return nil
}

// ForgetSite forgets every article of a site, and what Redline learned of
// the site's template, and returns how many articles it forgot. An
// article forgotten meanwhile is not an error.
func (s *Service) ForgetSite(ctx context.Context, site string) (int, error) {
	ids, err := s.store.SiteArticles(site)
	if err != nil {
		return 0, fmt.Errorf("forget %s: %w", site, err)
	}
	n := 0
	for _, id := range ids {
		if err := s.Forget(ctx, id); err != nil {
			if article.ErrorCode(err) == article.ENOTFOUND {
				continue
			}
			return n, err
		}
		n++
	}
	if err := s.store.ForgetFurniture(ctx, site); err != nil {
		return n, err
	}
	return n, nil
}
