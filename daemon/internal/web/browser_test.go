package web_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDashboardInChromium runs testdata/browser.mjs in real headless
// Chromium against the daemon's HTTP side: login through the one-time
// URL, the changed article on the home page, the diff in both modes, a
// hostile capture that runs nothing, and a change arriving live. It saves
// screenshots to $REDLINE_SCREENSHOTS (default: redline-screenshots in the
// system's temp folder). It needs /usr/bin/chromium (or $CHROMIUM) and the
// repository's node packages (`npm ci`).
func TestDashboardInChromium(t *testing.T) {
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	root, _ := filepath.Abs("../../..")
	if _, err := os.Stat(chromium); err != nil {
		needTool(t, "no Chromium at %s (apt-get install chromium): %v", chromium, err)
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "playwright-core")); err != nil {
		needTool(t, "no node packages: run npm ci in the repository")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		needTool(t, "no node on PATH")
	}
	shots := os.Getenv("REDLINE_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "redline-screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}

	s := newStack(t)
	changed := s.changedArticle("https://news.example/budget")
	pwn := `<img src=x onerror="window.pwned=1"><script>window.pwned=1</script><svg onload="window.pwned=1">`
	hostileID := s.capture("https://evil.example/story", pwn+" headline", pwn, block{"p", pwn}, block{"p", "A paragraph that stays."})
	s.capture("https://evil.example/story", pwn+" headline, edited", pwn, block{"p", pwn + " and more"}, block{"p", "A paragraph that stays."}, block{"li", pwn})
	s.capture("https://news.example/second", "Second story", "", paras("The first report said five people were hurt.", "Nothing else.")...)

	cmd := exec.Command(node, filepath.Join("testdata", "browser.mjs"))
	cmd.Dir = "."
	cmd.Env = append(os.Environ(), "BASE="+s.base, "LOGIN="+s.loginLink(), fmt.Sprintf("CHANGED=%d", changed),
		fmt.Sprintf("HOSTILE=%d", hostileID), "SHOTS="+shots, "CHROMIUM="+chromium, "NODE_PATH="+filepath.Join(root, "node_modules"))
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
		if line == "live-waiting" {
			// The page is live: a new change must appear without reload.
			s.capture("https://news.example/second", "Second story was updated", "", paras("The first report said fifty people were hurt, and the hospital confirmed it.", "Nothing else.")...)
			stdin.Close()
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("browser test failed: %v\nstdout: %v\nstderr: %s", err, got, stderr.String())
	}
	if len(got) == 0 || got[len(got)-1] != "ok" {
		t.Fatalf("browser test did not finish: %v\n%s", got, stderr.String())
	}
	t.Logf("screenshots in %s", shots)
}
