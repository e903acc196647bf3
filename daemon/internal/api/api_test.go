package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"redline/daemon/internal/api"
	"redline/daemon/internal/article"
	"redline/daemon/internal/store"
)

const token = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

type harness struct {
	t     testing.TB
	base  string
	store *store.Store
}

// newHarness serves the API on a real 127.0.0.1 port over a real store.
func newHarness(t testing.TB) *harness {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	srv.Config.Handler = newHandler(t, api.Config{Store: st, Token: token, Port: port, Version: "test"})
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		st.Close()
	})
	return &harness{t: t, base: srv.URL, store: st}
}

type req struct {
	method, path, body string
	header             map[string]string
}

// do sends r with the token and JSON content type unless r overrides them.
func (h *harness) do(r req) (*http.Response, []byte) {
	h.t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	if r.method == "" {
		r.method = http.MethodGet
	}
	hr, err := http.NewRequest(r.method, h.base+r.path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	hr.Header.Set("Authorization", "Bearer "+token)
	if r.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		if k == "Host" {
			hr.Host = v
			continue
		}
		if v == "" {
			hr.Header.Del(k)
		} else {
			hr.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func captureJSON(url, title string, paras ...string) string {
	c := map[string]any{
		"url": url, "title": title, "captured_at": time.Now().UTC().Format(time.RFC3339),
		"source": "browser", "extractor": "readability", "reading": map[string]any{"dwell_ms": 5000, "scroll": 0.4},
	}
	var blocks []map[string]string
	for _, p := range paras {
		blocks = append(blocks, map[string]string{"kind": "p", "text": p})
	}
	c["blocks"] = blocks
	b, _ := json.Marshal(c)
	return string(b)
}

func (h *harness) capture(body string) api.CaptureResponse {
	h.t.Helper()
	resp, b := h.do(req{method: "POST", path: "/api/v1/captures", body: body})
	if resp.StatusCode != http.StatusCreated {
		h.t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	var out api.CaptureResponse
	if err := json.Unmarshal(b, &out); err != nil {
		h.t.Fatal(err)
	}
	return out
}

func TestHealthzRevealsNothing(t *testing.T) {
	h := newHarness(t)
	resp, b := h.do(req{path: "/healthz", header: map[string]string{"Authorization": ""}})
	if resp.StatusCode != 200 || strings.TrimSpace(string(b)) != `{"status":"ok"}` {
		t.Errorf("healthz = %d %s", resp.StatusCode, b)
	}
}

func TestCaptureUnchangedChanged(t *testing.T) {
	h := newHarness(t)
	u := "https://news.example/story?utm_source=feed"
	first := h.capture(captureJSON(u, "Council votes", "The council voted 5-4.", "More text."))
	same := h.capture(captureJSON("https://news.example/story#comments", "Council votes", "The council  voted 5-4.", "More text."))
	changed := h.capture(captureJSON(u, "Council votes", "The council voted 6-3.", "More text."))
	got := fmt.Sprintf("%d %d %d %s %s %s", first.Version, same.Version, changed.Version, first.Status, same.Status, changed.Status)
	if got != "1 1 2 new unchanged changed" {
		t.Errorf("versions and statuses = %s", got)
	}
	if same.ArticleID != first.ArticleID || changed.ArticleID != first.ArticleID {
		t.Error("captures of one story went to different articles")
	}

	// Look up by any form of the URL.
	for _, form := range []string{
		"https://news.example/story", "https://NEWS.example:443/story?utm_medium=x&fbclid=abc",
		"https://news.example/story#top", "https://news.example/./story?gclid=1",
	} {
		resp, b := h.do(req{path: "/api/v1/articles?url=" + urlQuery(form)})
		var a api.ArticleResponse
		json.Unmarshal(b, &a)
		if resp.StatusCode != 200 || a.ID != first.ArticleID || len(a.VersionList) != 2 || a.Read.Version != 2 {
			t.Errorf("lookup %s = %d %s", form, resp.StatusCode, b)
		}
	}
	resp, b := h.do(req{path: fmt.Sprintf("/api/v1/articles/%d/versions/1", first.ArticleID)})
	var v article.Version
	json.Unmarshal(b, &v)
	if resp.StatusCode != 200 || v.Blocks[0].Text != "The council voted 5-4." {
		t.Errorf("version 1 = %d %s", resp.StatusCode, b)
	}
	resp, b = h.do(req{path: "/api/v1/articles?limit=10"})
	var list api.ArticleList
	json.Unmarshal(b, &list)
	if resp.StatusCode != 200 || len(list.Articles) != 1 || list.NextCursor != "" {
		t.Errorf("list = %d %s", resp.StatusCode, b)
	}
}

func urlQuery(s string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "#", "%23", "?", "%3F", "+", "%2B", " ", "%20")
	return r.Replace(s)
}

func TestForget(t *testing.T) {
	h := newHarness(t)
	c := h.capture(captureJSON("https://example.com/gone", "Gone", "Text."))
	path := fmt.Sprintf("/api/v1/articles/%d", c.ArticleID)
	if resp, b := h.do(req{method: "DELETE", path: path}); resp.StatusCode != 204 {
		t.Fatalf("delete = %d %s", resp.StatusCode, b)
	}
	for _, p := range []string{path, path + "/versions/1", "/api/v1/articles?url=https://example.com/gone"} {
		if resp, b := h.do(req{path: p}); resp.StatusCode != 404 || !strings.Contains(string(b), `"not_found"`) {
			t.Errorf("after forget GET %s = %d %s", p, resp.StatusCode, b)
		}
	}
	if resp, _ := h.do(req{method: "DELETE", path: path}); resp.StatusCode != 404 {
		t.Errorf("second delete = %d", resp.StatusCode)
	}
}

// Every kind of bad input gets a clear 4xx error and changes nothing.
func TestBadInputChangesNothing(t *testing.T) {
	h := newHarness(t)
	good := captureJSON("https://example.com/a", "Title", "Text.")
	blocks := func(n int, text string) string {
		var sb strings.Builder
		for i := range n {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `{"kind":"p","text":%q}`, text)
		}
		return `{"url":"https://example.com/a","title":"T","captured_at":"2026-01-01T00:00:00Z","source":"browser","extractor":"x","blocks":[` + sb.String() + `]}`
	}
	without := func(field string) string {
		var m map[string]any
		json.Unmarshal([]byte(good), &m)
		delete(m, field)
		b, _ := json.Marshal(m)
		return string(b)
	}
	with := func(field string, v any) string {
		var m map[string]any
		json.Unmarshal([]byte(good), &m)
		m[field] = v
		b, _ := json.Marshal(m)
		return string(b)
	}
	cases := []struct {
		name   string
		r      req
		status int
		msg    string
	}{
		{"malformed JSON", req{body: `{"url": "https://example.com/a",`}, 400, "malformed JSON"},
		{"not an object", req{body: `[1,2,3]`}, 400, "wrong type"},
		{"two values", req{body: good + good}, 400, "more than one value"},
		{"empty body", req{body: " "}, 400, "empty"},
		{"text/plain", req{body: good, header: map[string]string{"Content-Type": "text/plain"}}, 415, "application/json"},
		{"form", req{body: good, header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 415, "application/json"},
		{"multipart", req{body: good, header: map[string]string{"Content-Type": "multipart/form-data; boundary=x"}}, 415, "application/json"},
		{"no content type", req{body: good, header: map[string]string{"Content-Type": ""}}, 415, "application/json"},
		{"missing url", req{body: without("url")}, 400, "url is required"},
		{"missing title", req{body: without("title")}, 400, "title is required"},
		{"missing blocks", req{body: without("blocks")}, 400, "blocks is required"},
		{"empty blocks", req{body: with("blocks", []any{})}, 400, "blocks is empty"},
		{"blank blocks", req{body: with("blocks", []any{map[string]string{"kind": "p", "text": " \u200b "}})}, 400, "no text"},
		{"missing captured_at", req{body: without("captured_at")}, 400, "captured_at is required"},
		{"bad captured_at", req{body: with("captured_at", "yesterday")}, 400, "captured_at"},
		{"future captured_at", req{body: with("captured_at", time.Now().Add(48*time.Hour).Format(time.RFC3339))}, 400, "in the future"},
		{"missing source", req{body: without("source")}, 400, "source is required"},
		{"fetch source", req{body: with("source", "fetch")}, 400, `source must be "browser"`},
		{"unknown source", req{body: with("source", "telepathy")}, 400, "source"},
		{"missing extractor", req{body: without("extractor")}, 400, "extractor is required"},
		{"bad block kind", req{body: with("blocks", []any{map[string]string{"kind": "script", "text": "x"}})}, 400, "kind"},
		{"bad reading", req{body: with("reading", map[string]any{"dwell_ms": -5, "scroll": 3})}, 400, "reading"},
		{"wrong type", req{body: with("title", 42)}, 400, "wrong type"},
		{"javascript url", req{body: with("url", "javascript:alert(1)")}, 400, "http"},
		{"file url", req{body: with("url", "file:///etc/passwd")}, 400, "http"},
		{"data url", req{body: with("url", "data:text/html,hi")}, 400, "http"},
		{"relative url", req{body: with("url", "/just/a/path")}, 400, ""},
		{"invalid UTF-8", req{body: strings.Replace(good, "Text.", "Te\xffxt.", 1)}, 400, "UTF-8"},
		{"too many blocks", req{body: blocks(article.MaxBlocks+1, "x")}, 400, "too many blocks"},
		{"huge block", req{body: blocks(1, strings.Repeat("a", article.MaxBlockBytes+1))}, 400, "bytes, the limit"},
		{"text over the total limit", req{body: blocks(article.MaxTextBytes/article.MaxBlockBytes+1, strings.Repeat("a", article.MaxBlockBytes))}, 400, fmt.Sprintf("the limit is %d (512 KiB) a capture", article.MaxTextBytes)},
		{"page text over its limit", req{body: with("page_text", strings.Repeat("p", article.MaxPageTextBytes+1))}, 400, fmt.Sprintf("page_text is %d bytes, the limit is %d", article.MaxPageTextBytes+1, article.MaxPageTextBytes)},
		{"page text not a string", req{body: with("page_text", []string{"Home", "News"})}, 400, "wrong type"},
		{"page text not UTF-8", req{body: strings.Replace(with("page_text", "Home PAGE"), "PAGE", "\xff", 1)}, 400, "UTF-8"},
		{"body over 4 MB", req{body: blocks(45, strings.Repeat("b", 99<<10))}, 413, "larger than"},
		{"missing token", req{body: good, header: map[string]string{"Authorization": ""}}, 401, "missing token"},
		{"wrong token", req{body: good, header: map[string]string{"Authorization": "Bearer " + strings.Repeat("0", 64)}}, 401, "wrong token"},
		{"token without Bearer", req{body: good, header: map[string]string{"Authorization": token}}, 401, "token"},
		{"foreign Host", req{body: good, header: map[string]string{"Host": "evil.example"}}, 421, "answers only"},
		{"foreign Host with our port", req{body: good, header: map[string]string{"Host": "rebind.evil.example:7710"}}, 421, "answers only"},
		{"foreign Origin", req{body: good, header: map[string]string{"Origin": "https://evil.example"}}, 403, "web pages"},
		{"loopback web Origin", req{body: good, header: map[string]string{"Origin": "http://127.0.0.1:8080"}}, 403, "web pages"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.r.method, tc.r.path = "POST", "/api/v1/captures"
			resp, b := h.do(tc.r)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, b)
			}
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(b, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("error body is not a clear JSON error: %s", b)
			}
			if !strings.Contains(e.Error.Message, tc.msg) {
				t.Errorf("message %q does not say %q", e.Error.Message, tc.msg)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type %q", ct)
			}
			st, err := h.store.Stats()
			if err != nil || st.Articles != 0 || st.Versions != 0 {
				t.Errorf("bad input changed the store: %+v %v", st, err)
			}
		})
	}
}

