package watch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html/charset"

	"redline/daemon/internal/article"
	"redline/daemon/internal/canonical"
	"redline/daemon/internal/extract"
	"redline/daemon/internal/store"
)

type checkKind int

const (
	// checkScheduled: dispatch has taken the host already.
	checkScheduled checkKind = iota
	// checkAsked: the user asked; it runs at once, one request at a time
	// per host still.
	checkAsked
)

// finding is what one fetch found, before it is stored.
type finding struct {
	result article.CheckResult
	// capture is the page to store (nil when nothing is stored).
	capture *article.Capture
	// transient marks a poor fetch of an article fetched well before: a
	// failure, not yet a verdict.
	transient          bool
	etag, lastModified string
	// For the host's pacing: the answer's status (0: none came) and the
	// wait the site asked for.
	hostStatus int
	retryAfter time.Duration
}

// run checks an article and records what it found in its watch. named is
// the URL of the article the user is naming now (track), "" for a check.
func (w *Watcher) run(ctx context.Context, a article.Article, kind checkKind, named string) (article.CheckResult, article.Article, error) {
	name := hostOf(a.URL)
	if named == "" && w.viaBrowser(&a) {
		switch {
		case kind == checkScheduled:
			// The check becomes a job for the reader's browser; the
			// host's turn is taken when a browser takes the job.
			w.hosts.cancel(name)
			_, err := w.openJob(ctx, a, false)
			return article.CheckResult{}, a, err
		case w.BrowsersConnected():
			return w.askBrowser(ctx, a)
		}
	}
	if kind == checkAsked {
		waited, err := w.hosts.acquire(ctx, name, w.now)
		if err != nil {
			return article.CheckResult{}, a, err
		}
		if waited != nil {
			return article.CheckResult{
				Outcome: article.CheckError, At: w.now().UTC(),
				Message: "the site asked Redline to wait before asking again, until " + waited.until.UTC().Format(time.RFC3339),
			}, a, nil
		}
	}
	f, err := w.fetchPage(ctx, a, named)
	w.hosts.release(name, w.now(), f.hostStatus, f.retryAfter)
	if err != nil {
		return article.CheckResult{}, a, err
	}
	return w.conclude(ctx, a, f)
}

// fetchPage fetches an article's page and judges what came back. named
// is the URL the user is naming now (track), "" for a check.
func (w *Watcher) fetchPage(ctx context.Context, a article.Article, named string) (finding, error) {
	now := w.now()
	f := finding{result: article.CheckResult{At: now.UTC()}, hostStatus: http.StatusOK}
	baseline := a.LatestFetch == 0
	req := Request{URL: a.URL, Private: w.privateOrigins(named)}
	if !baseline && a.Watch != nil {
		req.ETag, req.LastModified = a.Watch.ETag, a.Watch.LastModified
	}
	resp, err := w.fetch.Fetch(ctx, req)
	if err != nil {
		if ctx.Err() != nil {
			return f, ctx.Err()
		}
		var fe *FetchError
		if !errors.As(err, &fe) {
			fe = &FetchError{Kind: FailNetwork, Err: err}
		}
		switch fe.Kind {
		case FailRefused:
			f.verdict(ReasonPrivate, fe.Error(), false)
		case FailTimeout, FailNetwork, FailTruncated:
			f.hostStatus = 0
			f.fail(fe.Error())
		default:
			f.fail(fe.Error())
		}
		return f, nil
	}
	f.hostStatus, f.retryAfter = resp.Status, resp.RetryAfter
	f.result.HTTPStatus = resp.Status
	// At the baseline, a browser capture exists: the user read the page,
	// so a fetch that cannot see it says nothing about the page.
	readInBrowser := baseline && a.LatestBrowser > 0
	w.judgeAnswer(&f, a, resp, baseline, readInBrowser, func() { w.judgePage(&f, a, resp) })
	return f, nil
}

