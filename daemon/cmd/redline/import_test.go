package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"redline/daemon/internal/config"
	"redline/daemon/internal/watch/watchtest"
)

// The export's round trip on the real binary: export, import into an
// empty folder, export again gives the same lines; importing twice adds
// nothing; a cut file, a changed one or one imported while the daemon
// runs changes nothing. Piped, none of it prints progress.
func TestImportRoundTripsAnExport(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, dir)
	ctx := context.Background()
	for i, c := range []struct{ url, text string }{
		{"https://example.com/one", "First text."}, {"https://example.com/one", "Second text."},
		{"https://example.com/two", "Another story."}, {"https://example.com/one", "Third text."},
	} {
		if code, _, err := post(ctx, d.base, tokenOf(t, dir), captureBody(c.url, c.text)); code != 201 || err != nil {
			t.Fatalf("capture %d = %d %v", i, code, err)
		}
	}
	exported, errOut, code := cli(t, "", "export", "--data", dir)
	if code != 0 || errOut != "" || !strings.HasSuffix(exported, `{"type":"end","articles":2,"versions":4}`+"\n") {
		t.Fatalf("export = %d %q\n%s", code, errOut, exported)
	}
	file := filepath.Join(t.TempDir(), "redline.jsonl")
	if err := os.WriteFile(file, []byte(exported), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := cli(t, "", "import", "--data", dir, file); code != 1 || !strings.Contains(errOut, "stop it before importing an export") {
		t.Fatalf("import while the daemon runs = %d %q", code, errOut)
	}
	d.stop(t)

	fresh := filepath.Join(t.TempDir(), "new", "data")
	out, errOut, code := cli(t, "", "import", "--data", fresh, file)
	if code != 0 || errOut != "" || out != "imported "+file+": 2 articles added (4 versions), 0 already there\n" {
		t.Fatalf("import into an empty folder = %d %q %q", code, out, errOut)
	}
	if again, _, _ := cli(t, "", "export", "--data", fresh); again != exported {
		t.Fatalf("export after import differs:\n%s\nwant\n%s", again, exported)
	}
	out, _, code = cli(t, exported, "import", "--data", fresh, "-")
	if code != 0 || !strings.Contains(out, "0 articles added (0 versions), 2 already there") {
		t.Fatalf("second import from stdin = %d %q", code, out)
	}
	if again, _, _ := cli(t, "", "export", "--data", fresh); again != exported {
		t.Fatal("a second import changed the store")
	}

	// A damaged file changes nothing, in an empty folder or a full one.
	lines := strings.SplitAfter(exported, "\n")
	for name, bad := range map[string]string{
		"cut between articles": strings.Join(lines[:4], ""),
		"cut inside a line":    exported[:len(exported)-20],
		"text changed":         strings.Replace(exported, "Another story.", "Another story!", 1),
		"not an export":        "{\"hello\": 1}\n",
	} {
		t.Run(name, func(t *testing.T) {
			empty := filepath.Join(t.TempDir(), "data")
			if _, errOut, code := cli(t, bad, "import", "--data", empty, "-"); code != 1 || !strings.Contains(errOut, "line ") || !strings.Contains(errOut, "nothing was imported") {
				t.Errorf("import = %d %q", code, errOut)
			}
			if _, err := os.Stat(empty); !os.IsNotExist(err) {
				t.Errorf("a refused import left %s: %v", empty, err)
			}
			if _, errOut, code := cli(t, bad, "import", "--data", fresh, "-"); code != 1 || !strings.Contains(errOut, "nothing was imported") {
				t.Errorf("import over a store = %d %q", code, errOut)
			}
			if again, _, _ := cli(t, "", "export", "--data", fresh); again != exported {
				t.Error("a refused import changed the store")
			}
		})
	}
}

