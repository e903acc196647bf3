package api

import (
	"context"
	"net/http"
	"strings"

	"redline/daemon/internal/article"
	"redline/daemon/internal/watch"
)

// Watcher is what the watch routes need of the daemon's watcher.
type Watcher interface {
	Track(ctx context.Context, url string) (watch.Tracked, error)
	CheckNow(ctx context.Context, id int64) (article.CheckResult, article.Article, error)
	Pause(ctx context.Context, id int64) (article.Article, error)
	Resume(ctx context.Context, id int64) (article.Article, error)
	PauseSite(ctx context.Context, site string) (int, error)
	ResumeSite(ctx context.Context, site string) (int, error)
	PausedSites() ([]string, error)
	Schedule() watch.Schedule
	SetSchedule(ctx context.Context, s watch.Schedule) error
}

// TrackRequest is the body of POST /api/v1/watches.
type TrackRequest struct {
	URL string `json:"url"`
}

// CheckResponse answers a check: what it found, and the article as it
// left it (its watch says when the next check is).
type CheckResponse struct {
	Result  article.CheckResult `json:"result"`
	Article article.Article     `json:"article"`
}

// TrackResponse answers POST /api/v1/watches: created is false when
// Redline already had the page.
type TrackResponse struct {
	Created bool `json:"created"`
	CheckResponse
}

// WatchesResponse answers GET /api/v1/watches.
type WatchesResponse struct {
	Schedule    watch.Schedule `json:"schedule"`
	PausedSites []string       `json:"paused_sites"`
}

// SiteResponse answers a pause or resume of a site.
type SiteResponse struct {
	Site     string `json:"site"`
	Articles int    `json:"articles"`
	Paused   bool   `json:"paused"`
}

func (s *Server) track(w http.ResponseWriter, r *http.Request) {
	var req TrackRequest
	if err := decodeJSON(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if strings.TrimSpace(req.URL) == "" {
		s.fail(w, r, article.Errorf(article.EINVALID, "url is required: the page to watch"))
		return
	}
	if len(req.URL) > article.MaxURLBytes {
		s.fail(w, r, article.Errorf(article.EINVALID, "url is longer than %d bytes", article.MaxURLBytes))
		return
	}
	tr, err := s.watcher.Track(r.Context(), req.URL)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if tr.Created {
		status = http.StatusCreated
	}
	writeJSON(w, status, TrackResponse{Created: tr.Created, CheckResponse: CheckResponse{Result: tr.Result, Article: tr.Article}})
}

// emptyBody reads a body that must be a JSON object ("{}").
func emptyBody(r *http.Request) error {
	var v map[string]any
	if err := decodeJSON(r, &v); err != nil {
		return err
	}
	if v == nil {
		return article.Errorf(article.EINVALID, "send {} as the body")
	}
	return nil
}

func (s *Server) checkArticle(w http.ResponseWriter, r *http.Request) {
	id, err := articleID(r)
	if err == nil {
		err = emptyBody(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, a, err := s.watcher.CheckNow(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, CheckResponse{Result: res, Article: a})
}

func (s *Server) pauseArticle(w http.ResponseWriter, r *http.Request) {
	s.changeWatch(w, r, s.watcher.Pause)
}

func (s *Server) resumeArticle(w http.ResponseWriter, r *http.Request) {
	s.changeWatch(w, r, s.watcher.Resume)
}

func (s *Server) changeWatch(w http.ResponseWriter, r *http.Request, change func(context.Context, int64) (article.Article, error)) {
	id, err := articleID(r)
	if err == nil {
		err = emptyBody(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := change(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) pauseSite(w http.ResponseWriter, r *http.Request) {
	s.changeSite(w, r, true)
}

func (s *Server) resumeSite(w http.ResponseWriter, r *http.Request) {
	s.changeSite(w, r, false)
}

func (s *Server) changeSite(w http.ResponseWriter, r *http.Request, pause bool) {
	if err := emptyBody(r); err != nil {
		s.fail(w, r, err)
		return
	}
	site := watch.SiteOf(r.PathValue("site"))
	change := s.watcher.ResumeSite
	if pause {
		change = s.watcher.PauseSite
	}
	n, err := change(r.Context(), r.PathValue("site"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, SiteResponse{Site: site, Articles: n, Paused: pause})
}

func (s *Server) listWatches(w http.ResponseWriter, r *http.Request) {
	sites, err := s.watcher.PausedSites()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, WatchesResponse{Schedule: s.watcher.Schedule(), PausedSites: sites})
}

func (s *Server) setSchedule(w http.ResponseWriter, r *http.Request) {
	var sched watch.Schedule
	if err := decodeJSON(r, &sched); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.watcher.SetSchedule(r.Context(), sched); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sched)
}