// judgeAnswer judges a site's answer by its status, as for a fetch and
// for a re-check through the browser alike; a page that came back is
// judged by page. baseline: the lineage has no version yet (its verdicts
// are final); readInBrowser: the user read the page, so a 404 or a
// redirect home says nothing about it.
func (w *Watcher) judgeAnswer(f *finding, a article.Article, resp *Response, baseline, readInBrowser bool, page func()) {
	status := fmt.Sprintf("%d %s", resp.Status, http.StatusText(resp.Status))
	switch {
	case resp.Status == http.StatusNotModified:
		f.result.Outcome, f.result.Version = article.CheckUnchanged, a.LatestFetch
		f.result.Message = "not modified since the last check (304)"
		if baseline {
			f.fail("the site answered 304 Not Modified to a first fetch")
		}
	case resp.Status == http.StatusNotFound || resp.Status == http.StatusGone:
		if readInBrowser {
			f.verdict(ReasonNotFound, status, false)
		} else {
			f.gone("the site answers " + status)
		}
	case resp.Status/100 == 2 && movedHome(a.URL, resp.URL):
		if readInBrowser {
			f.verdict(ReasonRedirects, "", false)
		} else {
			f.gone("the site now sends the page to its home page")
		}
	case resp.Status == http.StatusUnavailableForLegalReasons:
		f.verdict(ReasonBlocked, status, !baseline)
	case resp.Status == http.StatusUnauthorized:
		f.verdict(ReasonLogin, status, !baseline)
	case resp.Status == http.StatusTooManyRequests:
		f.fail("the site asked Redline to slow down (429 Too Many Requests)")
	case resp.Status == http.StatusForbidden || resp.Status >= 500:
		if wallOf(resp) == extract.WallBotCheck {
			f.verdict(ReasonBotCheck, status, !baseline)
		} else if resp.Status == http.StatusForbidden {
			f.verdict(ReasonRefused, status, !baseline)
		} else {
			f.fail("the site failed to answer (" + status + ")")
		}
	case resp.Status/100 != 2:
		f.fail("the site answered " + status)
	case !resp.HTML():
		f.verdict(ReasonNotHTML, contentType(resp.ContentType), !baseline)
	default:
		page()
	}
}

// privateOrigins says which origins a fetch may reach on this computer or
// a private network (with --allow-private): those where the user read a
// page or named a URL, as the store keeps them, and the origin of named,
// the URL the user is naming now. A page read on one port can therefore
// never send the watcher to another port by a canonical link or a
// redirect.
func (w *Watcher) privateOrigins(named string) func(origin string) bool {
	namedOrigin := canonical.Origin(named)
	return func(origin string) bool {
		if origin == namedOrigin {
			return true
		}
		known, err := w.store.KnownOrigin(origin)
		if err != nil {
			w.log.Warn("look for pages read at an origin", "origin", origin, "err", err)
			return false
		}
		return known
	}
}

// judgePage extracts the article from an HTML answer and decides whether
// it is the article.
func (w *Watcher) judgePage(f *finding, a article.Article, resp *Response) {
	baseline := a.LatestFetch == 0
	page, err := extract.HTML(resp.Body, decodeAs(resp.Body, resp.ContentType), resp.URL)
	if err != nil {
		if errors.Is(err, extract.ErrNoArticle) && page != nil && page.Wall.Kind != "" {
			f.verdict(page.Wall.Kind, page.Wall.Evidence, !baseline)
			return
		}
		f.verdict(ReasonNoText, "", !baseline)
		return
	}
	var browser, prev *article.Content
	if a.ID != 0 && a.LatestFetch > 0 {
		v, err := w.store.Version(a.ID, a.LatestFetch)
		if err != nil {
			f.fail("Redline could not read its previous fetch: " + article.ErrorMessage(err))
			return
		}
		prev = &v.Content
	} else if a.ID != 0 && a.LatestBrowser > 0 {
		v, err := w.store.Version(a.ID, a.LatestBrowser)
		if err != nil {
			f.fail("Redline could not read your capture: " + article.ErrorMessage(err))
			return
		}
		browser = &v.Content
	}
	if reason, detail := w.quality.judge(page, browser, prev); reason != "" {
		f.verdict(reason, detail, !baseline)
		return
	}
	f.etag, f.lastModified = resp.ETag, resp.LastModified
	f.capture = &article.Capture{
		URL: resp.URL.String(), CanonicalURL: page.CanonicalURL, Title: page.Title, Byline: page.Byline,
		SiteName: page.SiteName, PublishedTime: page.PublishedTime, Lang: page.Lang, Blocks: article.Fit(page.Blocks),
		CapturedAt: f.result.At, Source: article.SourceFetch, Extractor: extract.Extractor,
		PageText: page.PageText,
	}
}

// verdict: the fetch is not the article. At the baseline (or for reasons
// that cannot pass) that makes the article not checkable; after good
// fetches it is a failure until it happens Strikes times in a row.
func (f *finding) verdict(reason, detail string, transient bool) {
	f.result.Outcome, f.result.Reason = article.CheckNotCheckable, reason
	f.result.Message = reasonText(reason, detail)
	f.transient = transient
}

func (f *finding) fail(msg string) {
	f.result.Outcome, f.result.Message = article.CheckError, msg
}

func (f *finding) gone(msg string) {
	f.result.Outcome, f.result.Message = article.CheckRemoved, msg
}

