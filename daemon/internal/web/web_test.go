package web_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/net/html"

	"redline/daemon/internal/diff"
	"redline/daemon/internal/reading"
	"redline/daemon/internal/web"
)

var csrfRe = regexp.MustCompile(`name="csrf" value="([0-9a-f]{64})"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the page has no form with a CSRF token")
	}
	return m[1]
}

func TestLoginLinkWorksOnceAndOnlyBeforeItExpires(t *testing.T) {
	s := newStack(t)
	s.changedArticle("https://news.example/budget")

	stranger := s.newBrowser()
	code, body, _ := stranger.get("/")
	if code != http.StatusUnauthorized || strings.Contains(body, "budget") {
		t.Fatalf("dashboard without login: %d, shows the article: %v", code, strings.Contains(body, "budget"))
	}
	if code, _ := func() (int, []byte) {
		req, _ := http.NewRequest("POST", s.base+"/api/v1/dashboard/login", strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}(); code != http.StatusUnauthorized {
		t.Fatalf("minting a login link without the API token: %d, want 401", code)
	}

	link := s.loginLink()
	b := s.newBrowser()
	code, _, h := b.get(link)
	if code != http.StatusOK {
		t.Fatalf("login link: %d", code)
	}
	cookie := h.Get("Set-Cookie")
	for _, want := range []string{"redline_session=", "HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	if code, body, _ := b.get("/"); code != http.StatusOK || !strings.Contains(body, "Council approves budget after all") {
		t.Fatalf("dashboard after login: %d, lists the changed article: %v", code, strings.Contains(body, "Council approves"))
	}

	for name, try := range map[string]string{
		"replayed": link,
		"guessed":  s.home + "/login?code=" + strings.Repeat("ab", 32),
		"empty":    s.home + "/login",
	} {
		other := s.newBrowser()
		code, _, h := other.get(try)
		if code != http.StatusForbidden || h.Get("Set-Cookie") != "" {
			t.Errorf("%s login link: %d, cookie %q; want 403 and no cookie", name, code, h.Get("Set-Cookie"))
		}
		if code, _, _ := other.get("/"); code != http.StatusUnauthorized {
			t.Errorf("after a %s login link the dashboard answers %d", name, code)
		}
	}

	stale := s.loginLink()
	s.clock.Advance(web.LoginTTL + time.Second)
	late := s.newBrowser()
	if code, _, _ := late.get(stale); code != http.StatusForbidden {
		t.Errorf("login link used after %v: %d, want 403", web.LoginTTL, code)
	}

	forged := s.newBrowser()
	u, _ := url.Parse(s.home)
	forged.c.Jar.SetCookies(u, []*http.Cookie{{Name: "redline_session", Value: strings.Repeat("cd", 32)}})
	if code, _, _ := forged.get("/"); code != http.StatusUnauthorized {
		t.Errorf("made-up session cookie: %d, want 401", code)
	}

	_, page, _ := b.get("/")
	if code, _, _ := b.post("/logout", map[string]string{"csrf": csrfOf(t, page)}); code != http.StatusOK {
		t.Fatalf("logout: %d", code)
	}
	if code, _, _ := b.get("/"); code != http.StatusUnauthorized {
		t.Errorf("dashboard after logout: %d, want 401", code)
	}
}

func TestFormsNeedTheSessionsCSRFToken(t *testing.T) {
	s := newStack(t)
	id := s.changedArticle("https://news.example/budget")
	b := s.loggedIn()
	_, page, _ := b.get("/")
	token := csrfOf(t, page)
	seenPath := fmt.Sprintf("/articles/%d/seen", id)
	unseen := func() int {
		a, err := s.store.Article(id)
		if err != nil {
			t.Fatal(err)
		}
		return len(a.Unseen)
	}

	if code, _, _ := b.post(seenPath, map[string]string{}); code != http.StatusForbidden {
		t.Errorf("form without a CSRF token: %d, want 403", code)
	}
	if code, _, _ := b.post(seenPath, map[string]string{"csrf": strings.Repeat("0", 64)}); code != http.StatusForbidden {
		t.Errorf("form with a wrong CSRF token: %d, want 403", code)
	}
	other := s.loggedIn()
	if code, _, _ := other.post(seenPath, map[string]string{"csrf": token}); code != http.StatusForbidden {
		t.Errorf("another session's CSRF token: %d, want 403", code)
	}
	req, _ := http.NewRequest("POST", s.base+seenPath, strings.NewReader("csrf="+token))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if code, _, _ := b.do(req); code != http.StatusForbidden {
		t.Errorf("form posted from a web page: %d, want 403", code)
	}
	if code, _, _ := b.post("/settings/rules", map[string]string{"substantive_words": "1"}); code != http.StatusForbidden {
		t.Errorf("settings form without a CSRF token: %d, want 403", code)
	}
	if unseen() != 1 {
		t.Fatal("a refused form marked the change seen")
	}

	code, _, h := b.post(seenPath, map[string]string{"csrf": token, "return": "/"})
	if code != http.StatusSeeOther || h.Get("Location") != "/" {
		t.Fatalf("mark seen: %d to %q", code, h.Get("Location"))
	}
	if unseen() != 0 {
		t.Fatal("mark seen left the change unseen")
	}
	if _, page, _ := b.get("/"); strings.Contains(page, `action="/articles/1/seen"`) {
		t.Error("the home page still offers to mark the seen change seen")
	}
	// A return address off the dashboard is not followed.
	s.capture("https://news.example/budget", "Council approves budget after all, again", "By Ana Ruiz", paras("Entirely new text about something else that happened later in the week.")...)
	for _, evil := range []string{"//evil.example/", "/\t/evil.example", "/\t\t/evil.example", "/\n/evil.example",
		"/\r/evil.example", "/\\evil.example", "\\/evil.example", "https://evil.example/", "/\x00/evil.example",
		"/\x7f/evil.example", "/\u0085/evil.example", "evil.example", "", "javascript:alert(1)"} {
		if _, _, h := b.post(seenPath, map[string]string{"csrf": token, "return": evil}); h.Get("Location") != "/" {
			t.Errorf("return %q: redirected to %q, want /", evil, h.Get("Location"))
		}
	}
	// A return address on the dashboard is followed, query included.
	if _, _, h := b.post(seenPath, map[string]string{"csrf": token, "return": "/articles/1?from=1&to=2"}); h.Get("Location") != "/articles/1?from=1&to=2" {
		t.Errorf("return to the article page: redirected to %q", h.Get("Location"))
	}
}

func TestEveryPageHasTheStrictPolicy(t *testing.T) {
	s := newStack(t)
	id := s.changedArticle("https://news.example/budget")
	b := s.loggedIn()
	want := fmt.Sprintf("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self' ws://%s:%d; frame-ancestors 'none'; form-action 'self'; base-uri 'none'", testDashHost, s.port)
	for _, path := range []string{"/", "/articles", fmt.Sprintf("/articles/%d", id), fmt.Sprintf("/articles/%d?mode=inline", id), "/sites", "/settings", "/login?code=nope", "/no-such-page"} {
		_, body, h := b.get(path)
		if got := h.Get("Content-Security-Policy"); got != want {
			t.Errorf("%s: CSP %q, want %q", path, got, want)
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" {
			t.Errorf("%s: frame %q, nosniff %q, referrer %q", path, h.Get("X-Frame-Options"), h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
		}
		// No inline script or style: every script is an embedded asset.
		doc := parseHTML(t, body)
		for _, n := range elements(doc, "script") {
			if !strings.HasPrefix(attr(n, "src"), "/assets/") || n.FirstChild != nil {
				t.Errorf("%s: inline or foreign script %v", path, n.Attr)
			}
		}
		if len(elements(doc, "style")) > 0 || strings.Contains(body, " style=") {
			t.Errorf("%s: inline style", path)
		}
	}
}

// hostile is captured text that tries to run script or break the page.
const hostile = `<script>alert(1)</script>"><img src=x onerror=alert(2)> <a href="javascript:alert(3)">x</a> ` + "\u202e" + `dlrow`

func TestHostileCapturedTextIsShownNeverRun(t *testing.T) {
	s := newStack(t)
	u := `https://evil.example/"><script>alert(4)</script>?q='onmouseover=alert(5)`
	id := s.capture(u, hostile, hostile, block{"h", hostile}, block{"p", "A plain paragraph that stays the same in both versions."})
	s.capture(u, hostile+" changed", hostile+" by", block{"h", hostile + " edited"}, block{"p", "A plain paragraph that stays the same in both versions."}, block{"li", hostile + " added"})
	b := s.loggedIn()
	for _, path := range []string{"/", "/articles", "/articles?q=" + url.QueryEscape(hostile), fmt.Sprintf("/articles/%d", id), fmt.Sprintf("/articles/%d?mode=inline", id), fmt.Sprintf("/articles/%d?from=2&to=1", id), "/sites"} {
		code, body, _ := b.get(path)
		if code != http.StatusOK {
			t.Fatalf("%s: %d", path, code)
		}
		checkInert(t, path, body)
		if path != "/sites" && !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: the hostile title is not shown as text", path)
		}
	}
}

