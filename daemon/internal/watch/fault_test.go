package watch

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"redline/daemon/internal/article"
	"redline/daemon/internal/store"
	"redline/daemon/internal/testtool"
	"redline/daemon/internal/watch/watchtest"
)

// The fault suite of the watcher: every way a site can fail Redline's
// fetch is a failed check the user can read (what went wrong, in words),
// with a next check planned later and, when the site did not answer,
// the host left alone for a while; never a crash, never a stored version
// or an alert for a page that did not change. TestFetchFailures covers
// slow, endless, cut-off and reset answers, broken gzip and unknown
// encodings; these are the rest.

// watched returns a harness whose article at /a had a good baseline
// fetch (version 2), with short limits so that faults end quickly.
func watched(t *testing.T) (*harness, article.Article) {
	return watchedWithin(t, 500*time.Millisecond)
}

// watchedWithin is watched with a fetch timeout of its own: a fault that
// ends at once (a refused handshake) is given room to end on a loaded
// machine rather than run into the timeout.
func watchedWithin(t *testing.T, timeout time.Duration) (*harness, article.Article) {
	t.Helper()
	h := newHarness(t, func(fo *FetcherOptions, _ *Options) {
		fo.Timeout = timeout
		fo.MaxBody = 1 << 20
	})
	h.site.Set("/a", watchtest.Article("story"))
	a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
	h.tick()
	if res := h.result(a.ID); res.Outcome != article.CheckBaseline {
		t.Fatalf("baseline = %+v", res)
	}
	return h, h.article(a.ID)
}

// failedCheck runs a's next check and asserts a recorded failure saying
// want: one more failure in a row, the next check planned later (and
// not before the host's backoff when hostWaits), nothing stored, no
// event.
func (h *harness) failedCheck(a article.Article, want string, hostWaits bool) article.Article {
	h.t.Helper()
	versions := len(h.versions(a.ID))
	events := len(h.events)
	h.untilNext(a.ID)
	now := h.clock.Now()
	res := h.result(a.ID)
	if res.Outcome != article.CheckError || !strings.Contains(res.Message, want) {
		h.t.Fatalf("check = %+v, want a failure saying %q", res, want)
	}
	got := h.article(a.ID)
	if got.Watch.Failures != a.Watch.Failures+1 || got.Watch.State != article.WatchWatching {
		h.t.Fatalf("watch after the failure = %+v, want %d failures in a row, still watching", got.Watch, a.Watch.Failures+1)
	}
	if !got.Watch.NextCheck.After(now) {
		h.t.Fatalf("next check %s, not after the failed check at %s", got.Watch.NextCheck, now)
	}
	wait := h.w.hosts.waitUntil(hostOf(a.URL), now)
	if hostWaits && (!wait.After(now) || got.Watch.NextCheck.Before(wait)) {
		h.t.Fatalf("the host waits until %s and the next check is %s: want a backoff", wait, got.Watch.NextCheck)
	}
	if !hostWaits && !wait.IsZero() {
		h.t.Fatalf("the site answered, yet its host backs off until %s", wait)
	}
	if n := len(h.versions(a.ID)); n != versions || got.LatestFetch != a.LatestFetch {
		h.t.Fatalf("a failed check stored a version: %d versions (was %d), latest fetch %d", n, versions, got.LatestFetch)
	}
	if len(h.events) != events {
		h.t.Fatalf("a failed check raised events: %+v", h.events[events:])
	}
	return got
}

// readAt records that the reader read a page at origin, another server
// on this computer that the site redirects to: with --allow-private the
// watcher reaches a local address only at an origin where the reader read
// a page or that the user named. That page's own checks are paused, so
// only the redirect reaches the server.
func (h *harness) readAt(origin string) {
	h.t.Helper()
	a := h.capture(origin+"/read", watchtest.Page("story"))
	if _, err := h.w.Pause(h.ctx, a.ID); err != nil {
		h.t.Fatal(err)
	}
}

// recovers serves the story again and checks that the next check finds
// it unchanged and clears the failures.
func (h *harness) recovers(a article.Article) {
	h.t.Helper()
	h.site.Set("/a", watchtest.Article("story"))
	h.clock.Set(a.Watch.NextCheck.Add(backoffMax))
	// Other articles of the host may go first: one request at a time.
	for range 5 {
		if h.tick(); h.article(a.ID).Watch.Checks > a.Watch.Checks {
			break
		}
		h.clock.Add(h.w.hosts.spacing)
	}
	if res := h.result(a.ID); res.Outcome != article.CheckUnchanged {
		h.t.Fatalf("check after the site recovered = %+v", res)
	}
	if got := h.article(a.ID); got.Watch.Failures != 0 || len(h.events) != 0 {
		h.t.Fatalf("after recovery: watch %+v, events %+v", got.Watch, h.events)
	}
}

