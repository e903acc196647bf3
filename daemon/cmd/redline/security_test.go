package main

import (
	"bytes"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// What the README promises about the daemon on this computer, checked on
// the real binary: it never listens beyond loopback, what it keeps is
// readable by the user only, and its log never holds a secret.

// serveWith starts `redline serve --data dir` with extra flags and waits
// until it says where it listens (any loopback address).
func serveWith(t *testing.T, dir string, env []string, args ...string) *daemonProc {
	t.Helper()
	cmd := redline(append([]string{"serve", "--data", dir}, args...)...)
	cmd.Env = append(cmd.Env, env...)
	return serveAs(t, cmd)
}

func TestDaemonNeverListensBeyondLoopback(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		addr string
		env  []string
	}{
		{":0", nil},
		{"0.0.0.0:0", nil},
		{"[::]:0", nil},
		{"192.0.2.2:0", nil},
		{"[fd00::2]:0", nil},
		{"example.com:0", nil},
		{"localhost.example.com:0", nil},
		{"127.0.0.1.example.com:0", nil},
		{"", []string{"REDLINE_ADDR=0.0.0.0:0"}},
		{"", []string{"REDLINE_ADDR=:0"}},
	} {
		args := []string{"serve", "--data", dir}
		if c.addr != "" {
			args = append(args, "--addr", c.addr)
		}
		cmd := redline(args...)
		cmd.Env = append(cmd.Env, c.env...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		done := make(chan error, 1)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(stderr.String(), "loopback only") || strings.Contains(stderr.String(), "listening") {
				t.Errorf("serve %q %v: %v, %q; want a refusal that says loopback only", c.addr, c.env, err, stderr.String())
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("serve %q %v did not refuse; it runs:\n%s", c.addr, c.env, stderr.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "daemon.json")); err == nil {
		t.Error("a refused start left a note that a daemon runs")
	}

	// The loopback names it takes: the socket is bound to loopback and to
	// nothing else, so this computer's other addresses do not answer.
	addrs := []string{"localhost:0", "127.0.0.1:0"}
	if l, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		l.Close()
		addrs = append(addrs, "[::1]:0")
	}
	for _, addr := range addrs {
		d := serveWith(t, t.TempDir(), nil, "--addr", addr)
		u, _ := url.Parse(d.base)
		ip := net.ParseIP(u.Hostname())
		if ip == nil || !ip.IsLoopback() {
			t.Fatalf("--addr %s: listening on %s", addr, d.base)
		}
		if resp, err := http.Get(d.base + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("--addr %s: the daemon does not answer at %s: %v", addr, d.base, err)
		} else {
			resp.Body.Close()
		}
		ifaces, err := net.InterfaceAddrs()
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range ifaces {
			n, ok := a.(*net.IPNet)
			if !ok || n.IP.IsLoopback() || n.IP.IsLinkLocalUnicast() {
				continue
			}
			if c, err := net.DialTimeout("tcp", net.JoinHostPort(n.IP.String(), u.Port()), 5*time.Second); err == nil {
				c.Close()
				t.Errorf("--addr %s: the daemon's port answers on %s, an address other computers can reach", addr, n.IP)
			}
		}
		d.kill()
	}
}

// othersCanRead reports whether a user other than the owner can read the
// file at path: it must be readable by group or others, and so must every
// folder from root down to it be searchable.
func othersCanRead(t *testing.T, root, path string) bool {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm()&0o044 == 0 {
		return false
	}
	for dir := filepath.Dir(path); ; dir = filepath.Dir(dir) {
		d, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if d.Mode().Perm()&0o011 == 0 {
			return false
		}
		if dir == root {
			return true
		}
	}
}

func TestWhatTheDaemonKeepsIsTheUsersOnly(t *testing.T) {
	// A data folder the daemon makes, and one the user made earlier with
	// loose permissions and a token file others could read.
	made := filepath.Join(t.TempDir(), "new", "redline")
	loose := t.TempDir()
	os.Chmod(loose, 0o755)
	os.WriteFile(filepath.Join(loose, "token"), []byte(strings.Repeat("ab", 32)+"\n"), 0o644)
	os.Chmod(filepath.Join(loose, "token"), 0o644)

	for _, dir := range []string{made, loose} {
		d := serveWith(t, dir, nil, "--addr", "127.0.0.1:0")
		if code, _, err := post(t.Context(), d.base, tokenOf(t, dir), captureBody("https://news.example/private", "What I read.")); code != 201 || err != nil {
			t.Fatalf("capture: %d %v", code, err)
		}
		if info, err := os.Stat(filepath.Join(dir, "token")); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s: token file mode %v, %v; want 0600", dir, info.Mode().Perm(), err)
		}
		if dir == made {
			if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
				t.Errorf("the data folder the daemon made has mode %v, %v; want 0700", info.Mode().Perm(), err)
			}
		}
		files := 0
		filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			files++
			if othersCanRead(t, dir, path) {
				t.Errorf("another user of this computer can read %s", path)
			}
			return nil
		})
		if files < 3 {
			t.Errorf("%s holds %d files; want the token, the note and the store", dir, files)
		}
		d.stop(t)
	}
}

