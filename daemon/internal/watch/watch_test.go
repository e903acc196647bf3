package watch

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"

	"redline/daemon/internal/article"
	"redline/daemon/internal/watch/watchtest"
)

// The whole loop on a fake clock: the browser captures an article, the
// baseline fetch follows at once, the site edits the article, and the
// scheduled check tells the reader what changed.
func TestCaptureBaselineEditScheduledCheckAlerts(t *testing.T) {
	h := newHarness(t, nil)
	h.site.Set("/2026/11/budget", watchtest.Article("story"))
	u := h.site.URL("news.test", "/2026/11/budget")

	a := h.capture(u, watchtest.Page("story"))
	if a.Watch == nil || a.Watch.State != article.WatchWatching || !a.Watch.NextCheck.Equal(t0) {
		t.Fatalf("a new article's baseline fetch is not due at once: %+v", a.Watch)
	}
	h.mu.Lock()
	woken := h.woken
	h.mu.Unlock()
	if woken == 0 {
		t.Fatal("the watcher was not woken for the baseline fetch")
	}
	if r := h.tick(); r.Checked != 1 {
		t.Fatalf("tick checked %d articles, want the baseline", r.Checked)
	}
	base := h.result(a.ID)
	if base.Outcome != article.CheckBaseline || base.Version != 2 {
		t.Fatalf("baseline = %+v, want the first fetch stored as version 2", base)
	}
	a = h.article(a.ID)
	if a.LatestBrowser != 1 || a.LatestFetch != 2 || a.Read.Version != 1 {
		t.Fatalf("lineages: browser %d, fetch %d, read %d; want 1, 2, 1", a.LatestBrowser, a.LatestFetch, a.Read.Version)
	}
	if len(h.eventsOf(article.EventChanged)) != 0 {
		t.Fatal("the baseline fetch differs from the browser capture and must not alert")
	}
	if want := t0.Add(15 * time.Minute); !a.Watch.NextCheck.Equal(want) {
		t.Fatalf("next check %s, want %s (the 15-minute tier)", a.Watch.NextCheck, want)
	}

	h.clock.Add(10 * time.Minute)
	if r := h.tick(); r.Checked != 0 {
		t.Fatalf("a tick before the next check checked %d articles", r.Checked)
	}
	h.site.Set("/2026/11/budget", watchtest.Article("story-edited"))
	h.untilNext(a.ID)
	res := h.result(a.ID)
	if res.Outcome != article.CheckChanged || res.Version != 3 || res.Summary == nil || res.EventID == 0 {
		t.Fatalf("check after the edit = %+v, want a change stored as version 3 with an event", res)
	}
	if !res.Summary.Correction || res.Summary.Significance != article.Substantive || res.Summary.BlocksChanged < 2 || res.Summary.BlocksAdded != 1 {
		t.Errorf("summary = %+v, want a substantive change with a correction, 2 paragraphs changed and 1 added", res.Summary)
	}
	// The event tells the change since the reader read the article: from
	// the browser's version 1 to version 3, graded over that range (the
	// fetched version 2 tells the fetch extractor's habits from the edit).
	events := h.eventsOf(article.EventChanged)
	if len(events) != 1 || events[0].FromVersion != 1 || events[0].ToVersion != 3 || events[0].ID != res.EventID {
		t.Fatalf("events = %+v, want one article.changed from the version read, 1, to 3", events)
	}
	if got := events[0].Summary; got == nil || !got.Correction || got.Significance != article.Substantive || *got != *res.SinceRead || res.ReadVersion != 1 {
		t.Errorf("event summary = %+v, check's since-read %+v from %d; want the substantive edit with its correction, the same in both", got, res.SinceRead, res.ReadVersion)
	}
	if a = h.article(a.ID); len(a.Unseen) != 1 {
		t.Errorf("unseen changes = %+v, want the edit", a.Unseen)
	}
}

func TestUnchangedPageMakesNoVersionAndNoEvent(t *testing.T) {
	h := newHarness(t, nil)
	h.site.Set("/a", watchtest.Article("story"))
	a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
	h.tick()
	for range 3 {
		h.untilNext(a.ID)
		if res := h.result(a.ID); res.Outcome != article.CheckUnchanged || res.Version != 2 {
			t.Fatalf("check of an unchanged page = %+v", res)
		}
	}
	if v := h.versions(a.ID); len(v) != 2 {
		t.Errorf("%d versions, want the browser capture and the baseline", len(v))
	}
	if a = h.article(a.ID); a.Watch.Checks != 4 || a.Watch.Failures != 0 {
		t.Errorf("watch = %+v, want 4 checks and no failure", a.Watch)
	}
	if len(h.events) != 0 {
		t.Errorf("events = %+v, want none", h.events)
	}
}

// A timestamp, a comment counter and an ad marker change on every load:
// never an alert.
func TestVolatileLinesDoNotAlert(t *testing.T) {
	h := newHarness(t, nil)
	h.site.Set("/a", watchtest.Article("story"))
	a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
	h.tick()
	h.site.Set("/a", watchtest.Article("story-noise"))
	h.untilNext(a.ID)
	// The page's text differs, so a version is kept; the change is trivial.
	res := h.result(a.ID)
	if res.Outcome != article.CheckChanged || res.Summary == nil || res.Summary.Significance != article.Trivial {
		t.Fatalf("noise-only check = %+v, want a trivial change", res)
	}
	if len(h.eventsOf(article.EventChanged)) != 0 || res.EventID != 0 {
		t.Fatalf("events = %+v, want none", h.events)
	}
}

