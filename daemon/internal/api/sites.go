package api

import (
	"net/http"

	"redline/daemon/internal/article"
	"redline/daemon/internal/store"
)

// SiteRulesRequest is the body of POST /api/v1/settings/sites. A list
// left out (or null) stays as it is; a list given replaces the one kept.
type SiteRulesRequest struct {
	Allow *[]string `json:"allow"`
	Deny  *[]string `json:"deny"`
}

// getSiteRules answers GET /api/v1/settings/sites: the allow and deny
// lists the daemon keeps, which the dashboard's settings and the
// extension's options both show.
func (s *Server) getSiteRules(w http.ResponseWriter, r *http.Request) {
	rules, err := s.store.SiteRules()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rules)
}

// setSiteRules replaces the lists the body names. Every entry is checked
// before anything is written: one bad entry changes nothing.
func (s *Server) setSiteRules(w http.ResponseWriter, r *http.Request) {
	var req SiteRulesRequest
	if err := decodeJSON(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	var allow, deny []string
	var err error
	if req.Allow != nil {
		if allow, err = store.NormalizeSites(*req.Allow); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if req.Deny != nil {
		if deny, err = store.NormalizeSites(*req.Deny); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	rules, err := s.store.UpdateSiteRules(r.Context(), func(sr *store.SiteRules) error {
		if req.Allow != nil {
			sr.Allow = allow
		}
		if req.Deny != nil {
			sr.Deny = deny
		}
		return nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("site lists changed through the API", "allow", len(rules.Allow), "deny", len(rules.Deny))
	writeJSON(w, http.StatusOK, rules)
}

// FurnitureResponse lists the blocks Redline learned as a site's template
// furniture: GET /api/v1/sites/{site}/furniture, and the answer to a
// removal.
type FurnitureResponse struct {
	Site    string                 `json:"site"`
	Entries []store.FurnitureEntry `json:"entries"`
}

// siteParam is the site a path names, as the store keeps it ("www." and
// case dropped); anything else than one site is refused.
func siteParam(r *http.Request) (string, error) {
	sites, err := store.NormalizeSites([]string{r.PathValue("site")})
	if err != nil {
		return "", err
	}
	if len(sites) != 1 {
		return "", article.Errorf(article.EINVALID, "name one site, like example.com")
	}
	return sites[0], nil
}

func (s *Server) furnitureOf(w http.ResponseWriter, r *http.Request, site string) {
	entries, err := s.store.Furniture(site)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, FurnitureResponse{Site: site, Entries: entries})
}

// getFurniture answers GET /api/v1/sites/{site}/furniture.
func (s *Server) getFurniture(w http.ResponseWriter, r *http.Request) {
	site, err := siteParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.furnitureOf(w, r, site)
}

// removeFurniture answers DELETE /api/v1/sites/{site}/furniture/{id}: the
// entry is no longer furniture and is never learned again. It answers
// with the list that is left.
func (s *Server) removeFurniture(w http.ResponseWriter, r *http.Request) {
	site, err := siteParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.store.RemoveFurniture(r.Context(), site, r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("template furniture entry removed through the API")
	s.furnitureOf(w, r, site)
}
