package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"redline/daemon/internal/article"
	"redline/daemon/internal/feed"
	"redline/daemon/internal/store"
)

// feedEntries is how many changes the changes feed carries.
const feedEntries = 50

// feedEntryData is what the feed entry template renders into HTML.
type feedEntryData struct {
	Words    []string
	Original string
	Page     string
	Diff     *diffView
	First    []article.Block
}

// feedOrigin is where feed readers fetch the feeds: 127.0.0.1, which every
// program resolves (names under .localhost are a browser's). Links that a
// person opens point at the dashboard's own host, where the session is.
func (d *Dashboard) feedOrigin() string { return "http://127.0.0.1:" + strconv.Itoa(d.port) }

// feedAuth answers 401 unless the request carries the feed token. A
// person who opened a feed link in a browser gets a page that says how to
// subscribe; a feed reader gets a line of text.
func (d *Dashboard) feedAuth(w http.ResponseWriter, r *http.Request) bool {
	if d.feedTokenOK(r) {
		return true
	}
	if wantsHTML(r.Header.Get("Accept")) {
		w.Header().Set("Cache-Control", "no-store")
		text := "Feeds carry a private, read-only key in their address. To subscribe, open the dashboard (click the Redline button in your browser's toolbar and choose Open dashboard, or run `redline open`), go to Settings, copy the address under Feed of changes and add it to your feed reader."
		if r.URL.Query().Has("token") {
			text = "The key in this address is wrong or was replaced (Make a new feed address in the settings replaces it). " + text
		}
		d.render(w, r, http.StatusUnauthorized, "message", view{Title: "Subscribe to your changes", Message: &message{
			Heading: "This is a feed for your feed reader", Text: text,
		}})
		return false
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	fmt.Fprintln(w, "This feed needs its token: copy the feed address from Redline's settings page.")
	return false
}

// wantsHTML reports whether an Accept header prefers a web page to a
// feed: it names text/html (or XHTML) with a higher weight than any feed
// or XML type. Browsers do; feed readers ask for a feed, XML or */*.
func wantsHTML(accept string) bool {
	var page, feed float64
	for _, part := range strings.Split(accept, ",") {
		typ, params, _ := strings.Cut(part, ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
					q = f
				} else {
					q = 0
				}
			}
		}
		switch strings.ToLower(strings.TrimSpace(typ)) {
		case "text/html", "application/xhtml+xml":
			page = max(page, q)
		case "application/atom+xml", "application/rss+xml", "application/xml", "text/xml", "application/feed+json":
			feed = max(feed, q)
		}
	}
	return page > 0 && page > feed
}

