package watch

import (
	"strings"
	"testing"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/watch/watchtest"
)

// Re-checks through the reader's browser, driven as the watcher's loops
// would drive them: Tick files due checks as jobs, offer hands jobs to
// the extensions attached, and the test plays the extension.

func (h *harness) setRechecks(p RecheckPatch) RecheckSettings {
	h.t.Helper()
	s, err := h.w.SetRecheckSettings(h.ctx, p)
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

func ptr[T any](v T) *T { return &v }

// paywalled serves the article behind a paywall to the daemon's fetch,
// captures it in full as the reader's browser did, and lets the first
// fetch find it not checkable.
func (h *harness) paywalled(path string) article.Article {
	h.t.Helper()
	h.site.Set(path, watchtest.Article("story-paywall"))
	a := h.capture(h.site.URL("news.test", path), watchtest.Page("story"))
	for i := 0; i < 3 && h.article(a.ID).Watch.LastResult == nil; i++ {
		h.tick() // the host's spacing may defer the first fetch
		h.clock.Add(5 * time.Second)
	}
	a = h.article(a.ID)
	if a.Watch.State != article.WatchNotCheckable || a.Watch.Via != article.ViaBrowser || a.Watch.NextCheck.IsZero() {
		h.t.Fatalf("after a paywalled fetch, watch = %+v; want not checkable, via the browser, with a next check", a.Watch)
	}
	return a
}

// extension plays a connected extension that takes jobs.
type extension struct {
	h      *harness
	jobs   <-chan any
	ready  func()
	detach func()
}

func (h *harness) attach() *extension {
	jobs, ready, detach := h.w.Attach()
	h.t.Cleanup(detach)
	return &extension{h: h, jobs: jobs, ready: ready, detach: detach}
}

// runJobLoop runs the watcher's job loop, as its Run does, until the
// test ends: each wake offers the waiting jobs.
func (h *harness) runJobLoop() {
	stop := make(chan struct{})
	done := make(chan struct{})
	h.t.Cleanup(func() { close(stop); <-done })
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-h.w.browsers.wake:
				h.w.offer(h.ctx)
			}
		}
	}()
}

// offered runs one pass of the job loop and returns the jobs it offered
// to this extension.
func (e *extension) offered() []RecheckRequest {
	e.h.t.Helper()
	e.h.w.offer(e.h.ctx)
	var out []RecheckRequest
	for {
		select {
		case m := <-e.jobs:
			out = append(out, m.(RecheckRequest))
		default:
			return out
		}
	}
}

func (e *extension) one() RecheckRequest {
	e.h.t.Helper()
	got := e.offered()
	if len(got) != 1 {
		e.h.t.Fatalf("offered %d jobs, want 1: %+v", len(got), got)
	}
	if got[0].Type != "recheck.request" || len(got[0].JobID) != 32 {
		e.h.t.Fatalf("request = %+v", got[0])
	}
	return got[0]
}

// page answers a job with a page as the extension fetched it: its HTML
// and what reader mode makes of it (nil blocks: reader mode found none).
func (h *harness) page(status int, html string, blocks []article.Block) RecheckAnswer {
	ans := RecheckAnswer{Outcome: AnswerPage, HTTPStatus: status, HTML: html}
	if blocks != nil {
		ans.Capture = &article.Capture{
			URL: "https://news.test/a", Title: "Council delays budget vote after auditor's warning", Blocks: blocks,
			CapturedAt: h.clock.Now(), Source: article.SourceBrowser, Extractor: "readability@0.6.0",
		}
	}
	return ans
}

func (h *harness) answer(job string, ans RecheckAnswer) (article.CheckResult, article.Article) {
	h.t.Helper()
	res, a, err := h.w.Answer(h.ctx, job, ans)
	if err != nil {
		h.t.Fatalf("answer: %v", err)
	}
	return res, a
}

