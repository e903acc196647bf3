package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// unseenOnHome says whether the home page lists article id among the
// changes not yet seen.
func unseenOnHome(t *testing.T, b *browser, id int64) bool {
	t.Helper()
	_, home, _ := b.get("/")
	start := strings.Index(home, `id="unseen"`)
	if start < 0 {
		t.Fatal("the home page has no list of unseen changes")
	}
	list := home[start:]
	list = list[:strings.Index(list, "</ol>")]
	return strings.Contains(list, fmt.Sprintf(`data-article="%d"`, id))
}

// A browser posts the dashboard's forms with its Origin (the pages send
// Referrer-Policy: same-origin) and Sec-Fetch-Site: same-origin; one that
// says Origin: null is believed only with Sec-Fetch-Site: same-origin.
// Everything else, and every post without the session's CSRF token, is
// refused and logged once.
func TestFormsComeOnlyFromTheDashboardsOwnPages(t *testing.T) {
	s := newStack(t)
	b := s.loggedIn()
	_, page, _ := b.get("/")
	token := csrfOf(t, page)
	otherPort := fmt.Sprintf("http://127.0.0.1:%d", s.port+1)
	if s.port == 65535 {
		otherPort = "http://127.0.0.1:1"
	}

	type headers struct{ origin, site string }
	// post marks article id seen through the daemon (the API's guards,
	// then the dashboard), with the given headers.
	post := func(id int64, h headers, form string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/articles/%d/seen", s.home, id), strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if h.origin != "" {
			req.Header.Set("Origin", h.origin)
		}
		if h.site != "" {
			req.Header.Set("Sec-Fetch-Site", h.site)
		}
		code, _, _ := b.do(req)
		return code
	}

	t.Run("accepted", func(t *testing.T) {
		for _, c := range []struct {
			name string
			h    headers
		}{
			{"own Origin, same-origin fetch", headers{s.home, "same-origin"}},
			{"Origin null, same-origin fetch", headers{"null", "same-origin"}},
			{"own Origin, no fetch metadata", headers{s.home, ""}},
		} {
			id := s.changedArticle("https://news.example/" + strings.ReplaceAll(c.name, " ", "-"))
			if code := post(id, c.h, "csrf="+token); code != http.StatusSeeOther {
				t.Errorf("%s: %d, want 303", c.name, code)
			}
			if unseenOnHome(t, b, id) {
				t.Errorf("%s: the change is still listed as unseen", c.name)
			}
		}
	})

	t.Run("refused", func(t *testing.T) {
		id := s.changedArticle("https://news.example/refused")
		for _, c := range []struct {
			name   string
			h      headers
			form   string
			reason string // what the log says
		}{
			{"Origin null without fetch metadata", headers{"null", ""}, "csrf=" + token, `reason="Origin is null and Sec-Fetch-Site is not same-origin"`},
			{"Origin null from the same site", headers{"null", "same-site"}, "csrf=" + token, `reason="Sec-Fetch-Site is \"same-site\""`},
			{"Origin null from another site", headers{"null", "cross-site"}, "csrf=" + token, `reason="Sec-Fetch-Site is \"cross-site\""`},
			{"own Origin but a cross-site fetch", headers{s.home, "cross-site"}, "csrf=" + token, `reason="Sec-Fetch-Site is \"cross-site\""`},
			{"no CSRF token", headers{s.home, "same-origin"}, "", `reason="no CSRF token"`},
			{"wrong CSRF token", headers{s.home, "same-origin"}, "csrf=" + strings.Repeat("0", 64), `reason="wrong CSRF token"`},
			// The daemon's other names are the same daemon but not
			// the dashboard's origin.
			{"the daemon's 127.0.0.1 origin", headers{s.base, ""}, "csrf=" + token, fmt.Sprintf(`reason="Origin is \"%s\""`, s.base)},
			{"the daemon's localhost origin", headers{fmt.Sprintf("http://localhost:%d", s.port), ""}, "csrf=" + token, fmt.Sprintf(`reason="Origin is \"http://localhost:%d\""`, s.port)},
		} {
			before := strings.Count(s.logs.String(), "dashboard form refused")
			if code := post(id, c.h, c.form); code != http.StatusForbidden {
				t.Errorf("%s: %d, want 403", c.name, code)
			}
			logs := s.logs.String()
			if n := strings.Count(logs, "dashboard form refused"); n != before+1 {
				t.Errorf("%s: logged %d refusals, want 1", c.name, n-before)
			}
			if !strings.Contains(logs, c.reason) || !strings.Contains(logs, fmt.Sprintf("path=/articles/%d/seen", id)) {
				t.Errorf("%s: the log does not give the path and %s:\n%s", c.name, c.reason, logs)
			}
		}
		// Foreign origins, and another port on this computer (the same
		// site, another origin), are refused by the daemon before the
		// dashboard…
		for _, o := range []string{"https://evil.example", otherPort} {
			if code := post(id, headers{o, "same-site"}, "csrf="+token); code != http.StatusForbidden {
				t.Errorf("Origin %s: %d, want 403", o, code)
			}
		}
		if !unseenOnHome(t, b, id) {
			t.Fatal("a refused form marked the change seen")
		}
		if strings.Contains(s.logs.String(), token) {
			t.Error("the log holds the CSRF token")
		}
	})

	// …and by the dashboard itself, should it ever be mounted without them.
	t.Run("dashboard alone", func(t *testing.T) {
		id := s.changedArticle("https://news.example/alone")
		cookie := b.c.Jar.Cookies(mustURL(t, s.home))
		for _, c := range []struct {
			origin, site, reason string
		}{
			{"https://evil.example", "cross-site", `reason="Sec-Fetch-Site is \"cross-site\""`},
			{"https://evil.example", "", `reason="Origin is \"https://evil.example\""`},
			{otherPort, "same-site", `reason="Sec-Fetch-Site is \"same-site\""`},
			{otherPort, "", fmt.Sprintf(`reason="Origin is \"%s\""`, otherPort)},
		} {
			req := httptest.NewRequest("POST", fmt.Sprintf("%s/articles/%d/seen", s.home, id), strings.NewReader("csrf="+token))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", c.origin)
			if c.site != "" {
				req.Header.Set("Sec-Fetch-Site", c.site)
			}
			for _, ck := range cookie {
				req.AddCookie(ck)
			}
			rec := httptest.NewRecorder()
			s.dash.ServeHTTP(rec, req)
			if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "This form did not come from the dashboard.") {
				t.Errorf("Origin %s, Sec-Fetch-Site %q: %d, want 403", c.origin, c.site, rec.Code)
			}
			if !strings.Contains(s.logs.String(), c.reason) {
				t.Errorf("Origin %s, Sec-Fetch-Site %q: the log does not say %s", c.origin, c.site, c.reason)
			}
		}
		if !unseenOnHome(t, b, id) {
			t.Fatal("a refused form marked the change seen")
		}
	})
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Commands in the dashboard's messages are code, exactly as typed: no
// backticks around them, no dash lost.
func TestMessagesShowCommandsAsCode(t *testing.T) {
	s := newStack(t)
	b := s.loggedIn()
	_, home, _ := b.get("/")
	_, loggedOut, _ := b.post("/logout", map[string]string{"csrf": csrfOf(t, home)})
	_, loginNeeded, _ := b.get("/")
	_, expired, _ := b.get("/login?code=" + strings.Repeat("ab", 32))
	for _, c := range []struct {
		name, page string
		commands   []string
	}{
		{"logged out", loggedOut, []string{"redline open"}},
		{"login needed", loginNeeded, []string{"redline open", "redline open --print"}},
		{"expired login link", expired, []string{"redline open"}},
	} {
		doc := parseHTML(t, c.page)
		var got []string
		for _, n := range elements(doc, "code") {
			got = append(got, textOf(n))
		}
		if strings.Join(got, "|") != strings.Join(c.commands, "|") {
			t.Errorf("%s: commands %q, want %q", c.name, got, c.commands)
		}
		if main := elements(doc, "main"); len(main) != 1 || strings.Contains(textOf(main[0]), "`") {
			t.Errorf("%s: the page shows backticks", c.name)
		}
	}
}