func TestTheLogNeverHoldsASecret(t *testing.T) {
	dir := t.TempDir()
	d := serveWith(t, dir, nil, "--addr", "127.0.0.1:0", "--verbose")
	token := tokenOf(t, dir)
	secrets := map[string]string{"the API token": token}
	do := func(method, path, auth, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, d.base+path, strings.NewReader(body))
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	// The API: right, wrong and missing tokens.
	if code, _ := do("POST", "/api/v1/captures", token, captureBody("https://news.example/a", "Text.")); code != 201 {
		t.Fatalf("capture: %d", code)
	}
	if code, _ := do("GET", "/api/v1/status", strings.Repeat("0", 64), ""); code != 401 {
		t.Fatalf("wrong token: %d", code)
	}
	if code, _ := do("GET", "/api/v1/status", "", ""); code != 401 {
		t.Fatalf("no token: %d", code)
	}

	// Pairing: a wrong code, then the right one.
	out, _, code := cli(t, "", "pair", "--print", "--data", dir)
	m := regexp.MustCompile(`/pair#([0-9a-f]{32})`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("redline pair --print: %d %q", code, out)
	}
	secrets["the pairing code"] = m[1]
	if code, _ := do("POST", "/api/v1/pair/claim", "", `{"code":"`+strings.Repeat("1", 32)+`"}`); code != 403 {
		t.Fatalf("claim with a wrong code: %d", code)
	}
	if code, body := do("POST", "/api/v1/pair/claim", "", `{"code":"`+m[1]+`"}`); code != 200 || !strings.Contains(body, token) {
		t.Fatalf("claim: %d", code)
	}

	// The event stream: a hello with a wrong token, then with the right one.
	wsURL := "ws" + strings.TrimPrefix(d.base, "http") + "/api/v1/events"
	for _, hello := range []string{strings.Repeat("f", 64), token} {
		ws, _, err := websocket.DefaultDialer.Dial(wsURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		ws.WriteJSON(map[string]any{"type": "hello", "token": hello, "last_event_id": 0})
		var answer struct{ Type string }
		ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		if err := ws.ReadJSON(&answer); err != nil || (hello == token) != (answer.Type == "welcome") {
			t.Fatalf("hello: %+v %v", answer, err)
		}
		ws.Close()
	}

	// The dashboard: a guessed login link, the real one, and its replay;
	// then the session's secrets and the feed.
	out, _, code = cli(t, "", "open", "--print", "--data", dir)
	link := strings.TrimSpace(out)
	if code != 0 || !strings.Contains(link, "/login?code=") {
		t.Fatalf("redline open --print: %d %q", code, out)
	}
	secrets["the login code"] = link[strings.Index(link, "code=")+5:]
	browser := newBrowser()
	dash := originOf(t, link)
	page := func(u string) (int, string) {
		t.Helper()
		resp, err := browser.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := page(dash + "/login?code=" + strings.Repeat("ab", 32)); code != 403 {
		t.Fatalf("guessed login link: %d", code)
	}
	if code, _ := page(link); code != 200 {
		t.Fatalf("login link: %d", code)
	}
	if resp, err := newBrowser().Get(link); err != nil || resp.StatusCode != 403 {
		t.Fatalf("replayed login link: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	base, _ := url.Parse(dash)
	for _, c := range browser.Jar.Cookies(base) {
		secrets["the session cookie"] = c.Value
	}
	_, home := page(dash + "/")
	_, settings := page(dash + "/settings")
	for name, re := range map[string]string{
		"the live ticket": `name="redline-ticket" content="([0-9a-f]{64})"`,
		"the CSRF token":  `name="csrf" value="([0-9a-f]{64})"`,
		"the feed token":  `/feeds/changes\.atom\?token=([0-9a-f]{64})`,
	} {
		m := regexp.MustCompile(re).FindStringSubmatch(home + settings)
		if m == nil {
			t.Fatalf("the dashboard shows no %s", name)
		}
		secrets[name] = m[1]
	}
	if code, _ := page(d.base + "/feeds/changes.atom?token=" + secrets["the feed token"]); code != 200 {
		t.Fatalf("feed: %d", code)
	}
	if code, _ := page(d.base + "/feeds/changes.atom?token=" + token); code != 401 {
		t.Fatalf("feed with the API token: %d", code)
	}
	d.stop(t)

	log := d.logText()
	// The log speaks of what happened (so this test reads a real log)…
	for _, want := range []string{"extension paired", "hello refused", "dashboard login refused"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log does not say %q:\n%s", want, log)
		}
	}
	// …and holds none of the secrets.
	if len(secrets) != 7 {
		t.Fatalf("found %d secrets, want 7", len(secrets))
	}
	for name, s := range secrets {
		if len(s) < 32 {
			t.Fatalf("%s is %q: the test did not find it", name, s)
		}
		if strings.Contains(log, s) {
			t.Errorf("the daemon's log holds %s", name)
		}
	}
	if strings.Contains(log, "Bearer") || strings.Contains(log, "redline_session") {
		t.Errorf("the daemon's log holds request headers:\n%s", log)
	}

	// A backup holds no feed token, so one shared for debugging opens no
	// feeds; a daemon started on the restored store makes a new one.
	backup := filepath.Join(t.TempDir(), "redline.backup")
	if _, errOut, code := cli(t, "", "backup", "--data", dir, backup); code != 0 {
		t.Fatalf("backup: %d %s", code, errOut)
	}
	if b, err := os.ReadFile(backup); err != nil || bytes.Contains(b, []byte(secrets["the feed token"])) {
		t.Errorf("the backup holds the feed token (%v)", err)
	}
	restored := t.TempDir()
	if _, errOut, code := cli(t, "", "restore", "--data", restored, backup); code != 0 {
		t.Fatalf("restore: %d %s", code, errOut)
	}
	d2 := startDaemon(t, restored)
	if code, _ := page(d2.base + "/feeds/changes.atom?token=" + secrets["the feed token"]); code != 401 {
		t.Errorf("the old feed token on the restored store: %d, want 401", code)
	}
	out, _, _ = cli(t, "", "open", "--print", "--data", restored)
	link = strings.TrimSpace(out)
	if code, _ := page(link); code != 200 {
		t.Fatalf("login link on the restored store: %d", code)
	}
	_, home = page(originOf(t, link) + "/")
	m = regexp.MustCompile(`/feeds/changes\.atom\?token=([0-9a-f]{64})`).FindStringSubmatch(home)
	if m == nil || m[1] == secrets["the feed token"] {
		t.Fatalf("the restored store's feed token: %v, want a new one", m)
	}
	if code, _ := page(d2.base + "/feeds/changes.atom?token=" + m[1]); code != 200 {
		t.Errorf("the new feed token: %d, want 200", code)
	}
}
