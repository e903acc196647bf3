package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"redline/daemon/internal/api"
	"redline/daemon/internal/article"
	"redline/daemon/internal/extract"
	"redline/daemon/internal/watch/watchtest"
)

// These tests follow one article as a reader meets it: read in the
// browser, re-checked by the daemon on a local news site (its .test name
// resolves to the site through the fetcher's resolve map), edited, read again. They check that
// "changed since you read it" tells one story: an edit made before the
// daemon's first fetch alerts, the alert describes what "Show changes"
// shows, one edit counts once whichever way it arrives, and a daemon
// started with --allow-private checks what an earlier one could not.

const storyPath = "/2026/11/budget"

// headlineEdit is the story with only its headline rewritten.
func headlineEdit(page string) string {
	return strings.ReplaceAll(page, "Council delays budget vote after auditor's warning", "Council halts budget vote as auditor finds $4 million hole")
}

// startOn starts a daemon on dir whose watcher reaches the test site.
func startOn(t *testing.T, dir string, allowPrivate bool) *testDaemon {
	t.Helper()
	d, err := Start(context.Background(), Config{Addr: "127.0.0.1:0", DataDir: dir, AllowPrivate: allowPrivate, Resolve: watchtest.Resolve})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			if err := d.Close(); err != nil {
				t.Errorf("close daemon: %v", err)
			}
		}
	})
	td := &testDaemon{Daemon: d, t: t, base: "http://" + d.Addr()}
	td.stop = func() {
		closed = true
		if err := d.Close(); err != nil {
			t.Errorf("close daemon: %v", err)
		}
	}
	return td
}

// read posts what the reader's browser captured of page: the same
// article, with a photo credit only the browser's extractor keeps.
func (d *testDaemon) read(pageURL, page string) captureAnswer {
	d.t.Helper()
	u, _ := url.Parse(pageURL)
	p, err := extract.HTML([]byte(page), "text/html; charset=utf-8", u)
	if err != nil {
		d.t.Fatal(err)
	}
	blocks := []map[string]string{{"kind": "p", "text": "Photo: Ana Ruiz for The Riverton Ledger"}}
	for _, b := range p.Blocks {
		blocks = append(blocks, map[string]string{"kind": string(b.Kind), "text": b.Text})
	}
	body, _ := json.Marshal(map[string]any{
		"url": pageURL, "title": p.Title, "byline": p.Byline, "blocks": blocks,
		"captured_at": time.Now().UTC().Format(time.RFC3339Nano), "source": "browser", "extractor": "test-browser",
	})
	code, b := d.request("POST", "/api/v1/captures", string(body))
	if code != 201 {
		d.t.Fatalf("capture: %d %s", code, b)
	}
	var out captureAnswer
	if err := json.Unmarshal(b, &out); err != nil {
		d.t.Fatal(err)
	}
	return out
}

// call sends a request that must answer 200 and decodes the answer.
func call[T any](d *testDaemon, method, path, body string) T {
	d.t.Helper()
	var out T
	code, b := d.request(method, path, body)
	if code != 200 {
		d.t.Fatalf("%s %s: %d %s", method, path, code, b)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		d.t.Fatal(err)
	}
	return out
}

func (d *testDaemon) article(id int64) article.Article {
	return call[article.Article](d, "GET", fmt.Sprintf("/api/v1/articles/%d", id), "")
}

func (d *testDaemon) checkNow(id int64) api.CheckResponse {
	return call[api.CheckResponse](d, "POST", fmt.Sprintf("/api/v1/articles/%d/check", id), "{}")
}

func (d *testDaemon) diff(id int64) api.DiffResponse {
	return call[api.DiffResponse](d, "GET", fmt.Sprintf("/api/v1/articles/%d/diff", id), "")
}

