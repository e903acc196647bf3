package api

import (
	"net/http"

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
