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
	diff.Result
}

// defaultRange is the change the user has not seen yet: from the version
// they had before the oldest unseen change to the newest version of the
// same source (like is compared with like). With nothing unseen it starts
// at the version they read.
func (s *Server) defaultRange(a article.Article) (from, to int, err error) {
	switch {
	case len(a.Unseen) > 0:
		from = a.Unseen[0].From
	case a.Read.Version > 0:
		from = a.Read.Version
	default:
		from = max(a.Seen, 1)
	}
	versions, err := s.store.Versions(a.ID)
	if err != nil {
		return 0, 0, err
	}
	if from > len(versions) {
		return 0, 0, article.Errorf(article.EINTERNAL, "article %d has no version %d", a.ID, from)
	}
	src := versions[from-1].Source
	for _, v := range versions {
		if v.Source == src {
			to = v.Number
		}
	}
	return from, to, nil
}

func (s *Server) compare(a article.Article, from, to int) (DiffResponse, error) {
	if from < 1 || from > a.Versions || to < 1 || to > a.Versions {
		return DiffResponse{}, article.Errorf(article.EINVALID, "article %d has versions 1 to %d", a.ID, a.Versions)
	}
	vf, err := s.store.Version(a.ID, from)
	if err != nil {
		return DiffResponse{}, err
	}
	vt, err := s.store.Version(a.ID, to)
	if err != nil {
		return DiffResponse{}, err
	}
	ref := func(v article.Version) VersionRef {
		return VersionRef{Number: v.Number, Title: v.Title, Byline: v.Byline, CapturedAt: v.CapturedAt, Source: v.Source}
	}
	return DiffResponse{
		ArticleID: a.ID, URL: a.URL, From: ref(vf), To: ref(vt),
		Result: diff.Compare(vf.Content, vt.Content, s.rules.Get()),
	}, nil
}

func (s *Server) getDiff(w http.ResponseWriter, r *http.Request) {
	a, err := s.articleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	from, to, err := s.defaultRange(a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
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
	out, err := s.compare(a, from, to)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// changedSinceRead summarises what the user has not seen yet, or nil.
func (s *Server) changedSinceRead(a article.Article) (*article.Summary, error) {
	if len(a.Unseen) == 0 {
		return nil, nil
	}
	from, to, err := s.defaultRange(a)
	if err != nil {
		return nil, err
	}
	d, err := s.compare(a, from, to)
	if err != nil {
		return nil, err
	}
	return &d.Summary, nil
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
	a, _, err := s.store.MarkSeen(r.Context(), id, *req.Version, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}
