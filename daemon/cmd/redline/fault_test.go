package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"redline/daemon/internal/store"
	"redline/daemon/internal/testtool"
)

// The fault suite of the daemon as the user meets it: the real binary,
// real HTTP, a real store on disk.

// serveAt starts `redline serve` on addr (HOST:PORT, port 0 for any) and
// waits until it listens.
func serveAt(t *testing.T, dir, addr string) *daemonProc {
	t.Helper()
	return serveAs(t, redline("serve", "--addr", addr, "--data", dir))
}

// retryUntil calls try until it reports done or the deadline passes,
// pausing between attempts as a client that retries would.
func retryUntil(t *testing.T, what string, timeout time.Duration, try func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !try() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not done within %s", what, timeout)
		}
		time.Sleep(10 * time.Millisecond) // a retrying client's pause, not a synchronisation
	}
}

// eventClient follows /api/v1/events as the extension does: on every
// (re)connection it says the id of the last event it handled.
type eventClient struct {
	addr, token string
	mu          sync.Mutex
	events      []eventMsg
	connections int
}

type eventMsg struct {
	ID          int64  `json:"event_id"`
	Type        string `json:"type"`
	FromVersion int    `json:"from_version"`
	ToVersion   int    `json:"to_version"`
}

// follow reads events until ctx ends, reconnecting whenever the daemon
// goes away; addr is read anew for each connection.
func (c *eventClient) follow(ctx context.Context) {
	for ctx.Err() == nil {
		c.mu.Lock()
		var last int64
		if n := len(c.events); n > 0 {
			last = c.events[n-1].ID
		}
		addr := c.addr
		c.mu.Unlock()
		dialer := websocket.Dialer{HandshakeTimeout: 2 * time.Second}
		h := http.Header{"Origin": {"chrome-extension://pefbhbjklgdhmmiknnjkgangfknghlip"}}
		ws, _, err := dialer.DialContext(ctx, "ws://"+addr+"/api/v1/events", h)
		if err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Millisecond): // the daemon is down: try again
			}
			continue
		}
		c.read(ctx, ws, last)
		ws.Close()
	}
}

func (c *eventClient) read(ctx context.Context, ws *websocket.Conn, last int64) {
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	defer stop()
	if ws.WriteJSON(map[string]any{"type": "hello", "token": c.token, "last_event_id": last}) != nil {
		return
	}
	var welcome struct{ Type string }
	if ws.ReadJSON(&welcome) != nil || welcome.Type != "welcome" {
		return
	}
	c.mu.Lock()
	c.connections++
	c.mu.Unlock()
	for {
		_, b, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var e eventMsg
		if json.Unmarshal(b, &e) != nil || e.ID == 0 {
			continue // not an event (a pong)
		}
		c.mu.Lock()
		c.events = append(c.events, e)
		c.mu.Unlock()
	}
}

func (c *eventClient) snapshot() ([]eventMsg, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]eventMsg(nil), c.events...), c.connections
}

