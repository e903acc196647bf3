package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// listFixture stores n articles on three sites, read an hour apart (article
// i read at t0 + i hours); every third one is then fetched twice, and the
// second fetch is a change.
func listFixture(t *testing.T, n int) *Store {
	t.Helper()
	s := openStore(t, t.TempDir())
	sites := []string{"alpha.example", "beta.example", "gamma.example"}
	for i := range n {
		site := sites[i%3]
		u := fmt.Sprintf("https://%s/story-%d", site, i)
		at := t0.Add(time.Duration(i) * time.Hour)
		c := capture(u, fmt.Sprintf("Story %d on %s", i, site), "First paragraph.")
		c.CapturedAt = at
		if _, err := s.SaveCapture(context.Background(), Ingest{Capture: c, URL: u, Site: site, MarkRead: true, Now: at}); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			c2 := capture(u, fmt.Sprintf("Story %d on %s", i, site), "First paragraph, changed.")
			c2.CapturedAt = at.Add(30 * time.Minute)
			c2.Source = article.SourceFetch
			if _, err := s.SaveCapture(context.Background(), Ingest{Capture: c2, URL: u, Site: site, Now: c2.CapturedAt}); err != nil {
				t.Fatal(err)
			}
			c3 := capture(u, fmt.Sprintf("Story %d on %s", i, site), "First paragraph, changed again.")
			c3.CapturedAt = at.Add(90 * time.Minute)
			c3.Source = article.SourceFetch
			if _, err := s.SaveCapture(context.Background(), Ingest{Capture: c3, URL: u, Site: site, Now: c3.CapturedAt}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return s
}

func ids(as []article.Article) []int64 {
	var out []int64
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

// storyIDs are the ids of stories from..to by reading order (ids are given
// in capture order, from 1).
func storyIDs(from, to, step int) []int64 {
	var out []int64
	for i := from; step > 0 && i <= to || step < 0 && i >= to; i += step {
		out = append(out, int64(i+1))
	}
	return out
}

func TestListPagesFiltersAndOrders(t *testing.T) {
	s := listFixture(t, 120)
	list := func(f ListFilter) ListPage {
		t.Helper()
		p, err := s.ListArticles(f)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name string
		f    ListFilter
		want []int64
		more bool
	}{
		{"first page, newest read first", ListFilter{Limit: 50}, storyIDs(119, 70, -1), true},
		{"third page is the last", ListFilter{Limit: 50, Offset: 100}, storyIDs(19, 0, -1), false},
		{"read longest ago first", ListFilter{Limit: 5, Oldest: true}, storyIDs(0, 4, 1), true},
		{"one site", ListFilter{Site: "beta.example", Limit: 3}, []int64{119, 116, 113}, true},
		{"changed only", ListFilter{Changed: FilterChanged, Limit: 3}, []int64{118, 115, 112}, true},
		{"never changed", ListFilter{Changed: FilterUnchanged, Limit: 3}, []int64{120, 119, 117}, true},
		{"by last change", ListFilter{Order: OrderChanged, Limit: 2}, []int64{118, 115}, true},
		{"changed on a site, second page", ListFilter{Site: "alpha.example", Changed: FilterChanged, Limit: 2, Offset: 2}, []int64{112, 109}, true},
		{"read in a window", ListFilter{ReadFrom: t0.Add(10 * time.Hour), ReadTo: t0.Add(13 * time.Hour), Limit: 50}, storyIDs(12, 10, -1), false},
		{"search title", ListFilter{Q: "STORY 7 ON", Limit: 50}, []int64{8}, false},
		{"search site", ListFilter{Q: "gamma", Limit: 2}, []int64{120, 117}, true},
		{"search text of any version", ListFilter{Q: "paragraph, CHANGED", Limit: 3}, []int64{118, 115, 112}, true},
		{"search text, words in any order", ListFilter{Q: "again changed", Site: "alpha.example", Limit: 2}, []int64{118, 115}, true},
		{"search text, one word missing", ListFilter{Q: "changed elephant", Limit: 3}, nil, false},
		{"first seen order", ListFilter{Order: OrderFirstSeen, Oldest: true, Limit: 2}, []int64{1, 2}, true},
		{"past the end", ListFilter{Limit: 50, Offset: 500}, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := list(c.f)
			if got := ids(p.Articles); !slices.Equal(got, c.want) || p.More != c.more {
				t.Errorf("got %v more=%v, want %v more=%v", got, p.More, c.want, c.more)
			}
		})
	}
}

func TestListIndexFollowsForgetAndRebuilds(t *testing.T) {
	s := listFixture(t, 30)
	if err := s.DeleteArticle(context.Background(), 30); err != nil {
		t.Fatal(err)
	}
	before, err := s.ListArticles(ListFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(before.Articles) != 29 || before.Articles[0].ID != 29 {
		t.Fatalf("after forgetting article 30 the list starts %v (%d articles)", ids(before.Articles[:1]), len(before.Articles))
	}
	// Article 28 (story 27) changed: forgetting it forgets its words too.
	if err := s.DeleteArticle(context.Background(), 28); err != nil {
		t.Fatal(err)
	}
	err = s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxListPosting})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			err := it.Item().Value(func(v []byte) error {
				block, err := decodeBlock(nil, int64(binary.BigEndian.Uint64(k[len(k)-8:])), v)
				if slices.Contains(block, 28) || slices.Contains(block, 30) {
					t.Errorf("word block %q holds a forgotten article: %v", k, block)
				}
				return err
			})
			if err != nil {
				return err
			}
		}
		for _, id := range []int64{28, 30} {
			entries, err := readPending(txn, id)
			if err != nil || slices.ContainsFunc(entries, func(e pendingEntry) bool { return e.id == id }) {
				t.Errorf("pending words of forgotten article %d: %v, %v", id, entries, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if before, err = s.ListArticles(ListFilter{Limit: 100}); err != nil {
		t.Fatal(err)
	}
	textBefore, err := s.ListArticles(ListFilter{Q: "changed again", Limit: 100})
	if err != nil || len(textBefore.Articles) != 9 {
		t.Fatalf("text search before the rebuild: %v, %v", ids(textBefore.Articles), err)
	}
	sitesBefore, err := s.Sites()
	if err != nil {
		t.Fatal(err)
	}
	// A store without the index (written before it existed) gets it built.
	if err := s.dropPrefix(pfxList); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Delete(keyListIndex) }); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureListIndex(); err != nil {
		t.Fatal(err)
	}
	after, err := s.ListArticles(ListFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(before.Articles), ids(after.Articles)) {
		t.Fatalf("rebuilt index lists %v, want %v", ids(after.Articles), ids(before.Articles))
	}
	textAfter, err := s.ListArticles(ListFilter{Q: "changed again", Limit: 100})
	if err != nil || !slices.Equal(ids(textAfter.Articles), ids(textBefore.Articles)) {
		t.Fatalf("text search after the rebuild: %v, want %v (%v)", ids(textAfter.Articles), ids(textBefore.Articles), err)
	}
	sitesAfter, err := s.Sites()
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sitesBefore) != fmt.Sprint(sitesAfter) {
		t.Fatalf("rebuilt site figures %v, want %v", sitesAfter, sitesBefore)
	}
}

