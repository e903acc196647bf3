package store

import (
	"context"
	"testing"

	"redline/daemon/internal/article"
)

// KnownOrigin answers whether the user read a page at an origin (or named
// a URL there): the origins of pages read and of the canonicals they
// declared for the same page count; a canonical on another origin that an
// older store filed an article under does not, nor another port or
// scheme, nor an article forgotten. A string that is not an origin is an
// error.
func TestKnownOriginIsWhereThePagesWereRead(t *testing.T) {
	s := openStore(t, t.TempDir())
	known := func(origin string) bool {
		t.Helper()
		ok, err := s.KnownOrigin(origin)
		if err != nil {
			t.Fatalf("KnownOrigin(%q): %v", origin, err)
		}
		return ok
	}
	readPage(t, s, "http://127.0.0.1:8080/page?utm=x", "http://127.0.0.1:8080/page", "Page", "Text.")
	// An article an older store filed under a canonical on another port.
	c := capture("http://127.0.0.1:8081/older", "Older", "Text.")
	older, err := s.SaveCapture(context.Background(), Ingest{
		Capture: c, URL: "http://127.0.0.1:9090/admin/reboot?confirm=1", Aliases: []string{"http://127.0.0.1:8081/older"},
		Site: "127.0.0.1", MarkRead: true, Now: t0,
	})
	if err != nil {
		t.Fatal(err)
	}
	for origin, want := range map[string]bool{
		"http://127.0.0.1:8080":  true,
		"http://127.0.0.1:8081":  true,
		"http://127.0.0.1:9090":  false,
		"https://127.0.0.1:8080": false,
		"http://127.0.0.1:808":   false,
		"http://127.0.0.1":       false,
	} {
		if got := known(origin); got != want {
			t.Errorf("KnownOrigin(%q) = %v, want %v", origin, got, want)
		}
	}
	if err := s.DeleteArticle(context.Background(), older.Article.ID); err != nil {
		t.Fatal(err)
	}
	if known("http://127.0.0.1:8081") {
		t.Errorf("the origin of a forgotten article is still known")
	}
	for _, bad := range []string{"", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/page", "HTTP://127.0.0.1:8080", "http://127.0.0.1:80", "127.0.0.1:8080", "ftp://127.0.0.1"} {
		if _, err := s.KnownOrigin(bad); article.ErrorCode(err) != article.EINVALID {
			t.Errorf("KnownOrigin(%q) = %v, want an invalid-input error", bad, err)
		}
	}
}