func TestConditionalGet(t *testing.T) {
	h := newHarness(t, nil)
	r := watchtest.Article("story")
	r.ETag, r.LastModified = `"v1"`, "Thu, 26 Nov 2026 08:00:00 GMT"
	h.site.Set("/a", r)
	a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
	h.tick()
	if reqs := h.site.Requests("/a"); reqs[0].Header.Get("If-None-Match") != "" {
		t.Fatal("the baseline fetch sent validators it could not have")
	}
	h.untilNext(a.ID)
	reqs := h.site.Requests("/a")
	last := reqs[len(reqs)-1].Header
	if last.Get("If-None-Match") != `"v1"` || last.Get("If-Modified-Since") != "Thu, 26 Nov 2026 08:00:00 GMT" {
		t.Fatalf("the second fetch sent If-None-Match %q, If-Modified-Since %q", last.Get("If-None-Match"), last.Get("If-Modified-Since"))
	}
	res := h.result(a.ID)
	if res.Outcome != article.CheckUnchanged || res.HTTPStatus != 304 || res.Version != 2 {
		t.Fatalf("check answered with 304 = %+v", res)
	}
	if v := h.versions(a.ID); len(v) != 2 {
		t.Errorf("%d versions after a 304, want 2", len(v))
	}
	// The page changes, and its ETag with it: a full answer again.
	r = watchtest.Article("story-edited")
	r.ETag = `"v2"`
	h.site.Set("/a", r)
	h.untilNext(a.ID)
	if res := h.result(a.ID); res.Outcome != article.CheckChanged {
		t.Fatalf("check after the ETag changed = %+v", res)
	}
	if a = h.article(a.ID); a.Watch.ETag != `"v2"` {
		t.Errorf("the new ETag was not kept: %q", a.Watch.ETag)
	}
}

