package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the redline binary: run with REDLINE_BE_MAIN
// it is the CLI, so tests drive real processes without a separate build.
func TestMain(m *testing.M) {
	if os.Getenv("REDLINE_BE_MAIN") == "1" {
		ctx, stop := signalContext()
		code := run(ctx, &env{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin}, os.Args[1:])
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func redline(args ...string) *exec.Cmd {
	exe, _ := os.Executable()
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "REDLINE_BE_MAIN=1", "REDLINE_DATA=", "REDLINE_ADDR=")
	return cmd
}

// cli runs a command to completion and returns its output and exit code.
func cli(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := redline(args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	cmd.Stdin = strings.NewReader(stdin)
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return o.String(), e.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), 0
}

// daemonProc is a `redline serve` child process.
type daemonProc struct {
	cmd  *exec.Cmd
	base string
	log  *bytes.Buffer
	mu   *sync.Mutex
	done chan struct{}
}

// listenRe finds where the daemon says it listens (any loopback address).
var listenRe = regexp.MustCompile(`listening on (http://[^\s"]+)`)

func startDaemon(t testing.TB, dir string) *daemonProc {
	t.Helper()
	return serveAs(t, redline("serve", "--addr", "127.0.0.1:0", "--data", dir))
}

// serveAs starts a prepared `redline serve` command and waits until it
// says where it listens.
func serveAs(t testing.TB, cmd *exec.Cmd) *daemonProc {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &daemonProc{cmd: cmd, log: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			d.mu.Lock()
			d.log.WriteString(line + "\n")
			d.mu.Unlock()
			if m := listenRe.FindStringSubmatch(line); m != nil {
				found <- m[1]
			}
		}
		io.Copy(io.Discard, stderr)
		cmd.Wait()
		close(d.done)
	}()
	select {
	case d.base = <-found:
	case <-d.done:
		t.Fatalf("daemon exited before listening:\n%s", d.logText())
	case <-time.After(30 * time.Second):
		d.kill()
		t.Fatalf("daemon did not say where it listens:\n%s", d.logText())
	}
	t.Cleanup(d.kill)
	return d
}

func (d *daemonProc) logText() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.log.String()
}

func (d *daemonProc) kill() {
	d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.done
}

func (d *daemonProc) stop(t *testing.T) {
	t.Helper()
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("daemon did not stop on SIGTERM:\n%s", d.logText())
	}
	if code := d.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("daemon exited %d after SIGTERM:\n%s", code, d.logText())
	}
}

