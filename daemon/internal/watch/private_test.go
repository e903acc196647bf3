package watch

import (
	"strings"
	"testing"

	"redline/daemon/internal/article"
	"redline/daemon/internal/store"
	"redline/daemon/internal/watch/watchtest"
)

// readDeclaring stores a browser capture of pageURL that declares
// declared as its canonical, as the extension sends it.
func (h *harness) readDeclaring(pageURL, declared string) article.Article {
	h.t.Helper()
	c := &article.Capture{
		URL: pageURL, CanonicalURL: declared, Title: "Council delays budget vote after auditor's warning",
		Blocks: readerMode(h.t, watchtest.Page("story")), CapturedAt: h.clock.Now(),
		Source: article.SourceBrowser, Extractor: "readability@0.6.0",
	}
	return h.read(c)
}

// With --allow-private, a page read on one port of this computer can
// never send the watcher to another port: not by declaring a canonical
// there, not by a redirect, not as the URL of an article an older store
// filed under such a canonical. A page the user named on a local port is
// still checked, and so is the page read.
func TestAllowPrivateReachesOnlyOriginsReadOrNamed(t *testing.T) {
	h := newHarness(t, nil) // private addresses allowed
	other := watchtest.NewSite(t)
	other.Set("/admin/reboot", watchtest.Article("story"))
	admin := other.LoopbackURL("/admin/reboot?confirm=1")
	refusedPrivate := func(t *testing.T, id int64) {
		t.Helper()
		if res := h.result(id); res.Outcome != article.CheckNotCheckable || res.Reason != ReasonPrivate || !strings.Contains(res.Message, "where you read a page") {
			t.Errorf("check = %+v, want refused as a private address nobody read or named", res)
		}
	}
	neverHit := func(t *testing.T) {
		t.Helper()
		if n := other.Hits(""); n != 0 {
			t.Fatalf("the server on the other port got %d requests: %+v", n, other.Requests(""))
		}
	}

	t.Run("a canonical on another port", func(t *testing.T) {
		h.site.Set("/page", watchtest.Article("story"))
		a := h.readDeclaring(h.site.LoopbackURL("/page"), admin)
		h.tick()
		h.untilNext(a.ID)
		neverHit(t)
		if a = h.article(a.ID); a.URL != h.site.LoopbackURL("/page") || a.Watch.Checks != 2 || h.site.Hits("/page") != 2 {
			t.Errorf("article at %s after %d checks, %d fetches of the page; want the page read, checked twice", a.URL, a.Watch.Checks, h.site.Hits("/page"))
		}
	})
	t.Run("an article an older store filed under that canonical", func(t *testing.T) {
		h.clock.Add(h.w.hosts.spacing)
		c := &article.Capture{
			URL: h.site.LoopbackURL("/older"), Title: "Older", Blocks: []article.Block{{Kind: article.KindParagraph, Text: "Read long ago."}},
			CapturedAt: h.clock.Now(), Source: article.SourceBrowser, Extractor: "readability@0.6.0",
		}
		saved, err := h.st.SaveCapture(h.ctx, store.Ingest{Capture: c, URL: admin, Aliases: []string{h.site.LoopbackURL("/older")}, Site: "127.0.0.1", MarkRead: true, Now: h.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		h.tick()
		neverHit(t)
		refusedPrivate(t, saved.Article.ID)
		if _, _, err := h.w.CheckNow(h.ctx, saved.Article.ID); err != nil {
			t.Fatal(err)
		}
		neverHit(t)
		refusedPrivate(t, saved.Article.ID)
	})
	t.Run("a redirect to another port", func(t *testing.T) {
		h.clock.Add(h.w.hosts.spacing)
		// Another name of the site: its checks do not wait for the first
		// page's.
		h.site.Set("/moved", watchtest.Article("story"))
		a := h.readDeclaring(h.site.URL("moved.test", "/moved"), "")
		h.tick()
		if res := h.result(a.ID); res.Outcome != article.CheckBaseline {
			t.Fatalf("baseline = %+v", res)
		}
		h.site.Set("/moved", watchtest.Response{Status: 302, Location: admin})
		h.untilNext(a.ID)
		neverHit(t)
		refusedPrivate(t, a.ID)
	})
	t.Run("a page named on a local port", func(t *testing.T) {
		h.clock.Add(h.w.hosts.spacing)
		named := watchtest.NewSite(t)
		named.Set("/status", watchtest.Article("story"))
		tr := h.track(named.LoopbackURL("/status"))
		if tr.Result.Outcome != article.CheckBaseline || named.Hits("/status") != 1 {
			t.Fatalf("track = %+v after %d fetches", tr.Result, named.Hits("/status"))
		}
		h.untilNext(tr.Article.ID)
		if res := h.result(tr.Article.ID); res.Outcome != article.CheckUnchanged || named.Hits("/status") != 2 {
			t.Fatalf("re-check of the named page = %+v after %d fetches", res, named.Hits("/status"))
		}
		// Naming one page there does not lend its origin's permission to a
		// redirect elsewhere.
		named.Set("/status", watchtest.Response{Status: 307, Location: admin})
		h.untilNext(tr.Article.ID)
		neverHit(t)
		refusedPrivate(t, tr.Article.ID)
	})
	t.Run("the user may name a URL on any port", func(t *testing.T) {
		h.clock.Add(h.w.hosts.spacing)
		other.Set("/wiki/page", watchtest.Article("story"))
		tr := h.track(other.LoopbackURL("/wiki/page"))
		if tr.Result.Outcome != article.CheckBaseline || other.Hits("/wiki/page") != 1 {
			t.Fatalf("track of a URL named on another port = %+v after %d fetches", tr.Result, other.Hits("/wiki/page"))
		}
	})
}