// TLS: a site that moved to HTTPS with a certificate no one vouches for.
func TestFaultUntrustedCertificate(t *testing.T) {
	// Each handshake here fails at once; a TLS handshake under the race
	// detector on a busy machine may take longer than watched's timeout,
	// which would report a slow site instead.
	h, a := watchedWithin(t, 20*time.Second)
	tlsSite := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(watchtest.Page("story-edited")))
	}))
	tlsSite.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	tlsSite.StartTLS()
	t.Cleanup(tlsSite.Close)
	port := tlsSite.Listener.Addr().(*net.TCPAddr).Port
	h.readAt("https://127.0.0.1:" + strconv.Itoa(port))
	h.site.Set("/a", watchtest.Response{Status: 301, Location: "https://127.0.0.1:" + strconv.Itoa(port) + "/a"})
	a = h.failedCheck(a, "the site's certificate is not trusted", true)
	h.readAt("https://news.test:" + strconv.Itoa(port))
	h.site.Set("/a", watchtest.Response{Status: 301, Location: "https://news.test:" + strconv.Itoa(port) + "/a"})
	a = h.failedCheck(a, "the site's certificate is for another name", true)
	// Plain HTTP where TLS was expected is a failure too.
	h.readAt("https://news.test:" + strconv.Itoa(h.site.Port()))
	h.site.Set("/a", watchtest.Response{Status: 301, Location: "https://news.test:" + strconv.Itoa(h.site.Port()) + "/a"})
	a = h.failedCheck(a, "plain HTTP where TLS was expected", true)
	// Something that is not TLS at all on an HTTPS port.
	junk := junkServer(t, "220 mail.news.test ESMTP\r\n")
	h.readAt("https://news.test:" + strconv.Itoa(junk))
	h.site.Set("/a", watchtest.Response{Status: 301, Location: "https://news.test:" + strconv.Itoa(junk) + "/a"})
	a = h.failedCheck(a, "did not answer in TLS", true)
	h.recovers(a)
}

// A site that takes the request and never answers; one whose port is
// closed; one that answers with something that is not HTTP.
func TestFaultNoAnswer(t *testing.T) {
	t.Run("no headers", func(t *testing.T) {
		h, a := watched(t)
		h.site.Set("/a", watchtest.Response{Body: watchtest.Page("story-edited"), Behaviour: watchtest.Hold})
		a = h.failedCheck(a, "did not send the page within", true)
		h.recovers(a)
	})
	t.Run("connection refused", func(t *testing.T) {
		h, a := watched(t)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		h.readAt("http://news.test:" + strconv.Itoa(closed))
		h.site.Set("/a", watchtest.Response{Status: 302, Location: "http://news.test:" + strconv.Itoa(closed) + "/a"})
		a = h.failedCheck(a, "refused the connection", true)
		h.recovers(a)
	})
	t.Run("not HTTP", func(t *testing.T) {
		h, a := watched(t)
		junk := junkServer(t, "SSH-2.0-OpenSSH_9.6\r\n")
		h.readAt("http://news.test:" + strconv.Itoa(junk))
		h.site.Set("/a", watchtest.Response{Status: 302, Location: "http://news.test:" + strconv.Itoa(junk) + "/a"})
		a = h.failedCheck(a, "answer is not HTTP", true)
		h.recovers(a)
	})
}

// junkServer answers every request with junk and hangs up.
func junkServer(t *testing.T, junk string) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			// After the request: junk sent sooner would meet an idle
			// connection, not a request.
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			c.Read(make([]byte, 4096))
			c.Write([]byte(junk))
			c.Close()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// Bodies that are cut off, corrupt or too large once decompressed.
