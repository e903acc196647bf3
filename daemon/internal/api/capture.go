package api

import (
	"net/http"

	"redline/daemon/internal/article"
)

// CaptureResponse answers POST /api/v1/captures.
type CaptureResponse struct {
	ArticleID int64                 `json:"article_id"`
	Version   int                   `json:"version"`
	Status    article.CaptureStatus `json:"status"`
	// ChangedSinceRead summarises the changes the user has not seen yet
	// (null when there are none), so a revisited page can show its banner
	// at once: the store graded it while saving the capture.
	ChangedSinceRead *article.Summary `json:"changed_since_read"`
}

func (s *Server) createCapture(w http.ResponseWriter, r *http.Request) {
	// The slot is taken before the body is read: the bodies in memory are
	// bounded too.
	release, ok := s.holdCapture(w)
	if !ok {
		return
	}
	defer release()
	var c article.Capture
	if err := decodeJSON(r, &c); err != nil {
		s.fail(w, r, err)
		return
	}
	saved, err := s.reading.Read(r.Context(), &c, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Debug("capture stored", "article", saved.Article.ID, "version", saved.Version, "status", saved.Status)
	writeJSON(w, http.StatusCreated, CaptureResponse{
		ArticleID: saved.Article.ID, Version: saved.Version, Status: saved.Status, ChangedSinceRead: saved.SinceRead,
	})
}