func TestTooManyRequestsHonoursRetryAfter(t *testing.T) {
	h := newHarness(t, nil)
	h.site.Set("/a", watchtest.Article("story"))
	h.site.Set("/b", watchtest.Article("story"))
	a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
	h.tick()
	h.site.Set("/a", watchtest.Response{Status: 429, RetryAfter: "7200"})
	h.untilNext(a.ID)
	res := h.result(a.ID)
	if res.Outcome != article.CheckError || res.HTTPStatus != 429 || !strings.Contains(res.Message, "slow down") {
		t.Fatalf("check answered 429 = %+v", res)
	}
	askedAt := h.clock.Now()
	if next := h.article(a.ID).Watch.NextCheck; !next.Equal(askedAt.Add(2 * time.Hour)) {
		t.Errorf("next check %s, want when the site said: %s", next, askedAt.Add(2*time.Hour))
	}

	// Another article of the same site comes due within the wait: it
	// waits too, and so does a check the user asks for.
	h.clock.Add(time.Minute)
	b := h.capture(h.site.URL("news.test", "/b"), watchtest.Page("story"))
	if r := h.tick(); r.Checked != 0 || r.Deferred != 1 {
		t.Fatalf("tick within Retry-After = %+v, want the new article deferred", r)
	}
	if got := h.article(b.ID).Watch.NextCheck; got.Before(askedAt.Add(2 * time.Hour)) {
		t.Errorf("deferred to %s, before the site's Retry-After", got)
	}
	hits := h.site.Hits("/a") + h.site.Hits("/b")
	now, _, err := h.w.CheckNow(h.ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if now.Outcome != article.CheckError || !strings.Contains(now.Message, "wait") {
		t.Errorf("check asked for within Retry-After = %+v, want the site's wait", now)
	}
	if got := h.site.Hits("/a") + h.site.Hits("/b"); got != hits {
		t.Fatalf("the site got %d requests within its Retry-After", got-hits)
	}

	h.clock.Set(askedAt.Add(2 * time.Hour))
	h.site.Set("/a", watchtest.Article("story"))
	if r := h.tick(); r.Checked != 1 {
		t.Fatalf("tick after Retry-After = %+v, want one check (the host is paced)", r)
	}
}

func TestServerErrorsBackOff(t *testing.T) {
	h := newHarness(t, nil)
	h.site.Set("/a", watchtest.Article("story"))
	h.site.Set("/b", watchtest.Article("story"))
	a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
	h.tick()
	h.site.Set("/a", watchtest.Response{Status: 503, Body: "<html><body><p>Service Unavailable</p></body></html>"})
	h.untilNext(a.ID)
	if res := h.result(a.ID); res.Outcome != article.CheckError || res.HTTPStatus != 503 {
		t.Fatalf("check answered 503 = %+v", res)
	}
	failedAt := h.clock.Now()
	h.clock.Add(10 * time.Second)
	b := h.capture(h.site.URL("news.test", "/b"), watchtest.Page("story"))
	if r := h.tick(); r.Checked != 0 {
		t.Fatalf("a check ran %s after a 503, within the backoff", h.clock.Now().Sub(failedAt))
	}
	// The user may still ask: the wait was Redline's idea, not the site's.
	hits := h.site.Hits("/b")
	if res, _, err := h.w.CheckNow(h.ctx, b.ID); err != nil || res.Outcome != article.CheckBaseline {
		t.Fatalf("check asked for after a 503 = %+v, %v", res, err)
	}
	if h.site.Hits("/b") != hits+1 {
		t.Fatal("the check asked for did not reach the site")
	}
	if a = h.article(a.ID); a.Watch.Failures != 1 || a.Watch.State != article.WatchWatching {
		t.Errorf("watch after a 503 = %+v, want one failure, still watching", a.Watch)
	}
}

func TestRemovedPagesAreToldOnce(t *testing.T) {
	for _, status := range []int{404, 410} {
		h := newHarness(t, nil)
		h.site.Set("/a", watchtest.Article("story"))
		a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
		h.tick()
		h.site.Set("/a", watchtest.Response{Status: status, Body: "<html><body><h1>Not found</h1></body></html>"})
		h.untilNext(a.ID)
		res := h.result(a.ID)
		if res.Outcome != article.CheckRemoved || res.HTTPStatus != status || res.EventID == 0 {
			t.Fatalf("%d: check = %+v, want removed with an event", status, res)
		}
		a = h.article(a.ID)
		if a.Watch.State != article.WatchRemoved || a.Watch.RemovedAt.IsZero() || a.Watch.NextCheck.IsZero() {
			t.Fatalf("%d: watch = %+v, want removed and still checked", status, a.Watch)
		}
		h.untilNext(a.ID)
		if ev := h.eventsOf(article.EventRemoved); len(ev) != 1 || ev[0].ArticleID != a.ID || ev[0].Version != 2 {
			t.Fatalf("%d: removed events = %+v, want one", status, ev)
		}
		// It comes back: watched again, no alert for content that did not
		// change.
		h.site.Set("/a", watchtest.Article("story"))
		h.untilNext(a.ID)
		if a = h.article(a.ID); a.Watch.State != article.WatchWatching || !a.Watch.RemovedAt.IsZero() {
			t.Fatalf("%d: watch after the page came back = %+v", status, a.Watch)
		}
		if len(h.eventsOf(article.EventChanged)) != 0 {
			t.Fatalf("%d: the page's return alerted", status)
		}
	}
}

// At the baseline the user has just read the page: a 404 then says the
// fetch cannot see it, not that it is gone.
func TestNotFoundAtTheBaselineIsNotCheckable(t *testing.T) {
	h := newHarness(t, nil)
	a := h.capture(h.site.URL("news.test", "/members/a"), watchtest.Page("story"))
	h.tick()
	a = h.article(a.ID)
	if a.Watch.State != article.WatchNotCheckable || a.Watch.Reason != ReasonNotFound {
		t.Fatalf("watch = %+v, want not checkable", a.Watch)
	}
	if len(h.eventsOf(article.EventRemoved)) != 0 {
		t.Fatal("a page the user just read was reported removed")
	}
}

func TestRedirects(t *testing.T) {
	h := newHarness(t, nil)
	h.site.Set("/old", watchtest.Response{Status: 301, Location: "/older"})
	h.site.Set("/older", watchtest.Response{Status: 302, Location: "/newer"})
	h.site.Set("/newer", watchtest.Response{Status: 307, Location: "/2026/11/budget"})
	h.site.Set("/2026/11/budget", watchtest.Article("story"))
	h.site.Set("/loop", watchtest.Response{Status: 302, Location: "/loop2"})
	h.site.Set("/loop2", watchtest.Response{Status: 302, Location: "/loop"})
	h.site.Set("/", watchtest.Response{Body: "<html><body><h1>Front page</h1><p>Today's news.</p></body></html>"})

	t.Run("a chain of three is followed", func(t *testing.T) {
		a := h.capture(h.site.URL("news.test", "/old"), watchtest.Page("story"))
		h.tick()
		if res := h.result(a.ID); res.Outcome != article.CheckBaseline {
			t.Fatalf("check through 3 redirects = %+v", res)
		}
		if got := h.article(a.ID).URL; got != h.site.URL("news.test", "/old") {
			t.Errorf("the redirect moved the article to %s", got)
		}
		// The page the reader read is not told to where it redirects.
		for _, p := range []string{"/old", "/older", "/newer", "/2026/11/budget"} {
			for _, r := range h.site.Requests(p) {
				if ref := r.Header.Get("Referer"); ref != "" {
					t.Errorf("the request for %s carried Referer %q", p, ref)
				}
			}
		}
	})
	t.Run("a loop stops after five", func(t *testing.T) {
		h.clock.Add(time.Minute)
		before := h.site.Hits("/loop") + h.site.Hits("/loop2")
		a := h.capture(h.site.URL("news.test", "/loop"), watchtest.Page("story"))
		h.tick()
		res := h.result(a.ID)
		if res.Outcome != article.CheckError || !strings.Contains(res.Message, "more than 5 redirects") {
			t.Fatalf("check of a redirect loop = %+v", res)
		}
		if hits := h.site.Hits("/loop") + h.site.Hits("/loop2") - before; hits != 6 {
			t.Errorf("the loop was followed for %d requests, want 6 (5 redirects)", hits)
		}
	})
	t.Run("a page sent to the home page is removed", func(t *testing.T) {
		h.clock.Add(time.Minute)
		h.site.Set("/story", watchtest.Article("story"))
		tr := h.track(h.site.URL("home.test", "/story"))
		h.site.Set("/story", watchtest.Response{Status: 301, Location: "/"})
		h.untilNext(tr.Article.ID)
		if res := h.result(tr.Article.ID); res.Outcome != article.CheckRemoved || !strings.Contains(res.Message, "home page") {
			t.Fatalf("check of a page sent home = %+v", res)
		}
	})
}

// Every way a fetch can fail is a failed check: no version, no event, a
// failure counted, the next check planned, the host freed.
func TestFetchFailures(t *testing.T) {
	cases := []struct {
		name string
		resp watchtest.Response
		want string
	}{
		{"slow body", watchtest.Response{Body: watchtest.Page("story"), Behaviour: watchtest.Slow}, "did not send the page within"},
		{"endless body", watchtest.Response{Behaviour: watchtest.Endless}, "larger than"},
		{"body cut off", watchtest.Response{Body: watchtest.Page("story-edited"), Behaviour: watchtest.Truncated}, "ended before the page did"},
		{"connection reset", watchtest.Response{Behaviour: watchtest.Reset}, "reset the connection"},
		{"broken gzip", watchtest.Response{Body: "not gzip at all", Header: map[string]string{"Content-Encoding": "gzip"}}, "gzip encoding is broken"},
		{"unknown encoding", watchtest.Response{Body: "zzz", Header: map[string]string{"Content-Encoding": "zstd"}}, "does not read"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Only the slow body needs the timeout to run out; the other
			// faults end at once, and get room to on a loaded machine.
			timeout := 20 * time.Second
			if c.resp.Behaviour == watchtest.Slow {
				timeout = 300 * time.Millisecond
			}
			h := newHarness(t, func(fo *FetcherOptions, _ *Options) {
				fo.Timeout = timeout
				fo.MaxBody = 1 << 20
			})
			h.site.Set("/a", watchtest.Article("story"))
			a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
			h.tick()
			h.site.Set("/a", c.resp)
			h.untilNext(a.ID)
			res := h.result(a.ID)
			if res.Outcome != article.CheckError || !strings.Contains(res.Message, c.want) {
				t.Fatalf("check = %+v, want an error saying %q", res, c.want)
			}
			a = h.article(a.ID)
			if len(h.versions(a.ID)) != 2 || len(h.events) != 0 || a.Watch.Failures != 1 || a.Watch.NextCheck.IsZero() {
				t.Fatalf("after a failed check: %d versions, %d events, watch %+v", len(h.versions(a.ID)), len(h.events), a.Watch)
			}
			// The site recovers; the next check goes through.
			h.site.Set("/a", watchtest.Article("story"))
			h.clock.Set(a.Watch.NextCheck.Add(backoffMax))
			h.tick()
			if res := h.result(a.ID); res.Outcome != article.CheckUnchanged {
				t.Fatalf("check after recovery = %+v", res)
			}
		})
	}
}