func TestFaultBrokenBodies(t *testing.T) {
	gz := func(b []byte) string {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return buf.String()
	}
	story := gz([]byte(watchtest.Page("story-edited")))
	corrupt := []byte(story)
	for i := 20; i < len(corrupt)-8; i += 5 {
		corrupt[i] ^= 0x5a
	}
	bomb := gz(bytes.Repeat([]byte("<p>and on and on</p>\n"), 4<<20/21)) // 4 MiB from about 10 KiB
	for _, c := range []struct {
		name      string
		resp      watchtest.Response
		want      string
		hostWaits bool
	}{
		{"gzip cut off", watchtest.Response{Body: watchtest.Page("story-edited"), Encoding: "gzip", Behaviour: watchtest.Truncated}, "ended before the page did", true},
		{"gzip corrupt inside", watchtest.Response{Body: string(corrupt), Header: map[string]string{"Content-Encoding": "gzip"}}, "compression is broken", false},
		{"brotli claimed, plain sent", watchtest.Response{Body: watchtest.Page("story-edited"), Header: map[string]string{"Content-Encoding": "br"}}, "compression is broken", false},
		{"gzip bomb", watchtest.Response{Body: bomb, Header: map[string]string{"Content-Encoding": "gzip"}}, "larger than 1 MiB", false},
		{"huge page", watchtest.Response{Body: strings.Repeat("<p>padding</p>", 200_000)}, "larger than 1 MiB", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, a := watched(t)
			h.site.Set("/a", c.resp)
			a = h.failedCheck(a, c.want, c.hostWaits)
			h.recovers(a)
		})
	}
}

// Redirect loops and redirects out of the web, after good fetches.
func TestFaultRedirects(t *testing.T) {
	h, a := watched(t)
	h.site.Set("/a", watchtest.Response{Status: 302, Location: "/b"})
	h.site.Set("/b", watchtest.Response{Status: 302, Location: "/a"})
	a = h.failedCheck(a, "more than 5 redirects", false)
	h.site.Set("/a", watchtest.Response{Status: 302, Location: "ftp://news.test/a"})
	a = h.failedCheck(a, "ftp", false)
	h.recovers(a)
}

// Repeated failures of one host back off further each time, up to the
// limit, and checks of its other articles wait too.
func TestFaultBackoffGrows(t *testing.T) {
	h, a := watched(t)
	h.site.Set("/a", watchtest.Response{Behaviour: watchtest.Reset})
	var waits []time.Duration
	for range 3 {
		a = h.failedCheck(a, "reset the connection", true)
		now := h.clock.Now()
		waits = append(waits, h.w.hosts.waitUntil(hostOf(a.URL), now).Sub(now))
	}
	if waits[0] != backoffBase || waits[1] != 2*backoffBase || waits[2] != 4*backoffBase {
		t.Fatalf("host backoff after 3 failures in a row: %v, want it to double from %s", waits, backoffBase)
	}
	if a.Watch.Failures != 3 {
		t.Fatalf("%d failures in a row, want 3", a.Watch.Failures)
	}
	h.site.Set("/b", watchtest.Article("story"))
	b := h.capture(h.site.URL("news.test", "/b"), watchtest.Page("story"))
	if r := h.tick(); r.Checked != 0 || r.Deferred != 1 {
		t.Fatalf("tick during the backoff = %+v, want the other article of the host deferred", r)
	}
	if got := h.article(b.ID).Watch.NextCheck; got.Before(h.clock.Now().Add(waits[2] - time.Second)) {
		t.Fatalf("the other article is due at %s, within the host's backoff", got)
	}
	h.recovers(a)
}

