package store

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"redline/daemon/internal/article"
)

// significance grades by a marker in the text, standing in for the diff
// engine: "(typo)" makes a change trivial. Across lineages, where the
// diff engine compares only the headline and the blocks both sides hold,
// a change is one of the headline or a block marked "(edit)" that the old
// side lacks.
func markerJudge(p article.Pair) article.Summary {
	if p.Across {
		edited := false
		for _, b := range p.New.Blocks {
			edited = edited || strings.Contains(b.Text, "(edit)") && !slices.Contains(p.Old.Blocks, b)
		}
		if p.Old.Title == p.New.Title && !edited {
			return article.Summary{Significance: article.Trivial}
		}
	}
	for _, b := range p.New.Blocks {
		if strings.Contains(b.Text, "(typo)") {
			return article.Summary{Significance: article.Trivial}
		}
	}
	return article.Summary{Significance: article.Substantive, BlocksChanged: 1}
}

func openJudged(t *testing.T) (*Store, *[]article.Event) {
	var got []article.Event
	s := openWith(t, t.TempDir(), Options{Judge: markerJudge, Events: func(e article.Event) { got = append(got, e) }})
	return s, &got
}

func TestChangeAfterReadAppendsEventAndStaysUnseen(t *testing.T) {
	s, sunk := openJudged(t)
	u := "https://example.com/e"
	save(t, s, capture(u, "T", "Original."))
	out := save(t, s, capture(u, "T", "Rewritten."))
	if out.Event == nil || out.Event.ID != 1 || out.Event.Type != article.EventChanged || out.Event.FromVersion != 1 || out.Event.ToVersion != 2 {
		t.Fatalf("event = %+v", out.Event)
	}
	if len(*sunk) != 1 || (*sunk)[0].ID != 1 {
		t.Errorf("sink got %+v", *sunk)
	}
	// The user has captured version 2 (read it), but the change stays
	// unseen until marked seen.
	a := out.Article
	if a.Read.Version != 2 || len(a.Unseen) != 1 || a.Unseen[0].From != 1 || a.Unseen[0].To != 2 {
		t.Errorf("article after change: read %d unseen %+v", a.Read.Version, a.Unseen)
	}
	again := save(t, s, capture(u, "T", "Rewritten."))
	if again.Event != nil || len(again.Article.Unseen) != 1 {
		t.Errorf("unchanged capture: event %+v unseen %+v", again.Event, again.Article.Unseen)
	}
	// Marking seen clears it and tells everyone.
	a, ev, err := s.MarkSeen(context.Background(), a.ID, 2, time.Now())
	if err != nil || ev == nil || ev.ID != 2 || ev.Type != article.EventSeen || ev.Version != 2 || len(a.Unseen) != 0 || a.Seen != 2 {
		t.Fatalf("seen: %+v %+v %v", a, ev, err)
	}
	// Seen again: nothing new, no event.
	if _, ev, err := s.MarkSeen(context.Background(), a.ID, 2, time.Now()); err != nil || ev != nil {
		t.Errorf("second seen: %+v %v", ev, err)
	}
	for _, bad := range []int{0, 3, -1} {
		if _, _, err := s.MarkSeen(context.Background(), a.ID, bad, time.Now()); article.ErrorCode(err) != article.EINVALID {
			t.Errorf("seen version %d = %v", bad, err)
		}
	}
	if _, _, err := s.MarkSeen(context.Background(), 999, 1, time.Now()); article.ErrorCode(err) != article.ENOTFOUND {
		t.Errorf("seen of missing article = %v", err)
	}
	events, err := s.EventsAfter(0, 10)
	if err != nil || len(events) != 2 || events[0].ID != 1 || events[1].ID != 2 {
		t.Errorf("log = %+v %v", events, err)
	}
	if last, _ := s.LastEventID(); last != 2 {
		t.Errorf("last event id %d", last)
	}
}

func TestTrivialChangesAndFirstCapturesNeverAlert(t *testing.T) {
	s, sunk := openJudged(t)
	save(t, s, capture("https://example.com/t", "T", "Text."))
	out := save(t, s, capture("https://example.com/t", "T", "Text (typo)."))
	if out.Version != 2 || out.Event != nil || out.Summary == nil || out.Summary.Significance != article.Trivial {
		t.Errorf("trivial change: %+v", out)
	}
	// A fetch lineage's first version is a baseline, not a change.
	f := capture("https://example.com/t", "T", "Different extractor text.")
	f.Source = article.SourceFetch
	if out := save(t, s, f); out.Event != nil {
		t.Errorf("baseline fetch alerted: %+v", out.Event)
	}
	if len(*sunk) != 0 {
		t.Errorf("events: %+v", *sunk)
	}
}

