package web_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestMarkAllSeenAndForgetAnArticle(t *testing.T) {
	s := newStack(t)
	first := s.changedArticle("https://news.example/first")
	second := s.changedArticle("https://news.example/second")
	b := s.loggedIn()
	_, page, _ := b.get("/")
	token := csrfOf(t, page)
	if code, _, h := b.post("/seen", map[string]string{"csrf": token}); code != http.StatusSeeOther || h.Get("Location") != "/" {
		t.Fatalf("mark all seen: %d %q", code, h.Get("Location"))
	}
	for _, id := range []int64{first, second} {
		if a, _ := s.store.Article(id); len(a.Unseen) != 0 {
			t.Errorf("article %d still has unseen changes", id)
		}
	}
	_, page, _ = b.get("/")
	if !strings.Contains(page, "Nothing you read has changed since you read it") || !strings.Contains(page, "Earlier changes you have seen") {
		t.Error("home page after marking all seen should say nothing is unseen and list the seen changes")
	}

	if code, _, h := b.post(fmt.Sprintf("/articles/%d/forget", first), map[string]string{"csrf": token}); code != http.StatusSeeOther || h.Get("Location") != "/articles" {
		t.Fatalf("forget: %d %q", code, h.Get("Location"))
	}
	if code, _, _ := b.get(fmt.Sprintf("/articles/%d", first)); code != http.StatusNotFound {
		t.Errorf("forgotten article's page: %d, want 404", code)
	}
	if _, list, _ := b.get("/articles"); len(rows(t, list)) != 1 {
		t.Errorf("list after forgetting one of two: %v", rows(t, list))
	}
}

func TestExportAndBackupDownloadOnlyWithASession(t *testing.T) {
	s := newStack(t)
	s.changedArticle("https://news.example/budget")
	for _, path := range []string{"/export", "/backup"} {
		if code, body, _ := s.newBrowser().get(path); code != http.StatusUnauthorized || strings.Contains(body, "budget") {
			t.Errorf("%s without a session: %d", path, code)
		}
	}
	b := s.loggedIn()
	code, body, h := b.get("/export")
	if code != http.StatusOK || !strings.Contains(h.Get("Content-Disposition"), "attachment") || strings.Count(body, "\n") != 4 || !strings.Contains(body, "Council approves budget after all") ||
		!strings.HasSuffix(body, `{"type":"end","articles":1,"versions":2}`+"\n") {
		t.Errorf("export: %d %q, %d lines", code, h.Get("Content-Disposition"), strings.Count(body, "\n"))
	}
	code, body, h = b.get("/backup")
	if code != http.StatusOK || !strings.HasPrefix(body, "REDLINE-BACKUP 1\n") || !strings.Contains(h.Get("Content-Disposition"), ".backup") {
		t.Errorf("backup: %d %q", code, h.Get("Content-Disposition"))
	}
}

func TestAssetsAreServedUnderTheirChecksum(t *testing.T) {
	s := newStack(t)
	b := s.loggedIn()
	_, page, _ := b.get("/")
	m := regexp.MustCompile(`href="(/assets/([0-9a-f]{12})/app\.css)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the page links no stylesheet under a checksum path")
	}
	anyone := s.newBrowser() // assets hold no private data
	code, body, h := anyone.get(m[1])
	if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/css") || !strings.Contains(h.Get("Cache-Control"), "immutable") || !strings.Contains(body, "--accent") {
		t.Errorf("stylesheet: %d %q %q", code, h.Get("Content-Type"), h.Get("Cache-Control"))
	}
	stale := strings.Replace(m[1], m[2], "000000000000", 1)
	if code, _, _ := anyone.get(stale); code != http.StatusNotFound {
		t.Errorf("stylesheet under another checksum: %d, want 404", code)
	}
}