// checkInert fails when an HTML document holds anything that could run:
// a script other than the dashboard's, an event handler attribute, a
// javascript: URL, or an element from captured text.
func checkInert(t *testing.T, where, body string) {
	t.Helper()
	doc := parseHTML(t, body)
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script":
				if !strings.HasPrefix(attr(n, "src"), "/assets/") {
					t.Errorf("%s: a script element that is not the dashboard's: %v", where, n.Attr)
				}
			case "iframe", "object", "embed":
				t.Errorf("%s: a %s element", where, n.Data)
			case "img":
				if !strings.HasPrefix(attr(n, "src"), "/assets/") {
					t.Errorf("%s: an image from captured text: %v", where, n.Attr)
				}
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					t.Errorf("%s: event handler attribute %s=%q on <%s>", where, a.Key, a.Val, n.Data)
				}
				if strings.Contains(strings.ToLower(a.Val), "javascript:") && (a.Key == "href" || a.Key == "src" || a.Key == "action") {
					t.Errorf("%s: javascript: URL in %s", where, a.Key)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

func parseHTML(t *testing.T, s string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func elements(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	if n.Type == html.ElementNode && n.Data == tag {
		out = append(out, n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		out = append(out, elements(c, tag)...)
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string   `xml:"title"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Summary string `xml:"summary"`
		Content struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

func TestFeedsNeedTheirTokenAndCarryEscapedDiffs(t *testing.T) {
	s := newStack(t)
	u := "https://evil.example/story"
	id := s.capture(u, hostile, "", paras("The mayor said she was reluctant to raise taxes.", "Other text stays.")...)
	s.capture(u, hostile+" (updated)", "", paras("The mayor said she was willing to raise taxes.", "Other text stays.", hostile)...)
	b := s.loggedIn()
	_, page, _ := b.get("/")
	doc := parseHTML(t, page)
	var feedURL string
	for _, l := range elements(doc, "link") {
		if attr(l, "rel") == "alternate" && attr(l, "type") == "application/atom+xml" {
			feedURL = attr(l, "href")
		}
	}
	if !strings.HasPrefix(feedURL, "/feeds/changes.atom?token=") {
		t.Fatalf("the home page advertises feed %q", feedURL)
	}
	token := strings.TrimPrefix(feedURL, "/feeds/changes.atom?token=")
	reader := &http.Client{} // a feed reader: no cookie
	fetch := func(path string) (int, string, string) {
		resp, err := reader.Get(s.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), buf.String()
	}
	articleFeed := fmt.Sprintf("/feeds/articles/%d.atom", id)
	for _, path := range []string{"/feeds/changes.atom", "/feeds/changes.atom?token=" + strings.Repeat("0", 64), articleFeed, articleFeed + "?token=" + testToken} {
		if code, _, body := fetch(path); code != http.StatusUnauthorized || strings.Contains(body, "mayor") {
			t.Errorf("%s: %d, want 401 and nothing of the article", path, code)
		}
	}

	code, typ, body := fetch(feedURL)
	if code != http.StatusOK || !strings.HasPrefix(typ, "application/atom+xml") {
		t.Fatalf("changes feed: %d %s", code, typ)
	}
	var f atomFeed
	if err := xml.Unmarshal([]byte(body), &f); err != nil {
		t.Fatalf("changes feed is not Atom: %v\n%s", err, body)
	}
	if len(f.Entries) != 1 {
		t.Fatalf("changes feed has %d entries, want 1", len(f.Entries))
	}
	e := f.Entries[0]
	if e.Title != "Changed: "+hostile+" (updated)" {
		t.Errorf("entry title %q: the captured title must come through as text", e.Title)
	}
	if !strings.Contains(e.Summary, "substantive") || e.Content.Type != "html" {
		t.Errorf("entry summary %q, content type %q", e.Summary, e.Content.Type)
	}
	// The content is HTML as text: inside it, captured text is escaped and
	// the edit is marked.
	if !strings.Contains(e.Content.Body, "<del>reluctant</del>") || !strings.Contains(e.Content.Body, "<ins>willing</ins>") {
		t.Errorf("entry content does not mark the edit:\n%s", e.Content.Body)
	}
	if !strings.Contains(e.Content.Body, "&lt;script&gt;alert(1)") {
		t.Errorf("entry content does not carry the hostile text escaped:\n%s", e.Content.Body)
	}
	checkInert(t, "changes feed entry", e.Content.Body)

	code, _, body = fetch(fmt.Sprintf("/feeds/articles/%d.atom?token=%s", id, token))
	if code != http.StatusOK {
		t.Fatalf("article feed: %d", code)
	}
	var af atomFeed
	if err := xml.Unmarshal([]byte(body), &af); err != nil {
		t.Fatalf("article feed is not Atom: %v", err)
	}
	if len(af.Entries) != 2 || !strings.HasPrefix(af.Entries[0].Title, "Version 2: ") || !strings.HasPrefix(af.Entries[1].Title, "Version 1: ") {
		t.Fatalf("article feed entries: %d, want versions 2 and 1", len(af.Entries))
	}
	for _, e := range af.Entries {
		checkInert(t, "article feed entry", e.Content.Body)
	}
	if _, page, _ := b.get(fmt.Sprintf("/articles/%d", id)); !strings.Contains(page, fmt.Sprintf(`href="/feeds/articles/%d.atom?token=%s"`, id, token)) {
		t.Error("the article page does not link its feed")
	}

	// A new feed address makes the old one stop working.
	_, settings, _ := b.get("/settings")
	if code, _, _ := b.post("/settings/feed-token", map[string]string{"csrf": csrfOf(t, settings)}); code != http.StatusSeeOther {
		t.Fatalf("new feed token: %d", code)
	}
	if code, _, _ := fetch(feedURL); code != http.StatusUnauthorized {
		t.Errorf("old feed address after making a new one: %d, want 401", code)
	}
}

func rows(t *testing.T, page string) []string {
	t.Helper()
	var out []string
	for _, tr := range elements(parseHTML(t, page), "tr") {
		if attr(tr, "data-item") == "" && !hasAttr(tr, "data-item") {
			continue
		}
		for _, a := range elements(tr, "a") {
			out = append(out, a.FirstChild.Data)
			break
		}
	}
	return out
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func TestArticleListPagesAndFilters(t *testing.T) {
	s := newStack(t)
	for i := range 60 {
		site := []string{"alpha.example", "beta.example"}[i%2]
		s.capture(fmt.Sprintf("https://%s/story-%d", site, i), fmt.Sprintf("Story %d", i), "", paras(fmt.Sprintf("Text of story %d.", i))...)
	}
	s.capture("https://beta.example/story-59", "Story 59", "", paras("Text of story 59, now with much more to say about what happened.")...)
	b := s.loggedIn()

	_, page, _ := b.get("/articles")
	got := rows(t, page)
	if len(got) != 50 || got[0] != "Story 59" || got[49] != "Story 10" {
		t.Fatalf("page 1: %d rows from %q to %q", len(got), got[0], got[len(got)-1])
	}
	if !strings.Contains(page, `href="/articles?page=2"`) || strings.Contains(page, `rel="prev"`) {
		t.Error("page 1 should link to page 2 and have no previous page")
	}
	_, page, _ = b.get("/articles?page=2")
	if got := rows(t, page); len(got) != 10 || got[0] != "Story 9" || got[9] != "Story 0" {
		t.Fatalf("page 2: %v", got)
	}
	if strings.Contains(page, `rel="next"`) {
		t.Error("the last page links to a next one")
	}
	_, page, _ = b.get("/articles?site=alpha.example&sort=read-oldest")
	if got := rows(t, page); len(got) != 30 || got[0] != "Story 0" || got[1] != "Story 2" {
		t.Fatalf("alpha, oldest first: %v", got)
	}
	_, page, _ = b.get("/articles?changed=changed")
	if got := rows(t, page); len(got) != 1 || got[0] != "Story 59" {
		t.Fatalf("changed: %v", got)
	}
	_, page, _ = b.get("/articles?changed=unchanged&q=story+1")
	if got := rows(t, page); len(got) != 11 || got[0] != "Story 19" {
		t.Fatalf("unchanged matching 'story 1': %v", got)
	}
	_, page, _ = b.get("/articles?q=" + url.QueryEscape("what happened, MUCH more"))
	if got := rows(t, page); len(got) != 1 || got[0] != "Story 59" {
		t.Fatalf("search in the text: %v", got)
	}
	_, page, _ = b.get("/articles?read=older")
	if got := rows(t, page); len(got) != 0 || !strings.Contains(page, "No article matches") {
		t.Fatalf("read over a year ago: %v", got)
	}
}

func TestArticlePageShowsBothDiffModes(t *testing.T) {
	s := newStack(t)
	id := s.changedArticle("https://news.example/budget")
	b := s.loggedIn()
	_, side, _ := b.get(fmt.Sprintf("/articles/%d", id))
	for _, want := range []string{
		"changed 1 time", "Version 1", "Version 2", "later)",
		`<del>reluctant</del>`, `<ins>willing</ins>`, "headline changed", "correction",
		`class="side-diff"`, "<svg",
	} {
		if !strings.Contains(side, want) {
			t.Errorf("side-by-side page lacks %q", want)
		}
	}
	_, inline, _ := b.get(fmt.Sprintf("/articles/%d?mode=inline&from=1&to=2", id))
	if !strings.Contains(inline, `class="inline-diff"`) || !strings.Contains(inline, `<del>reluctant</del>`) || !strings.Contains(inline, `<ins>willing</ins>`) {
		t.Error("inline page does not mark the edit")
	}
	// Copied or read aloud, the deleted and the inserted words stay apart;
	// the side-by-side columns are as they were.
	edited := ""
	for _, n := range elements(parseHTML(t, inline), "div") {
		if strings.HasPrefix(attr(n, "class"), "irow ") && strings.Contains(textOf(n), "willing") {
			edited = textOf(n)
		}
	}
	if !strings.Contains(edited, "she was reluctant willing to raise") {
		t.Errorf("the inline edit reads %q", edited)
	}
	if !strings.Contains(side, "she was <del>reluctant</del> to raise") || !strings.Contains(side, "she was <ins>willing</ins> to raise") {
		t.Error("the side-by-side columns changed")
	}
	if code, _, _ := b.get(fmt.Sprintf("/articles/%d?from=9", id)); code != http.StatusBadRequest {
		t.Errorf("a version that does not exist: %d, want 400", code)
	}
	if code, _, _ := b.get("/articles/999"); code != http.StatusNotFound {
		t.Errorf("an article that does not exist: %d, want 404", code)
	}
}

func TestSettingsChangeTheJudgeAndPersist(t *testing.T) {
	s := newStack(t)
	s.changedArticle("https://news.example/budget")
	b := s.loggedIn()
	_, page, _ := b.get("/settings")
	form := map[string]string{
		"csrf": csrfOf(t, page), "substantive_words": "40", "substantive_fraction": "0.1", "substantive_block_words": "12",
		"pair_similarity": "0.6", "move_similarity": "0.95", "noise_phrases": "Read more\nSubscribe now",
	}
	if code, _, h := b.post("/settings/rules", form); code != http.StatusSeeOther || h.Get("Location") != "/settings?saved=rules" {
		t.Fatalf("save rules: %d %q", code, h.Get("Location"))
	}
	want := diff.Rules{PairSimilarity: 0.6, MoveSimilarity: 0.95, SubstantiveBlockWords: 12, SubstantiveFraction: 0.1, SubstantiveWords: 40, NoisePhrases: []string{"Read more", "Subscribe now"}}
	if got := s.rules.Get(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rules in force %+v, want %+v", got, want)
	}
	saved, err := reading.LoadRules(s.store)
	if err != nil || fmt.Sprint(saved) != fmt.Sprint(want) {
		t.Errorf("saved rules %+v (%v), want %+v", saved, err, want)
	}
	form["substantive_words"] = "-3"
	if code, body, _ := b.post("/settings/rules", form); code != http.StatusBadRequest || !strings.Contains(body, "substantive words must be") {
		t.Errorf("a negative threshold: %d", code)
	}

	form = map[string]string{"csrf": form["csrf"], "allow": "", "deny": "https://www.tracker.example/page\nnews.example"}
	if code, _, _ := b.post("/settings/sites", form); code != http.StatusSeeOther {
		t.Fatalf("save sites: %d", code)
	}
	code, _ := s.api("POST", "/api/v1/captures", `{"url":"https://news.example/other","title":"T","blocks":[{"kind":"p","text":"x"}],"captured_at":"`+time.Now().UTC().Format(time.RFC3339)+`","source":"browser","extractor":"t"}`)
	if code != http.StatusForbidden {
		t.Errorf("capture of a denied site: %d, want 403", code)
	}
	if code, _, _ := b.post("/settings/forget-site", map[string]string{"csrf": form["csrf"], "site": "news.example"}); code != http.StatusSeeOther {
		t.Fatalf("forget site: %d", code)
	}
	if _, err := s.store.Article(1); err == nil {
		t.Error("the forgotten site's article is still there")
	}
}

func TestNewChangesArriveLiveOnTheHomePage(t *testing.T) {
	s := newStack(t)
	s.changedArticle("https://news.example/first")
	b := s.loggedIn()
	_, page, _ := b.get("/")
	ticketOf := func(page string) string {
		m := regexp.MustCompile(`<meta name="redline-ticket" content="([0-9a-f]{64})">`).FindStringSubmatch(page)
		if m == nil {
			t.Fatal("the home page carries no live ticket")
		}
		return m[1]
	}
	ticket := ticketOf(page)
	if strings.Contains(page, testToken) {
		t.Fatal("the page holds the API token")
	}
	u, _ := url.Parse(s.home)
	cookies := b.c.Jar.Cookies(u)
	dialer := websocket.Dialer{NetDialContext: localhostTransport().DialContext}
	dial := func(origin, ticket string, withCookie bool) (*websocket.Conn, int) {
		h := http.Header{}
		h.Set("Origin", origin)
		if withCookie {
			for _, c := range cookies {
				h.Add("Cookie", c.Name+"="+c.Value)
			}
		}
		ws, resp, err := dialer.Dial("ws://"+testDashHost+":"+fmt.Sprint(s.port)+"/live?ticket="+ticket, h)
		if err != nil {
			if resp == nil {
				t.Fatal(err)
			}
			return nil, resp.StatusCode
		}
		return ws, http.StatusSwitchingProtocols
	}
	if _, code := dial(s.home, ticket, false); code != http.StatusUnauthorized {
		t.Errorf("live socket without the session: %d, want 401", code)
	}
	if _, code := dial("https://evil.example", ticket, true); code != http.StatusForbidden {
		t.Errorf("live socket from a web page: %d, want 403", code)
	}
	ws, code := dial(s.home, ticket, true)
	if code != http.StatusSwitchingProtocols {
		t.Fatalf("live socket: %d", code)
	}
	defer ws.Close()
	if _, code := dial(s.home, ticket, true); code != http.StatusForbidden {
		t.Errorf("live ticket used twice: %d, want 403", code)
	}
	if err := ws.WriteJSON(map[string]any{"type": "hello", "token": ticket}); err != nil {
		t.Fatal(err)
	}
	var welcome struct{ Type string }
	if err := ws.ReadJSON(&welcome); err != nil || welcome.Type != "welcome" {
		t.Fatalf("welcome: %+v %v", welcome, err)
	}
	s.changedArticle("https://news.example/second")
	var ev struct {
		Type      string `json:"type"`
		ArticleID int64  `json:"article_id"`
		Title     string `json:"title"`
	}
	if err := ws.ReadJSON(&ev); err != nil {
		t.Fatal(err)
	}
	if ev.Type != "article.changed" || ev.Title != "Council approves budget after all" || ev.ArticleID != 2 {
		t.Fatalf("live event %+v", ev)
	}

	// A fresh ticket for reconnecting comes only to the session.
	_, body, _ := b.get("/live/ticket")
	var fresh struct {
		Ticket string `json:"ticket"`
	}
	if err := json.Unmarshal([]byte(body), &fresh); err != nil || len(fresh.Ticket) != 64 {
		t.Fatalf("fresh ticket: %q %v", body, err)
	}
	if code, _, _ := s.newBrowser().get("/live/ticket"); code != http.StatusUnauthorized {
		t.Errorf("ticket without a session: %d, want 401", code)
	}
}

// The dashboard and the extension show one deny list, the daemon's: what
// the extension writes through the API is what Settings shows (escaped),
// what Settings saves is what the API answers, and the page says where
// the list lives.
func TestSettingsShowTheDaemonsOneSiteList(t *testing.T) {
	s := newStack(t)
	b := s.loggedIn()
	if code, body := s.api("POST", "/api/v1/settings/sites", `{"deny": ["bank.example", "https://www.shop.example/a"]}`); code != http.StatusOK {
		t.Fatalf("write through the API: %d %s", code, body)
	}
	_, page, _ := b.get("/settings")
	if !strings.Contains(page, "bank.example\nshop.example</textarea>") {
		t.Error("Settings does not show the list written through the API")
	}
	if !strings.Contains(page, "This list is kept by the Redline daemon on this computer; the extension and the dashboard show the same list.") {
		t.Error("Settings does not say where the list lives")
	}
	form := map[string]string{"csrf": csrfOf(t, page), "allow": "", "deny": "tracker.example\nbank.example"}
	if code, _, _ := b.post("/settings/sites", form); code != http.StatusSeeOther {
		t.Fatalf("save sites: %d", code)
	}
	if _, body := s.api("GET", "/api/v1/settings/sites", ""); strings.TrimSpace(string(body)) != `{"allow":[],"deny":["tracker.example","bank.example"]}` {
		t.Errorf("the API answers %s after Settings saved", body)
	}
	form["deny"] = "bank.example\n<script>x</script>"
	if code, body, _ := b.post("/settings/sites", form); code != http.StatusBadRequest || !strings.Contains(body, "is not a site") || strings.Contains(body, "<script>x") {
		t.Errorf("a line that is not a site: %d", code)
	}
	if _, body := s.api("GET", "/api/v1/settings/sites", ""); !strings.Contains(string(body), "tracker.example") {
		t.Errorf("a refused form changed the list: %s", body)
	}
}

// Browsers keep cookies apart by host name but not by port: a session
// cookie of 127.0.0.1 would go to every server on 127.0.0.1. The
// dashboard lives on a host name of its own, and its session counts only
// there.
func TestTheSessionLivesOnlyOnTheDashboardsOwnHostName(t *testing.T) {
	s := newStack(t)
	s.changedArticle("https://news.example/budget")
	link := s.loginLink()
	if !strings.HasPrefix(link, s.home+"/login?code=") {
		t.Fatalf("login link %q: want it on the dashboard's own host %s", link, s.home)
	}

	// The code of a link sent to another of the daemon's names is not
	// spent, and that answer does not tell the dashboard's name.
	elsewhere := s.newBrowser()
	moved := strings.Replace(link, s.home, s.base, 1)
	code, body, h := elsewhere.get(moved)
	if code != http.StatusUnauthorized || h.Get("Set-Cookie") != "" || strings.Contains(body, testDashHost) {
		t.Fatalf("login link on 127.0.0.1: %d, cookie %q, tells the name: %v; want 401, no cookie, no name", code, h.Get("Set-Cookie"), strings.Contains(body, testDashHost))
	}

	b := s.newBrowser()
	code, _, h = b.get(link)
	if code != http.StatusOK {
		t.Fatalf("the same link on the dashboard's host: %d, want 200 (not spent before)", code)
	}
	c, err := http.ParseSetCookie(h.Get("Set-Cookie"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Domain != "" || c.Path != "/" || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.MaxAge != int(web.SessionMaxAge/time.Second) || c.MaxAge > 12*3600 {
		t.Errorf("session cookie %q: want host-only, Path=/, HttpOnly, SameSite=Strict, Max-Age %d", h.Get("Set-Cookie"), int(web.SessionMaxAge/time.Second))
	}
	for _, other := range []string{s.base, fmt.Sprintf("http://localhost:%d", s.port), fmt.Sprintf("http://127.0.0.1:%d", s.port+1), fmt.Sprintf("http://localhost:%d", s.port+1)} {
		if got := b.c.Jar.Cookies(mustURL(t, other)); len(got) != 0 {
			t.Errorf("the browser would send %v to %s", got, other)
		}
	}

	// A program that got hold of the cookie anyway cannot use it on the
	// daemon's other names.
	var session *http.Cookie
	for _, ck := range b.c.Jar.Cookies(mustURL(t, s.home)) {
		if ck.Name == "redline_session" {
			session = ck
		}
	}
	if session == nil {
		t.Fatal("no session cookie for the dashboard's host")
	}
	for _, base := range []string{s.base, fmt.Sprintf("http://localhost:%d", s.port)} {
		req, _ := http.NewRequest("GET", base+"/settings", nil)
		req.AddCookie(session)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || strings.Contains(string(page), `name="csrf"`) {
			t.Errorf("the session cookie sent to %s/settings: %d; want 401 and no CSRF token", base, resp.StatusCode)
		}
	}
	if code, _, _ := b.get("/"); code != http.StatusOK {
		t.Fatalf("dashboard on its own host: %d", code)
	}

	// Idle for longer than SessionTTL: logged out.
	s.clock.Advance(web.SessionTTL + time.Second)
	if code, _, _ := b.get("/"); code != http.StatusUnauthorized {
		t.Errorf("after %v idle: %d, want 401", web.SessionTTL, code)
	}
	// In use all along: still logged out after SessionMaxAge.
	b = s.loggedIn()
	for used := time.Duration(0); used < web.SessionMaxAge; used += web.SessionTTL / 2 {
		if code, _, _ := b.get("/"); code != http.StatusOK {
			t.Fatalf("in use, after %v: %d, want 200", used, code)
		}
		s.clock.Advance(web.SessionTTL / 2)
	}
	if code, _, _ := b.get("/"); code != http.StatusUnauthorized {
		t.Errorf("after %v in use: %d, want 401", web.SessionMaxAge, code)
	}
}

// Pairing hands out the API token. A session alone (a cookie that reached
// some other program) must not be able to start it: only `redline pair`,
// which needs the token in the data folder, makes pairing codes.
func TestTheDashboardCannotPairTheExtension(t *testing.T) {
	s := newStack(t)
	b := s.loggedIn()
	code, page, _ := b.get("/settings")
	if code != http.StatusOK || !strings.Contains(page, "<code>redline pair</code>") || strings.Contains(page, "/settings/pair") {
		t.Fatalf("settings (%d): want the `redline pair` instructions and no pairing form", code)
	}
	code, body, _ := b.post("/settings/pair", map[string]string{"csrf": csrfOf(t, page)})
	if code != http.StatusNotFound && code != http.StatusMethodNotAllowed || strings.Contains(body, "/pair#") {
		t.Errorf("a session posting /settings/pair: %d; want no pairing link", code)
	}
	for _, path := range []string{"/api/v1/pair"} {
		req, _ := http.NewRequest("POST", s.home+path, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		for _, ck := range b.c.Jar.Cookies(mustURL(t, s.home)) {
			req.AddCookie(ck)
		}
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST %s with the session but no token: %d, want 401", path, resp.StatusCode)
		}
	}
}

// A browser capture whose extraction kept only part of a story that its
// page still shows is a page layout change: the article's page lists the
// version as such, and the diff greys the paragraphs the extraction
// missed with the reason.
func TestArticlePageShowsALayoutChange(t *testing.T) {
	s := newStack(t)
	u := "https://news.example/flood"
	story := []string{
		"Heavy rain sent the Cole River over its banks on Monday, forcing hundreds of residents from their homes.",
		"The mayor said shelters at two schools had taken in more than 300 people by nightfall.",
		"Volunteers filled sandbags along Water Street through the afternoon while firefighters knocked on doors.",
	}
	post := func(blocks []block) int {
		b, _ := json.Marshal(map[string]any{
			"url": u, "title": "Flooding in Riverton", "blocks": blocks, "page_text": "Home News\nFlooding in Riverton\n" + strings.Join(story, "\n"),
			"captured_at": time.Now().UTC().Format(time.RFC3339Nano), "source": "browser", "extractor": "test",
		})
		code, out := s.api("POST", "/api/v1/captures", string(b))
		if code != http.StatusCreated && code != http.StatusOK {
			t.Fatalf("capture: %d %s", code, out)
		}
		var r struct {
			ArticleID int64 `json:"article_id"`
		}
		json.Unmarshal(out, &r)
		return int(r.ArticleID)
	}
	id := post(paras(story...))
	post(paras(story[0]))
	_, page, _ := s.loggedIn().get(fmt.Sprintf("/articles/%d?from=1&to=2", id))
	for _, want := range []string{
		`<span class="note layout">page layout changed</span>`, "Version 2, ", ", page layout changed</title>",
		"still on the page: the extraction missed it", "not changed since first seen",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("article page lacks %q", want)
		}
	}
}