// wallOf reads the signs of a wall in an error page.
func wallOf(resp *Response) string {
	if len(resp.Body) == 0 {
		return ""
	}
	page, _ := extract.HTML(resp.Body, decodeAs(resp.Body, resp.ContentType), resp.URL)
	if page == nil {
		return ""
	}
	return page.Wall.Kind
}

// decodeAs returns the Content-Type to decode a page with: the site's,
// unless its charset plainly contradicts the bytes. Sites label UTF-8 as
// Latin-1, or the reverse, now and then; read by the label, every accented
// word and curly quote of the article would look edited. Valid UTF-8 with
// multi-byte characters is UTF-8 whatever a single-byte label says; bytes
// labelled UTF-8 that are not, with not one UTF-8 character among them,
// are windows-1252 (what such pages are written in).
func decodeAs(body []byte, contentType string) string {
	_, name, _ := charset.DetermineEncoding(body[:min(len(body), 1024)], contentType)
	multiByte := false
	for _, b := range body {
		if b >= utf8.RuneSelf {
			multiByte = true
			break
		}
	}
	if !multiByte {
		return contentType
	}
	valid := utf8.Valid(body)
	switch {
	case name != "utf-8" && singleByte(name) && valid:
		return "text/html; charset=utf-8"
	case name == "utf-8" && !valid && !hasUTF8Char(body):
		return "text/html; charset=windows-1252"
	}
	return contentType
}