func TestBadPathsAndQueries(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/api/v1/articles/abc", 400},
		{"GET", "/api/v1/articles/-1", 400},
		{"GET", "/api/v1/articles/99", 404},
		{"GET", "/api/v1/articles/1/versions/x", 400},
		{"GET", "/api/v1/articles?limit=0", 400},
		{"GET", "/api/v1/articles?limit=100000", 400},
		{"GET", "/api/v1/articles?cursor=zz", 400},
		{"GET", "/api/v1/articles?url=ftp://example.com/x", 400},
		{"GET", "/api/v1/articles?url=https://example.com/never", 404},
		{"GET", "/api/v1/nothing", 404},
		{"PUT", "/api/v1/captures", 405},
		{"GET", "/nothing", 404},
	} {
		resp, b := h.do(req{method: tc.method, path: tc.path})
		if resp.StatusCode != tc.status || !json.Valid(b) {
			t.Errorf("%s %s = %d %s, want %d", tc.method, tc.path, resp.StatusCode, b, tc.status)
		}
	}
}

func TestEveryAPIRouteNeedsTheToken(t *testing.T) {
	h := newHarness(t)
	for _, p := range []string{"/api/v1/articles", "/api/v1/articles/1", "/api/v1/articles/1/versions/1", "/api/v1/status", "/api/v1/export", "/api/v1/backup"} {
		resp, b := h.do(req{path: p, header: map[string]string{"Authorization": ""}})
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("GET %s without token = %d %s", p, resp.StatusCode, b)
		}
	}
}

