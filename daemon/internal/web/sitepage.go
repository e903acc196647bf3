package web

import (
	"net/http"
	"net/url"

	"redline/daemon/internal/article"
	"redline/daemon/internal/store"
)

// siteData is a site's own settings page: what Redline learned of the
// site's template, with a way to take an entry back.
type siteData struct {
	Site      string
	Articles  string // link to the site's articles
	Action    string // where a removal is posted
	Furniture []store.FurnitureEntry
	Saved     string
}

// pathSite is the site a dashboard path names, as the store keeps it.
func pathSite(r *http.Request) (string, error) {
	sites, err := store.NormalizeSites([]string{r.PathValue("site")})
	if err != nil || len(sites) != 1 {
		return "", userError(article.EINVALID, "That is not a site: sites are named like example.com.")
	}
	return sites[0], nil
}

func sitePath(site string) string { return "/sites/" + url.PathEscape(site) }

func (d *Dashboard) sitePage(w http.ResponseWriter, r *http.Request, u user) error {
	site, err := pathSite(r)
	if err != nil {
		return err
	}
	entries, err := d.store.Furniture(site)
	if err != nil {
		return err
	}
	data := siteData{
		Site: site, Articles: "/articles?site=" + url.QueryEscape(site), Action: sitePath(site) + "/furniture/remove",
		Furniture: entries,
	}
	if r.URL.Query().Get("saved") == "removed" {
		data.Saved = "Removed. That line counts as the article's text again, and Redline will not learn it as furniture again."
	}
	v, err := d.base(r, u, site, "sites")
	if err != nil {
		return err
	}
	v.Data = data
	d.render(w, r, http.StatusOK, "site", v)
	return nil
}

// removeFurniture takes an entry out of a site's learned template
// furniture, for good.
func (d *Dashboard) removeFurniture(w http.ResponseWriter, r *http.Request, u user) error {
	site, err := pathSite(r)
	if err != nil {
		return err
	}
	switch err := d.store.RemoveFurniture(r.Context(), site, r.PostForm.Get("id")); {
	case err == nil:
	case article.ErrorCode(err) == article.EINVALID:
		return userError(article.EINVALID, "That is not an entry of a site's template furniture.")
	case article.ErrorCode(err) == article.ENOTFOUND:
		return userError(article.ENOTFOUND, "This site has no such template furniture entry; it may have been removed already.")
	default:
		return err
	}
	d.log.Info("template furniture entry removed from the dashboard")
	http.Redirect(w, r, sitePath(site)+"?saved=removed", http.StatusSeeOther)
	return nil
}
