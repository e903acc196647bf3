package daemon

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"redline/daemon/internal/api"
	"redline/daemon/internal/web"
)

// dashBrowser is a cookie-keeping client that reaches names under
// .localhost on 127.0.0.1, as browsers do, and does not follow redirects.
type dashBrowser struct {
	t *testing.T
	c *http.Client
}

func newDashBrowser(t *testing.T) *dashBrowser {
	jar, _ := cookiejar.New(nil)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	var dialer net.Dialer
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, port, err := net.SplitHostPort(addr); err == nil && strings.HasSuffix(host, ".localhost") {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		return dialer.DialContext(ctx, network, addr)
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &dashBrowser{t: t, c: &http.Client{Jar: jar, Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *dashBrowser) do(req *http.Request) (int, string) {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *dashBrowser) get(u string) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	return b.do(req)
}

// post submits a form of the dashboard's page at origin with its CSRF token.
func (b *dashBrowser) post(origin, path, csrf string) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest("POST", origin+path, strings.NewReader(url.Values{"csrf": {csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	return b.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]{64})"`)

// dashboard is the origin of d's dashboard, and a browser logged in there
// through a login link, as the extension gets one.
func loginDashboard(t *testing.T, d *testDaemon) (string, *dashBrowser) {
	t.Helper()
	code, body := d.request("POST", "/api/v1/dashboard/login", `{"next":"/settings"}`)
	if code != http.StatusOK {
		t.Fatalf("login link: %d %s", code, body)
	}
	var l api.LoginResponse
	json.Unmarshal(body, &l)
	u, err := url.Parse(l.URL)
	if err != nil {
		t.Fatal(err)
	}
	b := newDashBrowser(t)
	if code, _ := b.get(l.URL); code != http.StatusOK {
		t.Fatalf("login: %d", code)
	}
	return u.Scheme + "://" + u.Host, b
}

// settingsCSRF is the CSRF token of the settings page, which must open.
func (b *dashBrowser) settingsCSRF(origin string) string {
	b.t.Helper()
	code, page := b.get(origin + "/settings")
	m := csrfField.FindStringSubmatch(page)
	if code != http.StatusOK || m == nil {
		b.t.Fatalf("settings: %d, CSRF token found: %v", code, m != nil)
	}
	return m[1]
}

// A browser stays logged in to the dashboard across a restart of the
// daemon over the same data folder; a session logged out stays out; Log
// out everywhere ends every session, also across the next restart.
func TestDashboardSessionsSurviveARestart(t *testing.T) {
	cfg := Config{Addr: "127.0.0.1:0", DataDir: t.TempDir()}
	started := func() *testDaemon {
		d, err := Start(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return &testDaemon{Daemon: d, t: t, base: "http://" + d.Addr()}
	}
	d := started()
	keyFile := filepath.Join(cfg.DataDir, web.SessionKeyFile)
	if info, err := os.Stat(keyFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("session key beside the token: %v, mode %v; want mode 0600", err, info.Mode().Perm())
	}
	origin, stays := loginDashboard(t, d)
	_, leaves := loginDashboard(t, d)
	// leaves logs out; a copy of its cookie taken before must stay refused.
	copied := leaves.c.Jar.Cookies(mustParse(t, origin))
	if code, _ := leaves.post(origin, "/logout", leaves.settingsCSRF(origin)); code != http.StatusOK {
		t.Fatalf("log out: %d", code)
	}
	csrfBefore := stays.settingsCSRF(origin)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	d = started()
	// The port may differ; the dashboard's name and the cookie do not.
	origin = onPort(t, origin, d.Addr())
	if code, _ := stays.get(origin + "/"); code != http.StatusOK {
		t.Fatalf("after a restart the logged-in browser gets %d, want 200", code)
	}
	if got := stays.settingsCSRF(origin); got != csrfBefore {
		t.Error("the CSRF token changed across the restart: forms open before it would fail")
	}
	thief := newDashBrowser(t)
	thief.c.Jar.SetCookies(mustParse(t, origin), copied)
	if code, _ := thief.get(origin + "/"); code != http.StatusUnauthorized {
		t.Errorf("a logged-out session's cookie after a restart: %d, want 401", code)
	}

	_, other := loginDashboard(t, d)
	if code, page := stays.post(origin, "/logout-everywhere", stays.settingsCSRF(origin)); code != http.StatusOK || !strings.Contains(page, "logged out everywhere") {
		t.Fatalf("log out everywhere: %d", code)
	}
	for name, b := range map[string]*dashBrowser{"the browser that asked": stays, "another browser": other} {
		if code, _ := b.get(origin + "/"); code != http.StatusUnauthorized {
			t.Errorf("%s after log out everywhere: %d, want 401", name, code)
		}
	}
	if info, err := os.Stat(keyFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the new session key: %v, mode %v; want mode 0600", err, info.Mode().Perm())
	}
	// other's cookie, signed with the old key, stays refused after a restart.
	otherCookies := other.c.Jar.Cookies(mustParse(t, origin))
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d = started()
	t.Cleanup(func() { d.Close() })
	origin = onPort(t, origin, d.Addr())
	again := newDashBrowser(t)
	again.c.Jar.SetCookies(mustParse(t, origin), otherCookies)
	if len(otherCookies) == 0 {
		t.Fatal("the other browser kept no cookie to try again")
	}
	if code, _ := again.get(origin + "/"); code != http.StatusUnauthorized {
		t.Errorf("a session ended by log out everywhere, after a restart: %d, want 401", code)
	}
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// onPort is origin with the port of addr.
func onPort(t *testing.T, origin, addr string) string {
	t.Helper()
	host, _, err := net.SplitHostPort(strings.TrimPrefix(origin, "http://"))
	_, port, err2 := net.SplitHostPort(addr)
	if err != nil || err2 != nil {
		t.Fatalf("origin %q, address %q", origin, addr)
	}
	return "http://" + net.JoinHostPort(host, port)
}

// A session key file that is not a key stops the start and says what to
// do, changing nothing; one that others could read is made private.
func TestSessionKeyFileDamagedOrOpen(t *testing.T) {
	for name, content := range map[string]string{
		"not hex":   "not a key at all\n",
		"too short": "abcd\n",
		"empty":     "",
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, web.SessionKeyFile)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		d, err := Start(t.Context(), Config{Addr: "127.0.0.1:0", DataDir: dir})
		if err == nil {
			d.Close()
			t.Errorf("%s key file: the daemon started", name)
			continue
		}
		if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), "delete it") {
			t.Errorf("%s key file: %v; want the file's path, that it is damaged and what to do", name, err)
		}
		if b, _ := os.ReadFile(path); string(b) != content {
			t.Errorf("%s key file was changed to %q", name, b)
		}
	}

	// The list of sessions logged out, damaged: the same.
	{
		dir := t.TempDir()
		path := filepath.Join(dir, web.LoggedOutFile)
		if err := os.WriteFile(path, []byte("zz 12\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		d, err := Start(t.Context(), Config{Addr: "127.0.0.1:0", DataDir: dir})
		if err == nil {
			d.Close()
			t.Error("damaged list of logged-out sessions: the daemon started")
		} else if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "damaged") {
			t.Errorf("damaged list of logged-out sessions: %v; want the file's path and that it is damaged", err)
		}
	}

	dir := t.TempDir()
	path := filepath.Join(dir, web.SessionKeyFile)
	key := strings.Repeat("5a", 32) + "\n"
	if err := os.WriteFile(path, []byte(key), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Start(t.Context(), Config{Addr: "127.0.0.1:0", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("a key file others could read: mode %v after the start, want 0600", info.Mode().Perm())
	}
	if b, _ := os.ReadFile(path); string(b) != key {
		t.Error("the key itself was changed")
	}
}
