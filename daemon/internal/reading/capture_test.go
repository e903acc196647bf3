package reading_test

import (
	"context"
	"testing"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/diff"
	"redline/daemon/internal/reading"
	"redline/daemon/internal/store"
)

// The canonical a page declares and the store's index rules are together
// the whole defence against a page filing itself under another page's
// article (and the attack test in Chromium). These tests read pages as
// the API does, through Service.Read.

var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// openJudged is a store graded by the diff engine, with the events it
// publishes, and the reading service over it.
func openJudged(t *testing.T) (*store.Store, *reading.Service, *[]article.Event) {
	t.Helper()
	rules := reading.NewRules(diff.DefaultRules())
	var got []article.Event
	st, err := store.Open(t.TempDir(), store.Options{Judge: rules.Judge(), Events: func(e article.Event) { got = append(got, e) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, reading.New(reading.Config{Store: st, Rules: rules}), &got
}

func capture(url, title string, paras ...string) *article.Capture {
	c := &article.Capture{URL: url, Title: title, CapturedAt: t0, Source: article.SourceBrowser, Extractor: "test"}
	for _, p := range paras {
		c.Blocks = append(c.Blocks, article.Block{Kind: article.KindParagraph, Text: p})
	}
	return c
}

// readPage reads page, which declares declared as its canonical, as the
// API does.
func readPage(t *testing.T, svc *reading.Service, page, declared, title string, paras ...string) store.Saved {
	t.Helper()
	c := capture(page, title, paras...)
	c.CanonicalURL = declared
	out, err := svc.Read(context.Background(), c, t0)
	if err != nil {
		t.Fatalf("read %s: %v", page, err)
	}
	return out
}

// urlOwner is the article u leads to (0: none).
func urlOwner(t *testing.T, s *store.Store, u string) int64 {
	t.Helper()
	a, err := s.ArticleByURL(u)
	if article.ErrorCode(err) == article.ENOTFOUND {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// assertUntouched checks that the victim's article still has the one
// version the reader read, no change and nothing unseen, and no other URL.
func assertUntouched(t *testing.T, s *store.Store, victim article.Article, sunk []article.Event) {
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

// A page on a shared site that declares another page's URL as its
// canonical (another author's path, the other scheme, another port,
// another subdomain) never becomes a version of that article: it is its
// own article, found by its own URL, and the victim's article keeps the
// one version the reader read, without an alert.
func TestDeclaredCanonicalOfAnotherPageCannotPoisonItsArticle(t *testing.T) {
	const victimURL = "https://www.site.test/victim/real-article"
	for _, tc := range []struct{ name, page, declared string }{
		{"another author's path", "https://www.site.test/attacker/post", victimURL},
		{"another author's path, declared with a tracking parameter", "https://www.site.test/attacker/post", victimURL + "?utm_source=x"},
		{"http page declaring the https article", "http://www.site.test/victim/real-article", victimURL},
		{"another port", "https://www.site.test:8443/victim/real-article", victimURL},
		{"another subdomain", "https://blogs.site.test/victim/real-article", victimURL},
		{"another subdomain and path", "https://blogs.site.test/attacker/post", victimURL},
	} {
		for _, known := range []bool{false, true} {
			name := tc.name
			if known {
				name += ", page read before"
			}
			t.Run(name, func(t *testing.T) {
				s, svc, sunk := openJudged(t)
				victim := readPage(t, svc, victimURL, "", "The real article", "What the victim wrote.").Article
				var before article.Article
				if known {
					before = readPage(t, svc, tc.page, "", "The attacker's post", "What the attacker wrote first.").Article
				}
				got := readPage(t, svc, tc.page, tc.declared, "The real article", "What the victim wrote, corrected: a forged correction.")
				if got.Article.ID == victim.ID {
					t.Fatalf("the capture of %s went to the victim's article %d", tc.page, got.Article.ID)
				}
				if known && got.Article.ID != before.ID {
					t.Errorf("the capture of %s went to article %d, not to its own article %d", tc.page, got.Article.ID, before.ID)
				}
				if got.Article.URL != tc.page {
					t.Errorf("the attacker's article is stored under %s, want its own URL %s", got.Article.URL, tc.page)
				}
				a, err := s.ArticleByURL(tc.page)
				if err != nil || a.ID != got.Article.ID {
					t.Errorf("lookup of %s = article %d, %v; want %d", tc.page, a.ID, err, got.Article.ID)
				}
				if owner := urlOwner(t, s, victimURL); owner != victim.ID {
					t.Errorf("the victim's URL leads to article %d, want %d", owner, victim.ID)
				}
				assertUntouched(t, s, victim, *sunk)
			})
		}
	}
}

// The declared canonical still gathers the forms of one page: a reader's
// capture with parameters the canonical leaves out, and the same page's
// print or AMP form by a query parameter, join the story's article, and
// lookups by either URL find it.
func TestSamePageCanonicalJoinsItsArticle(t *testing.T) {
	s, svc, sunk := openJudged(t)
	story := readPage(t, svc, "https://news.test/story", "", "Story", "Text.").Article
	for _, page := range []string{"https://news.test/story?utm=x", "https://news.test/story?amp=1", "https://news.test/story/?outputType=print"} {
		got := readPage(t, svc, page, "https://news.test/story", "Story", "Text.")
		if got.Article.ID != story.ID || got.Status != article.StatusUnchanged {
			t.Errorf("%s: article %d status %s, want %d unchanged", page, got.Article.ID, got.Status, story.ID)
		}
		if a, err := s.ArticleByURL(page); err != nil || a.ID != story.ID {
			t.Errorf("lookup of %s = %d, %v", page, a.ID, err)
		}
	}
	// A page read first under a variant starts the article under its
	// canonical; the canonical page itself then joins it.
	first := readPage(t, svc, "https://news.test/other?amp=1", "https://news.test/other", "Other", "Text.")
	if first.Article.URL != "https://news.test/other" {
		t.Errorf("article stored under %s", first.Article.URL)
	}
	if again := readPage(t, svc, "https://news.test/other", "", "Other", "Text, edited."); again.Article.ID != first.Article.ID || again.Status != article.StatusChanged {
		t.Errorf("the canonical page went to article %d (%s), want %d changed", again.Article.ID, again.Status, first.Article.ID)
	}
	if len(*sunk) != 1 || (*sunk)[0].ArticleID != first.Article.ID {
		t.Errorf("events = %+v, want the one change of the other story", *sunk)
	}
}

// A canonical on another origin is never followed, but a page already
// known as a URL of an article stays with that article whatever it
// declares: the capture's own URL decides.
func TestKnownPageStaysWithItsArticleWhateverItDeclares(t *testing.T) {
	s, svc, _ := openJudged(t)
	// An article known by its https URL and, as an alias, its http one
	// (as a store written before canonicals had to share the origin holds).
	c := capture("https://site.test/a", "A", "Text.")
	old, err := s.SaveCapture(context.Background(), store.Ingest{Capture: c, URL: "https://site.test/a", Aliases: []string{"http://site.test/a"}, Site: "site.test", MarkRead: true, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	got := readPage(t, svc, "http://site.test/a", "https://site.test/a", "A", "Text, edited.")
	if got.Article.ID != old.Article.ID || got.Status != article.StatusChanged {
		t.Errorf("capture of the known http URL: article %d %s, want %d changed", got.Article.ID, got.Status, old.Article.ID)
	}
	// Declaring another article's URL does not take it away either.
	other := readPage(t, svc, "https://site.test/b", "", "B", "Other text.").Article
	got = readPage(t, svc, "http://site.test/a", "https://site.test/b", "A", "Text, edited.")
	if got.Article.ID != old.Article.ID {
		t.Errorf("capture declaring another article's URL went to article %d, want %d", got.Article.ID, old.Article.ID)
	}
	if b, err := s.Article(other.ID); err != nil || b.Versions != 1 || len(b.Aliases) != 0 {
		t.Errorf("the other article = %+v, %v", b, err)
	}
}

// The index is never re-pointed: an Ingest whose URLs belong to two
// articles joins the one of its own URL (the page's), and the other
// article's URL keeps leading to that other article and is not listed as
// an alias of the one joined.
func TestURLOfAnotherArticleIsNeverRepointed(t *testing.T) {
	s, svc, sunk := openJudged(t)
	victim := readPage(t, svc, "https://site.test/victim", "", "Victim", "Victim's text.").Article
	attacker := readPage(t, svc, "https://site.test/attacker", "", "Attacker", "Attacker's text.").Article
	for _, in := range []store.Ingest{
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