// The acceptance path: the daemon's fetch sees a paywall; the next due
// check is a job for the browser, which sees the article; an edit then
// alerts, and the read mark stays where the reader left it.
func TestPaywalledArticleIsCheckedThroughTheBrowser(t *testing.T) {
	h := newHarness(t, nil)
	a := h.paywalled("/a")
	hits := h.site.Hits("/a")

	// Due: the check becomes a job, and the daemon fetches nothing.
	h.untilNext(a.ID)
	if h.site.Hits("/a") != hits {
		t.Fatal("the daemon fetched an article that goes to the browser")
	}
	a = h.article(a.ID)
	if a.Watch.Browser == nil || a.Watch.Browser.State != article.BrowserWaiting || !a.Watch.NextCheck.IsZero() {
		t.Fatalf("watch = %+v, browser %+v; want waiting for the browser, off the schedule", a.Watch, a.Watch.Browser)
	}
	// Due again later: still one job, no fetch.
	h.clock.Add(time.Hour)
	h.tick()
	if jobs, _ := h.st.Rechecks(); len(jobs) != 1 || h.site.Hits("/a") != hits {
		t.Fatalf("jobs %+v, hits %d; want one job and no fetch", jobs, h.site.Hits("/a"))
	}

	ext := h.attach()
	req := ext.one()
	if req.ArticleID != a.ID || req.URL != a.URL {
		t.Fatalf("request = %+v, want article %d at %s", req, a.ID, a.URL)
	}
	if got := h.article(a.ID).Watch.Browser.State; got != article.BrowserRunning {
		t.Fatalf("browser state while the extension holds the job = %q", got)
	}

	// The browser sees the same article the reader read: unchanged.
	res, a := h.answer(req.JobID, h.page(200, watchtest.Page("story"), readerMode(t, watchtest.Page("story"))))
	if res.Outcome != article.CheckUnchanged || res.Via != article.ViaBrowser {
		t.Fatalf("result = %+v, want unchanged through the browser", res)
	}
	if a.Watch.Browser.State != article.BrowserIdle || !a.Watch.Browser.LastChecked.Equal(h.clock.Now()) || a.Watch.NextCheck.IsZero() {
		t.Fatalf("after the answer: watch %+v, browser %+v", a.Watch, a.Watch.Browser)
	}

	// The site edits the article; the next browser job finds the edit.
	h.untilNext(a.ID)
	req = ext.one()
	res, a = h.answer(req.JobID, h.page(200, watchtest.Page("story-edited"), readerMode(t, watchtest.Page("story-edited"))))
	if res.Outcome != article.CheckChanged || res.EventID == 0 || res.ReadVersion != 1 {
		t.Fatalf("result = %+v, want a change that alerts since version 1", res)
	}
	if a.Read.Version != 1 {
		t.Errorf("the re-check moved the read mark to %d", a.Read.Version)
	}
	vs := h.versions(a.ID)
	if len(vs) != 2 || vs[1].Source != article.SourceBrowser || a.LatestFetch != 0 {
		t.Fatalf("versions = %+v, want the read and a browser version, no fetch", vs)
	}
	if ev := h.eventsOf("article.changed"); len(ev) != 1 || ev[0].FromVersion != 1 || ev[0].ToVersion != 2 {
		t.Fatalf("events = %+v", ev)
	}
	if len(a.Unseen) != 1 {
		t.Errorf("unseen = %+v, want the change", a.Unseen)
	}
	if jobs, _ := h.st.Rechecks(); len(jobs) != 0 {
		t.Errorf("jobs left open: %+v", jobs)
	}
}

// Switched off, a not-checkable article is followed only by the reader's
// captures, as before re-checks through the browser.
func TestSwitchOffDropsJobsAndFetchDecides(t *testing.T) {
	h := newHarness(t, nil)
	a := h.paywalled("/a")
	h.untilNext(a.ID)
	hits := h.site.Hits("/a")
	s := h.setRechecks(RecheckPatch{Enabled: ptr(false)})
	if s.Enabled {
		t.Fatal("the switch did not turn off")
	}
	if jobs, _ := h.st.Rechecks(); len(jobs) != 0 {
		t.Fatalf("jobs left open with the switch off: %+v", jobs)
	}
	ext := h.attach()
	if got := ext.offered(); len(got) != 0 {
		t.Fatalf("offered %+v with the switch off", got)
	}
	// Due at once by fetch, which finds the paywall again: not checkable,
	// no next check.
	h.tick()
	a = h.article(a.ID)
	if h.site.Hits("/a") != hits+1 || a.Watch.State != article.WatchNotCheckable || a.Watch.Via != "" || !a.Watch.NextCheck.IsZero() {
		t.Fatalf("hits %d (was %d), watch %+v", h.site.Hits("/a"), hits, a.Watch)
	}
}

