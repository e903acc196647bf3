package web_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"redline/daemon/internal/article"
)

// minorChange stores an article the user read, then a minor change to it:
// one short word reworded in a long article.
func (s *stack) minorChange(url string) int64 {
	s.t.Helper()
	body := []string{
		"The council met on Tuesday evening to discuss the budget for the coming year, which had been delayed twice.",
		"Members spoke for three hours about schools, roads and the library, and the public gallery was full.",
		"The mayor said the city would publish the figures next week, once the auditors had finished their review.",
		"A second meeting is planned for the end of the month, when the council expects to vote on the final plan.",
	}
	id := s.capture(url, "Council debates the budget", "By Ana Ruiz", paras(body...)...)
	body[1] = "Members talked for three hours about schools, roads and the library, and the public gallery was full."
	s.capture(url, "Council debates the budget", "By Ana Ruiz", paras(body...)...)
	code, b := s.api("GET", fmt.Sprintf("/api/v1/articles/%d", id), "")
	var a article.Article
	if err := json.Unmarshal(b, &a); code != http.StatusOK || err != nil {
		s.t.Fatalf("article: %d %s", code, b)
	}
	if len(a.Unseen) != 1 || a.Unseen[0].Significance != article.Minor {
		s.t.Fatalf("the reworded word left unseen %+v, want one minor change", a.Unseen)
	}
	return id
}

// feedToken is the changes feed's token, as the home page advertises it.
func (b *browser) feedToken() string {
	b.t.Helper()
	_, page, _ := b.get("/")
	for _, l := range elements(parseHTML(b.t.(*testing.T), page), "link") {
		if attr(l, "rel") == "alternate" && strings.HasPrefix(attr(l, "href"), "/feeds/changes.atom?token=") {
			return strings.TrimPrefix(attr(l, "href"), "/feeds/changes.atom?token=")
		}
	}
	b.t.Fatal("the home page advertises no changes feed")
	return ""
}

func (s *stack) feed(path, token string) atomFeed {
	s.t.Helper()
	resp, err := http.Get(s.base + path + "?token=" + token)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var f atomFeed
	if err := xml.NewDecoder(resp.Body).Decode(&f); resp.StatusCode != http.StatusOK || err != nil {
		s.t.Fatalf("feed %s: %d %v", path, resp.StatusCode, err)
	}
	return f
}

// alertsShown says where the change of article id shows as an alert: the
// home page's Changed list, the top bar's count, the articles list's
// "Unseen changes" and the changes feed.
type alertsShown struct{ home, count, list, feed bool }