func tokenOf(t testing.TB, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "token"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func post(ctx context.Context, base, token, body string) (int, map[string]any, error) {
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/captures", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	err = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, err
}

func get(t testing.TB, base, token, path string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func captureBody(url, text string) string {
	b, _ := json.Marshal(map[string]any{
		"url": url, "title": "Story", "captured_at": time.Now().UTC().Format(time.RFC3339Nano),
		"source": "browser", "extractor": "test",
		"blocks": []map[string]string{{"kind": "p", "text": text}},
	})
	return string(b)
}

// killRounds is how many times the crash test kills the daemon: 3 in
// `make test`, more with REDLINE_KILL_ROUNDS (`make soak` uses 200).
func killRounds(t *testing.T) int {
	n := 3
	if v := os.Getenv("REDLINE_KILL_ROUNDS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			t.Fatalf("REDLINE_KILL_ROUNDS=%q is not a positive number", v)
		}
	}
	return n
}

// A 201 means the capture is on disk: SIGKILL right after one, restart,
// and every acknowledged capture is there; the store always opens.
func TestAcknowledgedCapturesSurviveKill9(t *testing.T) {
	dir := t.TempDir()
	type ack struct {
		url, text string
		version   float64
	}
	var acked []ack
	rounds := killRounds(t)
	for round := range rounds {
		d := startDaemon(t, dir)
		token := tokenOf(t, dir)
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		var wg sync.WaitGroup
		killed := make(chan struct{})
		var once sync.Once
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ctx.Err() == nil; i++ {
					url := fmt.Sprintf("https://news.example/r%d/w%d/%d", round, w, i%5)
					text := fmt.Sprintf("round %d worker %d capture %d", round, w, i)
					code, out, err := post(ctx, d.base, token, captureBody(url, text))
					if err != nil || code != 201 {
						continue
					}
					mu.Lock()
					acked = append(acked, ack{url, text, out["version"].(float64)})
					n := len(acked)
					mu.Unlock()
					if n >= (round+1)*40 {
						once.Do(func() {
							d.kill() // right after a 201, mid-stream for the others
							close(killed)
						})
					}
				}
			}()
		}
		<-killed
		cancel()
		wg.Wait()
	}
	d := startDaemon(t, dir)
	token := tokenOf(t, dir)
	for _, a := range acked {
		code, art := get(t, d.base, token, "/api/v1/articles?url="+a.url)
		if code != 200 {
			t.Fatalf("acknowledged capture of %s lost after kill -9 (lookup %d)", a.url, code)
		}
		code, v := get(t, d.base, token, fmt.Sprintf("/api/v1/articles/%v/versions/%v", art["id"], a.version))
		if code != 200 {
			t.Fatalf("version %v of %s lost after kill -9", a.version, a.url)
		}
		blocks := v["blocks"].([]any)
		if got := blocks[0].(map[string]any)["text"]; got != a.text {
			t.Fatalf("version %v of %s holds %q, want %q", a.version, a.url, got, a.text)
		}
	}
	if len(acked) < rounds*40 {
		t.Fatalf("only %d captures acknowledged", len(acked))
	}
	t.Logf("%d kills during ingest: the store opened every time, and all %d acknowledged captures are there with their text", rounds, len(acked))
}

func TestServeStatusExportBackupRestore(t *testing.T) {
	dir := t.TempDir()
	out, _, code := cli(t, "", "status", "--data", dir)
	if code != 0 || !strings.Contains(out, "not running") || !strings.Contains(out, "none yet") {
		t.Fatalf("status before first start = %d %q", code, out)
	}
	d := startDaemon(t, dir)
	info, err := os.Stat(filepath.Join(dir, "token"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode = %v, %v; want 0600", info.Mode().Perm(), err)
	}
	tok, _, code := cli(t, "", "token", "--data", dir)
	if code != 0 || strings.TrimSpace(tok) != tokenOf(t, dir) || len(strings.TrimSpace(tok)) != 64 {
		t.Fatalf("token = %d %q", code, tok)
	}
	if strings.Contains(d.logText(), strings.TrimSpace(tok)) {
		t.Error("the daemon's log contains the token")
	}
	ctx := context.Background()
	for i, text := range []string{"First text.", "Second text."} {
		if code, _, err := post(ctx, d.base, tokenOf(t, dir), captureBody("https://example.com/s", text)); code != 201 || err != nil {
			t.Fatalf("capture %d = %d %v", i, code, err)
		}
	}
	out, _, code = cli(t, "", "status", "--data", dir)
	if code != 0 || !strings.Contains(out, "running at "+d.base) || !regexp.MustCompile(`articles:\s+1\b`).MatchString(out) || !regexp.MustCompile(`versions:\s+2\b`).MatchString(out) {
		t.Fatalf("status while running = %d %q", code, out)
	}
	exported, _, code := cli(t, "", "export", "--data", dir)
	if code != 0 || strings.Count(exported, "\n") != 4 || !strings.Contains(exported, "Second text.") {
		t.Fatalf("export while running = %d %q", code, exported)
	}
	backup := filepath.Join(t.TempDir(), "redline.backup")
	if _, errOut, code := cli(t, "", "backup", "--data", dir, backup); code != 0 {
		t.Fatalf("backup while running = %d %s", code, errOut)
	}
	if _, errOut, code := cli(t, "", "restore", "--data", dir, backup); code != 1 || !strings.Contains(errOut, "stop it before restoring") {
		t.Fatalf("restore while running = %d %q", code, errOut)
	}
	d.stop(t)
	if _, err := os.Stat(filepath.Join(dir, "daemon.json")); err == nil {
		t.Error("daemon note left after clean shutdown")
	}

	// Offline: the CLI opens the store itself.
	offline, _, code := cli(t, "", "export", "--data", dir)
	if code != 0 || offline != exported {
		t.Fatalf("offline export = %d, differs from online export", code)
	}
	fresh := t.TempDir()
	if out, errOut, code := cli(t, "", "restore", "--data", fresh, backup); code != 0 || !strings.Contains(out, "restored") {
		t.Fatalf("restore into fresh dir = %d %q %q", code, out, errOut)
	}
	restored, _, _ := cli(t, "", "export", "--data", fresh)
	if restored != exported {
		t.Errorf("restored store exports differently:\n%s\nwant\n%s", restored, exported)
	}
	if _, errOut, code := cli(t, "", "restore", "--data", fresh, backup); code != 1 || !strings.Contains(errOut, "--replace") {
		t.Errorf("restore over data = %d %q", code, errOut)
	}
	if _, _, code := cli(t, "", "restore", "--data", fresh, "--replace", backup); code != 0 {
		t.Errorf("restore --replace = %d", code)
	}
	garbage := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(garbage, []byte("shopping list"), 0o600)
	if _, errOut, code := cli(t, "", "restore", "--data", fresh, "--replace", garbage); code != 1 || !strings.Contains(errOut, "not a Redline backup") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("restore of a foreign file = %d %q", code, errOut)
	}
	if again, _, _ := cli(t, "", "export", "--data", fresh); again != exported {
		t.Error("a refused restore changed the store")
	}
	// Backup to stdout and restore from stdin.
	viaPipe, _, code := cli(t, "", "backup", "--data", fresh, "-")
	if code != 0 || !strings.HasPrefix(viaPipe, "REDLINE-BACKUP") {
		t.Fatalf("backup to stdout = %d", code)
	}
	third := t.TempDir()
	if _, errOut, code := cli(t, viaPipe, "restore", "--data", third, "-"); code != 0 {
		t.Fatalf("restore from stdin = %d %s", code, errOut)
	}
}