// The daemon dies (SIGKILL) and is stopped (SIGTERM) while the reader
// keeps reading: every capture arrives once it is back, as the
// extension's queue retries each until the daemon answers; a client of
// the event stream reconnects with the last event it handled and gets
// every event it missed exactly once, in order, then the live ones.
func TestEventsReplayedAcrossRestarts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := startDaemon(t, dir)
	addr := d.base[len("http://"):]
	token := tokenOf(t, dir)
	const page = "https://news.example/count"
	if code, _, err := post(context.Background(), d.base, token, captureBody(page, "Start.")); code != 201 || err != nil {
		t.Fatalf("first capture = %d %v", code, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := &eventClient{addr: addr, token: token}
	following := make(chan struct{})
	go func() {
		client.follow(ctx)
		close(following)
	}()
	defer func() {
		cancel()
		<-following
	}()
	retryUntil(t, "connect to the event stream", 10*time.Second, func() bool { _, n := client.snapshot(); return n == 1 })

	// The reader: 30 changes of the article, each sent until it is
	// acknowledged, one after another (the extension's queue is in order).
	const changes = 30
	acked := make(chan int, changes)
	reading := make(chan struct{})
	go func() {
		defer close(reading)
		for i := range changes {
			body := captureBody(page, fmt.Sprintf("The official count now stands at %d people after the latest update from the ministry.", i+1))
			for ctx.Err() == nil {
				if code, _, err := post(ctx, "http://"+addr, token, body); err == nil && code == 201 {
					break
				}
				select {
				case <-ctx.Done():
				case <-time.After(10 * time.Millisecond): // down or restarting: the queue tries again
				}
			}
			acked <- i + 1
		}
	}()
	waitAcked := func(n int) {
		t.Helper()
		timeout := time.After(30 * time.Second)
		for {
			select {
			case got := <-acked:
				if got >= n {
					return
				}
			case <-timeout:
				t.Fatalf("fewer than %d captures acknowledged", n)
			}
		}
	}
	waitAcked(10)
	d.kill() // mid-stream: captures in flight fail and are sent again
	d = serveAt(t, dir, addr)
	waitAcked(20)
	d.stop(t)
	d = serveAt(t, dir, addr)
	waitAcked(changes)
	<-reading

	retryUntil(t, "receive every event", 20*time.Second, func() bool { e, _ := client.snapshot(); return len(e) >= changes })
	// One more, live: nothing replayed twice after the last reconnection.
	if code, _, err := post(context.Background(), d.base, token, captureBody(page, "The count is final.")); code != 201 || err != nil {
		t.Fatalf("live capture = %d %v", code, err)
	}
	retryUntil(t, "receive the live event", 10*time.Second, func() bool { e, _ := client.snapshot(); return len(e) >= changes+1 })
	events, connections := client.snapshot()
	if connections < 3 {
		t.Errorf("the client connected %d times, want once per daemon (3)", connections)
	}
	if len(events) != changes+1 {
		t.Fatalf("%d events, want %d: %+v", len(events), changes+1, events)
	}
	for i, e := range events {
		// Nothing was marked seen: every event tells the change since the
		// version first read.
		if e.ID != int64(i+1) || e.Type != "article.changed" || e.FromVersion != 1 || e.ToVersion != i+2 {
			t.Fatalf("event %d = %+v: want id %d, a change from version 1 to %d (a gap, a duplicate or disorder)", i, e, i+1, i+2)
		}
	}
	// Every capture is in the store: version 32 is the live one.
	code, art := get(t, d.base, token, "/api/v1/articles?url="+url.QueryEscape(page))
	if code != 200 || art["versions"] != float64(changes+2) {
		t.Fatalf("after the restarts the article = %d, versions %v, want %d", code, art["versions"], changes+2)
	}
}

// serveRefused runs `redline serve` that must not start: it returns its
// one-line error after a non-zero exit.
func serveRefused(t *testing.T, data string) string {
	t.Helper()
	cmd := redline("serve", "--addr", "127.0.0.1:0", "--data", data)
	var e bytes.Buffer
	cmd.Stderr = &e
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	started := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	err := cmd.Wait()
	if !started.Stop() {
		t.Fatalf("serve started where it must not:\n%s", e.String())
	}
	// The daemon's log may come first (Badger logs what it met); the
	// last line is the command's error, and nothing crashed.
	lines := strings.Split(strings.TrimSpace(e.String()), "\n")
	last := lines[len(lines)-1]
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.HasPrefix(last, "redline serve: ") ||
		strings.Contains(e.String(), "panic") || strings.Contains(e.String(), "goroutine ") {
		t.Fatalf("serve = %v, stderr %q: want exit 1 and a line saying why", err, e.String())
	}
	return last
}

// needPrivilege reports something a test needs that this machine does
// not give it (mounting a small file system takes root). On a developer's
// machine the test is skipped with the reason; in CI, which runs as root,
// it fails, so a fault test can never pass by not running.
func needPrivilege(t *testing.T, format string, args ...any) {
	t.Helper()
	testtool.Need(t, format, args...)
}

// smallDisk mounts a file system of size bytes (tmpfs) on a new folder,
// unmounted when the test ends.
func smallDisk(t *testing.T, size int64) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0755", size), "tmpfs", dir).CombinedOutput(); err != nil {
		needPrivilege(t, "a full or read-only disk is played by a small tmpfs, and mounting one needs root: %v %s", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if exec.Command("umount", dir).Run() != nil {
			exec.Command("umount", "-l", dir).Run()
		}
	})
	return dir
}

