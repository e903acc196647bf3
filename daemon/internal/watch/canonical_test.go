package watch

import (
	"strings"
	"testing"

	"redline/daemon/internal/article"
	"redline/daemon/internal/watch/watchtest"
)

// declaring returns the story page with a rel=canonical naming canonical.
func declaring(canonical string) watchtest.Response {
	page := watchtest.Page("story")
	i := strings.Index(page, "</head>")
	return watchtest.Response{Body: page[:i] + `<link rel="canonical" href="` + canonical + `">` + page[i:]}
}

// The watcher files what it fetches by the same rule as the browser's
// captures: a page the user names to track that declares another page's
// URL (another path on the same host, another subdomain, another port)
// is an article of its own, and a check never moves an article or files
// it elsewhere, whatever its page declares now.
func TestTrackAndChecksNeverFollowAnotherPagesCanonical(t *testing.T) {
	h := newHarness(t, nil)
	victimURL := h.site.URL("www.site.test", "/victim/real-article")
	h.site.Set("/victim/real-article", watchtest.Article("story"))
	victim := h.capture(victimURL, watchtest.Page("story"))
	h.tick()
	if res := h.result(victim.ID); res.Outcome != article.CheckBaseline {
		t.Fatalf("baseline of the victim's article = %+v", res)
	}
	victim = h.article(victim.ID)

	other := watchtest.NewSite(t)
	other.Set("/victim/real-article", declaring(victimURL))
	h.site.Set("/attacker/post", declaring(victimURL))
	h.site.SetOn("blogs.site.test", "/victim/real-article", declaring(victimURL))
	for _, named := range []string{
		h.site.URL("www.site.test", "/attacker/post"),         // another author's path
		h.site.URL("blogs.site.test", "/victim/real-article"), // another subdomain
		other.URL("www.site.test", "/victim/real-article"),    // another port
	} {
		tr := h.track(named)
		if tr.Article.ID == victim.ID || tr.Article.URL != named || !tr.Created {
			t.Errorf("track of %s = article %d at %s (created %v); want an article of its own", named, tr.Article.ID, tr.Article.URL, tr.Created)
		}
		if a, err := h.st.ArticleByURL(named); err != nil || a.ID != tr.Article.ID {
			t.Errorf("lookup of %s = article %d, %v", named, a.ID, err)
		}
	}
	if got := h.article(victim.ID); got.Versions != victim.Versions || got.Captures != victim.Captures || len(got.Aliases) != 0 {
		t.Errorf("the victim's article = %d versions, %d captures, aliases %q; want it as it was", got.Versions, got.Captures, got.Aliases)
	}

	// The victim's page now declares the attacker's post: its checks still
	// store it where it is, and the post's article gets nothing.
	attacker, err := h.st.ArticleByURL(h.site.URL("www.site.test", "/attacker/post"))
	if err != nil {
		t.Fatal(err)
	}
	h.site.Set("/victim/real-article", declaring(attacker.URL))
	if _, _, err := h.w.CheckNow(h.ctx, victim.ID); err != nil {
		t.Fatal(err)
	}
	if res := h.result(victim.ID); res.Outcome != article.CheckUnchanged {
		t.Errorf("check of the victim's page = %+v", res)
	}
	if got := h.article(victim.ID); got.URL != victimURL {
		t.Errorf("the check moved the victim's article to %s", got.URL)
	}
	if got := h.article(attacker.ID); got.Versions != attacker.Versions || got.Captures != attacker.Captures || len(got.Aliases) != 0 {
		t.Errorf("the post's article = %d versions, %d captures, aliases %q; want it as it was", got.Versions, got.Captures, got.Aliases)
	}
	if ev := h.eventsOf(article.EventChanged); len(ev) != 0 {
		t.Errorf("change alerts: %+v", ev)
	}
}