// The browser's fetch meets a paywall too (the subscription lapsed): the
// outcome is reported on the article and nothing is stored.
func TestBrowserWallIsReportedNotStored(t *testing.T) {
	h := newHarness(t, nil)
	a := h.paywalled("/a")
	h.untilNext(a.ID)
	ext := h.attach()
	req := ext.one()
	teaser := readerMode(t, watchtest.Page("story"))[:2]
	res, a := h.answer(req.JobID, h.page(200, watchtest.Page("story-paywall"), teaser))
	if res.Outcome != article.CheckNotCheckable || res.Reason != ReasonPaywall || !strings.Contains(res.Message, "subscription") {
		t.Fatalf("result = %+v, want a paywall", res)
	}
	if len(h.versions(a.ID)) != 1 || len(h.events) != 0 {
		t.Fatalf("the wall was stored or alerted: versions %d, events %+v", len(h.versions(a.ID)), h.events)
	}
	if a.Watch.NextCheck.IsZero() || a.Watch.Browser.Message != res.Message {
		t.Fatalf("watch %+v browser %+v: want the outcome shown and the next check planned", a.Watch, a.Watch.Browser)
	}
}

// A page that shows its article only with script is "needs a visit",
// never compared.
func TestScriptOnlyPageNeedsAVisit(t *testing.T) {
	h := newHarness(t, nil)
	a := h.paywalled("/a")
	shell := `<!doctype html><html><head><title>News</title><script src="/app.js"></script></head><body><div id="app">Loading…</div></body></html>`
	ext := h.attach()
	for _, blocks := range [][]article.Block{nil, {{Kind: article.KindParagraph, Text: "Loading…"}}} {
		h.untilNext(a.ID)
		req := ext.one()
		res, got := h.answer(req.JobID, h.page(200, shell, blocks))
		if res.Outcome != article.CheckNotCheckable || res.Reason != ReasonNeedsVisit || !strings.HasPrefix(res.Message, "needs a visit") {
			t.Fatalf("blocks %v: result = %+v, want needs a visit", blocks, res)
		}
		if len(h.versions(got.ID)) != 1 {
			t.Fatal("a script shell was stored")
		}
		a = got
	}
}

// An extension that holds a job and does not answer loses it: the check
// fails, the next is planned by the schedule, and a late answer is
// refused.
func TestLeaseTimesOutAndTheScheduleRetries(t *testing.T) {
	h := newHarness(t, func(_ *FetcherOptions, o *Options) { o.Lease = time.Minute })
	a := h.paywalled("/a")
	h.untilNext(a.ID)
	ext := h.attach()
	req := ext.one()
	h.clock.Add(time.Minute)
	if got := ext.offered(); len(got) != 0 {
		t.Fatalf("offered %+v while the lease ran out", got)
	}
	a = h.article(a.ID)
	if res := h.result(a.ID); res.Outcome != article.CheckError || !strings.Contains(res.Message, "did not answer") {
		t.Fatalf("result = %+v, want a failed check", res)
	}
	if a.Watch.NextCheck.IsZero() || a.Watch.Failures != 1 || a.Watch.Browser.State != article.BrowserIdle {
		t.Fatalf("watch = %+v, want the next check planned after one failure", a.Watch)
	}
	if _, _, err := h.w.Answer(h.ctx, req.JobID, h.page(200, watchtest.Page("story"), readerMode(t, watchtest.Page("story")))); article.ErrorCode(err) != article.ENOTFOUND {
		t.Fatalf("late answer: %v, want not found", err)
	}
	// Retried on the schedule: a new job.
	h.untilNext(a.ID)
	if again := ext.one(); again.JobID == req.JobID {
		t.Fatal("the retry reused the job that timed out")
	}
}