// Bookmarks and OPML files in the formats browsers and feed readers
// write become tracked articles, through the running daemon or straight
// into the store; importing again fetches nothing and adds nothing.
func TestImportBookmarksOPMLAndAddressLists(t *testing.T) {
	site := watchtest.NewSite(t)
	for _, p := range []string{"/2026/11/budget", "/2026/11/rail", "/2026/11/port"} {
		site.Set(p, watchtest.Article("story"))
	}
	t.Setenv(config.EnvAllowPrivate, "1")
	dir := t.TempDir()

	bookmarks := fmt.Sprintf(`<!DOCTYPE NETSCAPE-Bookmark-file-1>
<!-- This is an automatically generated file.
     It will be read and overwritten.
     DO NOT EDIT! -->
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'self'; script-src 'none'; img-src data: *; object-src 'none'"></meta>
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks Menu</H1>

<DL><p>
    <DT><A HREF="place:parent=toolbar_____&sort=12" ADD_DATE="1700000000" LAST_MODIFIED="1700000000">Recent</A>
    <DT><H3 ADD_DATE="1700000000" LAST_MODIFIED="1700000001" PERSONAL_TOOLBAR_FOLDER="true">Bookmarks Toolbar</H3>
    <DL><p>
        <DT><A HREF="%s" ADD_DATE="1700000002" LAST_MODIFIED="1700000002" ICON="data:image/png;base64,iVBORw0KGgo=">Budget &amp; tax</A>
        <DT><A HREF="javascript:alert(1)" ADD_DATE="1700000003">A bookmarklet</A>
        <DT><H3 ADD_DATE="1700000004">News</H3>
        <DL><p>
            <DT><A HREF="%s" ADD_DATE="1700000005">Rail</A>
            <DD>A note about the rail story
            <DT><A HREF="%s?utm_source=rss" ADD_DATE="1700000006">Budget again</A>
        </DL><p>
    </DL><p>
</DL>
`, site.LoopbackURL("/2026/11/budget"), site.LoopbackURL("/2026/11/rail"), site.LoopbackURL("/2026/11/budget"))
	bfile := filepath.Join(t.TempDir(), "bookmarks.html")
	os.WriteFile(bfile, []byte(bookmarks), 0o600)

	d := startDaemon(t, dir)
	out, errOut, code := cli(t, "", "import", "--data", dir, bfile)
	if code != 0 || errOut != "" || out != "watching 2 new pages, 0 already there, 2 links that are not web pages skipped\n" {
		t.Fatalf("import bookmarks through the daemon = %d %q %q", code, out, errOut)
	}
	hits := site.Hits("/2026/11/budget") + site.Hits("/2026/11/rail")
	out, _, code = cli(t, "", "import", "--data", dir, bfile)
	if code != 0 || !strings.Contains(out, "watching 0 new pages, 2 already there") {
		t.Fatalf("second import = %d %q", code, out)
	}
	if again := site.Hits("/2026/11/budget") + site.Hits("/2026/11/rail"); again != hits {
		t.Errorf("a second import fetched the pages again (%d requests, was %d)", again, hits)
	}
	d.stop(t)

	opml := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Subscriptions</title></head>
  <body>
    <outline text="News" title="News">
      <outline type="link" text="Port story" url="%s"/>
      <outline type="rss" text="Rail" title="Rail" xmlUrl="%s/feed.xml" htmlUrl="%s"/>
    </outline>
  </body>
</opml>
`, site.LoopbackURL("/2026/11/port"), site.Server.URL, site.LoopbackURL("/2026/11/rail"))
	ofile := filepath.Join(t.TempDir(), "feeds.opml")
	os.WriteFile(ofile, []byte(opml), 0o600)
	out, errOut, code = cli(t, "", "import", "--data", dir, ofile)
	if code != 0 || out != "watching 1 new pages, 1 already there\n" {
		t.Fatalf("import OPML into the store = %d %q %q", code, out, errOut)
	}
	list, _, _ := cli(t, "", "export", "--data", dir)
	for _, p := range []string{"/2026/11/budget", "/2026/11/rail", "/2026/11/port"} {
		if !strings.Contains(list, `"url":"`+site.LoopbackURL(p)+`"`) {
			t.Errorf("%s is not tracked after the imports", p)
		}
	}

	// A list of addresses with a bad line is refused whole, before any
	// fetch; so is a file that is neither format.
	hits = site.Hits("/2026/11/port")
	bad := "# reading list\n" + site.LoopbackURL("/2026/11/port") + "\n\nnot an address\n"
	if _, errOut, code := cli(t, bad, "import", "--data", dir, "-"); code != 1 || !strings.Contains(errOut, "line 4") || !strings.Contains(errOut, "nothing was imported") {
		t.Errorf("list with a bad line = %d %q", code, errOut)
	}
	if site.Hits("/2026/11/port") != hits {
		t.Error("a refused list was fetched")
	}
	for name, body := range map[string]string{
		"broken OPML": "<opml><body><outline url=\"x\"></body>",
		"other XML":   "<rss><channel></channel></rss>",
		"empty":       "\n\n",
	} {
		if _, errOut, code := cli(t, body, "import", "--data", dir, "-"); code != 1 || errOut == "" {
			t.Errorf("%s: import = %d %q", name, code, errOut)
		}
	}
	if _, errOut, code := cli(t, "", "import", "--data", dir); code != 2 || !strings.Contains(errOut, "name the FILE") {
		t.Errorf("import without a file = %d %q", code, errOut)
	}
	if _, errOut, code := cli(t, "", "import", "--data", dir, filepath.Join(dir, "missing.txt")); code != 1 || !strings.Contains(errOut, "missing.txt") {
		t.Errorf("import of a missing file = %d %q", code, errOut)
	}
}

// On a terminal the meter shows items or bytes, the rate and the time
// left; it ends its line when the work is done.
func TestMeterShowsProgress(t *testing.T) {
	var b bytes.Buffer
	m := meterOn(&b, "export", meterItems, 4)
	w := meteredWriter{w: &bytes.Buffer{}, m: m}
	w.Write([]byte("{\"a\":1}\n{\"b\":2}\n"))
	m.done(true)
	got := b.String()
	for _, want := range []string{"export", "4/4", "items/s", "\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("meter output %q lacks %q", got, want)
		}
	}
	b.Reset()
	m = meterOn(&b, "restore", meterBytes, 2048)
	r := meteredReader{r: strings.NewReader(strings.Repeat("x", 2048)), m: m}
	buf := make([]byte, 1024)
	r.Read(buf)
	m.done(true)
	if got := b.String(); !strings.Contains(got, "restore") || !strings.Contains(got, "100%") || !strings.Contains(got, "B/s") {
		t.Errorf("byte meter output %q", got)
	}
	var nilMeter *meter
	nilMeter.add(1, 1) // quiet: no terminal
	nilMeter.done(true)
}

// On a real terminal (a pseudo-terminal made by script(1)), export and
// import show their progress on stderr, and what export writes to its
// file is the same as when piped.
func TestProgressOnATerminal(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, dir)
	for i := range 3 {
		if code, _, err := post(context.Background(), d.base, tokenOf(t, dir), captureBody(fmt.Sprintf("https://example.com/%d", i), "Some text.")); code != 201 || err != nil {
			t.Fatalf("capture = %d %v", code, err)
		}
	}
	d.stop(t)
	piped, _, _ := cli(t, "", "export", "--data", dir)

	exe, _ := os.Executable()
	file := filepath.Join(t.TempDir(), "out.jsonl")
	onTerminal := func(command string) string {
		t.Helper()
		cmd := exec.Command("script", "-qec", command, "/dev/null")
		cmd.Env = append(os.Environ(), "REDLINE_BE_MAIN=1", "REDLINE_DATA=", "REDLINE_ADDR=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", command, err, out)
		}
		return string(out)
	}
	shown := onTerminal(fmt.Sprintf("%q export --data %q > %q", exe, dir, file))
	if !strings.Contains(shown, "export") || !strings.Contains(shown, "100%") || !strings.Contains(shown, "7/7") {
		t.Errorf("export on a terminal showed %q", shown)
	}
	if b, _ := os.ReadFile(file); string(b) != piped {
		t.Errorf("export on a terminal wrote\n%s\nwant\n%s", b, piped)
	}
	shown = onTerminal(fmt.Sprintf("%q import --data %q %q", exe, filepath.Join(t.TempDir(), "d"), file))
	if !strings.Contains(shown, "import") || !strings.Contains(shown, "100%") || !strings.Contains(shown, "3 articles added") {
		t.Errorf("import on a terminal showed %q", shown)
	}
}