// singleByte reports the single-byte charsets a page may be mislabelled
// with (names as the encoding standard spells them).
func singleByte(name string) bool {
	for _, p := range []string{"windows-125", "iso-8859-", "koi8-", "macintosh", "ibm866", "x-mac-cyrillic"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// hasUTF8Char reports whether b holds at least one valid multi-byte UTF-8
// character.
func hasUTF8Char(b []byte) bool {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if n > 1 && r != utf8.RuneError {
			return true
		}
		b = b[n:]
	}
	return false
}

func contentType(ct string) string {
	if ct == "" {
		return "no content type"
	}
	mt, _, _ := strings.Cut(ct, ";")
	return strings.TrimSpace(mt)
}

// movedHome reports a redirect from an article to the site's home page:
// how many sites answer for a page they took down.
func movedHome(from string, to *url.URL) bool {
	u, err := url.Parse(from)
	if err != nil || to == nil {
		return false
	}
	home := func(p string) bool { return strings.Trim(p, "/") == "" }
	return !home(u.Path) && home(to.Path) && to.RawQuery == ""
}

// conclude stores what a fetch found and records the check in the
// article's watch.
func (w *Watcher) conclude(ctx context.Context, a article.Article, f finding) (article.CheckResult, article.Article, error) {
	now := w.now()
	if f.capture != nil {
		saved, err := w.reading.Fetched(ctx, a, f.capture, now)
		if err := w.stored(&f, saved, err); err != nil {
			return article.CheckResult{}, a, err
		}
	}
	updated, err := w.store.UpdateWatch(ctx, a.ID, func(a *article.Article) (*article.Event, error) {
		return w.apply(a, f, now), nil
	})
	if err != nil {
		return article.CheckResult{}, a, err
	}
	return w.recorded(updated, f), updated, nil
}

// recorded is the check's result as the article's watch recorded it (f's
// when it recorded none), logged.
func (w *Watcher) recorded(updated article.Article, f finding) article.CheckResult {
	res := f.result
	if updated.Watch != nil && updated.Watch.LastResult != nil {
		res = *updated.Watch.LastResult
	}
	w.logResult(updated, res)
	w.watchMoved(updated.ID)
	return res
}

// stored fills a check's result in from what the reading service did
// with the page: baseline, unchanged or changed, with the change's summary
// and event. A page it refused as invalid (over the limits of a capture)
// is a failed check: nothing was stored.
func (w *Watcher) stored(f *finding, saved store.Saved, err error) error {
	if article.ErrorCode(err) == article.EINVALID {
		f.capture = nil
		f.fail("the page cannot be stored: " + article.ErrorMessage(err))
		return nil
	}
	if err != nil {
		return err
	}
	f.result.Version, f.result.Summary = saved.Version, saved.Summary
	switch saved.Status {
	case article.StatusNew:
		f.result.Outcome = article.CheckBaseline
		f.result.Message = fmt.Sprintf("first fetch stored as version %d", saved.Version)
		if saved.Counted {
			f.result.Message += "; it differs from the version you read: " + SummaryText(saved.Summary)
		}
	case article.StatusUnchanged:
		f.result.Outcome, f.result.Message = article.CheckUnchanged, "no change since the last check"
	default:
		f.result.Outcome = article.CheckChanged
		f.result.Message = "changed: " + SummaryText(saved.Summary)
	}
	if ev := saved.Event; ev != nil {
		f.result.EventID = ev.ID
		f.result.SinceRead, f.result.ReadVersion = ev.Summary, ev.FromVersion
	}
	return nil
}

// apply records a check in an article's watch and plans the next one. It
// returns the article.removed event when the page was found gone after
// the user read it.
func (w *Watcher) apply(a *article.Article, f finding, now time.Time) *article.Event {
	wt := a.Watch
	if wt == nil {
		wt = &article.Watch{State: article.WatchWatching}
		a.Watch = wt
	}
	res := f.result
	wt.Checks++
	wt.LastChecked = now.UTC()
	wt.LastResult = &res
	var ev *article.Event
	switch res.Outcome {
	case article.CheckBaseline, article.CheckUnchanged, article.CheckChanged:
		wt.Failures = 0
		if f.etag != "" || f.lastModified != "" {
			wt.ETag, wt.LastModified = f.etag, f.lastModified
		}
		wt.RemovedAt = time.Time{}
		if wt.State == article.WatchRemoved || wt.State == article.WatchNotCheckable {
			wt.State, wt.Reason, wt.Message = article.WatchWatching, "", ""
		}
		wt.Via = "" // a fetch sees the article again
	case article.CheckRemoved:
		wt.Failures = 0
		if wt.RemovedAt.IsZero() {
			wt.RemovedAt = now.UTC()
			if a.Read.Version > 0 {
				ev = &article.Event{Type: article.EventRemoved, Version: a.Versions, At: now.UTC()}
			}
		}
		if wt.State != article.WatchPaused {
			wt.State = article.WatchRemoved
		}
	case article.CheckNotCheckable:
		if f.transient {
			wt.Failures++
		}
		if !f.transient || wt.Failures >= w.quality.Strikes {
			if wt.State != article.WatchPaused {
				wt.State = article.WatchNotCheckable
			}
			wt.Reason, wt.Message = res.Reason, res.Message
			// The reader's browser may see what the fetch cannot.
			wt.Via = ""
			if w.browserFits(res.Reason) {
				wt.Via = article.ViaBrowser
			}
		}
	case article.CheckError:
		wt.Failures++
	}
	w.planNext(a, now)
	return ev
}

// planNext plans an article's next check by the schedule, after the
// host's wait: none while it is paused or not checkable (unless the
// browser checks it), and none after the cut-off (finished).
func (w *Watcher) planNext(a *article.Article, now time.Time) {
	wt := a.Watch
	switch {
	case wt.State == article.WatchPaused,
		wt.State == article.WatchNotCheckable && wt.Via != article.ViaBrowser:
		wt.NextCheck = time.Time{}
		return
	}
	next, until, ok := w.Schedule().Next(Since(a), now, w.random)
	wt.Until = until
	if !ok {
		if wt.State != article.WatchNotCheckable {
			wt.State = article.WatchFinished
		}
		wt.NextCheck = time.Time{}
		return
	}
	if wt.State == article.WatchFinished {
		wt.State = article.WatchWatching
	}
	if wait := w.hosts.waitUntil(hostOf(a.URL), now); wait.After(next) {
		next = wait
	}
	wt.NextCheck = next
}

func (w *Watcher) logResult(a article.Article, res article.CheckResult) {
	if w.checked != nil {
		defer w.checked(a, res)
	}
	attrs := []any{"article", a.ID, "url", a.URL, "outcome", res.Outcome}
	if a.Watch != nil {
		attrs = append(attrs, "next", describe(a.Watch.NextCheck))
	}
	switch res.Outcome {
	case article.CheckChanged, article.CheckRemoved, article.CheckNotCheckable:
		w.log.Info("checked "+res.Message, attrs...)
	case article.CheckError:
		w.log.Info("check failed: "+res.Message, attrs...)
	default:
		w.log.Debug("checked "+res.Message, attrs...)
	}
}

// SummaryText says a change summary in words, as every front end does
// (article.Summary.Sentence), with its significance: "Headline changed ·
// correction added (substantive)".
func SummaryText(s *article.Summary) string {
	if s == nil {
		return "content changed"
	}
	if s.Significance == article.Trivial {
		if s.Layout {
			return article.LayoutOnly + " (no alert)"
		}
		return article.NoiseOnly + " (no alert)"
	}
	text := s.Sentence()
	if s.Significance != "" {
		text += " (" + string(s.Significance) + ")"
	}
	return text
}
