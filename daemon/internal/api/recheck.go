package api

import (
	"context"
	"net/http"

	"redline/daemon/internal/article"
	"redline/daemon/internal/hub"
	"redline/daemon/internal/watch"
)

// Rechecker is what the routes of re-checks through the browser need of
// the watcher.
type Rechecker interface {
	hub.Jobs
	RecheckSettings() watch.RecheckSettings
	SetRecheckSettings(ctx context.Context, p watch.RecheckPatch) (watch.RecheckSettings, error)
	Answer(ctx context.Context, jobID string, ans watch.RecheckAnswer) (article.CheckResult, article.Article, error)
}

func (s *Server) getRecheckSettings(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.rechecker.RecheckSettings())
}

func (s *Server) setRecheckSettings(w http.ResponseWriter, r *http.Request) {
	var p watch.RecheckPatch
	if err := decodeJSON(r, &p); err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.rechecker.SetRecheckSettings(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// answerRecheck takes the extension's answer to a job: POST
// /api/v1/rechecks/{job}.
func (s *Server) answerRecheck(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("job")
	if !jobID(id) {
		s.fail(w, r, article.Errorf(article.ENOTFOUND, "no such re-check job"))
		return
	}
	var ans watch.RecheckAnswer
	if err := decodeJSON(r, &ans); err != nil {
		s.fail(w, r, err)
		return
	}
	res, a, err := s.rechecker.Answer(r.Context(), id, ans)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, CheckResponse{Result: res, Article: a})
}

// jobID reports whether s has the form of a job id: 32 lower-case hex
// digits.
func jobID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