func TestDaemonStopsCleanlyOnSIGINTAndRefusesSecondInstance(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, dir)
	second := redline("serve", "--addr", "127.0.0.1:0", "--data", dir)
	var e bytes.Buffer
	second.Stderr = &e
	err := second.Run()
	if err == nil || !strings.Contains(e.String(), "in use by another Redline process") {
		t.Errorf("second daemon on the same data = %v %q", err, e.String())
	}
	d.cmd.Process.Signal(os.Interrupt)
	<-d.done
	if code := d.cmd.ProcessState.ExitCode(); code != 0 || !strings.Contains(d.logText(), "stopped") {
		t.Errorf("SIGINT: exit %d, log:\n%s", code, d.logText())
	}
}

func TestHelpAndUsageErrors(t *testing.T) {
	for _, c := range commands {
		out, _, code := cli(t, "", c.name, "--help")
		if code != 0 || !strings.Contains(out, "Usage: redline "+c.name) {
			t.Errorf("%s --help = %d %q", c.name, code, out)
		}
	}
	out, _, code := cli(t, "", "help")
	if code != 0 || !strings.Contains(out, "Commands:") {
		t.Errorf("help = %d %q", code, out)
	}
	for _, args := range [][]string{
		{"bogus"}, {"status", "--nope"}, {"backup"}, {"restore"}, {"serve", "--addr", "0.0.0.0:7710"},
		{"serve", "--addr", "192.168.1.5:7710"}, {"serve", "--addr", "nonsense"}, {"token", "extra"},
	} {
		_, errOut, code := cli(t, "", args...)
		if code == 0 || errOut == "" || strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
			t.Errorf("%v: exit %d, stderr %q: want a short error and a non-zero exit", args, code, errOut)
		}
	}
}