// No browser: the job waits and says so; a browser that connects later
// gets it. One that leaves while holding a job gives it back.
func TestJobWaitsForABrowser(t *testing.T) {
	h := newHarness(t, nil)
	a := h.paywalled("/a")
	h.untilNext(a.ID)
	h.w.offer(h.ctx)
	if b := h.article(a.ID).Watch.Browser; b.State != article.BrowserWaiting || !strings.Contains(b.Message, "none is connected") {
		t.Fatalf("browser = %+v, want waiting for a browser", b)
	}
	first := h.attach()
	req := first.one()
	first.detach()
	second := h.attach()
	if again := second.one(); again.JobID != req.JobID {
		t.Fatalf("the job given back came as %s, want %s", again.JobID, req.JobID)
	}
	if _, _, err := h.w.Answer(h.ctx, req.JobID, h.page(200, watchtest.Page("story"), readerMode(t, watchtest.Page("story")))); err != nil {
		t.Fatal(err)
	}
}

// Jobs live in the store: a daemon that restarts offers them again.
func TestJobsSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	h := newHarnessIn(t, dir)
	a := h.paywalled("/a")
	h.untilNext(a.ID)
	job := h.attach().one() // leased when the daemon stops
	h.st.Close()

	h2 := newHarnessIn(t, dir)
	h2.site = h.site
	if err := h2.w.loadJobs(); err != nil {
		t.Fatal(err)
	}
	again := h2.attach().one()
	if again.JobID != job.JobID || again.ArticleID != a.ID {
		t.Fatalf("after a restart the job came as %+v, want %+v", again, job)
	}
	res, _ := h2.answer(again.JobID, h2.page(200, watchtest.Page("story-edited"), readerMode(t, watchtest.Page("story-edited"))))
	if res.Outcome != article.CheckChanged {
		t.Fatalf("result = %+v", res)
	}
}

// The daily budget bounds the jobs leased in a day; the rest wait until
// the next day. The count survives a restart of the settings.
func TestDailyBudget(t *testing.T) {
	h := newHarness(t, nil)
	h.setRechecks(RecheckPatch{DailyBudget: ptr(1)})
	a := h.paywalled("/a")
	b := h.paywalled("/b")
	h.clock.Add(time.Hour)
	h.tick()
	ext := h.attach()
	req := ext.one()
	if got := h.w.RecheckSettings().UsedToday; got != 1 {
		t.Fatalf("used today = %d", got)
	}
	h.answer(req.JobID, h.page(200, watchtest.Page("story"), readerMode(t, watchtest.Page("story"))))
	if got := ext.offered(); len(got) != 0 {
		t.Fatalf("offered %+v over the budget", got)
	}
	other := b.ID
	if req.ArticleID == b.ID {
		other = a.ID
	}
	if msg := h.article(other).Watch.Browser.Message; !strings.Contains(msg, "budget of 1") {
		t.Fatalf("waiting message = %q, want the budget named", msg)
	}
	h.clock.Set(tomorrow(h.clock.Now()))
	if got := ext.one(); got.ArticleID != other {
		t.Fatalf("next day offered %+v, want article %d", got, other)
	}
}

