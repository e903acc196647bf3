package web

import (
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// siteBar is one site in the chart: a bar for the articles read, the part
// of it that changed filled in, and the median delay to a first change.
type siteBar struct {
	Site        string
	Link        string
	Settings    string // the site's own page
	Articles    int
	Changed     int
	Changes     int
	Median      time.Duration
	MedianText  string
	PerArticle  string // changes per changed article
	Y           int
	ReadWidth   int
	ChangeWidth int
	Label       string
}

type sitesData struct {
	Bars   []siteBar
	Width  int
	Height int
	BarX   int
	BarMax int
	TextX  int
	Total  int
}

// maxSites bounds the chart; the rest are summed up in the table.
const maxSites = 40

func (d *Dashboard) sites(w http.ResponseWriter, r *http.Request, u user) error {
	figures, err := d.store.Sites()
	if err != nil {
		return err
	}
	data := sitesData{Width: 900, BarX: 190, BarMax: 340, Total: len(figures)}
	most := 1
	for _, f := range figures {
		most = max(most, f.Articles)
	}
	for i, f := range figures {
		if i == maxSites {
			break
		}
		b := siteBar{
			Site: f.Site, Link: "/articles?site=" + url.QueryEscape(f.Site), Settings: sitePath(f.Site), Articles: f.Articles, Changed: f.Changed, Changes: f.Changes,
			Median: f.MedianFirstChange(), Y: i * 28,
		}
		b.ReadWidth = max(2, data.BarMax*f.Articles/most)
		b.ChangeWidth = data.BarMax * f.Changed / most
		if f.Changed > 0 {
			b.MedianText = durationText(b.Median)
			b.PerArticle = fmt.Sprintf("%.1f", float64(f.Changes)/float64(f.Changed))
			b.Label = fmt.Sprintf("%d of %d changed · first change after %s", f.Changed, f.Articles, b.MedianText)
		} else {
			b.Label = fmt.Sprintf("%d read · none changed", f.Articles)
		}
		data.Bars = append(data.Bars, b)
	}
	data.Height = len(data.Bars)*28 + 8
	data.TextX = data.BarX + data.BarMax + 14
	v, err := d.base(r, u, "Sites", "sites")
	if err != nil {
		return err
	}
	v.Data = data
	d.render(w, r, http.StatusOK, "sites", v)
	return nil
}