func TestCORSAllowsRedlinesOwnExtensionOnly(t *testing.T) {
	h, _ := pairHarness(t)
	preflight := func(origin string) *http.Response {
		resp, _ := h.do(req{method: "OPTIONS", path: "/api/v1/captures", header: map[string]string{
			"Origin": origin, "Access-Control-Request-Method": "POST",
			"Access-Control-Request-Headers": "authorization,content-type", "Authorization": "",
		}})
		return resp
	}
	allowed := func(o string) {
		t.Helper()
		resp := preflight(o)
		if resp.Header.Get("Access-Control-Allow-Origin") != o || resp.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("preflight from %s: allow-origin %q credentials %q", o, resp.Header.Get("Access-Control-Allow-Origin"), resp.Header.Get("Access-Control-Allow-Credentials"))
		}
		r2, b := h.do(req{path: "/api/v1/articles", header: map[string]string{"Origin": o}})
		if r2.StatusCode != 200 || r2.Header.Get("Access-Control-Allow-Origin") != o {
			t.Errorf("GET from %s = %d %s", o, r2.StatusCode, b)
		}
	}
	refused := func(o string) {
		t.Helper()
		if got := preflight(o).Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("preflight from %s was allowed: %q", o, got)
		}
		// Even with the token, nothing is answered to it.
		r2, b := h.do(req{path: "/api/v1/articles", header: map[string]string{"Origin": o}})
		if r2.StatusCode != http.StatusForbidden || r2.Header.Get("Access-Control-Allow-Origin") != "" || strings.Contains(string(b), "articles") {
			t.Errorf("GET with the token from %s = %d %s; want 403", o, r2.StatusCode, b)
		}
	}
	// Redline's Chrome extension: its id is fixed by its key.
	allowed(api.ChromeExtensionOrigin)
	firefox := "moz-extension://1b2c3d4e-0000-4000-8000-123456789abc"
	for _, o := range []string{
		"chrome-extension://abcdefghijklmnopabcdefghijklmnop", firefox, // not paired
		"https://evil.example", "http://localhost.evil.example", "chrome-extension://", "chrome-extension://x/y",
		"chrome-extension://pefbhbjklgdhmmiknnjkgangfknghlip.evil", "moz-extension://a:b@c",
	} {
		refused(o)
	}
	// A Firefox extension's origin is random per install: it is let in
	// once it paired (with a one-time code), and from then on.
	_, code := newPairing(t, h)
	resp, b := h.do(req{method: "POST", path: "/api/v1/pair/claim", body: `{"code":"` + code + `"}`, header: map[string]string{"Authorization": "", "Origin": firefox}})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != firefox {
		t.Fatalf("claim from the Firefox extension: %d %s (allow-origin %q)", resp.StatusCode, b, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	allowed(firefox)
	refused("chrome-extension://abcdefghijklmnopabcdefghijklmnop")
	// A wrong code teaches nothing.
	other := "moz-extension://99999999-0000-4000-8000-123456789abc"
	if resp, _ := h.do(req{method: "POST", path: "/api/v1/pair/claim", body: `{"code":"` + strings.Repeat("0", 32) + `"}`, header: map[string]string{"Authorization": "", "Origin": other}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("claim with a wrong code: %d", resp.StatusCode)
	}
	refused(other)
	// What paired is remembered across a restart.
	again := httptest.NewUnstartedServer(nil)
	again.Config.Handler = newHandler(t, api.Config{Store: h.store, Token: token, Port: again.Listener.Addr().(*net.TCPAddr).Port, Version: "test"})
	again.Start()
	defer again.Close()
	h2 := &harness{t: t, base: again.URL, store: h.store}
	for o, want := range map[string]int{firefox: http.StatusOK, other: http.StatusForbidden} {
		r, _ := h2.do(req{path: "/api/v1/status", header: map[string]string{"Origin": o}})
		if r.StatusCode != want {
			t.Errorf("after a restart, %s: %d, want %d", o, r.StatusCode, want)
		}
	}
}

// The daemon's Chrome origin is the one the extension's key gives it: the
// id is the first 32 hex digits of sha256(key), written with a-p.
func TestChromeOriginMatchesTheExtensionsKey(t *testing.T) {
	b, err := os.ReadFile("../../../extension/manifest.chrome.json")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Key string `json:"key"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	der, err := base64.StdEncoding.DecodeString(m.Key)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	id := []byte(hex.EncodeToString(sum[:16]))
	for i, c := range id {
		if c <= '9' {
			id[i] = 'a' + c - '0'
		} else {
			id[i] = 'a' + 10 + c - 'a'
		}
	}
	if want := "chrome-extension://" + string(id); api.ChromeExtensionOrigin != want {
		t.Fatalf("ChromeExtensionOrigin = %s; the manifest's key gives %s", api.ChromeExtensionOrigin, want)
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	resp, _ := h.do(req{path: "/api/v1/status"})
	for k, want := range map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestCapturedTextIsEscapedInJSON(t *testing.T) {
	h := newHarness(t)
	c := h.capture(captureJSON("https://example.com/x", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"))
	_, b := h.do(req{path: fmt.Sprintf("/api/v1/articles/%d/versions/1", c.ArticleID)})
	if bytes.Contains(b, []byte("<script>")) || bytes.Contains(b, []byte("<img")) {
		t.Errorf("raw markup in JSON: %s", b)
	}
	var v article.Version
	json.Unmarshal(b, &v)
	if v.Title != "<script>alert(1)</script>" {
		t.Errorf("title lost in escaping: %q", v.Title)
	}
}

func TestConcurrentCapturesOfOneNewArticleMakeOneArticle(t *testing.T) {
	h := newHarness(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ids := make(chan int64, 16)
	for range 16 {
		go func() {
			hr, _ := http.NewRequestWithContext(ctx, "POST", h.base+"/api/v1/captures", strings.NewReader(captureJSON("https://example.com/race", "Race", "Same text.")))
			hr.Header.Set("Authorization", "Bearer "+token)
			hr.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(hr)
			if err != nil {
				ids <- -1
				return
			}
			var out api.CaptureResponse
			json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			ids <- out.ArticleID
		}()
	}
	first := <-ids
	for range 15 {
		if id := <-ids; id != first || id <= 0 {
			t.Errorf("capture went to article %d, others to %d", id, first)
		}
	}
	st, _ := h.store.Stats()
	if st.Articles != 1 || st.Versions != 1 {
		t.Errorf("store = %+v, want one article with one version", st)
	}
}

// newHandler is the API's handler for cfg, as the daemon builds it.
func newHandler(t testing.TB, cfg api.Config) http.Handler {
	t.Helper()
	s, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s.Handler()
}

// A capture whose text is exactly at the total limit is stored whole; one
// byte more is refused (see TestBadCaptures) and stores nothing.
func TestCaptureAtTheTextLimit(t *testing.T) {
	h := newHarness(t)
	var paras []string
	for left := article.MaxTextBytes; left > 0; left -= article.MaxBlockBytes {
		n := min(left, article.MaxBlockBytes)
		paras = append(paras, strings.Repeat("word ", n/5+1)[:n-1]+".")
	}
	total := 0
	for _, p := range paras {
		total += len(p)
	}
	if total != article.MaxTextBytes {
		t.Fatalf("test capture holds %d bytes, want %d", total, article.MaxTextBytes)
	}
	got := h.capture(captureJSON("https://news.test/long", "Long", paras...))
	v, err := h.store.Version(got.ArticleID, got.Version)
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	for _, b := range v.Blocks {
		stored += len(b.Text)
	}
	if len(v.Blocks) != len(paras) || stored != total {
		t.Errorf("stored %d blocks, %d bytes; want %d blocks, %d bytes", len(v.Blocks), stored, len(paras), total)
	}
	over := append(paras[:len(paras)-1:len(paras)-1], paras[len(paras)-1]+"x")
	resp, b := h.do(req{method: "POST", path: "/api/v1/captures", body: captureJSON("https://news.test/longer", "Longer", over...)})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "the limit is") {
		t.Fatalf("one byte over the limit: %d %s", resp.StatusCode, b)
	}
	if _, err := h.store.ArticleByURL("https://news.test/longer"); article.ErrorCode(err) != article.ENOTFOUND {
		t.Errorf("the refused capture was stored: %v", err)
	}
}

// ?changed=true lists only the articles that changed, the most recently
// changed first, page by page; a bad value is refused.
func TestListChangedArticles(t *testing.T) {
	h := newHarness(t)
	at := func(hoursAgo int, url, text string) {
		var c map[string]any
		json.Unmarshal([]byte(captureJSON(url, "Story", text)), &c)
		c["captured_at"] = time.Now().Add(-time.Duration(hoursAgo) * time.Hour).UTC().Format(time.RFC3339)
		b, _ := json.Marshal(c)
		h.capture(string(b))
	}
	at(5, "https://news.example/a", "First wording of a.")
	at(4, "https://news.example/b", "Never changes.")
	at(3, "https://news.example/c", "First wording of c.")
	at(2, "https://news.example/c", "Second wording of c.")
	at(1, "https://news.example/a", "Second wording of a.")

	page := func(path string) api.ArticleList {
		t.Helper()
		resp, b := h.do(req{path: path})
		var l api.ArticleList
		if err := json.Unmarshal(b, &l); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s = %d %s", path, resp.StatusCode, b)
		}
		return l
	}
	urls := func(l api.ArticleList) (out []string) {
		for _, a := range l.Articles {
			out = append(out, a.URL)
		}
		return out
	}
	all := page("/api/v1/articles?changed=true")
	if got := fmt.Sprint(urls(all)); got != "[https://news.example/a https://news.example/c]" || all.NextCursor != "" {
		t.Errorf("changed articles = %s (next %q), want a then c and no next page", got, all.NextCursor)
	}
	first := page("/api/v1/articles?changed=true&limit=1")
	if got := fmt.Sprint(urls(first)); got != "[https://news.example/a]" || first.NextCursor == "" {
		t.Fatalf("first page = %s (next %q)", got, first.NextCursor)
	}
	second := page("/api/v1/articles?changed=true&limit=1&cursor=" + first.NextCursor)
	if got := fmt.Sprint(urls(second)); got != "[https://news.example/c]" || second.NextCursor != "" {
		t.Errorf("second page = %s (next %q)", got, second.NextCursor)
	}
	if n := len(page("/api/v1/articles").Articles); n != 3 {
		t.Errorf("the plain list holds %d articles, want all 3", n)
	}
	for _, bad := range []string{"changed=yes", "changed=", "changed=true&limit=0", "changed=true&cursor=x"} {
		if resp, b := h.do(req{path: "/api/v1/articles?" + bad}); resp.StatusCode != 400 || !strings.Contains(string(b), "invalid") {
			t.Errorf("?%s = %d %s, want 400", bad, resp.StatusCode, b)
		}
	}
}