// Check now is not held by the daily budget: the reader asked, so the job
// runs at once even when the day's budget is spent, its result says so,
// and it counts in the day's use; the scheduled jobs still wait for the
// next day.
func TestCheckNowRunsWhenTheBudgetIsSpent(t *testing.T) {
	h := newHarness(t, nil)
	h.setRechecks(RecheckPatch{DailyBudget: ptr(1)})
	a := h.paywalled("/a")
	b := h.paywalled("/b")
	h.clock.Add(time.Hour)
	h.tick()
	ext := h.attach()
	req := ext.one()
	h.answer(req.JobID, h.page(200, watchtest.Page("story"), readerMode(t, watchtest.Page("story"))))
	other := b.ID
	if req.ArticleID == b.ID {
		other = a.ID
	}
	if got := ext.offered(); len(got) != 0 {
		t.Fatalf("offered %+v over the budget", got)
	}

	// The reader asks for a check of the article whose job waits for
	// tomorrow: the extension gets it at once.
	go func() {
		for m := range ext.jobs {
			req := m.(RecheckRequest)
			h.w.Answer(h.ctx, req.JobID, h.page(200, watchtest.Page("story-edited"), readerMode(t, watchtest.Page("story-edited"))))
			return
		}
	}()
	h.runJobLoop()
	res, got, err := h.w.CheckNow(h.ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != article.CheckChanged || res.Via != article.ViaBrowser {
		t.Fatalf("result = %+v, want the change found through the browser", res)
	}
	if !strings.Contains(res.Message, "today's budget of 1 re-check through your browser is spent") || !strings.Contains(res.Message, "because you asked") {
		t.Fatalf("message = %q, want it to say the budget is spent and the check ran because it was asked for", res.Message)
	}
	if got.Watch.LastResult == nil || got.Watch.LastResult.Message != res.Message {
		t.Fatalf("the article's last result = %+v, want the same message", got.Watch.LastResult)
	}
	if used := h.w.RecheckSettings().UsedToday; used != 2 {
		t.Fatalf("used today = %d, want 2: check now counts", used)
	}
}

// One request at a time per host, spacing after it: the browser's jobs
// keep the fetcher's politeness, and share the host's turn with it.
func TestOneJobAtATimePerHost(t *testing.T) {
	h := newHarness(t, nil)
	h.paywalled("/a")
	h.paywalled("/b")
	h.clock.Add(time.Hour)
	h.tick()
	ext := h.attach()
	req := ext.one() // the other waits for the host
	h.answer(req.JobID, h.page(200, watchtest.Page("story"), readerMode(t, watchtest.Page("story"))))
	if got := ext.offered(); len(got) != 0 {
		t.Fatalf("offered %+v within the spacing", got)
	}
	h.clock.Add(5 * time.Second)
	ext.one()
}

// A site the user wants checked in the browser goes there even when the
// daemon's fetch sees the article.
func TestSiteCheckedInTheBrowser(t *testing.T) {
	h := newHarness(t, nil)
	s := h.setRechecks(RecheckPatch{Sites: ptr([]string{"https://www.news.test/anything"})})
	if len(s.Sites) != 1 || s.Sites[0] != "news.test" {
		t.Fatalf("sites = %v", s.Sites)
	}
	h.site.Set("/a", watchtest.Article("story"))
	a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
	hits := h.site.Hits("/a")
	h.tick()
	if h.site.Hits("/a") != hits {
		t.Fatal("the daemon fetched a page of a site checked in the browser")
	}
	if req := h.attach().one(); req.ArticleID != a.ID {
		t.Fatalf("request = %+v", req)
	}
}

// Bad answers are refused with a clear error, change nothing, and leave
// the job with its extension.
func TestBadAnswersChangeNothing(t *testing.T) {
	h := newHarness(t, nil)
	a := h.paywalled("/a")
	h.untilNext(a.ID)
	req := h.attach().one()
	good := func() RecheckAnswer {
		return h.page(200, watchtest.Page("story-edited"), readerMode(t, watchtest.Page("story-edited")))
	}
	cases := map[string]func(*RecheckAnswer){
		"unknown outcome":    func(x *RecheckAnswer) { x.Outcome = "done" },
		"no status":          func(x *RecheckAnswer) { x.HTTPStatus = 0 },
		"html too long":      func(x *RecheckAnswer) { x.HTML = strings.Repeat("a", MaxAnswerHTML+1) },
		"fetch source":       func(x *RecheckAnswer) { x.Capture.Source = article.SourceFetch },
		"empty blocks":       func(x *RecheckAnswer) { x.Capture.Blocks = nil },
		"bad url":            func(x *RecheckAnswer) { x.URL = "javascript:alert(1)" },
		"unknown decline":    func(x *RecheckAnswer) { *x = RecheckAnswer{Outcome: AnswerDeclined, Detail: "tired"} },
		"capture in future":  func(x *RecheckAnswer) { x.Capture.CapturedAt = h.clock.Now().Add(time.Hour) },
		"detail too long":    func(x *RecheckAnswer) { *x = RecheckAnswer{Outcome: AnswerError, Detail: strings.Repeat("x", 2000)} },
		"validator too long": func(x *RecheckAnswer) { x.ETag = strings.Repeat("x", 2000) },
	}
	for name, spoil := range cases {
		ans := good()
		spoil(&ans)
		if _, _, err := h.w.Answer(h.ctx, req.JobID, ans); article.ErrorCode(err) != article.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if len(h.versions(a.ID)) != 1 || h.article(a.ID).Watch.Browser.State != article.BrowserRunning {
		t.Fatal("a bad answer changed the article")
	}
	if _, _, err := h.w.Answer(h.ctx, strings.Repeat("0", 32), good()); article.ErrorCode(err) != article.ENOTFOUND {
		t.Errorf("unknown job: %v", err)
	}
	if res, _ := h.answer(req.JobID, good()); res.Outcome != article.CheckChanged {
		t.Fatalf("the good answer after bad ones: %+v", res)
	}
}

// An extension that declines (capture paused, say) gives the job back;
// it waits, saying why.
func TestDeclinedJobWaits(t *testing.T) {
	h := newHarness(t, nil)
	a := h.paywalled("/a")
	h.untilNext(a.ID)
	ext := h.attach()
	req := ext.one()
	h.answer(req.JobID, RecheckAnswer{Outcome: AnswerDeclined, Detail: "paused"})
	if b := h.article(a.ID).Watch.Browser; b.State != article.BrowserWaiting || !strings.Contains(b.Message, "paused") {
		t.Fatalf("browser = %+v", b)
	}
	if jobs, _ := h.st.Rechecks(); len(jobs) != 1 {
		t.Fatalf("jobs = %+v, want the job kept", jobs)
	}
}

// Check now on an article checked through the browser runs a job at once
// and answers with its outcome.
func TestCheckNowRunsABrowserJob(t *testing.T) {
	h := newHarness(t, nil)
	a := h.paywalled("/a")
	ext := h.attach()
	go func() {
		for m := range ext.jobs {
			req := m.(RecheckRequest)
			h.w.Answer(h.ctx, req.JobID, h.page(200, watchtest.Page("story-edited"), readerMode(t, watchtest.Page("story-edited"))))
			return
		}
	}()
	h.runJobLoop()
	hits := h.site.Hits("/a")
	res, got, err := h.w.CheckNow(h.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != article.CheckChanged || res.Via != article.ViaBrowser || got.Read.Version != 1 {
		t.Fatalf("result = %+v, read %d", res, got.Read.Version)
	}
	if h.site.Hits("/a") != hits {
		t.Error("check now fetched the page itself")
	}
}

// Check now that the extension declines answers at once with why, and the
// job waits for the next browser.
func TestCheckNowDeclinedAnswersAtOnce(t *testing.T) {
	h := newHarness(t, nil)
	a := h.paywalled("/a")
	ext := h.attach()
	go func() {
		for m := range ext.jobs {
			h.w.Answer(h.ctx, m.(RecheckRequest).JobID, RecheckAnswer{Outcome: AnswerDeclined, Detail: "paused"})
			return
		}
	}()
	h.runJobLoop()
	res, _, err := h.w.CheckNow(h.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != article.CheckError || !strings.Contains(res.Message, "paused") {
		t.Fatalf("result = %+v, want the decline said", res)
	}
	if jobs, _ := h.st.Rechecks(); len(jobs) != 1 {
		t.Fatalf("jobs = %+v, want the job kept", jobs)
	}
}

// Articles found not checkable while re-checks through the browser were
// off (or before they existed) go to the browser when they are turned on.
func TestSwitchOnSendsNotCheckableArticlesToTheBrowser(t *testing.T) {
	h := newHarness(t, nil)
	h.setRechecks(RecheckPatch{Enabled: ptr(false)})
	h.site.Set("/a", watchtest.Article("story-paywall"))
	a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
	h.tick()
	if a = h.article(a.ID); a.Watch.State != article.WatchNotCheckable || a.Watch.Via != "" || !a.Watch.NextCheck.IsZero() {
		t.Fatalf("with the switch off: watch = %+v", a.Watch)
	}
	hits := h.site.Hits("/a")
	h.setRechecks(RecheckPatch{Enabled: ptr(true)})
	if a = h.article(a.ID); a.Watch.Via != article.ViaBrowser || a.Watch.NextCheck.IsZero() {
		t.Fatalf("after turning it on: watch = %+v", a.Watch)
	}
	h.tick()
	if h.site.Hits("/a") != hits {
		t.Fatal("the daemon fetched it")
	}
	h.clock.Add(5 * time.Second) // the host's spacing after the fetch
	if req := h.attach().one(); req.ArticleID != a.ID {
		t.Fatalf("request = %+v", req)
	}
}

// A store from before re-checks through the browser sends its
// not-checkable articles there once, when the watcher first runs.
func TestOlderNotCheckableArticlesGoToTheBrowserOnce(t *testing.T) {
	dir := t.TempDir()
	h := newHarnessIn(t, dir)
	h.site.Set("/a", watchtest.Article("story-paywall"))
	a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
	h.tick()
	// As an older daemon left it: not checkable, nothing planned.
	if _, err := h.st.UpdateWatch(h.ctx, a.ID, func(a *article.Article) (*article.Event, error) {
		a.Watch.Via, a.Watch.NextCheck = "", time.Time{}
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := h.w.sendOnce(h.ctx); err != nil {
		t.Fatal(err)
	}
	if got := h.article(a.ID).Watch; got.Via != article.ViaBrowser || got.NextCheck.IsZero() {
		t.Fatalf("watch = %+v, want sent to the browser", got)
	}
	// Once: an article the user later set back is left alone.
	h.st.UpdateWatch(h.ctx, a.ID, func(a *article.Article) (*article.Event, error) {
		a.Watch.Via, a.Watch.NextCheck = "", time.Time{}
		return nil, nil
	})
	if err := h.w.sendOnce(h.ctx); err != nil {
		t.Fatal(err)
	}
	if got := h.article(a.ID).Watch; got.Via != "" {
		t.Fatalf("sent again: %+v", got)
	}
}

// An extension that declines a job (capture paused) is not offered it
// again at once: the job waits for the article's next due time on the
// schedule, the article says why, and the decline costs nothing of the
// day's budget. At the next due time the job is offered again.
func TestDeclinedJobWaitsForItsNextDueTime(t *testing.T) {
	h := newHarness(t, nil)
	a := h.paywalled("/a")
	h.untilNext(a.ID)
	ext := h.attach()
	req := ext.one()
	if used := h.w.RecheckSettings().UsedToday; used != 1 {
		t.Fatalf("used today while the extension holds the job = %d, want 1", used)
	}
	h.answer(req.JobID, RecheckAnswer{Outcome: AnswerDeclined, Detail: "paused"})
	if used := h.w.RecheckSettings().UsedToday; used != 0 {
		t.Fatalf("used today after a decline = %d, want 0: the browser made no request", used)
	}
	// The default schedule's first tier checks every 15 minutes: well
	// before that, the job stays with the daemon.
	at := h.clock.Now()
	for _, after := range []time.Duration{0, 10 * time.Second, 5 * time.Minute, 14 * time.Minute} {
		h.clock.Set(at.Add(after))
		if got := ext.offered(); len(got) != 0 {
			t.Fatalf("%s after the decline the job was offered again: %+v", after, got)
		}
	}
	b := h.article(a.ID).Watch.Browser
	if b.State != article.BrowserWaiting || b.Message != "waiting for your browser: capture is paused in your browser" {
		t.Fatalf("browser = %+v, want waiting, saying capture is paused", b)
	}
	if used := h.w.RecheckSettings().UsedToday; used != 0 {
		t.Fatalf("used today while the job waits = %d, want 0", used)
	}
	// The count on disk says the same: a restart does not bring the
	// decline back into the day's use.
	if err := h.w.loadRecheck(); err != nil {
		t.Fatal(err)
	}
	if used := h.w.RecheckSettings().UsedToday; used != 0 {
		t.Fatalf("used today read back from the store = %d, want 0", used)
	}
	// The next due time comes: the same job is offered again.
	h.clock.Add(time.Minute)
	if again := ext.one(); again.JobID != req.JobID {
		t.Fatalf("at the next due time the job came as %s, want %s", again.JobID, req.JobID)
	}
	if f := h.article(a.ID).Watch.Failures; f != 0 {
		t.Errorf("failures = %d: a decline is no failure of the site", f)
	}
}

// A declined job survives a restart of the daemon, and a browser that
// connects to the new daemon is offered it.
func TestDeclinedJobSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	h := newHarnessIn(t, dir)
	a := h.paywalled("/a")
	h.untilNext(a.ID)
	req := h.attach().one()
	h.answer(req.JobID, RecheckAnswer{Outcome: AnswerDeclined, Detail: "paused"})
	h.st.Close()

	h2 := newHarnessIn(t, dir)
	h2.site = h.site
	if err := h2.w.loadJobs(); err != nil {
		t.Fatal(err)
	}
	if used := h2.w.RecheckSettings().UsedToday; used != 0 {
		t.Fatalf("used today after the restart = %d, want 0", used)
	}
	again := h2.attach().one()
	if again.JobID != req.JobID || again.ArticleID != a.ID {
		t.Fatalf("after a restart the declined job came as %+v, want %+v", again, req)
	}
	if res, _ := h2.answer(again.JobID, h2.page(200, watchtest.Page("story-edited"), readerMode(t, watchtest.Page("story-edited")))); res.Outcome != article.CheckChanged {
		t.Fatalf("result = %+v", res)
	}
}

// An extension that says it is ready again (capture resumed) is offered
// at once the job it declined; another extension, which did not decline
// it, may take it meanwhile.
func TestDeclinedJobIsOfferedWhenTheExtensionIsReady(t *testing.T) {
	h := newHarness(t, nil)
	a := h.paywalled("/a")
	h.untilNext(a.ID)
	ext := h.attach()
	req := ext.one()
	h.answer(req.JobID, RecheckAnswer{Outcome: AnswerDeclined, Detail: "paused"})
	h.clock.Add(10 * time.Second)
	if got := ext.offered(); len(got) != 0 {
		t.Fatalf("offered %+v again before the extension said it was ready", got)
	}
	// Another extension may take it at once; it declines too (its site
	// is denied there).
	other := h.attach()
	if got := other.one(); got.JobID != req.JobID {
		t.Fatalf("the other extension was offered %s, want %s", got.JobID, req.JobID)
	}
	h.answer(req.JobID, RecheckAnswer{Outcome: AnswerDeclined, Detail: "denied"})
	if got := append(ext.offered(), other.offered()...); len(got) != 0 {
		t.Fatalf("offered %+v after both declined", got)
	}
	if msg := h.article(a.ID).Watch.Browser.Message; !strings.Contains(msg, "denied") {
		t.Fatalf("message = %q, want the last reason", msg)
	}
	// The first resumes capture: it says so, and gets the job.
	ext.ready()
	if got := other.offered(); len(got) != 0 {
		t.Fatalf("the extension that did not say it was ready was offered %+v", got)
	}
	// (the pass above ran for both: the job went to the ready one)
	select {
	case m := <-ext.jobs:
		if got := m.(RecheckRequest); got.JobID != req.JobID {
			t.Fatalf("after ready the extension was offered %s, want %s", got.JobID, req.JobID)
		}
	default:
		t.Fatal("the extension that said it was ready was not offered the job")
	}
	if used := h.w.RecheckSettings().UsedToday; used != 1 {
		t.Fatalf("used today = %d, want 1: two declines and the lease held now", used)
	}
	res, _ := h.answer(req.JobID, h.page(200, watchtest.Page("story-edited"), readerMode(t, watchtest.Page("story-edited"))))
	if res.Outcome != article.CheckChanged {
		t.Fatalf("result = %+v", res)
	}
	if used := h.w.RecheckSettings().UsedToday; used != 1 {
		t.Fatalf("used today = %d, want 1: one request made", used)
	}
}

// Check now on an article whose job the extension declined asks the
// extension again (the reader may have resumed), and a decline answers at
// once with why; the decline costs nothing of the budget.
func TestCheckNowAfterADeclineAsksAgain(t *testing.T) {
	h := newHarness(t, nil)
	a := h.paywalled("/a")
	h.untilNext(a.ID)
	ext := h.attach()
	req := ext.one()
	h.answer(req.JobID, RecheckAnswer{Outcome: AnswerDeclined, Detail: "paused"})
	asked := make(chan string, 1)
	go func() {
		m := <-ext.jobs
		job := m.(RecheckRequest).JobID
		asked <- job
		h.w.Answer(h.ctx, job, RecheckAnswer{Outcome: AnswerDeclined, Detail: "paused"})
	}()
	h.runJobLoop()
	res, _, err := h.w.CheckNow(h.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if job := <-asked; job != req.JobID {
		t.Fatalf("check now offered %s, want the declined job %s", job, req.JobID)
	}
	if res.Outcome != article.CheckError || res.Message != "waiting for your browser: capture is paused in your browser" {
		t.Fatalf("result = %+v, want the decline said", res)
	}
	if used := h.w.RecheckSettings().UsedToday; used != 0 {
		t.Fatalf("used today = %d, want 0", used)
	}
}
