package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"redline/daemon/internal/article"
)

// How far back the home page looks.
const (
	homeArticles = 100
	homeEvents   = 20000
	homeSeen     = 20 // recently seen changes shown below the unseen ones
)

// change is one article on the home page with what changed in it.
type change struct {
	Article      article.Article
	Unseen       bool
	From, To     int
	Significance article.Significance
	Words        []string
	Preview      *preview
}

type homeData struct {
	Unseen  []change
	Removed []article.Article
	Seen    []change
}

func (d *Dashboard) home(w http.ResponseWriter, r *http.Request, u user) error {
	recent, err := d.store.RecentlyChanged(homeArticles, homeEvents)
	if err != nil {
		return err
	}
	policy, err := d.reading.AlertPolicy()
	if err != nil {
		return err
	}
	var data homeData
	for _, a := range recent {
		// Only a change that alerts under the user's policy is listed as
		// changed since they read it; one that does not (a minor change,
		// by default) shows on the article's own page, not here.
		unseen := a.Alerting(policy)
		if !unseen && a.Watch != nil && a.Watch.State == article.WatchRemoved {
			if len(data.Removed) < homeSeen {
				data.Removed = append(data.Removed, a)
			}
			continue
		}
		if !unseen && (len(a.Unseen) > 0 || len(data.Seen) >= homeSeen) {
			continue
		}
		c, err := d.changeOf(a, policy)
		if err != nil {
			return err
		}
		if unseen {
			data.Unseen = append(data.Unseen, c)
		} else {
			data.Seen = append(data.Seen, c)
		}
	}
	// Most recent change first.
	slices.SortStableFunc(data.Unseen, func(x, y change) int { return y.Article.LastChanged.Compare(x.Article.LastChanged) })
	v, err := d.base(r, u, "Changed since you read", "home")
	if err != nil {
		return err
	}
	if err := d.goLive(&v, u); err != nil {
		return err
	}
	v.Data = data
	d.render(w, r, http.StatusOK, "home", v)
	return nil
}

// changeOf works out what changed in an article since the user read it
// (or, when all is seen, in its last change). Unseen says whether it
// alerts under the policy.
func (d *Dashboard) changeOf(a article.Article, policy article.AlertPolicy) (change, error) {
	from, to, err := d.reading.Range(a)
	if err != nil {
		return change{}, err
	}
	c := change{Article: a, Unseen: a.Alerting(policy), From: from, To: to}
	if from == to {
		return c, nil
	}
	res, err := d.reading.Compare(a, from, to)
	if err != nil {
		return change{}, err
	}
	// The badge grades the change the card describes, not the worst of
	// the steps that led there.
	c.Significance = res.Summary.Significance
	c.Words = describe(res.Summary)
	c.Preview = previewOf(res.Result)
	return c, nil
}

// base is the view every page starts from: the feed it advertises and the
// count of articles with unseen changes that alert under the user's
// policy, for the top bar (the number of cards the home page lists).
func (d *Dashboard) base(r *http.Request, u user, title, nav string) (view, error) {
	v := view{Title: title, Nav: nav, CSRF: u.csrf}
	recent, err := d.store.RecentlyChanged(homeArticles, homeEvents)
	if err != nil {
		return v, err
	}
	policy, err := d.reading.AlertPolicy()
	if err != nil {
		return v, err
	}
	for _, a := range recent {
		if a.Alerting(policy) {
			v.Unseen++
		}
	}
	v.Feed = "/feeds/changes.atom?token=" + d.feedToken()
	v.FeedTitle = "Redline: changes since you read"
	return v, nil
}

func (d *Dashboard) markSeen(w http.ResponseWriter, r *http.Request, u user) error {
	a, err := d.articleOf(r)
	if err != nil {
		return err
	}
	id := a.ID
	n := a.Versions
	if v := r.PostForm.Get("version"); v != "" {
		if n, err = strconv.Atoi(v); err != nil {
			return userError(article.EINVALID, "The version to mark seen is not a number.")
		}
	}
	if _, err := d.reading.MarkSeen(r.Context(), id, n, d.now()); err != nil {
		return err
	}
	back(w, r, "/")
	return nil
}

// markAllSeen marks seen the changes the home page lists: those that
// alert under the user's policy.
func (d *Dashboard) markAllSeen(w http.ResponseWriter, r *http.Request, u user) error {
	recent, err := d.store.RecentlyChanged(homeArticles, homeEvents)
	if err != nil {
		return err
	}
	policy, err := d.reading.AlertPolicy()
	if err != nil {
		return err
	}
	for _, a := range recent {
		if !a.Alerting(policy) {
			continue
		}
		if _, err := d.reading.MarkSeen(r.Context(), a.ID, a.Versions, d.now()); err != nil {
			return err
		}
	}
	back(w, r, "/")
	return nil
}

// back redirects after a form to the page named in its "return" field
// when that is a path of the dashboard, else to fallback.
func back(w http.ResponseWriter, r *http.Request, fallback string) {
	to := r.PostForm.Get("return")
	if !dashboardPath(to) {
		to = fallback
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// dashboardPath reports whether to is a path on the dashboard itself: it
// parses as a URL without scheme, host or user, starts with a single "/",
// and holds no control character or backslash, which browsers drop or
// read as "/" and so could turn "/\t/evil.example" into another site.
func dashboardPath(to string) bool {
	if !strings.HasPrefix(to, "/") || strings.HasPrefix(to, "//") {
		return false
	}
	for _, c := range to {
		if c < 0x20 || c == 0x7f || c == '\\' || (c >= 0x80 && c < 0xa0) {
			return false
		}
	}
	u, err := url.Parse(to)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && !u.IsAbs() && strings.HasPrefix(u.Path, "/")
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSuffix(r.PathValue("id"), ".atom"), 10, 64)
	if err != nil || id < 1 {
		return 0, userError(article.ENOTFOUND, "There is no such article.")
	}
	return id, nil
}