func TestEncodingsOfPages(t *testing.T) {
	h := newHarness(t, nil)
	page := strings.Replace(watchtest.Page("story"), `<meta charset="utf-8">`, "", 1)
	latin1, err := encoding.ReplaceUnsupported(charmap.ISO8859_1.NewEncoder()).String(strings.ReplaceAll(page, "RIVERTON", "RIVERTÓN"))
	if err != nil {
		t.Fatal(err)
	}
	h.site.Set("/latin1", watchtest.Response{Body: latin1, ContentType: "text/html; charset=ISO-8859-1"})
	h.site.Set("/gzip", watchtest.Response{Body: watchtest.Page("story"), Encoding: "gzip"})
	h.site.Set("/br", watchtest.Response{Body: watchtest.Page("story"), Encoding: "br"})
	for _, path := range []string{"/latin1", "/gzip", "/br"} {
		h.clock.Add(time.Minute)
		tr := h.track(h.site.URL("news.test", path))
		v, err := h.st.Version(tr.Article.ID, tr.Result.Version)
		if err != nil {
			t.Fatal(err)
		}
		text := ""
		for _, b := range v.Blocks {
			text += b.Text + "\n"
		}
		if !strings.Contains(text, "city council postponed") || path == "/latin1" && !strings.Contains(text, "RIVERTÓN") {
			t.Errorf("%s: fetched text reads wrong:\n%s", path, text)
		}
	}
	last := h.site.Requests("/br")[0].Header
	if last.Get("Accept-Encoding") != "gzip, br, deflate" || last.Get("User-Agent") != "Redline/test (+local change tracker)" {
		t.Errorf("request headers: Accept-Encoding %q, User-Agent %q", last.Get("Accept-Encoding"), last.Get("User-Agent"))
	}
}

