package watch

import (
	"context"
	"strings"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/canonical"
)

// CheckNow checks an article at once, as the user asked: it does not wait
// for the spacing that paces scheduled checks, only for a request to the
// same host that is running, and it honours a wait the site asked for. It
// answers when the check is done.
func (w *Watcher) CheckNow(ctx context.Context, id int64) (article.CheckResult, article.Article, error) {
	return w.checkNow(ctx, id, "")
}

// checkNow is CheckNow; named is the URL of the article the user is
// naming now (track), "" for a check.
func (w *Watcher) checkNow(ctx context.Context, id int64, named string) (article.CheckResult, article.Article, error) {
	a, err := w.store.Article(id)
	if err != nil {
		return article.CheckResult{}, a, err
	}
	if err := w.store.Writable(); err != nil {
		return article.CheckResult{}, a, err // what it fetched could not be kept
	}
	w.mu.Lock()
	w.inflight[id]++
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.leave(id)
		w.mu.Unlock()
	}()
	return w.run(ctx, a, checkAsked, named)
}

// Tracked is what Track did.
type Tracked struct {
	// Created is true when the URL was new to Redline.
	Created bool
	Result  article.CheckResult
	Article article.Article
}

// Track starts watching a page the user names, without the browser: its
// first fetch is the baseline and counts as read, so later changes are
// "changed since you read it". A page Redline already has is marked as
// named and checked now. A page that cannot be fetched as an article is
// refused with the reason.
func (w *Watcher) Track(ctx context.Context, raw string) (Tracked, error) {
	u, err := canonical.URL(raw)
	if err != nil {
		return Tracked{}, err
	}
	if err := w.store.Writable(); err != nil {
		return Tracked{}, err
	}
	if a, err := w.store.ArticleByURL(u); err == nil {
		a, err = w.store.UpdateWatch(ctx, a.ID, func(a *article.Article) (*article.Event, error) {
			if a.Watch == nil {
				a.Watch = &article.Watch{State: article.WatchWatching}
			}
			a.Watch.Named = true
			return nil, nil
		})
		if err != nil {
			return Tracked{}, err
		}
		res, a, err := w.checkNow(ctx, a.ID, u)
		return Tracked{Result: res, Article: a}, err
	} else if article.ErrorCode(err) != article.ENOTFOUND {
		return Tracked{}, err
	}

	name := hostOf(u)
	waited, err := w.hosts.acquire(ctx, name, w.now)
	if err != nil {
		return Tracked{}, err
	}
	if waited != nil {
		return Tracked{}, invalidf("cannot watch %s now: the site asked Redline to wait until %s", u, waited.until.UTC().Format(time.RFC3339))
	}
	f, err := w.fetchPage(ctx, article.Article{URL: u}, u)
	w.hosts.release(name, w.now(), f.hostStatus, f.retryAfter)
	if err != nil {
		return Tracked{}, err
	}
	if f.capture == nil {
		return Tracked{}, invalidf("cannot watch %s: %s", u, f.result.Message)
	}
	now := w.now()
	saved, err := w.reading.Named(ctx, u, f.capture, now)
	if err := w.stored(&f, saved, err); err != nil {
		return Tracked{}, err
	}
	if f.capture == nil { // refused by the store's limits
		return Tracked{}, invalidf("cannot watch %s: %s", u, f.result.Message)
	}
	a, err := w.store.ArticleByURL(u)
	if err != nil {
		return Tracked{}, err
	}
	created := a.Captures == 1
	a, err = w.store.UpdateWatch(ctx, a.ID, func(a *article.Article) (*article.Event, error) {
		ev := w.apply(a, f, now)
		a.Watch.Named = true
		return ev, nil
	})
	if err != nil {
		return Tracked{}, err
	}
	res := f.result
	if a.Watch != nil && a.Watch.LastResult != nil {
		res = *a.Watch.LastResult
	}
	w.logResult(a, res)
	return Tracked{Created: created, Result: res, Article: a}, nil
}

// Pause stops the checks of one article until Resume.
func (w *Watcher) Pause(ctx context.Context, id int64) (article.Article, error) {
	return w.store.UpdateWatch(ctx, id, func(a *article.Article) (*article.Event, error) {
		if a.Watch == nil {
			a.Watch = &article.Watch{}
		}
		a.Watch.State, a.Watch.NextCheck = article.WatchPaused, time.Time{}
		a.Watch.Reason, a.Watch.Message = "", ""
		return nil, nil
	})
}

// Resume checks a paused, not checkable or finished article again: a
// check is due at once, and the schedule goes on from there.
func (w *Watcher) Resume(ctx context.Context, id int64) (article.Article, error) {
	now := w.now()
	a, err := w.store.UpdateWatch(ctx, id, func(a *article.Article) (*article.Event, error) {
		if a.Watch == nil {
			a.Watch = &article.Watch{}
		}
		switch a.Watch.State {
		case article.WatchWatching, article.WatchRemoved:
			return nil, nil
		}
		a.Watch.State = article.WatchWatching
		if !a.Watch.RemovedAt.IsZero() {
			a.Watch.State = article.WatchRemoved
		}
		a.Watch.Reason, a.Watch.Message, a.Watch.NextCheck = "", "", now
		return nil, nil
	})
	if err == nil {
		w.Wake()
	}
	return a, err
}

// SiteOf returns the site (registrable domain) of a host name or URL.
func SiteOf(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		s = "https://" + s + "/"
	}
	return canonical.Site(s)
}

// PauseSite stops the checks of every article of a site, now and later.
func (w *Watcher) PauseSite(ctx context.Context, site string) (int, error) {
	s := SiteOf(site)
	if s == "" {
		return 0, invalidf("%q is not a site name such as example.com", site)
	}
	return w.store.PauseSite(ctx, s)
}

// ResumeSite checks a paused site's articles again, starting now.
func (w *Watcher) ResumeSite(ctx context.Context, site string) (int, error) {
	s := SiteOf(site)
	if s == "" {
		return 0, invalidf("%q is not a site name such as example.com", site)
	}
	return w.store.ResumeSite(ctx, s, w.now())
}

// PausedSites lists the sites whose checks are paused.
func (w *Watcher) PausedSites() ([]string, error) { return w.store.PausedSites() }