func remount(t *testing.T, dir, opts string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,"+opts, dir).CombinedOutput(); err != nil {
		t.Fatalf("remount %s %s: %v %s", opts, dir, err, out)
	}
}

// freeBytes is the space left for users on dir's file system.
func freeBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * int64(st.Bsize)
}

// fillFile writes a file of n bytes (real blocks, not a sparse file).
func fillFile(t *testing.T, path string, n int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for n > 0 {
		k := min(n, int64(len(chunk)))
		if _, err := f.Write(chunk[:k]); err != nil {
			t.Fatalf("fill %s: %v", path, err)
		}
		n -= k
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// apiError reads the JSON error of an answer: {"error":{"code","message"}}.
func apiError(out map[string]any) (code, message string) {
	e, _ := out["error"].(map[string]any)
	code, _ = e["code"].(string)
	message, _ = e["message"].(string)
	return code, message
}

// story is a capture's text of about n bytes that does not compress, in
// long words (few for the word index).
func story(r *rand.Rand, n int) string {
	raw := make([]byte, (3*n/4+7)/8*8)
	for i := 0; i < len(raw); i += 8 {
		binary.LittleEndian.PutUint64(raw[i:], r.Uint64())
	}
	var b strings.Builder
	for w := base64.StdEncoding.EncodeToString(raw); len(w) > 0; {
		k := min(len(w), 1000)
		b.WriteString(w[:k] + " ")
		w = w[k:]
	}
	return strings.TrimSpace(b.String())
}

type acked struct {
	url, text string
	version   float64
}

// checkAcked looks every acknowledged capture up and reads its version.
func checkAcked(t *testing.T, base, token string, acks []acked) {
	t.Helper()
	for _, a := range acks {
		code, art := get(t, base, token, "/api/v1/articles?url="+url.QueryEscape(a.url))
		if code != 200 {
			t.Fatalf("acknowledged capture of %s not found (%d)", a.url, code)
		}
		code, v := get(t, base, token, fmt.Sprintf("/api/v1/articles/%v/versions/%v", art["id"], a.version))
		blocks, _ := v["blocks"].([]any)
		if code != 200 || len(blocks) == 0 || blocks[0].(map[string]any)["text"] != a.text {
			t.Fatalf("version %v of %s lost or changed (%d)", a.version, a.url, code)
		}
	}
}

// The disk fills up under the daemon: captures are refused with 507 and
// words that say so, the daemon keeps running and serving everything it
// acknowledged, captures are taken again as soon as there is room, a
// daemon does not start on the full disk, and after it all every
// acknowledged capture is there.
func TestFullDisk(t *testing.T) {
	t.Parallel()
	disk := smallDisk(t, 96<<20)
	data := filepath.Join(disk, "redline")
	filler := filepath.Join(disk, "other-program.dat")
	d := startDaemon(t, data)
	token := tokenOf(t, data)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	var acks []acked
	capture := func(i int) (int, map[string]any) {
		t.Helper()
		u, text := fmt.Sprintf("https://news.example/full/%d", i), story(r, 80<<10)
		code, out, err := post(ctx, d.base, token, captureBody(u, text))
		if err != nil {
			t.Fatalf("capture %d: %v (the daemon died?)\n%s", i, err, d.logText())
		}
		if code == 201 {
			acks = append(acks, acked{u, text, out["version"].(float64)})
		}
		return code, out
	}
	// Another program takes all but 2 MiB above Redline's reserve while
	// the reader keeps reading.
	fillFile(t, filler, freeBytes(t, disk)-store.MinFree-2<<20)
	for {
		code, out := capture(len(acks))
		if code == 201 {
			if len(acks) > 1000 {
				t.Fatal("1,000 captures fitted in 2 MiB")
			}
			continue
		}
		errCode, msg := apiError(out)
		if code != 507 || errCode != "no_space" || !strings.Contains(msg, "is full") || !strings.Contains(msg, "free some space") {
			t.Fatalf("capture on a full disk = %d %q %q, want 507 no_space saying so", code, errCode, msg)
		}
		break
	}
	if len(acks) < 10 {
		t.Fatalf("only %d captures before the disk was full", len(acks))
	}
	// Full: more captures are refused the same way; everything
	// acknowledged can be read.
	if code, _ := capture(-1); code != 507 {
		t.Fatalf("another capture on the full disk = %d", code)
	}
	if code, _ := get(t, d.base, token, "/healthz"); code != 200 {
		t.Fatalf("healthz on a full disk = %d", code)
	}
	checkAcked(t, d.base, token, acks)
	if code, list := get(t, d.base, token, "/api/v1/articles?limit=500"); code != 200 || len(list["articles"].([]any)) != len(acks) {
		t.Fatalf("list on a full disk = %d, %d articles, want %d", code, len(list["articles"].([]any)), len(acks))
	}

	// Room again: captures are taken at once, no restart needed.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if code, out := capture(len(acks)); code != 201 {
		t.Fatalf("capture once there is room again = %d %v", code, out)
	}

	// Full again: the daemon stops cleanly, and does not start on the
	// full disk, saying why.
	fillFile(t, filler, freeBytes(t, disk)-store.MinFree/2)
	if code, _ := capture(len(acks)); code != 507 {
		t.Fatalf("capture on a full disk = %d", code)
	}
	d.stop(t)
	fillFile(t, filler+".2", max(freeBytes(t, disk)-store.MinFree/2, 0)) // the room the stopped daemon's log gave back
	if errOut := serveRefused(t, data); !strings.Contains(errOut, "not starting") || !strings.Contains(errOut, "is full") {
		t.Fatalf("serve on a full disk: %q, want why it does not start", errOut)
	}
	os.Remove(filler)
	os.Remove(filler + ".2")
	d = startDaemon(t, data)
	checkAcked(t, d.base, token, acks)
	if log := d.logText(); strings.Contains(log, "panic") || strings.Contains(log, "fatal") {
		t.Fatalf("daemon log:\n%s", log)
	}
}

// seed starts a daemon on data, has it acknowledge n captures of about
// size bytes each, writes a backup to backup (unless "") and stops it
// cleanly.
func seed(t *testing.T, data string, n, size int, backup string) []acked {
	t.Helper()
	d := startDaemon(t, data)
	token := tokenOf(t, data)
	r := rand.New(rand.NewPCG(3, 4))
	var acks []acked
	for i := range n {
		u, text := fmt.Sprintf("https://news.example/kept/%d", i), story(r, size)
		code, out, err := post(context.Background(), d.base, token, captureBody(u, text))
		if err != nil || code != 201 {
			t.Fatalf("capture %d = %d %v", i, code, err)
		}
		acks = append(acks, acked{u, text, out["version"].(float64)})
	}
	if backup != "" {
		if _, errOut, code := cli(t, "", "backup", "--data", data, backup); code != 0 {
			t.Fatalf("backup = %d %s", code, errOut)
		}
	}
	d.stop(t)
	return acks
}

// A read-only file system: the daemon does not start on one, saying why,
// and starts with everything once it is writable again. (While the daemon
// runs, the kernel refuses to make its file system read-only: it holds
// files open for writing. TestDataDirectoryNotWritable covers a folder
// that cannot be written while it runs.)
func TestReadOnlyDisk(t *testing.T) {
	t.Parallel()
	disk := smallDisk(t, 96<<20)
	data := filepath.Join(disk, "redline")
	acks := seed(t, data, 3, 2000, "")
	remount(t, disk, "ro")
	if errOut := serveRefused(t, data); !strings.Contains(errOut, "not starting") || !strings.Contains(errOut, "read-only file system") {
		t.Fatalf("serve on a read-only disk: %q, want why it does not start", errOut)
	}
	remount(t, disk, "rw")
	d := startDaemon(t, data)
	checkAcked(t, d.base, tokenOf(t, data), acks)
}

// asUser makes cmd run as an unprivileged user (nobody) when the test
// runs as root (root writes whatever the permissions say), from exe, a
// copy of the test binary that user may run.
func asUser(t *testing.T, cmd *exec.Cmd, exe string) {
	t.Helper()
	if os.Geteuid() != 0 {
		return
	}
	cmd.Path, cmd.Args[0] = exe, exe
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
}

// userBinary copies the test binary where an unprivileged user may run it
// (go test builds it in a folder only root may enter).
func userBinary(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		exe, _ := os.Executable()
		return exe
	}
	self, _ := os.Executable()
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.Chmod(filepath.Dir(dir), 0o755)
	os.Chmod(dir, 0o755)
	exe := filepath.Join(dir, "redline")
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return exe
}