func TestNonHTMLIsSkipped(t *testing.T) {
	h := newHarness(t, nil)
	h.site.Set("/report.pdf", watchtest.Response{Body: "%PDF-1.7 binary", ContentType: "application/pdf"})
	a := h.capture(h.site.URL("news.test", "/report.pdf"), watchtest.Page("story"))
	h.tick()
	a = h.article(a.ID)
	if a.Watch.State != article.WatchNotCheckable || a.Watch.Reason != ReasonNotHTML || !strings.Contains(a.Watch.Message, "application/pdf") {
		t.Fatalf("watch = %+v, want not checkable: not HTML", a.Watch)
	}
	// The URL is known: track checks it again and says what it found.
	if tr, err := h.w.Track(h.ctx, h.site.URL("news.test", "/report.pdf")); err != nil || tr.Result.Outcome != article.CheckNotCheckable {
		t.Fatalf("track of a known PDF = %+v, %v", tr, err)
	}
	if _, err := h.w.Track(h.ctx, h.site.URL("other.test", "/report.pdf")); err == nil || !strings.Contains(err.Error(), "not HTML") {
		t.Fatalf("track of a new PDF: %v, want a refusal", err)
	}
}

// A paywalled fetch of a page the browser captured in full is not the
// article: not checkable, shown with its reason, no version, no alert.
// (With re-checks through the browser off; on, the browser checks it:
// TestPaywalledArticleIsCheckedThroughTheBrowser.)
func TestPaywalledFetchIsNotCheckable(t *testing.T) {
	h := newHarness(t, nil)
	h.setRechecks(RecheckPatch{Enabled: ptr(false)})
	h.site.Set("/a", watchtest.Article("story-paywall"))
	a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
	h.tick()
	a = h.article(a.ID)
	if a.Watch.State != article.WatchNotCheckable || a.Watch.Reason != ReasonPaywall || !strings.Contains(a.Watch.Message, "subscription") {
		t.Fatalf("watch = %+v, want not checkable behind a paywall", a.Watch)
	}
	if a.LatestFetch != 0 || len(h.versions(a.ID)) != 1 || len(h.events) != 0 {
		t.Fatalf("the paywall was stored or alerted: fetch version %d, events %+v", a.LatestFetch, h.events)
	}
	if !a.Watch.NextCheck.IsZero() {
		t.Fatalf("a not-checkable article has a next check: %s", a.Watch.NextCheck)
	}
	hits := h.site.Hits("/a")
	h.clock.Add(48 * time.Hour)
	if r := h.tick(); r.Checked != 0 || h.site.Hits("/a") != hits {
		t.Fatal("a not-checkable article was fetched on the schedule")
	}
	// The browser still follows it: a new capture with an edit alerts.
	edited := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story-edited"))
	if len(edited.Unseen) != 1 {
		t.Errorf("a browser capture of the edit did not alert: %+v", edited.Unseen)
	}
}

// A bot check that appears after good fetches is a failure, not an edit;
// repeated, it makes the article not checkable.
func TestBotCheckLaterNeverAlerts(t *testing.T) {
	h := newHarness(t, nil)
	h.site.Set("/a", watchtest.Article("story"))
	a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
	h.tick()
	h.site.Set("/a", watchtest.Response{Status: 403, Body: watchtest.Page("challenge")})
	h.untilNext(a.ID)
	res := h.result(a.ID)
	if res.Outcome != article.CheckNotCheckable || res.Reason != ReasonBotCheck {
		t.Fatalf("check answered with a bot check = %+v", res)
	}
	if a = h.article(a.ID); a.Watch.State != article.WatchWatching || a.Watch.Failures != 1 {
		t.Fatalf("one bot check made the watch %+v, want still watching with one failure", a.Watch)
	}
	h.site.Set("/a", watchtest.Response{Body: watchtest.Page("challenge")}) // a 200 this time
	h.untilNext(a.ID)
	h.untilNext(a.ID)
	if a = h.article(a.ID); a.Watch.State != article.WatchNotCheckable || a.Watch.Reason != ReasonBotCheck {
		t.Fatalf("three bot checks in a row left the watch %+v", a.Watch)
	}
	if len(h.versions(a.ID)) != 2 || len(h.events) != 0 {
		t.Fatalf("a bot check was stored or alerted: %d versions, %+v", len(h.versions(a.ID)), h.events)
	}
}

func TestPrivateNetworkIsRefused(t *testing.T) {
	h := newHarness(t, func(fo *FetcherOptions, _ *Options) { fo.AllowPrivate = false })
	h.site.Set("/a", watchtest.Article("story"))
	for _, u := range []string{
		h.site.LoopbackURL("/a"),              // loopback by address
		h.site.URL("news.example.com", "/a"),  // a public name that resolves to 127.0.0.1
		h.site.URL("intranet.local", "/a"),    // a local name: not even looked up
		"http://10.20.30.40:" + "8080" + "/a", // a private address: never dialled
		"http://[::ffff:127.0.0.1]:8080/a",    // loopback wrapped in IPv6
		"http://169.254.169.254/a",            // link-local (cloud metadata)
	} {
		h.clock.Add(time.Minute)
		a := h.capture(u, watchtest.Page("story"))
		h.tick()
		a = h.article(a.ID)
		if a.Watch.State != article.WatchNotCheckable || a.Watch.Reason != ReasonPrivate || !strings.Contains(a.Watch.Message, "--allow-private") {
			t.Errorf("%s: watch = %+v, want refused as private", u, a.Watch)
		}
		if _, err := h.w.Track(h.ctx, strings.Replace(u, "/a", "/b", 1)); err == nil || !strings.Contains(err.Error(), "--allow-private") {
			t.Errorf("%s: track: %v, want refused as private", u, err)
		}
	}
	if n := len(h.site.Requests("")); n != 0 {
		t.Fatalf("the site on 127.0.0.1 got %d requests with private addresses refused", n)
	}
}