// waitFor waits until the article satisfies ok: the watcher works on its
// own schedule.
func (d *testDaemon) waitFor(id int64, what string, ok func(a article.Article) bool) article.Article {
	d.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		a, err := d.Store().Article(id)
		if err == nil && ok(a) {
			return a
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("timed out waiting for %s: article %+v (%v)", what, a, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// baselineDone reports that the check which stored the first fetch has
// been recorded. The fetch is saved first and the check's result after,
// so the version alone is not enough.
func baselineDone(a article.Article) bool {
	return a.LatestFetch > 0 && a.Watch != nil && a.Watch.LastResult != nil && a.Watch.LastResult.Version == a.LatestFetch
}

func waitingForPrivate(a article.Article) bool {
	return a.Watch != nil && a.Watch.State == article.WatchNotCheckable && a.Watch.Reason == article.ReasonPrivateNetwork
}

// readThenAllowPrivate reads the story on a daemon that may not fetch
// this computer, lets change() edit the site, and starts a daemon with
// --allow-private on the same data: its first fetch comes late.
func readThenAllowPrivate(t *testing.T, change func(site *watchtest.Site)) (*testDaemon, int64) {
	site := watchtest.NewSite(t)
	site.Set(storyPath, watchtest.Article("story"))
	u := site.URL("ledger.test", storyPath)
	dir := t.TempDir()
	first := startOn(t, dir, false)
	id := first.read(u, watchtest.Page("story")).ArticleID
	a := first.waitFor(id, "the check refused for a private address", waitingForPrivate)
	if !a.Watch.NextCheck.IsZero() || !strings.Contains(a.Watch.Message, "--allow-private") {
		t.Fatalf("watch without --allow-private = %+v, want no check planned and the flag named", a.Watch)
	}
	first.stop()
	change(site)
	second := startOn(t, dir, true)
	return second, id
}

func TestAllowPrivateLaterChecksWhatWasRefused(t *testing.T) {
	d, id := readThenAllowPrivate(t, func(*watchtest.Site) {})
	a := d.waitFor(id, "the late baseline fetch", baselineDone)
	if a.Watch.State != article.WatchWatching || a.Watch.NextCheck.IsZero() || a.Watch.LastResult.Outcome != article.CheckBaseline {
		t.Fatalf("watch after the restart with --allow-private = %+v, last %+v; want the baseline taken and checks planned", a.Watch, a.Watch.LastResult)
	}
	// The two extractors' difference (the browser kept a photo credit)
	// is not a change.
	if a.Changes != 0 || len(a.Unseen) != 0 {
		t.Errorf("after the late baseline: %d changes, unseen %+v; want none", a.Changes, a.Unseen)
	}
	if n, _ := d.Store().LastEventID(); n != 0 {
		t.Errorf("the late baseline of an unchanged page made %d events", n)
	}
}

func TestEditBeforeTheFirstFetchAlerts(t *testing.T) {
	d, id := readThenAllowPrivate(t, func(site *watchtest.Site) {
		site.Set(storyPath, watchtest.Response{Body: headlineEdit(watchtest.Page("story-edited"))})
	})
	ws, _ := d.connect(nil)
	events := readEvents(t, ws, 1)
	e := events[0]
	if e.Type != article.EventChanged || e.FromVersion != 1 || e.ToVersion != 2 || e.Summary == nil {
		t.Fatalf("event = %+v, want the change from the version read (1) to the first fetch (2)", e)
	}
	if !e.Summary.TitleChanged || !e.Summary.Correction || e.Summary.Significance != article.Substantive {
		t.Errorf("summary = %+v, want the headline, the edits and the correction", e.Summary)
	}
	a := d.article(id)
	if a.Changes != 1 || len(a.Unseen) != 1 {
		t.Errorf("article: changed %d times, unseen %+v; want the one edit", a.Changes, a.Unseen)
	}
	if a.Title != "Council halts budget vote as auditor finds $4 million hole" || a.TitleWas != "Council delays budget vote after auditor's warning" {
		t.Errorf("headline %q was %q; want the new one, and the one read", a.Title, a.TitleWas)
	}
	// "Show changes" shows that same change: from the version read to
	// the newest, not version 1 against itself.
	df := d.diff(id)
	if df.From.Number != 1 || df.To.Number != 2 || !df.Across || df.Summary != *e.Summary {
		t.Errorf("diff %d→%d (across %v) summary %+v; want 1→2 across with the event's summary %+v", df.From.Number, df.To.Number, df.Across, df.Summary, *e.Summary)
	}
	credit := false
	for _, op := range df.Ops {
		if strings.HasPrefix(op.Text, "Photo: ") {
			credit = op.OneSide
		}
	}
	if !credit {
		t.Error("the photo credit only the browser kept is not marked as one extraction's")
	}
}

func TestTheAlertDescribesWhatShowChangesShows(t *testing.T) {
	site := watchtest.NewSite(t)
	original := watchtest.Page("story")
	site.Set(storyPath, watchtest.Response{Body: original})
	u := site.URL("ledger.test", storyPath)
	d := startOn(t, t.TempDir(), true)
	id := d.read(u, original).ArticleID
	d.waitFor(id, "the baseline fetch", baselineDone)
	ws, _ := d.connect(nil)

	// Two edits, each found by a check: the headline, then the body.
	site.Set(storyPath, watchtest.Response{Body: headlineEdit(original)})
	if res := d.checkNow(id).Result; res.Outcome != article.CheckChanged || res.SinceRead == nil || !res.SinceRead.TitleChanged {
		t.Fatalf("first edit: %+v", res)
	}
	edited := headlineEdit(watchtest.Page("story-edited"))
	site.Set(storyPath, watchtest.Response{Body: edited})
	res := d.checkNow(id).Result
	events := readEvents(t, ws, 2)
	last := events[1]
	if last.FromVersion != 1 || last.ToVersion != 4 || last.Summary == nil {
		t.Fatalf("second event = %+v, want versions 1 to 4", last)
	}
	// The newest alert tells both edits since the read, headline first,
	// as the diff it opens does.
	if !last.Summary.TitleChanged || last.Summary.BlocksChanged == 0 || !last.Summary.Correction {
		t.Errorf("second alert = %+v, want the headline, the edited paragraphs and the correction", last.Summary)
	}
	df := d.diff(id)
	if df.From.Number != 1 || df.To.Number != 4 || df.Summary != *last.Summary {
		t.Errorf("Show changes: %d→%d %+v; the alert said %+v", df.From.Number, df.To.Number, df.Summary, *last.Summary)
	}
	if res.SinceRead == nil || *res.SinceRead != *last.Summary || res.ReadVersion != 1 {
		t.Errorf("redline check says %+v since version %d; the alert said %+v", res.SinceRead, res.ReadVersion, *last.Summary)
	}
	// The reader opens the article again: the browser sees the edit the
	// daemon found. It is no new change, and the summary the extension
	// gets is still the one the diff shows.
	again := d.read(u, edited)
	if now := d.diff(id); again.ChangedSinceRead == nil || now.Summary != *again.ChangedSinceRead {
		t.Errorf("after the visit: changed_since_read %+v, diff %+v", again.ChangedSinceRead, now.Summary)
	}
	if a := d.article(id); a.Changes != 2 || len(a.Unseen) != 2 {
		t.Errorf("after the visit: changed %d times, unseen %+v; want the two edits", a.Changes, a.Unseen)
	}
	if n, _ := d.Store().LastEventID(); n != 2 {
		t.Errorf("the visit made event %d; want no new event", n)
	}
}

func TestOneEditCountsOnceWhicheverWayItArrives(t *testing.T) {
	for _, browserFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("browser first %v", browserFirst), func(t *testing.T) {
			site := watchtest.NewSite(t)
			original, edited := watchtest.Page("story"), watchtest.Page("story-edited")
			site.Set(storyPath, watchtest.Response{Body: original})
			u := site.URL("ledger.test", storyPath)
			d := startOn(t, t.TempDir(), true)
			id := d.read(u, original).ArticleID
			d.waitFor(id, "the baseline fetch", baselineDone)

			site.Set(storyPath, watchtest.Response{Body: edited})
			if browserFirst {
				d.read(u, edited)
				d.checkNow(id)
			} else {
				d.checkNow(id)
				d.read(u, edited)
			}
			a := d.article(id)
			if a.Changes != 1 || len(a.Unseen) != 1 || a.Versions != 4 {
				t.Errorf("one edit seen by fetch and by browser: changed %d times, unseen %+v, %d versions; want 1, one, 4", a.Changes, a.Unseen, a.Versions)
			}
			if n, _ := d.Store().LastEventID(); n != 1 {
				t.Errorf("one edit made %d events", n)
			}
			sites, err := d.Store().Sites()
			if err != nil {
				t.Fatal(err)
			}
			if len(sites) != 1 || sites[0].Changes != 1 || sites[0].Changed != 1 {
				t.Errorf("site figures %+v, want 1 change of 1 article", sites)
			}
		})
	}
}
