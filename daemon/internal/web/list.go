package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/store"
)

// pageSize is how many articles a page of the list shows.
const pageSize = 50

// maxPage bounds how deep a listing may page (50,000 articles in).
const maxPage = 1000

type option struct {
	Value, Label string
}

type listData struct {
	Articles []article.Article
	// AlertOn is the alert policy: an unseen change that does not alert
	// under it is shown apart.
	AlertOn  article.AlertPolicy
	Q        string
	Site     string
	Changed  string
	Read     string
	Sort     string
	Page     int
	First    int // number of the first article shown
	Prev     string
	Next     string
	Changes  []option
	Reads    []option
	Sorts    []option
	Watch    string
	Watches  []option
	Watching bool
	Filtered bool
}

var (
	changedOptions = []option{{"", "Changed or not"}, {store.FilterUnseen, "Unseen changes"}, {store.FilterChanged, "Changed"}, {store.FilterUnchanged, "Never changed"}}
	readOptions    = []option{{"", "Any time"}, {"day", "Last 24 hours"}, {"week", "Last 7 days"}, {"month", "Last 30 days"}, {"year", "Last year"}, {"older", "Over a year ago"}}
	watchOptions   = []option{{"", "Any"}, {string(article.WatchWatching), "Watched"}, {string(article.WatchPaused), "Paused"}, {string(article.WatchNotCheckable), "Not checkable by fetch"}, {string(article.WatchRemoved), "Removed from the site"}, {string(article.WatchFinished), "No longer checked"}}
	sortOptions    = []option{{"read", "Recently read"}, {"read-oldest", "Read longest ago"}, {"changed", "Recently changed"}, {"first_seen", "First seen"}}
)

// listFilter reads the list's query into a store filter.
func (d *Dashboard) listFilter(q url.Values) (store.ListFilter, listData) {
	data := listData{
		Q: strings.TrimSpace(q.Get("q")), Site: strings.ToLower(strings.TrimSpace(q.Get("site"))),
		Changed: q.Get("changed"), Read: q.Get("read"), Sort: q.Get("sort"),
		Changes: changedOptions, Reads: readOptions, Sorts: sortOptions,
		Watches: watchOptions, Watching: d.watcher != nil,
	}
	if len(data.Q) > 200 {
		data.Q = data.Q[:200]
	}
	f := store.ListFilter{Q: data.Q, Site: data.Site, Limit: pageSize}
	switch data.Changed {
	case store.FilterChanged, store.FilterUnchanged, store.FilterUnseen:
		f.Changed = data.Changed
	default:
		data.Changed = ""
	}
	now := d.now()
	switch data.Read {
	case "day":
		f.ReadFrom = now.Add(-24 * time.Hour)
	case "week":
		f.ReadFrom = now.AddDate(0, 0, -7)
	case "month":
		f.ReadFrom = now.AddDate(0, 0, -30)
	case "year":
		f.ReadFrom = now.AddDate(-1, 0, 0)
	case "older":
		f.ReadTo = now.AddDate(-1, 0, 0)
	default:
		data.Read = ""
	}
	switch data.Sort {
	case "read-oldest":
		f.Order, f.Oldest = store.OrderRead, true
	case "changed":
		f.Order = store.OrderChanged
	case "first_seen":
		f.Order = store.OrderFirstSeen
	default:
		data.Sort = "read"
	}
	for _, o := range watchOptions[1:] {
		if q.Get("watch") == o.Value {
			state := article.WatchState(o.Value)
			data.Watch = o.Value
			f.Match = func(a *article.Article) bool { return a.Watch != nil && a.Watch.State == state }
		}
	}
	data.Page, _ = strconv.Atoi(q.Get("page"))
	data.Page = min(max(data.Page, 1), maxPage)
	f.Offset = (data.Page - 1) * pageSize
	data.Filtered = data.Q != "" || data.Site != "" || data.Changed != "" || data.Read != "" || data.Watch != ""
	return f, data
}

func (d *Dashboard) articles(w http.ResponseWriter, r *http.Request, u user) error {
	f, data := d.listFilter(r.URL.Query())
	var err error
	if f.AlertOn, err = d.reading.AlertPolicy(); err != nil {
		return err
	}
	page, err := d.store.ListArticles(f)
	if err != nil {
		return err
	}
	data.Articles = page.Articles
	data.AlertOn = f.AlertOn
	data.First = f.Offset + 1
	link := func(p int) string {
		q := url.Values{}
		for k, v := range map[string]string{"q": data.Q, "site": data.Site, "changed": data.Changed, "read": data.Read, "watch": data.Watch} {
			if v != "" {
				q.Set(k, v)
			}
		}
		if data.Sort != "read" {
			q.Set("sort", data.Sort)
		}
		if p > 1 {
			q.Set("page", strconv.Itoa(p))
		}
		if len(q) == 0 {
			return "/articles"
		}
		return "/articles?" + q.Encode()
	}
	if data.Page > 1 {
		data.Prev = link(data.Page - 1)
	}
	if page.More && data.Page < maxPage {
		data.Next = link(data.Page + 1)
	}
	v, err := d.base(r, u, "All articles", "articles")
	if err != nil {
		return err
	}
	v.Data = data
	d.render(w, r, http.StatusOK, "articles", v)
	return nil
}