// Names reserved for examples are never looked up, even when private
// addresses are allowed: no DNS query leaves the machine for them.
func TestReservedNamesAreNeverLookedUp(t *testing.T) {
	looked := 0
	h := newHarness(t, func(fo *FetcherOptions, _ *Options) {
		fo.Resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			looked++
			return watchtest.Resolve(ctx, host)
		}
	})
	a := h.capture("https://news.example/2026/11/story", watchtest.Page("story"))
	h.tick()
	if a = h.article(a.ID); a.Watch.State != article.WatchNotCheckable || !strings.Contains(a.Watch.Message, "reserved") || looked != 0 {
		t.Fatalf("watch = %+v after %d lookups", a.Watch, looked)
	}
}

func TestSpacingBetweenScheduledRequestsToOneHost(t *testing.T) {
	h := newHarness(t, nil)
	h.site.Set("/a", watchtest.Article("story"))
	h.site.Set("/b", watchtest.Article("story"))
	h.site.Set("/c", watchtest.Article("story"))
	a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
	b := h.capture(h.site.URL("news.test", "/b"), watchtest.Page("story"))
	c := h.capture(h.site.URL("www.other.test", "/c"), watchtest.Page("story"))
	if r := h.tick(); r.Checked != 2 || r.Deferred != 1 {
		t.Fatalf("first tick = %+v, want one check per host and one deferred", r)
	}
	if h.site.Hits("/c") != 1 || h.site.Hits("/a")+h.site.Hits("/b") != 1 {
		t.Fatal("the first tick did not check one article of each host")
	}
	h.clock.Add(4 * time.Second)
	if r := h.tick(); r.Checked != 0 {
		t.Fatalf("a tick within the spacing checked %d", r.Checked)
	}
	h.clock.Add(time.Second)
	if r := h.tick(); r.Checked != 1 {
		t.Fatalf("a tick after the spacing = %+v, want the deferred check", r)
	}
	for _, id := range []int64{a.ID, b.ID, c.ID} {
		if res := h.result(id); res.Outcome != article.CheckBaseline {
			t.Errorf("article %d: %+v", id, res)
		}
	}
}

// A check the user asks for runs at once, without waiting for the spacing,
// but never beside another request to the same host.
func TestCheckNowRunsAtOnceOneRequestPerHost(t *testing.T) {
	h := newHarness(t, func(_ *FetcherOptions, o *Options) { o.Spacing = time.Hour })
	h.site.Set("/a", watchtest.Article("story"))
	h.site.Set("/b", watchtest.Article("story"))
	a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
	h.tick()
	// Within the hour of spacing, a check asked for goes through.
	h.clock.Add(time.Minute)
	if res, _, err := h.w.CheckNow(h.ctx, a.ID); err != nil || res.Outcome != article.CheckUnchanged {
		t.Fatalf("check now within the spacing = %+v, %v", res, err)
	}

	// A scheduled request to the host is held by the site; a check asked
	// for waits for it.
	h.site.Set("/b", watchtest.Response{Body: watchtest.Page("story"), Behaviour: watchtest.Hold})
	b := h.capture(h.site.URL("news.test", "/b"), watchtest.Page("story"))
	h.clock.Add(2 * time.Hour)
	ticked := make(chan TickReport)
	go func() { ticked <- h.w.Tick(h.ctx) }()
	h.waitRequest("/b") // the scheduled baseline of b, held by the site
	queued := make(chan string, 1)
	h.w.hosts.mu.Lock()
	h.w.hosts.queued = func(name string) { queued <- name }
	h.w.hosts.mu.Unlock()
	type answer struct {
		res article.CheckResult
		err error
	}
	asked := make(chan answer)
	go func() {
		res, _, err := h.w.CheckNow(h.ctx, b.ID)
		asked <- answer{res, err}
	}()
	if name := <-queued; !strings.HasPrefix(name, "news.test:") {
		t.Fatalf("queued behind %q", name)
	}
	h.site.Set("/b", watchtest.Article("story"))
	h.site.Release()
	<-ticked
	got := <-asked
	if got.err != nil || got.res.Outcome == article.CheckError {
		t.Fatalf("check now behind a running request = %+v, %v", got.res, got.err)
	}
	if per, _ := h.site.MaxConcurrent("news.test"); per != 1 {
		t.Fatalf("%d requests ran at once on one host", per)
	}
}

func TestWorkerLimit(t *testing.T) {
	h := newHarness(t, func(_ *FetcherOptions, o *Options) { o.Workers = 2 })
	for _, host := range []string{"one.test", "two.test", "three.test"} {
		h.site.SetOn(host, "/a", watchtest.Article("story"))
		h.capture(h.site.URL(host, "/a"), watchtest.Page("story"))
	}
	if r := h.tick(); r.Checked != 2 {
		t.Fatalf("a tick with 2 workers ran %d checks", r.Checked)
	}
	if r := h.tick(); r.Checked != 1 {
		t.Fatalf("the next tick ran %d checks, want the third", r.Checked)
	}
}

