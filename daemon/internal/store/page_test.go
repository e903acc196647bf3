package store

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
	"redline/daemon/internal/diff"
)

var driftStory = []string{
	"Heavy rain sent the Cole River over its banks on Monday, forcing hundreds of residents from their homes.",
	"The mayor said shelters at two schools had taken in more than 300 people by nightfall.",
	"Volunteers filled sandbags along Water Street through the afternoon while firefighters knocked on doors.",
	"State officials did not say when the main bridge into town would reopen to traffic.",
}

// fetchPage is a daemon fetch of u at the given time: the blocks the
// extractor kept and the page's whole visible text.
func fetchPage(u string, at time.Time, page string, paras ...string) *article.Capture {
	c := capture(u, "Flooding in Riverton", paras...)
	c.Source, c.CapturedAt, c.PageText = article.SourceFetch, at, page
	return c
}

// saveAs files a capture, read or not, as the reading service does.
func saveAs(t *testing.T, s *Store, c *article.Capture, read bool) Saved {
	t.Helper()
	u, err := url.Parse(c.URL)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.SaveCapture(context.Background(), Ingest{Capture: c, URL: c.URL, Site: u.Hostname(), MarkRead: read, Now: c.CapturedAt})
	if err != nil {
		t.Fatalf("save capture: %v", err)
	}
	return out
}

func pageText(paras ...string) string {
	return "Home News Weather\nFlooding in Riverton\n" + strings.Join(paras, "\n") + "\n© The Riverton Courier"
}

// digests lists the versions of an article whose page digest is kept.
func digests(t *testing.T, s *Store, id int64) []int {
	t.Helper()
	var out []int
	err := s.db.View(func(txn *badger.Txn) error {
		for n := 1; n <= 10; n++ {
			if _, err := txn.Get(pageKey(id, n)); err == nil {
				out = append(out, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func openDiffJudged(t *testing.T) (*Store, *[]article.Event) {
	var got []article.Event
	s := openWith(t, t.TempDir(), Options{Judge: diff.Judge(diff.DefaultRules), Events: func(e article.Event) { got = append(got, e) }})
	return s, &got
}

// The store keeps the page digest of the version the reader read and of
// the newest of each lineage, drops the others', and forgets them with
// the article.
func TestPageDigestsKeptForReadAndNewest(t *testing.T) {
	s, _ := openDiffJudged(t)
	u := "https://news.example/flood"
	read := saveAs(t, s, fetchPage(u, t0, pageText(driftStory...), driftStory...), true)
	id := read.Article.ID
	if got := digests(t, s, id); len(got) != 1 || got[0] != 1 {
		t.Fatalf("digests after the read: %v, want [1]", got)
	}
	edited := append([]string{driftStory[0] + " (edited)"}, driftStory[1:]...)
	saveAs(t, s, fetchPage(u, t0.Add(time.Hour), pageText(edited...), edited...), false)
	edited2 := append([]string{driftStory[0] + " (edited again)"}, driftStory[1:]...)
	saveAs(t, s, fetchPage(u, t0.Add(2*time.Hour), pageText(edited2...), edited2...), false)
	if got := digests(t, s, id); len(got) != 2 || got[0] != 1 || got[1] != 3 {
		t.Errorf("digests after two changes: %v, want [1 3] (the read and the newest)", got)
	}
	if err := s.DeleteArticle(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if got := digests(t, s, id); len(got) != 0 {
		t.Errorf("digests after forgetting the article: %v, want none", got)
	}
}

// A redesign after which the extractor keeps only half the story, all of
// it still on the page, is a layout change: recorded on its version, not
// counted, no event; it is the reader's new baseline. A real edit after it
// still alerts.
func TestLayoutChangeRecordedWithoutEvent(t *testing.T) {
	s, events := openDiffJudged(t)
	u := "https://news.example/flood"
	read := saveAs(t, s, fetchPage(u, t0, pageText(driftStory...), driftStory...), true)
	id := read.Article.ID

	split := pageText(driftStory[:2]...) + "\nStory continues\n" + strings.Join(driftStory[2:], "\n")
	got := saveAs(t, s, fetchPage(u, t0.Add(time.Hour), split, driftStory[:2]...), false)
	if got.Summary == nil || !got.Summary.Layout || got.Summary.Significance != article.Trivial {
		t.Fatalf("summary of the partial extraction = %+v, want a trivial layout change", got.Summary)
	}
	if got.Event != nil || len(*events) != 0 || got.Counted {
		t.Errorf("a layout change alerted (event %+v) or counted (%v)", got.Event, got.Counted)
	}
	a, err := s.Article(id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Changes != 0 || len(a.Unseen) != 0 || a.Seen != 2 {
		t.Errorf("article after a layout change: %d changes, unseen %v, seen %d; want 0, none, 2 (the new baseline)", a.Changes, a.Unseen, a.Seen)
	}
	vs, err := s.Versions(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].Layout || !vs[1].Layout {
		t.Errorf("versions = %+v, want version 2 marked a layout change", vs)
	}

	edited := []string{driftStory[0], "The mayor said shelters at two schools had taken in fewer than 30 people by nightfall."}
	got = saveAs(t, s, fetchPage(u, t0.Add(2*time.Hour), split, edited...), false)
	if got.Event == nil || got.Event.Summary.Significance != article.Substantive || got.Event.FromVersion != 2 {
		t.Errorf("a real edit after the layout change: event %+v, want a substantive change from version 2", got.Event)
	}
}

// Versions stored before page digests (or captures that send no page
// text) keep working: without a page, the rule does not apply and a
// partial extraction reads as paragraphs removed, as it did; with only
// the new page known, the blocks it still shows are drift.
func TestVersionsWithoutDigest(t *testing.T) {
	s, events := openDiffJudged(t)
	u := "https://news.example/flood"
	saveAs(t, s, fetchPage(u, t0, "", driftStory...), true)
	got := saveAs(t, s, fetchPage(u, t0.Add(time.Hour), "", driftStory[:2]...), false)
	if got.Summary == nil || got.Summary.Layout || got.Summary.BlocksRemoved != 2 || got.Event == nil {
		t.Errorf("without page text: summary %+v, event %v; want 2 paragraphs removed, alerted", got.Summary, got.Event)
	}
	if got := digests(t, s, got.Article.ID); len(got) != 0 {
		t.Errorf("digests without page text: %v, want none", got)
	}

	// Another site: the same paragraphs in two articles of one site would
	// be learned as its template furniture.
	u2 := "https://wire.example/flood-2"
	saveAs(t, s, fetchPage(u2, t0, "", driftStory...), true)
	n := len(*events)
	split := pageText(driftStory[:2]...) + "\n" + strings.Join(driftStory[2:], "\n")
	got = saveAs(t, s, fetchPage(u2, t0.Add(time.Hour), split, driftStory[:2]...), false)
	if got.Summary == nil || !got.Summary.Layout || got.Event != nil || len(*events) != n {
		t.Errorf("an old version without digest against a page that shows it all: summary %+v, event %v; want a layout change, no event", got.Summary, got.Event)
	}
}
