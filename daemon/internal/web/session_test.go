package web_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"redline/daemon/internal/api"
	"redline/daemon/internal/web"
)

// askLogin asks for a login link as the extension's background does: the
// token, a JSON body, and the Origin given ("" for none, as the CLI).
func (s *stack) askLogin(origin, token, body string) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest("POST", s.base+"/api/v1/dashboard/login", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The extension asks for a login that lands on a given page: the link
// logs the browser in and moves on to that page of the dashboard.
func TestLoginLinkGoesOnToTheWantedDashboardPage(t *testing.T) {
	s := newStack(t)
	id := s.changedArticle("https://news.example/budget")
	want := fmt.Sprintf("/articles/%d", id)
	code, body := s.askLogin("", testToken, `{"next":"`+want+`"}`)
	if code != http.StatusOK {
		t.Fatalf("login link for %s: %d %s", want, code, body)
	}
	var l api.LoginResponse
	if err := json.Unmarshal([]byte(body), &l); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(l.URL, s.home+"/login?code=") {
		t.Fatalf("login link %q is not on the dashboard's own name", l.URL)
	}
	b := s.newBrowser()
	code, page, h := b.get(l.URL)
	if code != http.StatusOK || h.Get("Set-Cookie") == "" {
		t.Fatalf("login: %d, cookie %q", code, h.Get("Set-Cookie"))
	}
	if !strings.Contains(page, `<meta http-equiv="refresh" content="0; url=`+s.home+want+`">`) {
		t.Errorf("the login page does not move on to %s:\n%s", want, page)
	}
	if code, page, _ := b.get(want); code != http.StatusOK || !strings.Contains(page, "Council approves budget after all") {
		t.Errorf("the article's page after login: %d", code)
	}
	// The link works once, and only for LoginTTL: each refusal says so.
	if code, page, h := s.newBrowser().get(l.URL); code != http.StatusForbidden || h.Get("Set-Cookie") != "" || !strings.Contains(page, "Login links work once, for two minutes") {
		t.Errorf("the login link used twice: %d, cookie %q; want 403 saying links work once", code, h.Get("Set-Cookie"))
	}
	_, body = s.askLogin("", testToken, `{"next":"/settings"}`)
	var late api.LoginResponse
	json.Unmarshal([]byte(body), &late)
	s.clock.Advance(web.LoginTTL + time.Second)
	if code, page, h := s.newBrowser().get(late.URL); code != http.StatusForbidden || h.Get("Set-Cookie") != "" || !strings.Contains(page, "Login links work once, for two minutes") {
		t.Errorf("the login link used after %v: %d, cookie %q; want 403 saying links last two minutes", web.LoginTTL, code, h.Get("Set-Cookie"))
	}
	// With no next, the home page, as `redline open` has it.
	code, body = s.askLogin("", testToken, `{}`)
	json.Unmarshal([]byte(body), &l)
	if _, page, _ := s.newBrowser().get(l.URL); code != http.StatusOK || !strings.Contains(page, `content="0; url=`+s.home+`/"`) {
		t.Errorf("a login without next does not go on to the home page (%d)", code)
	}
}

// A login link never leads off the dashboard, nor to something that is
// not one of its pages: each such next is refused with a clear error and
// no link is made.
func TestLoginLinkRefusesToGoAnywhereButADashboardPage(t *testing.T) {
	s := newStack(t)
	for _, next := range []string{
		"//evil.example/", "https://evil.example/", "http://" + testDashHost + "/", "/\\evil.example", "\\/evil.example",
		"/\t/evil.example", "/\n/evil.example", "/\x00/x", "evil.example", "javascript:alert(1)",
		"/login?code=x", "/logout", "/feeds/changes.atom", "/assets/x/app.js", "/api/v1/status", "/live/ticket",
		"/no-such-page", "/articles/1#top", "/" + strings.Repeat("a", 3000),
	} {
		body, _ := json.Marshal(map[string]string{"next": next})
		code, answer := s.askLogin("", testToken, string(body))
		if code != http.StatusBadRequest || !strings.Contains(answer, "next must be a page of the dashboard") || strings.Contains(answer, `"url"`) {
			t.Errorf("next %q: %d %s; want 400 saying next must be a page of the dashboard", next, code, answer)
		}
	}
	for name, body := range map[string]string{
		"not JSON":        `next=/`,
		"next not a text": `{"next":12}`,
		"two values":      `{} {}`,
	} {
		if code, answer := s.askLogin("", testToken, body); code != http.StatusBadRequest || strings.Contains(answer, "/login?code=") {
			t.Errorf("%s: %d %s; want 400 and no link", name, code, answer)
		}
	}
}

// Only the token's holder, outside any web page, gets a login link: a web
// page, the daemon's own pages and the dashboard's own pages are refused
// even if they held the token, and no token is refused.
func TestPagesCannotGetALoginLink(t *testing.T) {
	s := newStack(t)
	for _, origin := range []string{"http://evil.example", s.home, s.base, "http://localhost:" + fmt.Sprint(s.port)} {
		code, answer := s.askLogin(origin, testToken, `{"next":"/"}`)
		if code != http.StatusForbidden || strings.Contains(answer, "/login?code=") {
			t.Errorf("from a page of %s: %d %s; want 403 and no link", origin, code, answer)
		}
	}
	if code, answer := s.askLogin("", "", `{}`); code != http.StatusUnauthorized || strings.Contains(answer, "/login?code=") {
		t.Errorf("without the token: %d %s; want 401", code, answer)
	}
	if code, answer := s.askLogin("", strings.Repeat("0", 64), `{}`); code != http.StatusUnauthorized || strings.Contains(answer, "/login?code=") {
		t.Errorf("with a wrong token: %d %s; want 401", code, answer)
	}
	// The extension itself (its origin once paired) and the CLI (no
	// Origin) get one.
	if code, answer := s.askLogin(api.ChromeExtensionOrigin, testToken, `{}`); code != http.StatusOK {
		t.Errorf("from the extension: %d %s", code, answer)
	}
}

// sessionCookie is the browser's session cookie for the dashboard.
func (b *browser) sessionCookie() *http.Cookie {
	b.t.Helper()
	for _, c := range b.c.Jar.Cookies(mustURL(b.t.(*testing.T), b.s.home)) {
		if c.Name == "redline_session" {
			return c
		}
	}
	b.t.Fatal("the browser has no session cookie")
	return nil
}

// withCookie is a new browser that holds only the cookie value v.
func (s *stack) withCookie(t *testing.T, v string) *browser {
	b := s.newBrowser()
	b.c.Jar.SetCookies(mustURL(t, s.home), []*http.Cookie{{Name: "redline_session", Value: v}})
	return b
}

// A session cookie is signed: changed in any part, or signed with another
// key, it is refused.
func TestATamperedSessionCookieIsRefused(t *testing.T) {
	s := newStack(t)
	b := s.loggedIn()
	good := b.sessionCookie().Value
	if code, _, _ := s.withCookie(t, good).get("/"); code != http.StatusOK {
		t.Fatalf("the cookie as it was given: %d, want 200", code)
	}
	payload, sig, ok := strings.Cut(good, ".")
	if !ok {
		t.Fatalf("cookie %q: want PAYLOAD.SIGNATURE", good)
	}
	p, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	later := append([]byte(nil), p...)
	later[20]++ // the login time, moved on: a longer life
	other := append([]byte(nil), p...)
	other[0] ^= 1 // another session's id
	flip := []byte(sig)
	flip[3] ^= 1
	for name, v := range map[string]string{
		"login time changed": base64.RawURLEncoding.EncodeToString(later) + "." + sig,
		"id changed":         base64.RawURLEncoding.EncodeToString(other) + "." + sig,
		"signature changed":  payload + "." + string(flip),
		"no signature":       payload,
		"empty signature":    payload + ".",
		"padding":            good + "==",
		"made up":            strings.Repeat("cd", 32),
	} {
		if code, page, _ := s.withCookie(t, v).get("/settings"); code != http.StatusUnauthorized || strings.Contains(page, `name="csrf"`) {
			t.Errorf("%s: %d; want 401", name, code)
		}
	}
	// Signed by another daemon (another key): refused.
	elsewhere := newStack(t)
	if code, _, _ := s.withCookie(t, elsewhere.loggedIn().sessionCookie().Value).get("/"); code != http.StatusUnauthorized {
		t.Errorf("a cookie signed with another key: %d, want 401", code)
	}
}

// The key is made on first start, readable by its owner only; Log out
// everywhere (a form with CSRF) replaces it, and every browser is logged
// out.
func TestLogOutEverywhereEndsEverySession(t *testing.T) {
	s := newStack(t)
	keyFile := filepath.Join(s.keyDir, web.SessionKeyFile)
	info, err := os.Stat(keyFile)
	if err != nil {
		t.Fatalf("no session key beside the token: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("session key mode %v, want 0600", info.Mode().Perm())
	}
	before, _ := os.ReadFile(keyFile)

	here, there := s.loggedIn(), s.loggedIn()
	_, page, _ := here.get("/settings")
	if !strings.Contains(page, `action="/logout-everywhere"`) {
		t.Fatal("the settings page offers no Log out everywhere")
	}
	// Without the CSRF token, or from another origin: refused, nothing changes.
	if code, _, _ := here.post("/logout-everywhere", map[string]string{}); code != http.StatusForbidden {
		t.Errorf("log out everywhere without CSRF: %d, want 403", code)
	}
	if code, _, _ := here.post("/logout-everywhere", map[string]string{"csrf": strings.Repeat("0", 64)}); code != http.StatusForbidden {
		t.Errorf("log out everywhere with a wrong CSRF token: %d, want 403", code)
	}
	req, _ := http.NewRequest("POST", s.home+"/logout-everywhere", strings.NewReader("csrf="+csrfOf(t, page)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	if code, _, _ := here.do(req); code != http.StatusForbidden {
		t.Errorf("log out everywhere posted from another site: %d, want 403", code)
	}
	if after, _ := os.ReadFile(keyFile); string(after) != string(before) {
		t.Error("a refused post replaced the key")
	}
	for _, b := range []*browser{here, there} {
		if code, _, _ := b.get("/"); code != http.StatusOK {
			t.Fatalf("before log out everywhere: %d", code)
		}
	}

	pending := s.loginLink() // made before, used after
	code, page, _ := here.post("/logout-everywhere", map[string]string{"csrf": csrfOf(t, page)})
	if code != http.StatusOK || !strings.Contains(page, "logged out everywhere") {
		t.Fatalf("log out everywhere: %d", code)
	}
	for name, b := range map[string]*browser{"this browser": here, "another browser": there} {
		if code, _, _ := b.get("/"); code != http.StatusUnauthorized {
			t.Errorf("%s after log out everywhere: %d, want 401", name, code)
		}
	}
	if code, _, h := s.newBrowser().get(pending); code != http.StatusForbidden || h.Get("Set-Cookie") != "" {
		t.Errorf("a login link made before log out everywhere, used after: %d; want 403 and no cookie", code)
	}
	after, _ := os.ReadFile(keyFile)
	if string(after) == string(before) {
		t.Error("the key was not replaced")
	}
	if info, _ := os.Stat(keyFile); info.Mode().Perm() != 0o600 {
		t.Errorf("new session key mode %v, want 0600", info.Mode().Perm())
	}
	// A new login works with the new key.
	if code, _, _ := s.loggedIn().get("/"); code != http.StatusOK {
		t.Errorf("a new login after log out everywhere: %d", code)
	}
}
