package web_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"redline/daemon/internal/watch"
	"redline/daemon/internal/watch/watchtest"
)

func TestCheckNowPauseAndResumeFromTheArticlePage(t *testing.T) {
	s := newStack(t)
	s.site.Set("/story", watchtest.Article("story"))
	u := s.site.URL("dailynews.co.uk", "/story") // any name: the test resolver answers 127.0.0.1
	id := s.capture(u, "Council delays budget vote", "", paras("The city council delayed its vote on the budget on Tuesday.")...)
	b := s.loggedIn()
	page := fmt.Sprintf("/articles/%d", id)
	_, body, _ := b.get(page)
	if !strings.Contains(body, "Check now") {
		t.Fatal("the article page offers no Check now")
	}
	token := csrfOf(t, body)
	post := func(action string) string {
		t.Helper()
		code, _, h := b.post(page+"/"+action, map[string]string{"csrf": token})
		if code != http.StatusSeeOther {
			t.Fatalf("%s: %d", action, code)
		}
		_, body, _ := b.get(h.Get("Location"))
		return body
	}
	if body := post("check"); !strings.Contains(body, "Checked: Redline fetched its first copy") {
		t.Errorf("first check does not say it took the baseline:\n%s", body)
	}
	s.site.Set("/story", watchtest.Article("story-edited"))
	if body := post("check"); !strings.Contains(body, "Checked: it changed.") || !strings.Contains(body, "fetched") {
		t.Errorf("check after an edit does not say it changed")
	}
	if body := post("pause"); !strings.Contains(body, "paused: not checked until you resume it") || !strings.Contains(body, "Resume checks") {
		t.Errorf("paused article page does not say so")
	}
	_, list, _ := b.get("/articles?watch=paused")
	if got := rows(t, list); len(got) != 1 {
		t.Errorf("paused filter: %v", got)
	}
	if body := post("resume"); !strings.Contains(body, "next check") || !strings.Contains(body, "Pause checks") {
		t.Errorf("resumed article page does not give the next check")
	}
	if _, list, _ := b.get("/articles?watch=paused"); len(rows(t, list)) != 0 {
		t.Error("resumed article still listed as paused")
	}
}

func TestScheduleIsEditedInSettings(t *testing.T) {
	s := newStack(t)
	b := s.loggedIn()
	_, page, _ := b.get("/settings")
	if !strings.Contains(page, "3h 15m") || !strings.Contains(page, `name="cut_off" value="360d"`) || !strings.Contains(page, "<strong>never fetched</strong>") {
		t.Fatalf("settings do not show the default schedule")
	}
	form := map[string]string{"csrf": csrfOf(t, page), "tiers": "2h 10m\n2d 2h\n", "cut_off": "60d"}
	if code, _, _ := b.post("/settings/schedule", form); code != http.StatusSeeOther {
		t.Fatalf("save schedule: %d", code)
	}
	got := s.watcher.Schedule()
	if len(got.Tiers) != 2 || got.Tiers[0].Within != watch.Duration(2*time.Hour) || got.Tiers[1].Every != watch.Duration(2*time.Hour) || got.CutOff != watch.Duration(60*24*time.Hour) {
		t.Fatalf("schedule in force: %+v", got)
	}
	form["tiers"] = "soon often"
	if code, body, _ := b.post("/settings/schedule", form); code != http.StatusBadRequest || !strings.Contains(body, "two durations") {
		t.Errorf("a bad schedule: %d", code)
	}
}