func (d *Dashboard) writeFeed(w http.ResponseWriter, r *http.Request, f feed.Feed) {
	var buf bytes.Buffer
	if err := feed.Write(&buf, f); err != nil {
		d.log.Error("write feed", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

func (d *Dashboard) entryHTML(data feedEntryData) (string, error) {
	var buf bytes.Buffer
	if err := d.pages.tmpl["message"].ExecuteTemplate(&buf, "feedentry", data); err != nil {
		return "", fmt.Errorf("render feed entry: %w", err)
	}
	return buf.String(), nil
}

func (d *Dashboard) changesFeed(w http.ResponseWriter, r *http.Request) {
	if !d.feedAuth(w, r) {
		return
	}
	// Only the changes that alert under the user's policy: the others are
	// in each article's own feed.
	policy, err := d.reading.AlertPolicy()
	if err != nil {
		d.fail(w, r, err)
		return
	}
	events, err := d.store.ChangeEvents(0, feedEntries, policy)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	tok := r.URL.Query().Get("token")
	f := feed.Feed{
		ID: "urn:redline:changes", Title: "Redline: changes since you read",
		Self: d.feedOrigin() + "/feeds/changes.atom?token=" + tok, Alternate: d.origin + "/",
	}
	for _, e := range events {
		a, err := d.store.Article(e.ArticleID)
		if err != nil {
			if isNotFound(err) {
				continue
			}
			d.fail(w, r, err)
			return
		}
		var entry feed.Entry
		if e.Type == article.EventRemoved {
			entry, err = d.removedEntry(a, e)
		} else {
			entry, err = d.changeEntry(a, e.FromVersion, e.ToVersion, e)
		}
		if err != nil {
			d.fail(w, r, err)
			return
		}
		f.Entries = append(f.Entries, entry)
		if e.At.After(f.Updated) {
			f.Updated = e.At
		}
	}
	d.writeFeed(w, r, f)
}

// changeEntry is one change as a feed entry: what changed in words, then
// the changed paragraphs with their edits marked.
func (d *Dashboard) changeEntry(a article.Article, from, to int, e article.Event) (feed.Entry, error) {
	entry, _, err := d.versionEntry(a, from, to, e)
	return entry, err
}

// versionEntry is changeEntry with the change's grade.
func (d *Dashboard) versionEntry(a article.Article, from, to int, e article.Event) (feed.Entry, article.Significance, error) {
	versions, err := d.store.Versions(a.ID)
	if err != nil {
		return feed.Entry{}, "", err
	}
	if from < 1 || to > len(versions) || from > len(versions) {
		return feed.Entry{}, "", fmt.Errorf("event %d names versions %d to %d of article %d, which has %d", e.ID, from, to, a.ID, len(versions))
	}
	res, err := d.reading.Compare(a, from, to)
	if err != nil {
		return feed.Entry{}, "", err
	}
	dv := newDiffView(versions[from-1], versions[to-1], res.Result)
	page := fmt.Sprintf("%s/articles/%d?from=%d&to=%d", d.origin, a.ID, from, to)
	words := describe(res.Summary)
	html, err := d.entryHTML(feedEntryData{Words: words, Original: a.URL, Page: page, Diff: &dv})
	if err != nil {
		return feed.Entry{}, "", err
	}
	title := versions[to-1].Title
	return feed.Entry{
		ID:    fmt.Sprintf("urn:redline:article:%d:change:%d-%d", a.ID, from, to),
		Title: "Changed: " + title, Updated: e.At, Link: page,
		Summary: string(res.Summary.Significance) + " change: " + strings.Join(words, "; "),
		Content: html,
	}, res.Summary.Significance, nil
}

func (d *Dashboard) articleFeed(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.PathValue("id"), ".atom") {
		d.notFound(w, r)
		return
	}
	if !d.feedAuth(w, r) {
		return
	}
	id, err := pathID(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	a, err := d.store.Article(id)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	versions, err := d.store.Versions(id)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	tok := r.URL.Query().Get("token")
	f := feed.Feed{
		ID: fmt.Sprintf("urn:redline:article:%d", id), Title: "Redline: " + a.Title,
		Self:      fmt.Sprintf("%s/feeds/articles/%d.atom?token=%s", d.feedOrigin(), id, tok),
		Alternate: fmt.Sprintf("%s/articles/%d", d.origin, id),
	}
	// Newest first; each version against the previous one of its lineage.
	for i := len(versions) - 1; i >= 0; i-- {
		v := versions[i]
		prev := 0
		for j := i - 1; j >= 0; j-- {
			if versions[j].Source == v.Source {
				prev = versions[j].Number
				break
			}
		}
		var entry feed.Entry
		if prev == 0 {
			entry, err = d.firstEntry(a, v)
		} else {
			var sig article.Significance
			entry, sig, err = d.versionEntry(a, prev, v.Number, article.Event{At: v.CapturedAt})
			// Every change is here, marked with its grade: a minor one
			// that alerted nobody too.
			entry.Title = fmt.Sprintf("Version %d: %s (%s change)", v.Number, v.Title, sig)
			entry.ID = fmt.Sprintf("urn:redline:article:%d:version:%d", id, v.Number)
		}
		if err != nil {
			d.fail(w, r, err)
			return
		}
		f.Entries = append(f.Entries, entry)
		if v.CapturedAt.After(f.Updated) {
			f.Updated = v.CapturedAt
		}
	}
	d.writeFeed(w, r, f)
}

// removedEntry tells that a page the user read is gone from its site.
func (d *Dashboard) removedEntry(a article.Article, e article.Event) (feed.Entry, error) {
	page := fmt.Sprintf("%s/articles/%d", d.origin, a.ID)
	html, err := d.entryHTML(feedEntryData{Words: []string{"removed from the site: the page no longer exists at its address"}, Original: a.URL, Page: page})
	if err != nil {
		return feed.Entry{}, err
	}
	return feed.Entry{
		ID:    fmt.Sprintf("urn:redline:article:%d:removed:%d", a.ID, e.ID),
		Title: "Removed: " + a.Title, Updated: e.At, Link: page,
		Summary: "The page no longer exists at its address; Redline keeps every version you read.", Content: html,
	}, nil
}

// firstEntry is the first version of a lineage: its opening paragraphs.
func (d *Dashboard) firstEntry(a article.Article, v store.VersionInfo) (feed.Entry, error) {
	full, err := d.store.Version(a.ID, v.Number)
	if err != nil {
		return feed.Entry{}, err
	}
	blocks := full.Blocks[:min(len(full.Blocks), 5)]
	page := fmt.Sprintf("%s/articles/%d", d.origin, a.ID)
	html, err := d.entryHTML(feedEntryData{Original: a.URL, Page: page, First: blocks})
	if err != nil {
		return feed.Entry{}, err
	}
	how := "first seen in the browser"
	if v.Source == article.SourceFetch {
		how = "first fetched by Redline"
	}
	return feed.Entry{
		ID:    fmt.Sprintf("urn:redline:article:%d:version:%d", a.ID, v.Number),
		Title: fmt.Sprintf("Version %d: %s", v.Number, v.Title), Updated: v.CapturedAt, Link: page,
		Summary: fmt.Sprintf("Version %d, %s", v.Number, how), Content: html,
	}, nil
}