// textOf is the text inside n.
func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
	}
	return b.String()
}

// The live list builds a new change's card from GET /live/changes/{id}:
// what the server's card shows, as data, for the session only.
func TestLiveCardCarriesWhatTheServersCardShows(t *testing.T) {
	s := newStack(t)
	id := s.changedArticle("https://news.example/budget")
	b := s.loggedIn()
	path := fmt.Sprintf("/live/changes/%d", id)
	if code, body, _ := s.newBrowser().get(path); code != http.StatusUnauthorized || strings.Contains(body, "Council") {
		t.Fatalf("the live card without a session: %d", code)
	}
	code, body, h := b.get(path)
	if code != http.StatusOK || h.Get("Content-Type") != "application/json" {
		t.Fatalf("live card: %d %s", code, h.Get("Content-Type"))
	}
	var c struct {
		ArticleID    int64  `json:"article_id"`
		Unseen       bool   `json:"unseen"`
		Significance string `json:"significance"`
		Site, Title  string
		From, To     int
		ReadVersion  int `json:"read_version"`
		Read         struct{ ISO, Title, Words string }
		Changed      struct{ ISO, Title, Words string }
		Words        []string
		Preview      *struct {
			Label string
			Spans []struct{ Op, Text string }
		}
		Versions int
	}
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		t.Fatal(err)
	}
	_, home, _ := b.get("/")
	if c.ArticleID != id || !c.Unseen || c.Significance != "substantive" || c.Site != "news.example" || c.Title != "Council approves budget after all" ||
		c.From != 1 || c.To != 2 || c.ReadVersion != 2 || c.Versions != 2 || c.Read.Words != "just now" || c.Changed.ISO == "" {
		t.Errorf("live card: %+v", c)
	}
	if !strings.Contains(home, fmt.Sprintf(`href="/articles/%d?from=%d&amp;to=%d"`, id, c.From, c.To)) || !strings.Contains(home, "you read version 2") {
		t.Error("the home page's card does not match")
	}
	if c.Preview == nil || c.Preview.Label != "Headline" || len(c.Words) == 0 || !strings.Contains(home, c.Words[0]) {
		t.Errorf("live card's words and preview: %v %+v", c.Words, c.Preview)
	}

	// Captured text comes as JSON strings, escaped even for HTML.
	hostileID := s.capture("https://evil.example/story", hostile, "", paras("One.")...)
	s.capture("https://evil.example/story", hostile+" changed", "", paras("Two.")...)
	_, body, _ = b.get(fmt.Sprintf("/live/changes/%d", hostileID))
	if strings.Contains(body, "<script") || strings.Contains(body, "<img") || !strings.Contains(body, `\u003cscript\u003e`) {
		t.Errorf("the live card carries captured markup unescaped: %s", body)
	}
	if code, _, _ := b.get("/live/changes/999"); code != http.StatusNotFound {
		t.Errorf("the live card of an article that does not exist: %d", code)
	}
}