func TestTrackCountsTheBaselineAsRead(t *testing.T) {
	h := newHarness(t, nil)
	h.site.Set("/a", watchtest.Article("story"))
	u := h.site.URL("news.test", "/a?utm_source=feed")
	tr := h.track(u)
	if !tr.Created || tr.Result.Outcome != article.CheckBaseline || tr.Article.Read.Version != 1 || !tr.Article.Watch.Named {
		t.Fatalf("track = %+v", tr)
	}
	if !strings.HasPrefix(tr.Article.Title, "Council delays budget vote") {
		t.Errorf("title %q", tr.Article.Title)
	}
	again := h.track(u)
	if again.Created || again.Article.ID != tr.Article.ID || again.Result.Outcome != article.CheckUnchanged {
		t.Fatalf("tracking the same page again = %+v", again)
	}
	h.site.Set("/a", watchtest.Article("story-edited"))
	h.untilNext(tr.Article.ID)
	ev := h.eventsOf(article.EventChanged)
	if len(ev) != 1 || ev[0].FromVersion != 1 || ev[0].ToVersion != 2 {
		t.Fatalf("events after the tracked page changed = %+v, want changed since read", ev)
	}

	for name, resp := range map[string]watchtest.Response{
		"/gone":      {Status: 404},
		"/paywall":   watchtest.Article("story-paywall"),
		"/challenge": {Status: 403, Body: watchtest.Page("challenge")},
	} {
		h.site.Set(name, resp)
		if _, err := h.w.Track(h.ctx, h.site.URL("news.test", name)); err == nil || article.ErrorCode(err) != article.EINVALID {
			t.Errorf("track %s: %v, want a refusal", name, err)
		}
		if _, err := h.st.ArticleByURL(h.site.URL("news.test", name)); err == nil {
			t.Errorf("track %s stored an article", name)
		}
	}
	if _, err := h.w.Track(h.ctx, "ftp://news.test/a"); article.ErrorCode(err) != article.EINVALID {
		t.Errorf("track of an ftp URL: %v", err)
	}
}

