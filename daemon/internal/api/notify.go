package api

import (
	"context"
	"net/http"
	"strconv"

	"redline/daemon/internal/article"
	"redline/daemon/internal/notify"
)

// Notifier keeps the notification targets and sends them the changes.
type Notifier interface {
	Add(spec notify.Spec) (notify.Status, error)
	Remove(id int64) error
	List() ([]notify.Status, error)
	Test(ctx context.Context, id int64) ([]notify.TestResult, error)
}

// NotifyTargets is the answer of GET /api/v1/notify/targets.
type NotifyTargets struct {
	Targets []notify.Status `json:"targets"`
}

// NotifyTestRequest is the body of POST /api/v1/notify/test: the target to
// send a sample to, or none (0 or missing) for every target.
type NotifyTestRequest struct {
	ID int64 `json:"id"`
}

// NotifyTestResults is the answer of POST /api/v1/notify/test.
type NotifyTestResults struct {
	Results []notify.TestResult `json:"results"`
}

// listNotifyTargets answers every target, its URL masked, with how its
// delivery stands.
func (s *Server) listNotifyTargets(w http.ResponseWriter, r *http.Request) {
	list, err := s.notifier.List()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NotifyTargets{Targets: list})
}

// addNotifyTarget stores a target; bad input is refused and stores
// nothing.
func (s *Server) addNotifyTarget(w http.ResponseWriter, r *http.Request) {
	var spec notify.Spec
	if err := decodeJSON(r, &spec); err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.notifier.Add(spec)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, st)
}

// removeNotifyTarget deletes a target; the answer is the list left.
func (s *Server) removeNotifyTarget(w http.ResponseWriter, r *http.Request) {
	id, err := notifyID(r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.notifier.Remove(id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.listNotifyTargets(w, r)
}

// testNotifyTargets sends a sample message and says how it went for each
// target.
func (s *Server) testNotifyTargets(w http.ResponseWriter, r *http.Request) {
	var req NotifyTestRequest
	if err := decodeJSON(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.ID < 0 {
		s.fail(w, r, article.Errorf(article.EINVALID, "id must be a target's id, or 0 for every target"))
		return
	}
	res, err := s.notifier.Test(r.Context(), req.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if res == nil {
		res = []notify.TestResult{}
	}
	writeJSON(w, http.StatusOK, NotifyTestResults{Results: res})
}

// notifyID reads a target id.
func notifyID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		return 0, article.Errorf(article.EINVALID, "target id %q is not a positive number", truncateID(s))
	}
	return id, nil
}

func truncateID(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}
