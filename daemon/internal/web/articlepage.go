package web

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/store"
)

// versionItem is one line of an article's version list.
type versionItem struct {
	store.VersionInfo
	// Gap says how long after the previous version this one appeared.
	Gap      string
	Read     bool // the version the user read
	From, To bool // the two versions compared below
	// Significance grades the version against the previous one of its
	// lineage (empty for the first of a lineage).
	Significance article.Significance
}

// timeline is the small picture of when versions appeared.
type timeline struct {
	Width, Height int
	Axis          int // y of the axis line
	Dots          []dot
	Start, End    string
	ReadX         int
	HasRead       bool
}

type dot struct {
	X            int
	Source       string
	Label        string
	Number       int
	Chosen       bool
	Significance article.Significance
}

type articleData struct {
	Article  article.Article
	Versions []versionItem
	Diff     *diffView
	Mode     string
	From, To int
	Timeline timeline
	Unseen   bool
	FeedURL  string
	Return   string
	Watch    watchView
	Checked  string
	Share    *shareLinks
}

func (d *Dashboard) articlePage(w http.ResponseWriter, r *http.Request, u user) error {
	a, err := d.articleOf(r)
	if err != nil {
		return err
	}
	id := a.ID
	versions, err := d.store.Versions(id)
	if err != nil {
		return err
	}
	from, to, err := d.reading.Range(a)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	for name, dst := range map[string]*int{"from": &from, "to": &to} {
		if s := q.Get(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > len(versions) {
				return userError(article.EINVALID, fmt.Sprintf("This article has versions 1 to %d.", len(versions)))
			}
			*dst = n
		}
	}
	data := articleData{Article: a, From: from, To: to, Mode: "side", Unseen: len(a.Unseen) > 0, Return: r.URL.RequestURI()}
	data.Watch = d.watchOf(a)
	data.Checked = checkedWords[q.Get("checked")]
	if q.Get("mode") == "inline" {
		data.Mode = "inline"
	}
	grades, err := d.lineageGrades(a, versions)
	if err != nil {
		return err
	}
	for i, vi := range versions {
		it := versionItem{VersionInfo: vi, Read: vi.Number == a.Read.Version, From: vi.Number == from, To: vi.Number == to, Significance: grades[vi.Number]}
		if i > 0 {
			it.Gap = "(" + durationText(vi.CapturedAt.Sub(versions[i-1].CapturedAt)) + " later)"
		}
		data.Versions = append(data.Versions, it)
	}
	if from != to && len(versions) > 1 {
		res, err := d.reading.Compare(a, from, to)
		if err != nil {
			return err
		}
		dv := newDiffView(versions[from-1], versions[to-1], res.Result)
		part := 1
		if s := q.Get("part"); s != "" {
			if part, err = strconv.Atoi(s); err != nil {
				return userError(article.EINVALID, "part must be a number.")
			}
		}
		if err := dv.showPart(part, fmt.Sprintf("?from=%d&to=%d&mode=%s", from, to, data.Mode)); err != nil {
			return err
		}
		data.Diff = &dv
		if from < to {
			if data.Share, err = shareLinksOf(a, res.From, res.To, res.Result, res.Across); err != nil {
				return err
			}
		}
	}
	data.Timeline = timelineOf(versions, a, from, to, grades)
	v, err := d.base(r, u, a.Title, "articles")
	if err != nil {
		return err
	}
	// The page follows the article's checks live (app.js).
	if err := d.goLive(&v, u); err != nil {
		return err
	}
	v.Feed = "/feeds/articles/" + strconv.FormatInt(id, 10) + ".atom?token=" + d.feedToken()
	v.FeedTitle = "Redline: every version of " + a.Title
	data.FeedURL = v.Feed
	v.Data = data
	d.render(w, r, http.StatusOK, "article", v)
	return nil
}

// lineageGrades grades each version against the previous one of its
// lineage, as the article's own feed does: every change shows there
// marked minor or substantive, whatever alerts. The first version of a
// lineage has none. A grade depends only on the two contents and the diff
// rules, so it is computed once (gradeCache): a page seen again compares
// nothing.
func (d *Dashboard) lineageGrades(a article.Article, versions []store.VersionInfo) (map[int]article.Significance, error) {
	out := make(map[int]article.Significance, len(versions))
	rules := fmt.Sprintf("%+v", d.reading.Rules())
	last := map[article.Source]store.VersionInfo{}
	for _, v := range versions {
		if prev, ok := last[v.Source]; ok {
			k := gradeKey{article: a.ID, from: prev.Hash, to: v.Hash, rules: rules}
			sig, ok := d.grades.get(k)
			if !ok {
				res, err := d.reading.Compare(a, prev.Number, v.Number)
				if err != nil {
					return nil, err
				}
				sig = res.Summary.Significance
				d.grades.put(k, sig)
			}
			out[v.Number] = sig
		}
		last[v.Source] = v
	}
	return out, nil
}

// gradeCache keeps the grades lineageGrades worked out, by article, the
// two contents' hashes and the rules they were judged with. It holds at
// most maxGrades; when full it starts again.
type gradeCache struct {
	mu sync.Mutex
	m  map[gradeKey]article.Significance
}

type gradeKey struct {
	article  int64
	from, to string
	rules    string
}

const maxGrades = 16384

func (c *gradeCache) get(k gradeKey) (article.Significance, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sig, ok := c.m[k]
	return sig, ok
}

func (c *gradeCache) put(k gradeKey, sig article.Significance) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxGrades {
		c.m = make(map[gradeKey]article.Significance)
	}
	c.m[k] = sig
}

// timelineOf places each version on a line from the first to the last;
// grades are the versions' significance (lineageGrades).
func timelineOf(versions []store.VersionInfo, a article.Article, from, to int, grades map[int]article.Significance) timeline {
	t := timeline{Width: 640, Height: 64, Axis: 30}
	if len(versions) == 0 {
		return t
	}
	const pad = 14
	first, last := versions[0].CapturedAt, versions[len(versions)-1].CapturedAt
	span := last.Sub(first)
	x := func(at time.Time) int {
		if span <= 0 {
			return t.Width / 2
		}
		return pad + int(float64(t.Width-2*pad)*float64(at.Sub(first))/float64(span))
	}
	for _, v := range versions {
		label := fmt.Sprintf("Version %d, %s, %s", v.Number, absTime(v.CapturedAt), v.Source)
		if g := grades[v.Number]; g != "" {
			label += ", " + string(g) + " change"
		}
		t.Dots = append(t.Dots, dot{
			X: x(v.CapturedAt), Source: string(v.Source), Number: v.Number, Chosen: v.Number == from || v.Number == to,
			Label: label, Significance: grades[v.Number],
		})
		if v.Layout {
			t.Dots[len(t.Dots)-1].Label += ", page layout changed"
		}
	}
	if a.Read.Version > 0 && !a.Read.At.IsZero() && !a.Read.At.Before(first) && !a.Read.At.After(last) {
		t.HasRead, t.ReadX = true, x(a.Read.At)
	}
	t.Start = first.Local().Format("2 Jan 15:04")
	t.End = last.Local().Format("2 Jan 15:04")
	return t
}

func (d *Dashboard) forgetArticle(w http.ResponseWriter, r *http.Request, u user) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := d.reading.Forget(r.Context(), id); err != nil {
		return err
	}
	d.log.Info("article forgotten from the dashboard", "article", id)
	http.Redirect(w, r, "/articles", http.StatusSeeOther)
	return nil
}