func TestPauseAndResume(t *testing.T) {
	h := newHarness(t, nil)
	h.site.Set("/a", watchtest.Article("story"))
	h.site.Set("/b", watchtest.Article("story"))
	a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
	b := h.capture(h.site.URL("www.other.test", "/b"), watchtest.Page("story"))
	h.tick()
	if _, err := h.w.Pause(h.ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := h.w.PauseSite(h.ctx, "www.other.test"); err != nil || n != 1 {
		t.Fatalf("pause site: %d, %v", n, err)
	}
	if sites, _ := h.w.PausedSites(); len(sites) != 1 || sites[0] != "other.test" {
		t.Fatalf("paused sites = %q", sites)
	}
	h.clock.Add(24 * time.Hour)
	if r := h.tick(); r.Checked != 0 {
		t.Fatalf("paused articles were checked: %+v", r)
	}
	// A new article of a paused site starts paused.
	c := h.capture(h.site.URL("www.other.test", "/c"), watchtest.Page("story"))
	if c.Watch.State != article.WatchPaused {
		t.Fatalf("a new article of a paused site: %+v", c.Watch)
	}
	if _, err := h.w.Resume(h.ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := h.w.ResumeSite(h.ctx, "other.test"); err != nil || n != 2 {
		t.Fatalf("resume site: %d, %v", n, err)
	}
	if r := h.tick(); r.Checked != 2 || r.Deferred != 1 {
		t.Fatalf("tick after resuming = %+v, want all three due, two on one host", r)
	}
	for _, id := range []int64{a.ID, b.ID} {
		if st := h.article(id).Watch.State; st != article.WatchWatching {
			t.Errorf("article %d is %s after resume", id, st)
		}
	}
}

func TestForgettingAnArticleForgetsItsCheck(t *testing.T) {
	h := newHarness(t, nil)
	h.site.Set("/a", watchtest.Article("story"))
	a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
	if err := h.st.DeleteArticle(h.ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if r := h.tick(); r.Checked != 0 || h.site.Hits("/a") != 0 {
		t.Fatalf("a forgotten article was checked: %+v", r)
	}
	if _, ok, _ := h.st.NextDue(); ok {
		t.Fatal("a forgotten article left a planned check")
	}
}

// Run is the daemon's loop: a capture wakes it and the baseline fetch
// follows without any tick from outside.
func TestRunTakesTheBaselineRightAfterACapture(t *testing.T) {
	checked := make(chan article.CheckResult, 8)
	h := newHarness(t, func(_ *FetcherOptions, o *Options) {
		o.Clock = time.Now
		o.Checked = func(_ article.Article, r article.CheckResult) { checked <- r }
	})
	h.site.Set("/a", watchtest.Article("story"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		h.w.Run(ctx)
		close(done)
	}()
	defer func() {
		cancel()
		<-done
	}()
	h.clock.Set(time.Now())
	a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
	if res := <-checked; res.Outcome != article.CheckBaseline {
		t.Fatalf("baseline = %+v", res)
	}
	if a = h.article(a.ID); a.LatestFetch != 2 {
		t.Fatalf("no fetched version after the baseline: %+v", a)
	}
}

// A check that falls due while dispatch runs is not slept through: the
// loop looks again at once. Checks that were due when dispatch looked and
// are still there are in flight or wait for a worker; their end wakes it.
func TestLoopDoesNotOversleepACheckThatFellDueDuringDispatch(t *testing.T) {
	h := newHarness(t, nil)
	h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story")) // due at t0
	h.clock.Set(t0.Add(time.Millisecond))
	if d := h.w.sleep(t0.Add(-time.Millisecond), false); d != 0 {
		t.Fatalf("sleep %s with a check that fell due during dispatch", d)
	}
	if d := h.w.sleep(t0, false); d != maxWait {
		t.Fatalf("sleep %s with only checks that dispatch saw", d)
	}
	h.clock.Set(t0.Add(-time.Minute))
	if d := h.w.sleep(t0.Add(-time.Minute), false); d != time.Minute {
		t.Fatalf("sleep %s a minute before the next check", d)
	}
}

// Forgetting an article while its check runs forgets it: the check does
// not bring it back.
func TestForgetDuringACheckIsFinal(t *testing.T) {
	h := newHarness(t, nil)
	h.site.Set("/a", watchtest.Response{Body: watchtest.Page("story"), Behaviour: watchtest.Hold})
	a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
	ticked := make(chan TickReport)
	go func() { ticked <- h.tick() }()
	h.waitRequest("/a")
	if err := h.st.DeleteArticle(h.ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	h.site.Release()
	<-ticked
	if _, err := h.st.ArticleByURL(a.URL); article.ErrorCode(err) != article.ENOTFOUND {
		t.Fatalf("the forgotten article is back: %v", err)
	}
	if st, _ := h.st.Stats(); st.Articles != 0 {
		t.Fatalf("%d articles after forgetting the only one", st.Articles)
	}
}

// A fetched page with more text than a capture may hold is stored cut to
// the limits, as the extension cuts what it captures, rather than
// refused: its start is kept, its text is within MaxTextBytes.
func TestLongPageIsCutToTheCaptureLimit(t *testing.T) {
	h := newHarness(t, nil)
	var page strings.Builder
	page.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>The whole report</title></head><body><main><article><h1>The whole report</h1>`)
	para := strings.Repeat("The commission heard from residents, officials and engineers about the state of the bridge. ", 11)
	n := 0
	for i := 0; n <= article.MaxTextBytes+100<<10; i++ {
		p := fmt.Sprintf("Section %d. %s", i, para)
		fmt.Fprintf(&page, "<p>%s</p>\n", p)
		n += len(p)
	}
	page.WriteString(`</article></main></body></html>`)
	h.site.Set("/report", watchtest.Response{Body: page.String()})

	tr := h.track(h.site.URL("news.test", "/report"))
	if !tr.Created || tr.Result.Outcome != article.CheckBaseline {
		t.Fatalf("track of a page with %d bytes of text = %+v", n, tr.Result)
	}
	v, err := h.st.Version(tr.Article.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, b := range v.Blocks {
		total += len(b.Text)
	}
	if total > article.MaxTextBytes || total < article.MaxTextBytes-len(para)-100 {
		t.Errorf("stored %d bytes of text from a page with %d; want at most, and close to, %d", total, n, article.MaxTextBytes)
	}
	if !strings.HasPrefix(v.Blocks[0].Text, "Section 0.") {
		t.Errorf("first block %.40q: the start of the page must be kept", v.Blocks[0].Text)
	}
}

// A redesign that leaves the second half of the story out of the part the
// extractor keeps, while the page still shows it, is a page layout
// change: the watcher's capture carries the page's text, so the check
// stores a version marked as such and the reader hears nothing.
func TestTemplateDriftIsALayoutChange(t *testing.T) {
	h := newHarness(t, nil)
	story := watchtest.Page("story")
	h.site.Set("/a", watchtest.Response{Body: story})
	tr := h.track(h.site.URL("news.test", "/a"))

	const cut = `<div class="ad">`
	i, j := strings.Index(story, cut), strings.Index(story, `<p class="comments">`)
	split := story[:i] + story[j:]
	split = strings.Replace(split, "<footer>", `<section class="story-continues"><div class="more">`+story[i:j]+`</div></section><footer>`, 1)
	h.site.Set("/a", watchtest.Response{Body: split})
	h.untilNext(tr.Article.ID)

	r := h.result(tr.Article.ID)
	if r.Outcome != article.CheckChanged || r.Summary == nil || !r.Summary.Layout || r.Summary.Significance != article.Trivial {
		t.Fatalf("check of the redesigned page = %+v (summary %+v), want a trivial layout change", r, r.Summary)
	}
	if want := "changed: page layout changed (no alert)"; r.Message != want {
		t.Errorf("check message %q, want %q", r.Message, want)
	}
	if ev := h.eventsOf(article.EventChanged); len(ev) != 0 {
		t.Errorf("a layout change alerted: %+v", ev)
	}
	if vs := h.versions(tr.Article.ID); len(vs) != 2 || !vs[1].Layout {
		t.Errorf("versions = %+v, want the second marked a layout change", vs)
	}
}