// A restore that is refused leaves the disk as it was: no data folder, no
// parent folder and no store appear where there were none.
func TestRefusedRestoreCreatesNothing(t *testing.T) {
	source := t.TempDir()
	d := startDaemon(t, source)
	if code, _, err := post(context.Background(), d.base, tokenOf(t, source), captureBody("https://example.com/kept", "Kept text.")); code != 201 || err != nil {
		t.Fatalf("capture = %d %v", code, err)
	}
	d.stop(t)
	exported, _, _ := cli(t, "", "export", "--data", source)
	files := t.TempDir()
	backup := filepath.Join(files, "redline.backup")
	if _, errOut, code := cli(t, "", "backup", "--data", source, backup); code != 0 {
		t.Fatalf("backup = %d %s", code, errOut)
	}
	whole, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(files, "notes.txt")
	damaged := filepath.Join(files, "damaged.backup")
	os.WriteFile(foreign, []byte("shopping list"), 0o600)
	header := whole[:bytes.IndexByte(whole, '\n')+1] // the backup's first line, then garbage
	os.WriteFile(damaged, append(header[:len(header):len(header)], bytes.Repeat([]byte{0xff}, 64)...), 0o600)

	for _, c := range []struct{ name, file, want string }{
		{"a foreign file", foreign, "not a Redline backup"},
		{"a damaged backup", damaged, "damaged"},
		{"a missing file", filepath.Join(files, "nowhere.backup"), "open backup"},
	} {
		t.Run(c.name, func(t *testing.T) {
			parent := filepath.Join(t.TempDir(), "new")
			target := filepath.Join(parent, "redline")
			if _, errOut, code := cli(t, "", "restore", "--data", target, c.file); code != 1 || !strings.Contains(errOut, c.want) {
				t.Fatalf("restore = %d %q, want a refusal saying %q", code, errOut, c.want)
			}
			if _, err := os.Stat(parent); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a refused restore into %s left %s behind (%v)", target, parent, err)
			}

			empty := t.TempDir()
			if _, _, code := cli(t, "", "restore", "--data", empty, c.file); code != 1 {
				t.Fatalf("restore into an empty folder = %d, want a refusal", code)
			}
			if left, _ := os.ReadDir(empty); len(left) != 0 {
				t.Errorf("a refused restore left %v in the data folder", left)
			}
		})
	}

	// The same restore with a whole backup creates the folders it needs.
	target := filepath.Join(t.TempDir(), "new", "redline")
	if out, errOut, code := cli(t, "", "restore", "--data", target, backup); code != 0 || !strings.Contains(out, "restored") {
		t.Fatalf("restore into a new folder = %d %q %q", code, out, errOut)
	}
	if restored, _, _ := cli(t, "", "export", "--data", target); restored != exported {
		t.Errorf("restored store exports differently:\n%s\nwant\n%s", restored, exported)
	}
	if left, _ := os.ReadDir(target); len(left) != 1 || left[0].Name() != "store" {
		t.Errorf("the data folder holds %v after a restore, want only the store", left)
	}
}

// A command's --help lists its flags under "Flags:", and a command that
// has none prints no such heading.
func TestHelpShowsFlagsOnlyWhenThereAreSome(t *testing.T) {
	out, _, code := cli(t, "", "version", "--help")
	if code != 0 || out != "Usage: redline version\n\nPrint the version.\n" {
		t.Errorf("version --help = %d %q: want the usage and no Flags heading", code, out)
	}
	out, _, code = cli(t, "", "status", "--help")
	if code != 0 || !strings.Contains(out, "\nFlags:\n") || !strings.Contains(out, "-data") {
		t.Errorf("status --help = %d %q: want its flags", code, out)
	}
}

// newBrowser is an HTTP client that keeps cookies and, as browsers do,
// connects to 127.0.0.1 for names under .localhost (the dashboard's own
// host name).
func newBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	var d net.Dialer
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, port, err := net.SplitHostPort(addr); err == nil && strings.HasSuffix(host, ".localhost") {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{Jar: jar, Transport: tr}
}

// originOf returns the scheme, host and port of a link.
func originOf(t testing.TB, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Host == "" {
		t.Fatalf("link %q: %v", link, err)
	}
	return u.Scheme + "://" + u.Host
}
