package store

import (
	"context"
	"slices"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// The store's index rules keep a page from filing itself under another
// page's article; reading/capture_test.go tests them with the canonical
// the reading service chooses. Here, what needs the index itself.

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
