package api

import (
	"net/http"
	"strconv"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/diff"
)

// VersionRef names one side of a diff.
type VersionRef struct {
	Number     int            `json:"number"`
	Title      string         `json:"title"`
	Byline     string         `json:"byline,omitempty"`
	CapturedAt time.Time      `json:"captured_at"`
	Source     article.Source `json:"source"`
}

// DiffResponse answers GET /api/v1/articles/{id}/diff.
type DiffResponse struct {
	ArticleID int64      `json:"article_id"`
	URL       string     `json:"url"`
	From      VersionRef `json:"from"`
	To        VersionRef `json:"to"`
	// Across is set when the two versions come from different lineages
	// (the browser's and the daemon's fetches): blocks only one extractor
	// kept are marked one_side and not counted.
	Across bool `json:"across,omitempty"`
	diff.Result
}

// diffOf answers a diff request: the change since the reader read the
// article (from and to zero), or the versions the request names.
func (s *Server) diffOf(a article.Article, from, to int) (DiffResponse, error) {
	c, err := s.reading.Compare(a, from, to)
	if err != nil {
		return DiffResponse{}, err
	}
	ref := func(v article.Version) VersionRef {
		return VersionRef{Number: v.Number, Title: v.Title, Byline: v.Byline, CapturedAt: v.CapturedAt, Source: v.Source}
	}
	return DiffResponse{
		ArticleID: a.ID, URL: a.URL, From: ref(c.From), To: ref(c.To), Across: c.Across, Result: c.Result,
	}, nil
}

func (s *Server) getDiff(w http.ResponseWriter, r *http.Request) {
	a, err := s.articleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var from, to int
	q := r.URL.Query()
	for name, dst := range map[string]*int{"from": &from, "to": &to} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				s.fail(w, r, article.Errorf(article.EINVALID, "%s must be a version number", name))
				return
			}
			*dst = n
		}
	}
	if (from == 0) != (to == 0) {
		// One end named: the other is the default range's.
		dfrom, dto, err := s.reading.Range(a)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if from == 0 {
			from = dfrom
		} else {
			to = dto
		}
	}
	if q.Has("from") && from == 0 || q.Has("to") && to == 0 {
		s.fail(w, r, article.Errorf(article.EINVALID, "article %d has versions 1 to %d", a.ID, a.Versions))
		return
	}
	out, err := s.diffOf(a, from, to)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// SeenRequest is the body of POST /api/v1/articles/{id}/seen.
type SeenRequest struct {
	Version *int `json:"version"`
}

func (s *Server) markSeen(w http.ResponseWriter, r *http.Request) {
	id, err := articleID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req SeenRequest
	if err := decodeJSON(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Version == nil {
		s.fail(w, r, article.Errorf(article.EINVALID, "version is required: the version the user has now seen"))
		return
	}
	a, err := s.reading.MarkSeen(r.Context(), id, *req.Version, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}