// Encodings: a page whose label says one charset while its bytes are in
// another is read by its bytes, so a label that changes is no edit; bytes
// that are valid in no charset are kept as U+FFFD, the same each time.
func TestFaultEncodings(t *testing.T) {
	page := strings.Replace(watchtest.Page("story"), `<meta charset="utf-8">`, "", 1)
	page = strings.ReplaceAll(page, "auditor's", "auditor’s")
	page = strings.ReplaceAll(page, "RIVERTON", "RIVERTÓN — café")
	latin1, err := charmap.Windows1252.NewEncoder().String(page)
	if err != nil {
		t.Fatal(err)
	}
	invalid := strings.Replace(page, "city council postponed", "city council \xff\xfepostponed", 1)
	for _, c := range []struct {
		name          string
		first, second watchtest.Response
		read          string // the page as the reader's browser decoded it
	}{
		{"UTF-8 labelled Latin-1", watchtest.Response{Body: page}, watchtest.Response{Body: page, ContentType: "text/html; charset=iso-8859-1"}, page},
		{"UTF-8 with a Latin-1 meta", watchtest.Response{Body: page}, watchtest.Response{Body: strings.Replace(page, "<head>", `<head><meta charset="windows-1252">`, 1), ContentType: "text/html"}, page},
		{"Latin-1 labelled UTF-8", watchtest.Response{Body: latin1, ContentType: "text/html; charset=windows-1252"}, watchtest.Response{Body: latin1}, page},
		{"invalid UTF-8", watchtest.Response{Body: invalid}, watchtest.Response{Body: invalid}, strings.ReplaceAll(invalid, "\xff\xfe", "\uFFFD\uFFFD")},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.site.Set("/a", c.first)
			a := h.capture(h.site.URL("news.test", "/a"), c.read)
			h.tick()
			if res := h.result(a.ID); res.Outcome != article.CheckBaseline {
				t.Fatalf("baseline = %+v", res)
			}
			v, err := h.st.Version(a.ID, 2)
			if err != nil {
				t.Fatal(err)
			}
			text := v.Title + "\n"
			for _, b := range v.Blocks {
				text += b.Text + "\n"
			}
			if !utf8.ValidString(text) || !strings.Contains(text, "city council") {
				t.Fatalf("the fetched text reads wrong:\n%s", text)
			}
			if c.name != "invalid UTF-8" && (!strings.Contains(text, "RIVERTÓN — café") || !strings.Contains(text, "auditor’s")) {
				t.Fatalf("the fetched text is not decoded right:\n%s", text)
			}
			h.site.Set("/a", c.second)
			h.untilNext(a.ID)
			if res := h.result(a.ID); res.Outcome != article.CheckUnchanged {
				t.Fatalf("the same page under another label = %+v, want unchanged", res)
			}
			if got := h.article(a.ID); len(h.versions(a.ID)) != 2 || len(h.events) != 0 || got.Changes != 0 {
				t.Fatalf("a label made %d versions and events %+v", len(h.versions(a.ID)), h.events)
			}
		})
	}
}

// While the store cannot be written (a full disk), no check starts: a
// page fetched could not be kept, and the site would be asked for it
// again and again. A check the user asks for says why. Checks start again
// as soon as there is room.
func TestFaultFullDiskPausesChecks(t *testing.T) {
	disk := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=80m", "tmpfs", disk).CombinedOutput(); err != nil {
		testtool.Need(t, "a full disk is played by a small tmpfs, and mounting one needs root: %v %s", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if exec.Command("umount", disk).Run() != nil {
			exec.Command("umount", "-l", disk).Run()
		}
	})
	h := newHarnessOn(t, filepath.Join(disk, "store"))
	h.site.Set("/a", watchtest.Article("story"))
	a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))

	var st syscall.Statfs_t
	if err := syscall.Statfs(disk, &st); err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(disk, "other-program.dat")
	if err := os.WriteFile(filler, make([]byte, int64(st.Bavail)*int64(st.Bsize)-store.MinFree/2), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := h.tick(); r.Checked != 0 || h.site.Hits("/a") != 0 {
		t.Fatalf("a tick on a full disk = %+v with %d requests, want no check", r, h.site.Hits("/a"))
	}
	if _, _, err := h.w.CheckNow(h.ctx, a.ID); article.ErrorCode(err) != article.ENOSPACE || !strings.Contains(err.Error(), "is full") {
		t.Fatalf("check asked for on a full disk: %v, want the disk is full", err)
	}
	if _, err := h.w.Track(h.ctx, h.site.URL("news.test", "/b")); article.ErrorCode(err) != article.ENOSPACE {
		t.Fatalf("track on a full disk: %v, want the disk is full", err)
	}
	if h.site.Hits("") != 0 {
		t.Fatalf("the site got %d requests while nothing could be kept", h.site.Hits(""))
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if r := h.tick(); r.Checked != 1 || h.result(a.ID).Outcome != article.CheckBaseline {
		t.Fatalf("a tick once there is room = %+v, %+v; want the baseline", r, h.result(a.ID))
	}
}

// newHarnessOn is newHarness with its store in dir.
func newHarnessOn(t *testing.T, dir string) *harness {
	t.Helper()
	h := &harness{t: t, ctx: context.Background(), site: watchtest.NewSite(t), clock: &clock{t: t0}}
	st, err := store.Open(dir, store.Options{Events: h.record, Plan: h.plan, Wake: h.wake})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h.st = st
	f := NewFetcher(FetcherOptions{Version: "test", AllowPrivate: true, Resolve: watchtest.Resolve, Timeout: 5 * time.Second})
	if h.w, err = New(st, f, Options{Clock: h.clock.Now, Random: func() float64 { return 0.5 }}); err != nil {
		t.Fatal(err)
	}
	return h
}
