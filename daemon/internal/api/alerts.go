package api

import (
	"net/http"

	"redline/daemon/internal/article"
)

// AlertSettings is the body and the answer of /api/v1/settings/alerts:
// which changes of an article the user read alert them.
type AlertSettings struct {
	AlertOn article.AlertPolicy `json:"alert_on"`
}

// alertSettingsRequest is the body of POST /api/v1/settings/alerts; a
// pointer tells a missing alert_on from an empty one.
type alertSettingsRequest struct {
	AlertOn *string `json:"alert_on"`
}

// getAlertSettings answers GET /api/v1/settings/alerts: the alert policy
// the dashboard's settings and the extension's options both show.
func (s *Server) getAlertSettings(w http.ResponseWriter, r *http.Request) {
	p, err := s.reading.AlertPolicy()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, AlertSettings{AlertOn: p})
}

// setAlertSettings changes the alert policy. A body without alert_on, or
// with a value that is not a policy, is refused and changes nothing.
func (s *Server) setAlertSettings(w http.ResponseWriter, r *http.Request) {
	var req alertSettingsRequest
	if err := decodeJSON(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.AlertOn == nil {
		s.fail(w, r, article.Errorf(article.EINVALID, "alert_on is missing: send %q or %q", article.AlertSubstantive, article.AlertMinor))
		return
	}
	p, err := s.reading.SetAlertPolicy(r.Context(), *req.AlertOn)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("alert policy changed through the API", "alert_on", p)
	writeJSON(w, http.StatusOK, AlertSettings{AlertOn: p})
}
