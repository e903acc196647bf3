package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// furnitureRows is the text of each cell of the listed furniture.
func furnitureRows(t *testing.T, page string) [][]string {
	t.Helper()
	var out [][]string
	for _, tr := range elements(parseHTML(t, page), "tr") {
		if !hasAttr(tr, "data-item") {
			continue
		}
		var cells []string
		for _, td := range elements(tr, "td") {
			cells = append(cells, strings.TrimSpace(textOf(td)))
		}
		out = append(out, cells)
	}
	return out
}

// The site's page lists the template furniture Redline learned there,
// captured text shown as text, each line with a Remove button that posts
// the session's CSRF token. A removal without the token, of a bad or
// unknown entry, or for a path that names no site is refused with a clear
// message and changes nothing; a good one empties the list for good.
func TestSitePageListsAndRemovesLearnedFurniture(t *testing.T) {
	s := newStack(t)
	for _, page := range []string{"a", "b"} {
		s.capture("https://www.news.test/"+page, "Story "+page, "", paras("The council met on Monday about story "+page+".", hostile)...)
	}
	if code, body, _ := s.newBrowser().get("/sites/news.test"); code != http.StatusUnauthorized || strings.Contains(body, "dlrow") {
		t.Errorf("the site page without a session: %d", code)
	}
	b := s.loggedIn()
	if _, sites, _ := b.get("/sites"); !strings.Contains(sites, `href="/sites/news.test"`) {
		t.Error("the sites page does not link to the site's page")
	}
	code, page, _ := b.get("/sites/news.test")
	if code != http.StatusOK {
		t.Fatalf("site page: %d", code)
	}
	checkInert(t, "/sites/news.test", page)
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") || len(furnitureRows(t, page)) != 1 || furnitureRows(t, page)[0][1] != "2" {
		t.Fatalf("the site page does not list the learned line as text, seen in 2 articles: %q", furnitureRows(t, page))
	}
	entries, err := s.store.Furniture("news.test")
	if err != nil || len(entries) != 1 {
		t.Fatalf("learned %+v, %v", entries, err)
	}
	id := entries[0].ID
	if !strings.Contains(page, `name="id" value="`+id+`"`) || !strings.Contains(page, `action="/sites/news.test/furniture/remove"`) {
		t.Fatal("the site page has no Remove form for the entry")
	}
	token := csrfOf(t, page)

	for _, bad := range []struct {
		name, path string
		form       map[string]string
		status     int
		says       string
	}{
		{"no CSRF token", "/sites/news.test/furniture/remove", map[string]string{"id": id}, http.StatusForbidden, "did not come from the dashboard"},
		{"wrong CSRF token", "/sites/news.test/furniture/remove", map[string]string{"id": id, "csrf": strings.Repeat("0", 64)}, http.StatusForbidden, "did not come from the dashboard"},
		{"malformed id", "/sites/news.test/furniture/remove", map[string]string{"id": "<b>x</b>", "csrf": token}, http.StatusBadRequest, "not an entry"},
		{"no id", "/sites/news.test/furniture/remove", map[string]string{"csrf": token}, http.StatusBadRequest, "not an entry"},
		{"unknown id", "/sites/news.test/furniture/remove", map[string]string{"id": "0123456789abcdef", "csrf": token}, http.StatusNotFound, "no such template furniture entry"},
		{"another site's", "/sites/other.test/furniture/remove", map[string]string{"id": id, "csrf": token}, http.StatusNotFound, "no such template furniture entry"},
		{"not a site", "/sites/not%20a%20site/furniture/remove", map[string]string{"id": id, "csrf": token}, http.StatusBadRequest, "not a site"},
	} {
		code, body, _ := b.post(bad.path, bad.form)
		if code != bad.status || !strings.Contains(body, bad.says) {
			t.Errorf("%s: %d, want %d saying %q", bad.name, code, bad.status, bad.says)
		}
		if got, _ := s.store.Furniture("news.test"); len(got) != 1 {
			t.Fatalf("%s changed the learned set: %+v", bad.name, got)
		}
	}

	code, _, h := b.post("/sites/news.test/furniture/remove", map[string]string{"id": id, "csrf": token})
	if code != http.StatusSeeOther || h.Get("Location") != "/sites/news.test?saved=removed" {
		t.Fatalf("remove: %d %q", code, h.Get("Location"))
	}
	_, page, _ = b.get("/sites/news.test?saved=removed")
	if len(furnitureRows(t, page)) != 0 || !strings.Contains(page, "will not learn it as furniture again") {
		t.Errorf("after the removal the page lists %q", furnitureRows(t, page))
	}
	s.capture("https://news.test/c", "Story c", "", paras("The council met on Tuesday about story c.", hostile)...)
	if got, _ := s.store.Furniture("news.test"); len(got) != 0 {
		t.Errorf("a third article brought the removed line back: %+v", got)
	}
}