func TestSiteFigures(t *testing.T) {
	s := listFixture(t, 9)
	figs, err := s.Sites()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]SiteFigures{}
	for _, f := range figs {
		got[f.Site] = f
	}
	a := got["alpha.example"]
	// Stories 0, 3, 6 are on alpha: each was fetched 30 min after it was
	// read (a new lineage, no change) and changed at 90 min.
	if a.Articles != 3 || a.Changed != 3 || a.Changes != 3 || a.MedianFirstChange() != 90*time.Minute {
		t.Errorf("alpha: %+v, median %v; want 3 read, 3 changed, 3 changes, median 1h30m", a, a.MedianFirstChange())
	}
	if b := got["beta.example"]; b.Articles != 3 || b.Changed != 0 || b.MedianFirstChange() != 0 {
		t.Errorf("beta: %+v", b)
	}
}

func TestDeniedSiteIsNotStored(t *testing.T) {
	s := openStore(t, t.TempDir())
	if err := s.SetSetting(context.Background(), SettingSites, SiteRules{Deny: []string{"example.com"}}); err != nil {
		t.Fatal(err)
	}
	_, err := s.SaveCapture(context.Background(), Ingest{Capture: capture("https://example.com/a", "A", "Text."), URL: "https://example.com/a", Site: "example.com", MarkRead: true, Now: t0})
	if article.ErrorCode(err) != article.EFORBIDDEN {
		t.Fatalf("capture of a denied site: %v, want forbidden", err)
	}
	if p, _ := s.ListArticles(ListFilter{}); len(p.Articles) != 0 {
		t.Fatalf("denied site stored %d articles", len(p.Articles))
	}
	if err := s.SetSetting(context.Background(), SettingSites, SiteRules{Allow: []string{"other.example"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveCapture(context.Background(), Ingest{Capture: capture("https://example.com/a", "A", "Text."), URL: "https://example.com/a", Site: "example.com", Now: t0}); article.ErrorCode(err) != article.EFORBIDDEN {
		t.Fatalf("capture of a site outside the allow list: %v, want forbidden", err)
	}
}

// Every word of every version stays findable, whichever way a version was
// stored: the first, an edit, a revert to earlier content, a keyframe.
func TestSearchFindsWordsOfEveryVersion(t *testing.T) {
	s := openStore(t, t.TempDir())
	u := "https://news.example/words"
	texts := []string{"alpha bravo charlie", "bravo charlie delta", "alpha bravo charlie", "echo foxtrot"}
	for i := range maxChain + 2 {
		texts = append(texts, fmt.Sprintf("echo foxtrot filler%d", i)) // past a keyframe
	}
	texts = append(texts, "golf hotel")
	var id int64
	for _, text := range texts {
		id = save(t, s, capture(u, "Words", text)).Article.ID
	}
	other := save(t, s, capture("https://news.example/other", "Other", "alpha zulu")).Article.ID
	for _, c := range []struct {
		q    string
		want []int64
	}{
		{"alpha", []int64{other, id}},
		{"delta", []int64{id}},
		{"charlie foxtrot", []int64{id}},
		{"filler0", []int64{id}},
		{fmt.Sprintf("filler%d", maxChain+1), []int64{id}},
		{"golf", []int64{id}},
		{"zulu", []int64{other}},
		{"alpha india", nil},
	} {
		page, err := s.ListArticles(ListFilter{Q: c.q, Limit: 10, Order: OrderFirstSeen})
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, a := range page.Articles {
			got = append(got, a.ID)
		}
		slices.Sort(got)
		slices.Sort(c.want)
		if !slices.Equal(got, c.want) {
			t.Errorf("search %q found %v, want %v", c.q, got, c.want)
		}
	}
	// Forgetting the article drops its words.
	if err := s.DeleteArticle(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	page, err := s.ListArticles(ListFilter{Q: "bravo", Limit: 10})
	if err != nil || len(page.Articles) != 0 {
		t.Errorf("after forgetting, search bravo found %d articles (%v)", len(page.Articles), err)
	}
}
