package api

import (
	"net/http"
	"strconv"

	"redline/daemon/internal/article"
	"redline/daemon/internal/canonical"
	"redline/daemon/internal/store"
)

// ArticleResponse is one article with the list of its versions.
type ArticleResponse struct {
	article.Article
	VersionList []store.VersionInfo `json:"version_list"`
}

// ArticleList is a page of articles.
type ArticleList struct {
	Articles   []article.Article `json:"articles"`
	NextCursor string            `json:"next_cursor,omitempty"`
}

// MaxListLimit caps a page of articles.
const MaxListLimit = 500

func (s *Server) listArticles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if raw := q.Get("url"); q.Has("url") {
		u, err := canonical.URL(raw)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		a, err := s.store.ArticleByURL(u)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeArticle(w, r, a)
		return
	}
	lq := store.ListQuery{Q: q.Get("q"), Limit: 50}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxListLimit {
			s.fail(w, r, article.Errorf(article.EINVALID, "limit must be a number from 1 to %d", MaxListLimit))
			return
		}
		lq.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			s.fail(w, r, article.Errorf(article.EINVALID, "cursor is not one this daemon gave out"))
			return
		}
		lq.Cursor = n
	}
	if len(lq.Q) > 1000 {
		s.fail(w, r, article.Errorf(article.EINVALID, "q is longer than 1000 bytes"))
		return
	}
	if q.Has("changed") {
		s.listChanged(w, r, q.Get("changed"), lq)
		return
	}
	list, next, err := s.store.List(lq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := ArticleList{Articles: list}
	if out.Articles == nil {
		out.Articles = []article.Article{}
	}
	if next > 0 {
		out.NextCursor = strconv.FormatInt(next, 10)
	}
	writeJSON(w, http.StatusOK, out)
}

// listChanged answers ?changed=true: the articles that changed at least
// once, the most recently changed first. The cursor is how many articles
// the pages before held.
func (s *Server) listChanged(w http.ResponseWriter, r *http.Request, changed string, lq store.ListQuery) {
	if changed != "true" {
		s.fail(w, r, article.Errorf(article.EINVALID, "changed must be true (or left out)"))
		return
	}
	page, err := s.store.ListArticles(store.ListFilter{Q: lq.Q, Changed: store.FilterChanged, Order: store.OrderChanged, Offset: int(lq.Cursor), Limit: lq.Limit})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := ArticleList{Articles: page.Articles}
	if out.Articles == nil {
		out.Articles = []article.Article{}
	}
	if page.More {
		out.NextCursor = strconv.FormatInt(lq.Cursor+int64(len(page.Articles)), 10)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) writeArticle(w http.ResponseWriter, r *http.Request, a article.Article) {
	versions, err := s.store.Versions(a.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ArticleResponse{Article: a, VersionList: versions})
}

// articleID parses the {id} path value.
func articleID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, article.Errorf(article.EINVALID, "article id %q is not a positive number", r.PathValue("id"))
	}
	return id, nil
}

// articleOf loads the article named by the {id} path value.
func (s *Server) articleOf(r *http.Request) (article.Article, error) {
	id, err := articleID(r)
	if err != nil {
		return article.Article{}, err
	}
	return s.store.Article(id)
}

func (s *Server) getArticle(w http.ResponseWriter, r *http.Request) {
	a, err := s.articleOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeArticle(w, r, a)
}

func (s *Server) getVersion(w http.ResponseWriter, r *http.Request) {
	id, err := articleID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		s.fail(w, r, article.Errorf(article.EINVALID, "version %q is not a positive number", r.PathValue("n")))
		return
	}
	v, err := s.store.Version(id, n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) deleteArticle(w http.ResponseWriter, r *http.Request) {
	id, err := articleID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.reading.Forget(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("article forgotten", "article", id)
	w.WriteHeader(http.StatusNoContent)
}
