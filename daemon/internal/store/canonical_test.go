package store

import (
	"context"
	"slices"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// The index rules that keep a page from filing itself under another
// page's article. The canonical a page declares is chosen by the reading
// service (reading/capture_test.go tests the two together).

// readPage stores a browser capture of page, a URL in canonical form, as
// a read.
func readPage(t *testing.T, s *Store, page, title string, paras ...string) Saved {
	t.Helper()
	out, err := s.SaveCapture(context.Background(), Ingest{Capture: capture(page, title, paras...), URL: page, Site: "site.test", MarkRead: true, Now: t0})
	if err != nil {
		t.Fatalf("save %s: %v", page, err)
	}
	return out
}

// urlOwner reads the URL index entry of u (0: none).
func urlOwner(t *testing.T, s *Store, u string) int64 {
	t.Helper()
	var id int64
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		id, err = s.findID(txn, []string{u})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// assertUntouched checks that the victim's article still has the one
// version the reader read, no change and nothing unseen, and no other URL.
func assertUntouched(t *testing.T, s *Store, victim article.Article, sunk []article.Event) {
	t.Helper()
	a, err := s.Article(victim.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Versions != 1 || a.Changes != 0 || len(a.Unseen) != 0 || a.Captures != 1 || a.Title != victim.Title {
		t.Errorf("victim article = %d versions, %d changes, %d unseen, %d captures, title %q; want it as the reader read it",
			a.Versions, a.Changes, len(a.Unseen), a.Captures, a.Title)
	}
	if len(a.Aliases) != len(victim.Aliases) {
		t.Errorf("victim article gained URLs: %q", a.Aliases)
	}
	for _, e := range sunk {
		if e.ArticleID == victim.ID && e.Type == article.EventChanged {
			t.Errorf("the victim's article raised a change alert: %+v", e)
		}
	}
}

// The index is never re-pointed: an Ingest whose URLs belong to two
// articles joins the one of its own URL (the page's), and the other
// article's URL keeps leading to that other article and is not listed as
// an alias of the one joined.
func TestURLOfAnotherArticleIsNeverRepointed(t *testing.T) {
	s, sunk := openJudged(t)
	victim := readPage(t, s, "https://site.test/victim", "Victim", "Victim's text.").Article
	attacker := readPage(t, s, "https://site.test/attacker", "Attacker", "Attacker's text.").Article
	for _, in := range []Ingest{
		{URL: "https://site.test/victim", Aliases: []string{"https://site.test/attacker"}},
		{URL: "https://site.test/new", Aliases: []string{"https://site.test/attacker", "https://site.test/victim"}},
	} {
		in.Capture = capture("https://site.test/attacker", "Victim", "Forged text.")
		in.Site, in.MarkRead, in.Now = "site.test", true, t0
		got, err := s.SaveCapture(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if got.Article.ID != attacker.ID {
			t.Errorf("%s %q went to article %d, want the page's own %d", in.URL, in.Aliases, got.Article.ID, attacker.ID)
		}
		if o := urlOwner(t, s, "https://site.test/victim"); o != victim.ID {
			t.Errorf("after %s %q the victim's URL leads to article %d", in.URL, in.Aliases, o)
		}
		if o := urlOwner(t, s, "https://site.test/attacker"); o != attacker.ID {
			t.Errorf("after %s %q the attacker's URL leads to article %d", in.URL, in.Aliases, o)
		}
		assertUntouched(t, s, victim, *sunk)
	}
	a, err := s.Article(attacker.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Aliases) != 1 || a.Aliases[0] != "https://site.test/new" {
		t.Errorf("the attacker's article has aliases %q, want only the new URL", a.Aliases)
	}
}

// An index entry left by an older Redline that points to an article no
// longer there (forgetting it missed an address it never listed) does not
// stop the page from being captured: the capture takes the address.
func TestAddressOfAForgottenArticleIsFreeAgain(t *testing.T) {
	s, _ := openJudged(t)
	const u = "https://site.test/once-forgotten"
	if err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(append(slices.Clip(pfxURL), u...), idKey(nil, 999))
	}); err != nil {
		t.Fatal(err)
	}
	got := readPage(t, s, u, "Back again", "The page is read again.").Article
	if got.ID == 999 || got.Versions != 1 {
		t.Fatalf("capture over a dangling index entry: %+v", got)
	}
	if o := urlOwner(t, s, u); o != got.ID {
		t.Errorf("the address leads to article %d, want %d", o, got.ID)
	}
}