func TestRemovedArticleIsToldOnTheHomePageAndInTheFeed(t *testing.T) {
	s := newStack(t)
	s.site.Set("/gone", watchtest.Article("story"))
	u := s.site.URL("dailynews.co.uk", "/gone")
	id := s.capture(u, "Council delays budget vote after auditor's warning", "", paras("The city council delayed its vote on the budget on Tuesday.")...)
	b := s.loggedIn()
	_, page, _ := b.get(fmt.Sprintf("/articles/%d", id))
	token := csrfOf(t, page)
	check := func() {
		t.Helper()
		if code, _, _ := b.post(fmt.Sprintf("/articles/%d/check", id), map[string]string{"csrf": token}); code != http.StatusSeeOther {
			t.Fatalf("check: %d", code)
		}
	}
	check() // the baseline
	s.site.Set("/gone", watchtest.Response{Status: http.StatusNotFound, Body: "<h1>Not found</h1>"})
	check()
	_, home, _ := b.get("/")
	if !strings.Contains(home, "Removed from their sites") || !strings.Contains(home, "Council delays budget vote") {
		t.Error("the home page does not tell the article was removed")
	}
	_, page, _ = b.get(fmt.Sprintf("/articles/%d", id))
	if !strings.Contains(page, "removed from the site") {
		t.Error("the article page does not say it was removed")
	}
	_, settings, _ := b.get("/settings")
	feedPath := regexp.MustCompile(`/feeds/changes\.atom\?token=[0-9a-f]{64}`).FindString(settings)
	_, body, _ := s.newBrowser().get(feedPath)
	if !strings.Contains(body, "<title type=\"text\">Removed: Council delays budget vote") {
		t.Errorf("the changes feed has no removal entry:\n%s", body)
	}
}

// An article a fetch cannot see says on its page that the reader's
// browser checks it instead.
func TestArticlePageSaysTheBrowserChecksIt(t *testing.T) {
	s := newStack(t)
	s.site.Set("/story", watchtest.Article("story-paywall"))
	u := s.site.URL("dailynews.co.uk", "/story")
	id := s.capture(u, "Council delays budget vote", "", paras(
		"The city council delayed its vote on the budget on Tuesday after the auditor warned of a gap in the figures that the finance office had not explained to members.",
		"Members said they would not approve spending plans until the auditor's questions about the transport fund and the housing reserve had been answered in writing.",
		"The mayor said the delay was regrettable but that the council would meet again next week, when the finance office expects to present revised numbers and a plan.")...)
	b := s.loggedIn()
	page := fmt.Sprintf("/articles/%d", id)
	_, body, _ := b.get(page)
	code, _, h := b.post(page+"/check", map[string]string{"csrf": csrfOf(t, body)})
	if code != http.StatusSeeOther {
		t.Fatalf("check: %d", code)
	}
	_, body, _ = b.get(h.Get("Location"))
	if !strings.Contains(body, "not checkable by fetch") || !strings.Contains(body, "Your browser checks it instead") {
		t.Fatalf("the page does not say the browser checks it:\n%s", body)
	}
}

// The switch, the budget and the sites of re-checks through the browser
// are edited in Settings; a bad value is refused and changes nothing.
func TestRecheckSettingsAreEditedInSettings(t *testing.T) {
	s := newStack(t)
	b := s.loggedIn()
	_, page, _ := b.get("/settings")
	if !strings.Contains(page, `name="enabled" checked`) || !strings.Contains(page, `name="daily_budget" min="0" max="5000" value="200"`) {
		t.Fatalf("settings do not show the re-check defaults:\n%s", page)
	}
	form := map[string]string{"csrf": csrfOf(t, page), "daily_budget": "40", "sites": "https://www.news.example/a\n\nother.example\n"}
	if code, _, _ := b.post("/settings/recheck", form); code != http.StatusSeeOther {
		t.Fatalf("save: %d", code)
	}
	got := s.watcher.RecheckSettings()
	if got.Enabled || got.DailyBudget != 40 || strings.Join(got.Sites, ",") != "news.example,other.example" {
		t.Fatalf("settings in force: %+v", got)
	}
	for _, bad := range []map[string]string{
		{"csrf": form["csrf"], "enabled": "on", "daily_budget": "lots"},
		{"csrf": form["csrf"], "enabled": "on", "daily_budget": "6000"},
		{"csrf": form["csrf"], "enabled": "on", "daily_budget": "10", "sites": "ftp://nope"},
	} {
		if code, body, _ := b.post("/settings/recheck", bad); code != http.StatusBadRequest {
			t.Errorf("%v: %d %s", bad, code, body)
		}
	}
	if after := s.watcher.RecheckSettings(); after.Enabled || after.DailyBudget != 40 {
		t.Fatalf("a bad form changed the settings: %+v", after)
	}
}
