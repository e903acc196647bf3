package web_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// fetchFeed asks for a feed as a browser or a feed reader would: Accept
// as given ("" sends none).
func (s *stack) fetchFeed(path, accept string) (int, string, http.Header) {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.base+path, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

// A feed link opened in a browser, without its key, shows a page that
// says how to subscribe; feed readers still get a plain 401; the key
// opens the feed whatever the Accept.
func TestAFeedOpenedInABrowserSaysHowToSubscribe(t *testing.T) {
	s := newStack(t)
	id := s.changedArticle("https://news.example/budget")
	articleFeed := fmt.Sprintf("/feeds/articles/%d.atom", id)
	for _, path := range []string{"/feeds/changes.atom", articleFeed} {
		for _, accept := range []string{browserAccept, "text/html", "application/xhtml+xml,text/html;q=0.9"} {
			code, page, h := s.fetchFeed(path, accept)
			if code != http.StatusUnauthorized || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
				t.Errorf("%s in a browser (Accept %q): %d %s; want 401 and a page", path, accept, code, h.Get("Content-Type"))
				continue
			}
			for _, want := range []string{"This is a feed for your feed reader", "Open dashboard", "<code>redline open</code>", "Settings", "Feed of changes"} {
				if !strings.Contains(page, want) {
					t.Errorf("%s in a browser: the page does not say %q", path, want)
				}
			}
			if strings.Contains(page, "Council") || strings.Contains(page, "<feed") {
				t.Errorf("%s in a browser without the key shows the feed's content", path)
			}
			if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
				t.Errorf("%s: the page has no Content-Security-Policy", path)
			}
		}
		// A wrong key says so.
		if code, page, _ := s.fetchFeed(path+"?token="+strings.Repeat("ab", 32), browserAccept); code != http.StatusUnauthorized || !strings.Contains(page, "wrong or was replaced") {
			t.Errorf("%s with a wrong key in a browser: %d; want 401 saying the key is wrong", path, code)
		}
		// Feed readers: 401 and a line of text, as before.
		for _, accept := range []string{"", "*/*", "application/atom+xml", "application/atom+xml, application/rss+xml, */*;q=0.1",
			"application/atom+xml,text/html;q=0.9", "text/html;q=0.5,application/xml", "text/html;q=0"} {
			code, body, h := s.fetchFeed(path, accept)
			if code != http.StatusUnauthorized || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") || strings.Contains(body, "<html") {
				t.Errorf("%s for a feed reader (Accept %q): %d %s; want 401 text/plain", path, accept, code, h.Get("Content-Type"))
			}
		}
	}
	// With the key, a browser gets the feed itself.
	tok := s.loggedIn().feedToken()
	if code, body, h := s.fetchFeed("/feeds/changes.atom?token="+tok, browserAccept); code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/atom+xml") || !strings.Contains(body, "Council") {
		t.Errorf("the feed with its key in a browser: %d %s", code, h.Get("Content-Type"))
	}
}
