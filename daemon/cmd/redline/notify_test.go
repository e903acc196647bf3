package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// `redline notify` sets the targets through the running daemon: add with
// its filters, list (masked), test, remove; bad input is a short error
// and changes nothing; without a daemon it says to start one.
func TestNotifyCommands(t *testing.T) {
	dir := t.TempDir()
	got := make(chan string, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
	}))
	defer hook.Close()

	if _, errOut, code := cli(t, "", "notify", "list", "--data", dir); code != 1 || !strings.Contains(errOut, "daemon is not running") {
		t.Errorf("notify list without a daemon = %d %q", code, errOut)
	}
	d := startDaemon(t, dir)

	const secret = "cli-secret-4242"
	url := strings.Replace(hook.URL, "http://", "http://me:"+secret+"@", 1) + "/in"
	out, errOut, code := cli(t, "", "notify", "add", url, "--minor", "--site", "www.news.example", "--digest", "30m", "--data", dir)
	if code != 0 || !strings.Contains(out, "added target 1") || !strings.Contains(out, "minor and substantive changes of news.example, at most one message every 30m") || strings.Contains(out, secret) {
		t.Fatalf("notify add = %d %q %q", code, out, errOut)
	}
	out, _, code = cli(t, "", "notify", "list", "--data", dir)
	masked := strings.Replace(hook.URL, "http://", "http://me:••••@", 1) + "/in"
	if code != 0 || !strings.Contains(out, masked) || !strings.Contains(out, "nothing sent yet") || strings.Contains(out, secret) {
		t.Errorf("notify list = %d %q", code, out)
	}
	out, errOut, code = cli(t, "", "notify", "test", "1", "--data", dir)
	if code != 0 || !strings.Contains(out, "target 1: sent") {
		t.Errorf("notify test 1 = %d %q %q", code, out, errOut)
	}
	if body := <-got; !strings.Contains(body, `"type":"test"`) {
		t.Errorf("the sample is %s", body)
	}

	for _, args := range [][]string{
		{"notify"}, {"notify", "bogus"}, {"notify", "add"}, {"notify", "add", "a", "b"},
		{"notify", "add", "ftp://files.test/x"}, {"notify", "add", "not a url"},
		{"notify", "add", hook.URL, "--digest", "soon"}, {"notify", "add", hook.URL, "--digest", "10s"},
		{"notify", "add", hook.URL, "--site", "not a site"}, {"notify", "add", hook.URL, "--nope"},
		{"notify", "remove"}, {"notify", "remove", "x"}, {"notify", "remove", "9"}, {"notify", "test", "9"},
		{"notify", "list", "extra"},
	} {
		_, errOut, code := cli(t, "", append(args, "--data", dir)...)
		if code == 0 || errOut == "" || strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
			t.Errorf("%v: exit %d, stderr %q: want a short error and a non-zero exit", args, code, errOut)
		}
	}
	out, _, _ = cli(t, "", "notify", "list", "--data", dir)
	if strings.Count(out, "\n") != 2 {
		t.Errorf("bad input changed the targets:\n%s", out)
	}

	out, errOut, code = cli(t, "", "notify", "remove", "1", "--data", dir)
	if code != 0 || !strings.Contains(out, "removed target 1; 0 left") {
		t.Errorf("notify remove 1 = %d %q %q", code, out, errOut)
	}
	if out, _, _ := cli(t, "", "notify", "list", "--data", dir); !strings.Contains(out, "no notification targets") {
		t.Errorf("after remove: %q", out)
	}
	if strings.Contains(d.logText(), secret) {
		t.Errorf("the daemon logged the secret:\n%s", d.logText())
	}
}