// webClient is a browser logged in to the dashboard.
type webClient struct {
	t      *testing.T
	base   string
	client *http.Client
}

// login logs a browser in with the one-time link `redline open` prints.
func login(t *testing.T, d *daemonProc, data string) *webClient {
	t.Helper()
	out, errOut, code := cli(t, "", "open", "--print", "--data", data)
	if code != 0 {
		t.Fatalf("redline open --print = %d %s", code, errOut)
	}
	link := strings.TrimSpace(out)
	w := &webClient{t: t, base: originOf(t, link), client: newBrowser()}
	w.get(strings.TrimPrefix(link, w.base))
	return w
}

func (w *webClient) get(path string) string {
	w.t.Helper()
	resp, err := w.client.Get(w.base + path)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		w.t.Fatalf("GET %s = %d", path, resp.StatusCode)
	}
	return string(b)
}

func (w *webClient) post(path, form string) (int, string) {
	w.t.Helper()
	req, _ := http.NewRequest("POST", w.base+path, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", w.base)
	resp, err := w.client.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The data folder stops being writable by the daemon while it runs
// (its permissions changed): writes are refused with 503 and words that
// say why, reads go on, writes are taken again once it is writable, and
// a daemon does not start on a folder it may not write.
func TestDataDirectoryNotWritable(t *testing.T) {
	t.Parallel()
	exe := userBinary(t)
	data := filepath.Join(t.TempDir(), "redline")
	os.Chmod(filepath.Dir(data), 0o755)
	os.Chmod(filepath.Dir(filepath.Dir(data)), 0o755)
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(data, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	serve := func() *daemonProc {
		cmd := redline("serve", "--addr", "127.0.0.1:0", "--data", data)
		asUser(t, cmd, exe)
		return serveAs(t, cmd)
	}
	d := serve()
	token := tokenOf(t, data)
	ctx := context.Background()
	storeDir := filepath.Join(data, "store")
	var acks []acked
	capture := func(i int) (int, map[string]any) {
		t.Helper()
		u, text := fmt.Sprintf("https://news.example/perm/%d", i), fmt.Sprintf("Paragraph %d of a story.", i)
		code, out, err := post(ctx, d.base, token, captureBody(u, text))
		if err != nil {
			t.Fatalf("capture %d: %v", i, err)
		}
		if code == 201 {
			acks = append(acks, acked{u, text, out["version"].(float64)})
		}
		return code, out
	}
	if code, out := capture(0); code != 201 {
		t.Fatalf("capture = %d %v", code, out)
	}
	os.Chmod(storeDir, 0o500)
	// The dashboard, first opened now, shows what the store holds: its
	// pages only read.
	dashboard := login(t, d, data)
	page := dashboard.get("/")
	csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]{64})"`).FindStringSubmatch(page)
	if csrf == nil {
		t.Fatalf("the dashboard on a folder the daemon may not write has no form:\n%s", page)
	}
	if list := dashboard.get("/articles"); !strings.Contains(list, "/articles/1") {
		t.Fatalf("the list on a folder the daemon may not write:\n%s", list)
	}
	if article := dashboard.get("/articles/1"); !strings.Contains(article, "https://news.example/perm/0") {
		t.Fatalf("an article's page on a folder the daemon may not write:\n%s", article)
	}
	code, out := capture(1)
	if errCode, msg := apiError(out); code != 503 || errCode != "unavailable" || !strings.Contains(msg, "may not write to its data directory") || !strings.Contains(msg, storeDir) {
		t.Fatalf("capture into a folder the daemon may not write = %d %q %q, want 503 saying so", code, errCode, msg)
	}
	checkAcked(t, d.base, token, acks)
	// The dashboard says so too, in words, when asked to change something.
	if code, body := dashboard.post("/articles/1/forget", "csrf="+csrf[1]); code != 503 || !strings.Contains(body, "may not write to its data directory") {
		t.Fatalf("forget in the dashboard on a folder it may not write = %d:\n%s", code, body)
	}
	os.Chmod(storeDir, 0o700)
	if code, out := capture(2); code != 201 {
		t.Fatalf("capture once the folder is writable again = %d %v", code, out)
	}
	d.stop(t)

	os.Chmod(storeDir, 0o500)
	cmd := redline("serve", "--addr", "127.0.0.1:0", "--data", data)
	asUser(t, cmd, exe)
	var e bytes.Buffer
	cmd.Stderr = &e
	if err := cmd.Run(); err == nil || !strings.Contains(e.String(), "not starting") || !strings.Contains(e.String(), "may not write") {
		t.Fatalf("serve on a folder it may not write = %v %q, want why it does not start", err, e.String())
	}
	os.Chmod(storeDir, 0o700)
	d = serve()
	checkAcked(t, d.base, token, acks)
}

// files maps each file of dir to its content, to tell whether anything was
// removed or changed.
func files(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, content := range files(t, from) {
		if err := os.WriteFile(filepath.Join(to, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// A damaged or foreign store: the daemon does not start, says what is
// wrong with which folder and how to get out (restore a backup), and
// leaves every file as it found it. On its own, Badger would have emptied
// the store whose MANIFEST is cut to its header (it deletes the tables the
// MANIFEST does not list), crashed on a table cut short, and read past a
// garbled block as if its articles did not exist.
func TestDamagedStoreIsRefused(t *testing.T) {
	t.Parallel()
	good := t.TempDir()
	backup := filepath.Join(t.TempDir(), "redline.backup")
	acks := seed(t, good, 20, 2000, backup)
	goodStore := filepath.Join(good, "store")
	tables, _ := filepath.Glob(filepath.Join(goodStore, "*.sst"))
	logs, _ := filepath.Glob(filepath.Join(goodStore, "*.vlog"))
	if len(tables) == 0 || len(logs) == 0 {
		t.Fatalf("the seeded store has no table or value log: %v", files(t, goodStore))
	}
	table, vlog := filepath.Base(tables[0]), filepath.Base(logs[0])
	garble := func(name string, from, to float64) func(dir string) {
		return func(dir string) {
			path := filepath.Join(dir, name)
			b, _ := os.ReadFile(path)
			for i := int(from * float64(len(b))); i < int(to*float64(len(b))); i += 7 {
				b[i] ^= 0xa5
			}
			os.WriteFile(path, b, 0o600)
		}
	}
	cut := func(name string, size func(int64) int64) func(dir string) {
		return func(dir string) {
			path := filepath.Join(dir, name)
			info, _ := os.Stat(path)
			os.Truncate(path, size(info.Size()))
		}
	}
	for _, c := range []struct {
		name    string
		damage  func(dir string)
		want    string
		offline bool // also try an offline command
	}{
		{"MANIFEST empty", cut("MANIFEST", func(int64) int64 { return 0 }), "MANIFEST does not read back", false},
		{"MANIFEST cut to its header", cut("MANIFEST", func(int64) int64 { return 8 }), "MANIFEST leaves out table files", true},
		{"MANIFEST cut short", cut("MANIFEST", func(n int64) int64 { return n / 2 }), "is damaged", false},
		{"MANIFEST garbled", garble("MANIFEST", 0.2, 1), "MANIFEST does not read back", false},
		{"table cut short", cut(table, func(n int64) int64 { return n / 2 }), table + " does not read back", false},
		{"table garbled inside", garble(table, 0.5, 0.5001), table + " does not read back", true},
		{"table missing", func(dir string) { os.Remove(filepath.Join(dir, table)) }, table + " is missing", false},
		{"value log garbled", garble(vlog, 0, 1), vlog + " does not read back", false},
		{"key registry garbled", garble("KEYREGISTRY", 0, 1), "key registry", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := t.TempDir()
			dir := filepath.Join(data, "store")
			copyDir(t, goodStore, dir)
			c.damage(dir)
			before := files(t, dir)
			errOut := serveRefused(t, data)
			for _, want := range []string{c.want, "the store in " + dir, "redline restore"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("serve on a damaged store: %q, want it to say %q", errOut, want)
				}
			}
			// The offline commands open the store the same way.
			if c.offline {
				if _, errOut, code := cli(t, "", "export", "--data", data); code != 1 || !strings.Contains(errOut, "is damaged") {
					t.Errorf("export of a damaged store = %d %q", code, errOut)
				}
			}
			after := files(t, dir)
			for name, content := range before {
				if after[name] != content {
					t.Errorf("%s was removed or changed", name)
				}
			}
		})
	}

	t.Run("foreign folder", func(t *testing.T) {
		data := t.TempDir()
		dir := filepath.Join(data, "store")
		os.MkdirAll(dir, 0o700)
		os.WriteFile(filepath.Join(dir, "thesis.txt"), []byte("years of work"), 0o600)
		if errOut := serveRefused(t, data); !strings.Contains(errOut, dir+" is not a Redline store") {
			t.Errorf("serve on a foreign folder: %q", errOut)
		}
		if got := files(t, dir); len(got) != 1 || got["thesis.txt"] != "years of work" {
			t.Errorf("the foreign folder now holds %v", got)
		}
	})

	// What a kill leaves is not damage: a table a flush or a compaction
	// was writing, not yet in the MANIFEST, empty or cut short. The store
	// opens with everything in it.
	t.Run("table half-written when killed", func(t *testing.T) {
		data := t.TempDir()
		dir := filepath.Join(data, "store")
		copyDir(t, goodStore, dir)
		b, err := os.ReadFile(filepath.Join(dir, table))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "999998.sst"), nil, 0o600)
		os.WriteFile(filepath.Join(dir, "999999.sst"), b[:len(b)/3], 0o600)
		d := startDaemon(t, data)
		checkAcked(t, d.base, tokenOf(t, data), acks)
	})

	// The way out the message gives: the damaged store moved aside, the
	// backup restored, everything is back.
	data := t.TempDir()
	copyDir(t, goodStore, filepath.Join(data, "store"))
	cut("MANIFEST", func(int64) int64 { return 8 })(filepath.Join(data, "store"))
	if err := os.Rename(filepath.Join(data, "store"), filepath.Join(data, "store.damaged")); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := cli(t, "", "restore", "--data", data, backup); code != 0 {
		t.Fatalf("restore after moving the damaged store aside = %d %s", code, errOut)
	}
	d := startDaemon(t, data)
	checkAcked(t, d.base, tokenOf(t, data), acks)
}
