package web_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"redline/daemon/internal/testtool"
	"redline/daemon/internal/watch/watchtest"
)

// TestDashboardInChromium runs testdata/browser.mjs in real headless
// Chromium against the daemon's HTTP side: login through the one-time
// URL, the changed article on the home page, the diff in both modes, a
// hostile capture that runs nothing, and a change arriving live.
func TestDashboardInChromium(t *testing.T) {
	s := newStack(t)
	changed := s.changedArticle("https://news.example/budget")
	pwn := `<img src=x onerror="window.pwned=1"><script>window.pwned=1</script><svg onload="window.pwned=1">`
	hostileID := s.capture("https://evil.example/story", pwn+" headline", pwn, block{"p", pwn}, block{"p", "A paragraph that stays."})
	s.capture("https://evil.example/story", pwn+" headline, edited", pwn, block{"p", pwn + " and more"}, block{"p", "A paragraph that stays."}, block{"li", pwn})
	s.capture("https://news.example/second", "Second story as first reported", "", paras("The first report said five people were hurt.", "Nothing else.")...)

	runScript(t, "browser.mjs", []string{"BASE=" + s.home, "LOGIN=" + s.loginLink(), fmt.Sprintf("CHANGED=%d", changed), fmt.Sprintf("HOSTILE=%d", hostileID)},
		func(line string) {
			if line == "live-waiting" {
				// The page is live: a new change must appear without reload.
				s.capture("https://news.example/second", "Second story was updated", "", paras("The first report said fifty people were hurt, and the hospital confirmed it.", "Nothing else.")...)
			}
		})
}

// TestEveryDashboardFormInChromium runs testdata/forms.mjs, which submits
// every form of the dashboard in real headless Chromium by clicking its
// button, and checks what each did as a user sees it.
func TestEveryDashboardFormInChromium(t *testing.T) {
	s := newStack(t)
	card := s.changedArticle("https://news.example/card")
	onPage := s.changedArticle("https://news.example/page")
	s.changedArticle("https://news.example/all")
	s.site.Set("/story", watchtest.Article("story"))
	// The watcher never fetches .example names: the local site plays news.test.
	watched := s.capture(s.site.URL("news.test", "/story"), "Council delays budget vote", "", paras("The city council delayed its vote on the budget on Tuesday.")...)
	forget := s.capture("https://news.example/forget-me", "A story to forget", "", paras("Nothing to see.")...)
	s.capture("https://gossip.example/rumour", "A rumour from a site to forget", "", paras("Nothing to see either.")...)
	// Two articles of the site carry the same promo line: the site's
	// page lists it as learned furniture, with a Remove button.
	s.capture("https://gossip.example/rumour-2", "A second rumour", "", paras("Get the Gossip app for alerts", "Another rumour, as thin as the first.")...)
	s.capture("https://gossip.example/rumour-3", "A third rumour", "", paras("Get the Gossip app for alerts", "A third rumour, thinner still.")...)

	// The notification target the Settings form adds: it takes the test.
	tested := make(chan string, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		tested <- string(b)
	}))
	defer hook.Close()

	runScript(t, "forms.mjs", []string{"BASE=" + s.home, "DAEMON=" + s.base, "LOGIN=" + s.loginLink(),
		fmt.Sprintf("CARD=%d", card), fmt.Sprintf("ONPAGE=%d", onPage), fmt.Sprintf("WATCHED=%d", watched), fmt.Sprintf("FORGET=%d", forget),
		"HOOK=" + hook.URL + "/hook"}, nil)

	if len(s.site.Requests("/story")) == 0 {
		t.Error("Check now fetched nothing from the article's site")
	}
	select {
	case body := <-tested:
		if !strings.Contains(body, `"type":"test"`) {
			t.Errorf("Send test sent %s", body)
		}
	default:
		t.Error("Send test sent nothing to the target")
	}
}

// TestLongComparisonReadInPartsInChromium reads the comparison of a
// capture at the limits, every paragraph edited, in real headless Chromium
// (testdata/parts.mjs): following "Next part →" from the first part shows
// every edited paragraph once, in order.
func TestLongComparisonReadInPartsInChromium(t *testing.T) {
	s := newStack(t)
	v1, v2 := maximalVersions()
	id := s.capture("https://news.test/maximal", "A maximal report", "", v1...)
	s.capture("https://news.test/maximal", "A maximal report", "", v2...)
	runScript(t, "parts.mjs", []string{"BASE=" + s.home, "LOGIN=" + s.loginLink(),
		fmt.Sprintf("ARTICLE=%d", id), fmt.Sprintf("EDITED=%d", len(v2))}, nil)
}

// runScript runs a node script of testdata in real headless Chromium with
// env added to its environment, and hands each line it prints to onLine.
// The script ends by printing "ok". It saves screenshots to
// $REDLINE_SCREENSHOTS (default: redline-screenshots in the system's temp
// folder). It needs /usr/bin/chromium (or $CHROMIUM) and the repository's
// node packages (`npm ci`).
func runScript(t *testing.T, script string, env []string, onLine func(line string)) {
	t.Helper()
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	root, _ := filepath.Abs("../../..")
	if _, err := os.Stat(chromium); err != nil {
		testtool.Need(t, "no Chromium at %s (apt-get install chromium): %v", chromium, err)
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "playwright-core")); err != nil {
		testtool.Need(t, "no node packages: run npm ci in the repository")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		testtool.Need(t, "no node on PATH")
	}
	shots := os.Getenv("REDLINE_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "redline-screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(node, filepath.Join("testdata", script))
	cmd.Dir = "."
	cmd.Env = append(os.Environ(), "SHOTS="+shots, "CHROMIUM="+chromium, "NODE_PATH="+filepath.Join(root, "node_modules"))
	cmd.Env = append(cmd.Env, env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	var got []string
	for lines.Scan() {
		line := lines.Text()
		got = append(got, line)
		if onLine != nil {
			onLine(line)
		}
		if strings.HasSuffix(line, "-waiting") {
			stdin.Close() // the script may go on
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%s failed: %v\nstdout: %v\nstderr: %s", script, err, got, stderr.String())
	}
	if len(got) == 0 || got[len(got)-1] != "ok" {
		t.Fatalf("%s did not finish: %v\n%s", script, got, stderr.String())
	}
	t.Logf("screenshots in %s", shots)
}

// TestShareInChromium runs testdata/share.mjs in real headless Chromium:
// the HTML file downloaded from the article page and opened from disk
// runs nothing (a hostile capture included) and shows both wordings; the
// card downloads; Copy as Markdown fills the clipboard, or selects the
// Markdown when the clipboard is refused.
func TestShareInChromium(t *testing.T) {
	s := newStack(t)
	changed := s.changedArticle("https://news.example/budget")
	pwn := `<img src=x onerror="window.pwned=1"><script>window.pwned=1</script><svg onload="window.pwned=1">`
	hostile := s.capture("https://evil.example/story", pwn+" headline", pwn, block{"p", pwn}, block{"p", "A paragraph that stays."})
	s.capture("https://evil.example/story", pwn+" headline, edited", pwn, block{"p", pwn + " and more"}, block{"p", "A paragraph that stays."}, block{"li", pwn})
	runScript(t, "share.mjs", []string{"BASE=" + s.home, "LOGIN=" + s.loginLink(), fmt.Sprintf("CHANGED=%d", changed), fmt.Sprintf("HOSTILE=%d", hostile)}, nil)
}