func (s *stack) alertsOf(t *testing.T, b *browser, id int64, token string) alertsShown {
	t.Helper()
	var got alertsShown
	_, page, _ := b.get("/")
	doc := parseHTML(t, page)
	for _, ol := range elements(doc, "ol") {
		if attr(ol, "id") != "unseen" {
			continue
		}
		for _, li := range elements(ol, "li") {
			if attr(li, "data-article") == fmt.Sprint(id) {
				got.home = true
			}
		}
	}
	for _, span := range elements(doc, "span") {
		if attr(span, "id") == "unseen-count" {
			_, hidden := attrOK(span, "hidden")
			got.count = !hidden && textOf(span) == "1"
		}
	}
	// The live list builds a card only for a change it is told alerts.
	_, card, _ := b.get(fmt.Sprintf("/live/changes/%d", id))
	var c struct {
		Unseen bool `json:"unseen"`
	}
	if err := json.Unmarshal([]byte(card), &c); err != nil {
		t.Fatalf("live card: %v %s", err, card)
	}
	if c.Unseen != got.home {
		t.Errorf("the live card says unseen %v, the home page lists it: %v", c.Unseen, got.home)
	}
	_, list, _ := b.get("/articles?changed=unseen")
	got.list = strings.Contains(list, fmt.Sprintf(`href="/articles/%d"`, id))
	for _, e := range s.feed("/feeds/changes.atom", token).Entries {
		if strings.HasPrefix(e.ID, fmt.Sprintf("urn:redline:article:%d:change:", id)) {
			got.feed = true
		}
	}
	return got
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// A minor change of a read article is recorded and shown on its own page,
// its timeline and its own feed, marked minor, but alerts nowhere by
// default; once the user opts in on the Settings page, it alerts
// everywhere.
func TestMinorChangeAlertsOnlyWhenTheUserOptsIn(t *testing.T) {
	s := newStack(t)
	id := s.minorChange("https://news.example/council")
	b := s.loggedIn()
	token := b.feedToken()

	if got := s.alertsOf(t, b, id, token); got != (alertsShown{}) {
		t.Errorf("by default a minor change alerts: %+v", got)
	}
	// Recorded, and marked minor where the article itself is shown.
	_, page, _ := b.get(fmt.Sprintf("/articles/%d", id))
	doc := parseHTML(t, page)
	var versionBadge, dot bool
	for _, li := range elements(doc, "li") {
		if strings.Contains(textOf(li), "Version 2") {
			for _, sp := range elements(li, "span") {
				if attr(sp, "class") == "badge sig-minor" && textOf(sp) == "minor" {
					versionBadge = true
				}
			}
		}
	}
	for _, c := range elements(doc, "circle") {
		if strings.Contains(attr(c, "class"), "sig-minor") && strings.Contains(textOf(c), "Version 2") && strings.Contains(textOf(c), "minor change") {
			dot = true
		}
	}
	if !versionBadge || !dot {
		t.Errorf("the article page does not mark version 2 minor (version list %v, timeline %v)", versionBadge, dot)
	}
	var entry bool
	for _, e := range s.feed(fmt.Sprintf("/feeds/articles/%d.atom", id), token).Entries {
		if strings.HasPrefix(e.Title, "Version 2: ") && strings.HasSuffix(e.Title, "(minor change)") && strings.HasPrefix(e.Summary, "minor change") {
			entry = true
		}
	}
	if !entry {
		t.Error("the article's own feed has no entry for version 2 marked minor")
	}

	// The user opts in on the Settings page.
	_, settings, _ := b.get("/settings")
	if !checked(t, settings, "alert_on", "substantive") {
		t.Error("the Settings page does not show substantive chosen by default")
	}
	code, _, hdr := b.post("/settings/alerts", map[string]string{"csrf": csrfOf(t, settings), "alert_on": "minor"})
	if code != http.StatusSeeOther || hdr.Get("Location") != "/settings?saved=alerts" {
		t.Fatalf("save alerts: %d %s", code, hdr.Get("Location"))
	}
	_, settings, _ = b.get("/settings?saved=alerts")
	if !checked(t, settings, "alert_on", "minor") || !strings.Contains(settings, "Alerts saved.") {
		t.Error("the Settings page does not show minor chosen after saving it")
	}
	if got := s.alertsOf(t, b, id, token); got != (alertsShown{true, true, true, true}) {
		t.Errorf("opted in, the minor change does not alert everywhere: %+v", got)
	}
	// The API says the same.
	if code, body := s.api("GET", "/api/v1/settings/alerts", ""); code != http.StatusOK || strings.TrimSpace(string(body)) != `{"alert_on":"minor"}` {
		t.Errorf("API: %d %s", code, body)
	}
}

// A substantive change alerts under either policy.
func TestSubstantiveChangeAlertsByDefault(t *testing.T) {
	s := newStack(t)
	id := s.changedArticle("https://news.example/budget")
	b := s.loggedIn()
	if got := s.alertsOf(t, b, id, b.feedToken()); got != (alertsShown{true, true, true, true}) {
		t.Errorf("a substantive change does not alert everywhere: %+v", got)
	}
}

// checked reports whether the page's radio button name=value is checked.
func checked(t *testing.T, page, name, value string) bool {
	for _, in := range elements(parseHTML(t, page), "input") {
		if attr(in, "name") == name && attr(in, "value") == value {
			_, ok := attrOK(in, "checked")
			return ok
		}
	}
	return false
}

// Each kind of bad input on the alerts form gets a clear error and
// changes nothing.
func TestAlertsFormRefusesBadInput(t *testing.T) {
	s := newStack(t)
	b := s.loggedIn()
	_, settings, _ := b.get("/settings")
	csrf := csrfOf(t, settings)
	for _, c := range []struct {
		name string
		form map[string]string
	}{
		{"another word", map[string]string{"csrf": csrf, "alert_on": "everything"}},
		{"trivial", map[string]string{"csrf": csrf, "alert_on": "trivial"}},
		{"empty", map[string]string{"csrf": csrf, "alert_on": ""}},
		{"missing", map[string]string{"csrf": csrf}},
		{"markup", map[string]string{"csrf": csrf, "alert_on": "<script>x</script>"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, body, _ := b.post("/settings/alerts", c.form)
			if code != http.StatusBadRequest || !strings.Contains(body, "Choose which changes alert you") || strings.Contains(body, "<script>x") {
				t.Errorf("%d, want 400 saying what to choose:\n%.600s", code, body)
			}
			if code, body := s.api("GET", "/api/v1/settings/alerts", ""); code != http.StatusOK || strings.TrimSpace(string(body)) != `{"alert_on":"substantive"}` {
				t.Errorf("the policy changed: %d %s", code, body)
			}
		})
	}
	// Two values at once are refused too.
	req, _ := http.NewRequest("POST", s.home+"/settings/alerts", strings.NewReader("csrf="+csrf+"&alert_on=minor&alert_on=substantive"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.home)
	if code, _, _ := b.do(req); code != http.StatusBadRequest {
		t.Errorf("two values: %d, want 400", code)
	}
}
