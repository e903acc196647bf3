package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"redline/daemon/internal/api"
	"redline/daemon/internal/article"
)

// httpRedline is Redline as the daemon serving the data folder offers it,
// over its API.
type httpRedline struct {
	base  string
	token string
	http  *http.Client
}

func (c *httpRedline) Close() error { return nil }

func (c *httpRedline) Status(ctx context.Context) (status, error) {
	st := status{Daemon: c.base}
	err := c.do(ctx, http.MethodGet, "/api/v1/status", nil, &st.Status)
	return st, err
}

func (c *httpRedline) Export(ctx context.Context, w io.Writer) error {
	return c.stream(ctx, "/api/v1/export", w)
}

func (c *httpRedline) Backup(ctx context.Context, w io.Writer) error {
	return c.stream(ctx, "/api/v1/backup", w)
}

// Restore is refused: the store is the running daemon's.
func (c *httpRedline) Restore(func() (io.ReadCloser, error), bool) (string, error) {
	return "", fmt.Errorf("the daemon is running at %s: stop it before restoring", c.base)
}

// ImportExport is refused: the export's history is written straight into
// the store, which is the running daemon's.
func (c *httpRedline) ImportExport(context.Context, string, func(int64) *meter) (importReport, error) {
	return importReport{}, fmt.Errorf("the daemon is running at %s: stop it before importing an export (lists of addresses, bookmarks and OPML import while it runs)", c.base)
}

func (c *httpRedline) Known(ctx context.Context, u string) (bool, error) {
	var a article.Article
	err := c.do(ctx, http.MethodGet, "/api/v1/articles?url="+url.QueryEscape(u), nil, &a)
	if r := (*refusal)(nil); errors.As(err, &r) && r.status == http.StatusNotFound {
		return false, nil
	}
	return err == nil, err
}

func (c *httpRedline) Track(ctx context.Context, u string) (api.TrackResponse, error) {
	var out api.TrackResponse
	err := c.do(ctx, http.MethodPost, "/api/v1/watches", jsonBody(api.TrackRequest{URL: u}), &out)
	return out, err
}

func (c *httpRedline) Check(ctx context.Context, idOrURL string) (api.CheckResponse, error) {
	var out api.CheckResponse
	err := c.onArticle(ctx, idOrURL, "check", &out)
	return out, err
}

func (c *httpRedline) SetPaused(ctx context.Context, idOrURL string, paused bool) (article.Article, error) {
	var a article.Article
	err := c.onArticle(ctx, idOrURL, pauseVerb(paused), &a)
	return a, err
}

func (c *httpRedline) SetSitePaused(ctx context.Context, site string, paused bool) (api.SiteResponse, error) {
	var out api.SiteResponse
	err := c.do(ctx, http.MethodPost, "/api/v1/sites/"+url.PathEscape(site)+"/"+pauseVerb(paused), strings.NewReader("{}"), &out)
	return out, err
}

func (c *httpRedline) List(ctx context.Context, changed bool, limit int) (articleList, error) {
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if changed {
		q.Set("changed", "true")
	}
	var l api.ArticleList
	if err := c.do(ctx, http.MethodGet, "/api/v1/articles?"+q.Encode(), nil, &l); err != nil {
		return articleList{}, err
	}
	return articleList{Articles: l.Articles, More: l.NextCursor != ""}, nil
}

func (c *httpRedline) Link(ctx context.Context, path string) (string, error) {
	var answer struct {
		URL string `json:"url"`
	}
	if err := c.do(ctx, http.MethodPost, path, strings.NewReader("{}"), &answer); err != nil {
		return "", err
	}
	if answer.URL == "" {
		return "", errors.New("the daemon gave no link: is it an older version? restart it")
	}
	return answer.URL, nil
}

// onArticle posts to the action of the article an id or a URL names.
func (c *httpRedline) onArticle(ctx context.Context, idOrURL, action string, out any) error {
	id, err := c.articleID(ctx, idOrURL)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodPost, "/api/v1/articles/"+strconv.FormatInt(id, 10)+"/"+action, strings.NewReader("{}"), out)
}

// articleID finds the article an argument names: an id, or any form of
// its URL.
func (c *httpRedline) articleID(ctx context.Context, arg string) (int64, error) {
	if id, ok := parseID(arg); ok {
		return id, nil
	}
	var a article.Article
	if err := c.do(ctx, http.MethodGet, "/api/v1/articles?url="+url.QueryEscape(arg), nil, &a); err != nil {
		return 0, notWatched(arg, err)
	}
	return a.ID, nil
}

func pauseVerb(paused bool) string {
	if paused {
		return "pause"
	}
	return "resume"
}

func jsonBody(v any) io.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}

// do sends a request and decodes a JSON answer into out (if not nil).
func (c *httpRedline) do(ctx context.Context, method, path string, body io.Reader, out any) error {
	resp, err := c.request(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("read answer of %s: %w", path, err)
	}
	return nil
}

// request sends a request and returns the response when its status is 2xx.
func (c *httpRedline) request(ctx context.Context, method, path string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the daemon at %s did not answer: %w", c.base, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		if json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&e) == nil && e.Error.Message != "" {
			return nil, &refusal{status: resp.StatusCode, message: e.Error.Message}
		}
		return nil, &refusal{status: resp.StatusCode, message: "the daemon answered " + resp.Status}
	}
	return resp, nil
}

// refusal is the daemon's answer to a request it did not carry out.
type refusal struct {
	status  int
	message string
}

func (r *refusal) Error() string { return r.message }

// stream copies a streamed answer (export, backup) to w and checks that
// the daemon finished it.
func (c *httpRedline) stream(ctx context.Context, path string, w io.Writer) error {
	resp, err := c.request(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("receive %s: %w", path, err)
	}
	if resp.Trailer.Get(api.CompleteTrailer) != "yes" {
		return errors.New("the daemon stopped before the end: the output is incomplete (see the daemon's log)")
	}
	return nil
}
