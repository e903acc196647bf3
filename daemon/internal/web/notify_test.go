package web_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"redline/daemon/internal/notify"
)

// The Settings' Notifications section: a target added from the form is
// listed masked with what it sends; Send test reaches it and says how it
// went (a failing one shows its last error); Remove takes it off. Bad
// input and a form from elsewhere store nothing.
func TestSettingsNotificationTargets(t *testing.T) {
	s := newStack(t)
	got := make(chan string, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
	}))
	defer hook.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer down.Close()

	b := s.loggedIn()
	code, page, _ := b.get("/settings")
	if code != 200 || !strings.Contains(page, "Notifications beyond the browser") || !strings.Contains(page, `action="/settings/notify/add"`) || !strings.Contains(page, "No notification targets yet.") {
		t.Fatalf("settings without targets: %d\n%s", code, page)
	}
	csrf := csrfOf(t, page)

	const secret = "pw-form-secret-31"
	hookURL := strings.Replace(hook.URL, "http://", "http://me:"+secret+"@", 1) + "/in?token=tok-form-77&q=<b>x</b>"
	code, _, h := b.post("/settings/notify/add", map[string]string{"csrf": csrf, "url": hookURL, "minor": "on", "notify_site": "www.news.example", "digest_minutes": "15"})
	if code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/settings?saved=notify") {
		t.Fatalf("add: %d %v", code, h)
	}
	_, page, _ = b.get("/settings?saved=notify")
	masked := strings.Replace(hook.URL, "http://", "http://me:••••@", 1) + "/in?q=%3Cb%3Ex%3C%2Fb%3E&amp;token=••••"
	for _, want := range []string{"Notification target added", masked, "minor and substantive changes of news.example", "at most one message every 15 min", "Nothing sent yet", "Send test", "Remove"} {
		if !strings.Contains(page, want) {
			t.Errorf("the settings page lacks %q", want)
		}
	}
	for _, leak := range []string{secret, "tok-form-77", "<b>x"} {
		if strings.Contains(page, leak) {
			t.Errorf("the settings page shows %q", leak)
		}
	}
	if strings.Contains(s.logs.String(), secret) || strings.Contains(s.logs.String(), "tok-form-77") {
		t.Errorf("the log holds a secret:\n%s", s.logs.String())
	}

	// Send test.
	list, err := s.notifier.List()
	if err != nil || len(list) != 1 {
		t.Fatalf("targets %+v %v", list, err)
	}
	id := itoa(list[0].ID)
	code, _, h = b.post("/settings/notify/test", map[string]string{"csrf": csrf, "id": id})
	if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "saved=notify-test-ok") {
		t.Errorf("send test: %d %v", code, h)
	}
	if body := <-got; !strings.Contains(body, `"type":"test"`) {
		t.Errorf("the sample is %s", body)
	}
	_, page, _ = b.get("/settings?saved=notify-test-ok")
	if !strings.Contains(page, "Test notification sent") {
		t.Error("the page does not say the test was sent")
	}

	// A target that fails its test shows why.
	b.post("/settings/notify/add", map[string]string{"csrf": csrf, "url": down.URL})
	list, _ = s.notifier.List()
	code, _, h = b.post("/settings/notify/test", map[string]string{"csrf": csrf, "id": itoa(list[1].ID)})
	if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "saved=notify-test-failed") {
		t.Errorf("failing test: %d %v", code, h)
	}
	_, page, _ = b.get("/settings?saved=notify-test-failed")
	if !strings.Contains(page, "The test notification failed") || !strings.Contains(page, "Failing") || !strings.Contains(page, "502 Bad Gateway") {
		t.Errorf("the failing target's error is not shown")
	}

	// A receiver's own words (its status line) are shown as text.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				http.ReadRequest(bufio.NewReader(c))
				io.WriteString(c, "HTTP/1.1 503 <script>alert(1)</script>\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			}()
		}
	}()
	b.post("/settings/notify/add", map[string]string{"csrf": csrf, "url": "http://" + ln.Addr().String() + "/x"})
	list, _ = s.notifier.List()
	b.post("/settings/notify/test", map[string]string{"csrf": csrf, "id": itoa(list[2].ID)})
	_, page, _ = b.get("/settings")
	if strings.Contains(page, "<script>alert(1)") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the receiver's status line is not shown escaped")
	}
	b.post("/settings/notify/remove", map[string]string{"csrf": csrf, "id": itoa(list[2].ID)})

	// Bad input: a clear error, nothing stored.
	for _, c := range []struct {
		form map[string]string
		want string
	}{
		{map[string]string{"url": "not a url"}, "is not a URL"},
		{map[string]string{"url": "gopher://hole.test/"}, "unknown scheme"},
		{map[string]string{"url": hook.URL, "digest_minutes": "-5"}, "whole number of minutes"},
		{map[string]string{"url": hook.URL, "digest_minutes": "2000"}, "whole number of minutes"},
		{map[string]string{"url": hook.URL, "notify_site": "not a site"}, "not a site name"},
		{map[string]string{"url": hook.URL, "minor": "perhaps"}, "minor changes"},
		{map[string]string{"url": ""}, "missing"},
	} {
		c.form["csrf"] = csrf
		code, body, _ := b.post("/settings/notify/add", c.form)
		if code != http.StatusBadRequest || !strings.Contains(body, c.want) {
			t.Errorf("add %v = %d, want 400 saying %q", c.form, code, c.want)
		}
	}
	if code, _, _ := b.post("/settings/notify/add", map[string]string{"url": hook.URL}); code != http.StatusForbidden {
		t.Errorf("add without CSRF = %d, want 403", code)
	}
	for _, path := range []string{"/settings/notify/remove", "/settings/notify/test"} {
		if code, _, _ := b.post(path, map[string]string{"csrf": csrf, "id": "999"}); code != http.StatusNotFound {
			t.Errorf("%s of an unknown id = %d, want 404", path, code)
		}
		if code, _, _ := b.post(path, map[string]string{"csrf": csrf, "id": "x"}); code != http.StatusBadRequest {
			t.Errorf("%s of a bad id = %d, want 400", path, code)
		}
	}
	if list, _ := s.notifier.List(); len(list) != 2 {
		t.Errorf("bad input changed the targets: %+v", list)
	}

	// Remove.
	code, _, h = b.post("/settings/notify/remove", map[string]string{"csrf": csrf, "id": id})
	if code != http.StatusSeeOther {
		t.Fatalf("remove: %d", code)
	}
	_, page, _ = b.get("/settings?saved=notify-removed")
	if strings.Contains(page, masked) || !strings.Contains(page, "Notification target removed") {
		t.Error("the removed target is still listed")
	}
	raw, err := os.ReadFile(filepath.Join(s.notifyDir, notify.File))
	if err != nil || strings.Contains(string(raw), secret) {
		t.Errorf("the removed target's secret is still kept (%v)", err)
	}
}