func TestHeadlineFlipsAlertOnce(t *testing.T) {
	s, _ := openJudged(t)
	u := "https://example.com/ab"
	save(t, s, capture(u, "Headline A", "Body."))
	var alerts int
	for i, title := range []string{"Headline B", "Headline A", "Headline B", "Headline A", "Headline B"} {
		out := save(t, s, capture(u, title, "Body."))
		if out.Event != nil {
			alerts++
		}
		if i > 0 && out.RevertOf == 0 {
			t.Errorf("flip %d not recorded as a revert", i)
		}
	}
	a, _ := s.ArticleByURL(u)
	if alerts != 1 || a.Reverts != 4 || a.Versions != 6 {
		t.Errorf("alerts %d, reverts %d, versions %d; want 1, 4, 6", alerts, a.Reverts, a.Versions)
	}
	// A genuinely new headline still alerts.
	if out := save(t, s, capture(u, "Headline C", "Body.")); out.Event == nil {
		t.Error("a new headline after an A/B test did not alert")
	}
}

func TestForgetRemovesEvents(t *testing.T) {
	s, _ := openJudged(t)
	keep := save(t, s, capture("https://example.com/keep", "Keep", "One."))
	save(t, s, capture("https://example.com/keep", "Keep", "Two."))
	gone := save(t, s, capture("https://example.com/gone", "Secret title", "One."))
	save(t, s, capture("https://example.com/gone", "Secret title", "Two."))
	if err := s.DeleteArticle(context.Background(), gone.Article.ID); err != nil {
		t.Fatal(err)
	}
	events, _ := s.EventsAfter(0, 100)
	if len(events) != 1 || events[0].ArticleID != keep.Article.ID {
		t.Errorf("events after forget: %+v", events)
	}
	// Ids keep growing after a forget.
	out := save(t, s, capture("https://example.com/keep", "Keep", "Three."))
	if out.Event == nil || out.Event.ID != 3 {
		t.Errorf("next event %+v, want id 3", out.Event)
	}
}

// A read carries the grading of what the reader has not seen, made while
// saving it: the alert's own summary when the capture alerted, one
// comparison on a revisit that changed nothing, none once all is seen.
func TestReadCarriesTheChangeSinceRead(t *testing.T) {
	judged := 0
	s := openWith(t, t.TempDir(), Options{Judge: func(p article.Pair) article.Summary {
		judged++
		return markerJudge(p)
	}})
	u := "https://example.com/since"
	if first := save(t, s, capture(u, "T", "Original.")); first.SinceRead != nil {
		t.Errorf("first read: since read %+v, want none", first.SinceRead)
	}
	changed := save(t, s, capture(u, "T", "Rewritten."))
	if changed.Event == nil || changed.SinceRead != changed.Event.Summary || judged != 1 {
		t.Fatalf("changed: event %+v, since read %+v, judged %d times; want the event's summary, judged once", changed.Event, changed.SinceRead, judged)
	}
	judged = 0
	again := save(t, s, capture(u, "T", "Rewritten."))
	if again.Status != article.StatusUnchanged || again.SinceRead == nil || *again.SinceRead != *changed.SinceRead || judged != 1 {
		t.Errorf("revisit: %s, since read %+v, judged %d times; want unchanged, %+v, once", again.Status, again.SinceRead, judged, changed.SinceRead)
	}
	if _, _, err := s.MarkSeen(context.Background(), again.Article.ID, 2, t0); err != nil {
		t.Fatal(err)
	}
	judged = 0
	if seen := save(t, s, capture(u, "T", "Rewritten.")); seen.SinceRead != nil || judged != 0 {
		t.Errorf("after seen: since read %+v, judged %d times; want none, none", seen.SinceRead, judged)
	}
	// A fetch is no read: it carries none.
	f := capture(u, "T", "Rewritten, again (edit).")
	f.Source = article.SourceFetch
	if fetched := save(t, s, f); fetched.SinceRead != nil {
		t.Errorf("fetch: since read %+v, want none", fetched.SinceRead)
	}
}
