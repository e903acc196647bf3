package watch

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/canonical"
	"redline/daemon/internal/extract"
	"redline/daemon/internal/store"
)

// Re-checks through the reader's browser. An article a fetch cannot see
// (paywall, login, bot check), or one of a site the user wants checked in
// the browser, is checked by the paired extension instead: each due check
// becomes a job, kept in the store until it is answered, leased to one
// connected extension at a time with the fetcher's politeness (the host's
// turn is shared with fetches), and answered over the API. The judgement
// of whether the page is the article is the watcher's own.

// Defaults and limits of re-checks through the browser.
const (
	DefaultDailyBudget = 200
	MaxDailyBudget     = 5000
	// DefaultLease is how long an extension may hold a job.
	DefaultLease = 2 * time.Minute
	// MaxAnswerHTML bounds the start of the page an answer carries.
	MaxAnswerHTML = 1 << 20
	// maxHeld is how many jobs one extension holds at once.
	maxHeld = 2
	// maxDetail bounds an answer's detail.
	maxDetail = 1024
)

// Settings names in the store.
const (
	settingRecheck     = "recheck"
	settingRecheckUsed = "recheck_used"
)

// RecheckSettings are the user's settings of re-checks through the
// browser.
type RecheckSettings struct {
	Enabled     bool     `json:"enabled"`
	DailyBudget int      `json:"daily_budget"`
	Sites       []string `json:"sites"`
	// UsedToday counts the jobs leased today (UTC) that the browser did
	// not decline; it is not a setting.
	UsedToday int `json:"used_today"`
}

// DefaultRecheckSettings: on, with the default budget, no site listed.
func DefaultRecheckSettings() RecheckSettings {
	return RecheckSettings{Enabled: true, DailyBudget: DefaultDailyBudget, Sites: []string{}}
}

// RecheckPatch changes the settings it names.
type RecheckPatch struct {
	Enabled     *bool     `json:"enabled"`
	DailyBudget *int      `json:"daily_budget"`
	Sites       *[]string `json:"sites"`
}

// RecheckRequest is the message that offers a job to an extension.
type RecheckRequest struct {
	Type       string     `json:"type"`
	JobID      string     `json:"job_id"`
	ArticleID  int64      `json:"article_id"`
	URL        string     `json:"url"`
	Validators Validators `json:"validators"`
	LeaseUntil time.Time  `json:"lease_until"`
}

// Validators are sent with a re-check as a conditional request.
type Validators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// The outcomes of an answer.
const (
	AnswerPage     = "page"
	AnswerError    = "error"
	AnswerDeclined = "declined"
)

// declines are the reasons an extension may give for not doing a job.
var declines = map[string]string{
	"paused":  "capture is paused in your browser",
	"private": "the page may only be fetched from a private window",
	"denied":  "the site is denied in your browser's Redline settings",
	"off":     "re-checks through your browser are off in the extension",
	"budget":  "your browser's daily budget of re-checks is spent",
}

// RecheckAnswer is what the extension found for a job.
type RecheckAnswer struct {
	Outcome    string           `json:"outcome"`
	HTTPStatus int              `json:"http_status"`
	URL        string           `json:"url"`
	HTML       string           `json:"html"`
	Capture    *article.Capture `json:"capture"`
	// ETag and LastModified are the answer's validators, sent with the
	// next job of the article.
	ETag         string `json:"etag"`
	LastModified string `json:"last_modified"`
	Detail       string `json:"detail"`
}

// validate checks an answer before anything is done with it.
func (ans *RecheckAnswer) validate(now time.Time) error {
	if len(ans.Detail) > maxDetail {
		return invalidf("detail is longer than %d bytes", maxDetail)
	}
	switch ans.Outcome {
	case AnswerError:
		return nil
	case AnswerDeclined:
		if _, ok := declines[ans.Detail]; !ok {
			return invalidf("detail of a declined re-check must be one of paused, private, denied, off, budget")
		}
		return nil
	case AnswerPage:
	default:
		return invalidf("outcome must be page, error or declined")
	}
	if ans.HTTPStatus < 100 || ans.HTTPStatus > 599 {
		return invalidf("http_status must be an HTTP status (100 to 599)")
	}
	if len(ans.HTML) > MaxAnswerHTML {
		return invalidf("html is longer than %d bytes: send the start of the page", MaxAnswerHTML)
	}
	if len(ans.ETag) > 1024 || len(ans.LastModified) > 1024 {
		return invalidf("etag and last_modified are at most 1024 bytes")
	}
	if ans.URL != "" {
		if len(ans.URL) > article.MaxURLBytes {
			return invalidf("url is longer than %d bytes", article.MaxURLBytes)
		}
		if _, err := canonical.URL(ans.URL); err != nil {
			return invalidf("url: %s", article.ErrorMessage(err))
		}
	}
	if ans.Capture != nil {
		if ans.Capture.Source != article.SourceBrowser {
			return invalidf("capture.source must be \"browser\"")
		}
		if err := ans.Capture.Validate(now); err != nil {
			return err
		}
	}
	return nil
}

// job is an open re-check job as the watcher holds it.
type job struct {
	rec  store.Recheck
	host string
	// conn holds the job (nil: it waits).
	conn       *browserConn
	leaseUntil time.Time
	// answering: an answer is being recorded; the job is no longer
	// offered or expired.
	answering bool
	// asked: the user asked for this check; it jumps the queue and its
	// waiters hear the result.
	asked   bool
	waiters []chan checked
	// beyondBudget: the job, asked for, was leased when the day's
	// budget (budget) was spent; its result says so.
	beyondBudget bool
	budget       int
	// leasedDay is the UTC day whose count the lease went into (a
	// decline gives it back to that day).
	leasedDay string
	// declinedBy are the connected extensions that declined the job: it
	// is not offered to them again until they say they are ready (their
	// state changed: recheck.ready) or retryAt comes, the article's next
	// due time by the schedule (zero: none). A check the reader asks for
	// is offered to them all the same.
	declinedBy map[*browserConn]bool
	retryAt    time.Time
	// message is the waiting message last written to the article.
	message string
}

// declined reports whether c declined the job and has not said since
// that it is ready (b.mu held).
func (j *job) declined(c *browserConn) bool {
	return !j.asked && j.declinedBy[c]
}

// note sets the job's waiting message and adds it to notes when that
// changed it (b.mu held).
func (j *job) note(notes []*job, msg string) []*job {
	if j.message == msg {
		return notes
	}
	j.message = msg
	return append(notes, j)
}

// checked is a job's result for those who asked for it.
type checked struct {
	result  article.CheckResult
	article article.Article
}

// browserConn is one connected extension that takes jobs.
type browserConn struct {
	out  chan any
	held int
}

// browsers are the jobs and the extensions that take them.
type browsers struct {
	lease time.Duration
	wake  chan struct{}

	// usedMu orders the writes of today's count to the store, so that the
	// last write holds the last count.
	usedMu sync.Mutex

	mu       sync.Mutex
	conns    []*browserConn
	jobs     map[string]*job // open jobs by id
	settings RecheckSettings
	day      string // the UTC day UsedToday counts
}

func newBrowsers(lease time.Duration) *browsers {
	if lease <= 0 {
		lease = DefaultLease
	}
	return &browsers{lease: lease, wake: make(chan struct{}, 1), jobs: map[string]*job{}, settings: DefaultRecheckSettings()}
}

func (b *browsers) poke() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// loadRecheck reads the settings, today's count and the open jobs.
func (w *Watcher) loadRecheck() error {
	s := DefaultRecheckSettings()
	if _, err := w.store.Setting(settingRecheck, &s); err != nil {
		return err
	}
	if s.Sites == nil {
		s.Sites = []string{}
	}
	var used struct {
		Day  string `json:"day"`
		Used int    `json:"used"`
	}
	if _, err := w.store.Setting(settingRecheckUsed, &used); err != nil {
		return err
	}
	s.UsedToday = used.Used
	b := w.browsers
	b.mu.Lock()
	b.settings, b.day = s, used.Day
	b.mu.Unlock()
	return nil
}

// loadJobs takes the jobs the store holds: those of a previous run wait
// for a browser again (a lease dies with the daemon).
func (w *Watcher) loadJobs() error {
	recs, err := w.store.Rechecks()
	if err != nil {
		return err
	}
	b := w.browsers
	b.mu.Lock()
	for _, r := range recs {
		if b.jobs[r.ID] == nil {
			b.jobs[r.ID] = &job{rec: r, host: hostOf(r.URL)}
		}
	}
	b.mu.Unlock()
	b.poke()
	return nil
}

// RecheckSettings returns the settings of re-checks through the browser,
// with today's count.
func (w *Watcher) RecheckSettings() RecheckSettings {
	b := w.browsers
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.settings
	s.Sites = slices.Clone(s.Sites)
	if b.day != w.today() {
		s.UsedToday = 0
	}
	return s
}

func (w *Watcher) today() string { return w.now().UTC().Format(time.DateOnly) }

// SetRecheckSettings validates and saves a change of the settings. Jobs of
// articles that no longer go to the browser are dropped, and those
// articles are due at once by fetch, which decides again.
func (w *Watcher) SetRecheckSettings(ctx context.Context, p RecheckPatch) (RecheckSettings, error) {
	next := w.RecheckSettings()
	if p.Enabled != nil {
		next.Enabled = *p.Enabled
	}
	if p.DailyBudget != nil {
		if *p.DailyBudget < 0 || *p.DailyBudget > MaxDailyBudget {
			return RecheckSettings{}, invalidf("daily_budget must be from 0 to %d", MaxDailyBudget)
		}
		next.DailyBudget = *p.DailyBudget
	}
	if p.Sites != nil {
		sites, err := store.NormalizeSites(*p.Sites)
		if err != nil {
			return RecheckSettings{}, err
		}
		next.Sites = sites
	}
	saved := next
	saved.UsedToday = 0
	if err := w.store.SetSetting(ctx, settingRecheck, saved); err != nil {
		return RecheckSettings{}, err
	}
	b := w.browsers
	b.mu.Lock()
	wasOn := b.settings.Enabled
	b.settings.Enabled, b.settings.DailyBudget, b.settings.Sites = next.Enabled, next.DailyBudget, next.Sites
	var drop []*job
	for _, j := range b.jobs {
		if j.answering {
			continue
		}
		a, err := w.store.Article(j.rec.ArticleID)
		if err == nil && w.viaBrowserLocked(&a) {
			continue
		}
		drop = append(drop, j)
	}
	b.mu.Unlock()
	for _, j := range drop {
		w.dropJob(ctx, j, "re-checks through your browser no longer apply to this article; it is checked by fetch")
	}
	if next.Enabled && !wasOn {
		if err := w.sendToBrowser(ctx); err != nil {
			return RecheckSettings{}, err
		}
	}
	b.poke()
	return w.RecheckSettings(), nil
}

// sendToBrowser makes every article a fetch found not checkable due at
// once through the browser.
func (w *Watcher) sendToBrowser(ctx context.Context) error {
	n, err := w.store.ViaBrowser(ctx, w.now(), func(reason string) bool { return reason != ReasonPrivate })
	if n > 0 {
		w.log.Info("articles not checkable by fetch are checked through your browser now", "articles", n)
	}
	return err
}

// settingRecheckSent marks a store whose not-checkable articles were sent
// to the browser once (stores from before re-checks through the browser).
const settingRecheckSent = "recheck_sent"

// sendOnce sends older not-checkable articles to the browser, once per
// store, when the switch is on.
func (w *Watcher) sendOnce(ctx context.Context) error {
	var sent bool
	if _, err := w.store.Setting(settingRecheckSent, &sent); err != nil || sent {
		return err
	}
	if !w.RecheckSettings().Enabled {
		return nil
	}
	if err := w.sendToBrowser(ctx); err != nil {
		return err
	}
	return w.store.SetSetting(ctx, settingRecheckSent, true)
}

// dropJob closes a job without a check: the article is due at once.
func (w *Watcher) dropJob(ctx context.Context, j *job, why string) {
	b := w.browsers
	b.mu.Lock()
	if j.conn != nil {
		j.conn.held--
		w.hosts.cancel(j.host)
	}
	delete(b.jobs, j.rec.ID)
	b.mu.Unlock()
	now := w.now()
	_, err := w.store.CloseRecheck(ctx, j.rec.ArticleID, j.rec.ID, func(a *article.Article) (*article.Event, error) {
		wt := a.Watch
		if wt == nil {
			return nil, nil
		}
		wt.Browser = browserOf(wt)
		wt.Browser.State, wt.Browser.Since, wt.Browser.Message = article.BrowserIdle, time.Time{}, why
		wt.NextCheck = now
		return nil, nil
	})
	if err != nil && article.ErrorCode(err) != article.ENOTFOUND {
		w.log.Error("drop a re-check job", "article", j.rec.ArticleID, "err", err)
	}
	if err == nil {
		w.watchMoved(j.rec.ArticleID)
	}
	w.Wake()
}

func browserOf(wt *article.Watch) *article.BrowserCheck {
	if wt.Browser == nil {
		return &article.BrowserCheck{State: article.BrowserIdle}
	}
	return wt.Browser
}

// viaBrowser reports whether a's checks go to the browser.
func (w *Watcher) viaBrowser(a *article.Article) bool {
	b := w.browsers
	b.mu.Lock()
	defer b.mu.Unlock()
	return w.viaBrowserLocked(a)
}

func (w *Watcher) viaBrowserLocked(a *article.Article) bool {
	s := w.browsers.settings
	if !s.Enabled || a.Watch == nil || a.Watch.State == article.WatchPaused {
		return false
	}
	return a.Watch.Via == article.ViaBrowser || slices.Contains(s.Sites, a.Site)
}

// browserFits reports whether a not-checkable reason may go to the
// browser: not the daemon's own lack of permission for local addresses.
func (w *Watcher) browserFits(reason string) bool {
	b := w.browsers
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.settings.Enabled && reason != ReasonPrivate
}

// Attach registers a connected extension that takes jobs (hub.Jobs). The
// channel carries its requests; ready says the extension's state changed
// so that it may now do the jobs it declined (it resumed capture, say);
// detach ends its share, and the jobs it held go back to the queue.
func (w *Watcher) Attach() (jobs <-chan any, ready func(), detach func()) {
	b := w.browsers
	c := &browserConn{out: make(chan any, maxHeld)}
	b.mu.Lock()
	b.conns = append(b.conns, c)
	b.mu.Unlock()
	b.poke()
	var once sync.Once
	return c.out, func() { w.ready(c) }, func() { once.Do(func() { w.detach(c) }) }
}

// ready offers c again the jobs it declined.
func (w *Watcher) ready(c *browserConn) {
	b := w.browsers
	b.mu.Lock()
	n := 0
	for _, j := range b.jobs {
		if j.declinedBy[c] {
			n++
			j.forget(c)
		}
	}
	b.mu.Unlock()
	if n > 0 {
		w.log.Debug("the browser is ready for the re-checks it declined", "jobs", n)
		b.poke()
	}
}

// forget drops c from those that declined the job (b.mu held).
func (j *job) forget(c *browserConn) {
	delete(j.declinedBy, c)
	if len(j.declinedBy) == 0 {
		j.declinedBy, j.retryAt = nil, time.Time{}
	}
}

func (w *Watcher) detach(c *browserConn) {
	b := w.browsers
	b.mu.Lock()
	b.conns = slices.DeleteFunc(b.conns, func(x *browserConn) bool { return x == c })
	for _, j := range b.jobs {
		j.forget(c)
		if j.conn == c && !j.answering {
			j.conn, j.leaseUntil = nil, time.Time{}
			w.hosts.cancel(j.host)
		}
	}
	b.mu.Unlock()
	b.poke()
}

// BrowsersConnected reports whether an extension that takes jobs is
// connected.
func (w *Watcher) BrowsersConnected() bool {
	b := w.browsers
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.conns) > 0
}

func newJobID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// openJob makes the job of a due check of a (or finds the one open).
func (w *Watcher) openJob(ctx context.Context, a article.Article, asked bool) (*job, error) {
	now := w.now()
	rec := store.Recheck{ID: newJobID(), ArticleID: a.ID, URL: a.URL, Created: now.UTC()}
	_, open, _, err := w.store.OpenRecheck(ctx, rec, func(a *article.Article) (*article.Event, error) {
		wt := a.Watch
		if wt == nil {
			wt = &article.Watch{State: article.WatchWatching}
			a.Watch = wt
		}
		wt.NextCheck = time.Time{}
		bc := browserOf(wt)
		wt.Browser = bc
		if bc.State == article.BrowserIdle {
			bc.State, bc.Since, bc.Message = article.BrowserWaiting, now.UTC(), "waiting for your browser"
		}
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	w.watchMoved(a.ID)
	b := w.browsers
	b.mu.Lock()
	j := b.jobs[open.ID]
	if j == nil {
		j = &job{rec: open, host: hostOf(open.URL), message: "waiting for your browser"}
		b.jobs[open.ID] = j
	}
	if asked {
		j.asked = true
	}
	b.mu.Unlock()
	b.poke()
	return j, nil
}

// askBrowser runs a check of a through the browser at once and waits for
// its result. A job the browser did not answer in time is an error result
// (the job stays open for the next browser).
func (w *Watcher) askBrowser(ctx context.Context, a article.Article) (article.CheckResult, article.Article, error) {
	j, err := w.openJob(ctx, a, true)
	if err != nil {
		return article.CheckResult{}, a, err
	}
	ch := make(chan checked, 1)
	b := w.browsers
	b.mu.Lock()
	j.waiters = append(j.waiters, ch)
	b.mu.Unlock()
	b.poke()
	timer := time.NewTimer(2 * b.lease)
	defer timer.Stop()
	select {
	case c := <-ch:
		return c.result, c.article, nil
	case <-timer.C:
		b.mu.Lock()
		j.waiters = slices.DeleteFunc(j.waiters, func(x chan checked) bool { return x == ch })
		b.mu.Unlock()
		cur, err := w.store.Article(a.ID)
		if err != nil {
			return article.CheckResult{}, a, err
		}
		return article.CheckResult{Outcome: article.CheckError, At: w.now().UTC(), Via: article.ViaBrowser,
			Message: "your browser did not answer in time; the check waits for it"}, cur, nil
	case <-ctx.Done():
		return article.CheckResult{}, a, ctx.Err()
	}
}

// runBrowsers offers jobs to the connected extensions and expires leases
// until ctx ends.
func (w *Watcher) runBrowsers(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-w.browsers.wake:
		}
		next := w.offer(ctx)
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(min(max(next.Sub(w.now()), 0), maxWait))
	}
}

// offer does one pass over the jobs: leases that ran out fail, waiting
// jobs go to a free extension when their host's turn has come and the
// budget allows. It returns when it should look again.
func (w *Watcher) offer(ctx context.Context) time.Time {
	now := w.now()
	next := now.Add(maxWait)
	b := w.browsers
	var expired []*job
	var leased []*job
	var notes []*job

	b.mu.Lock()
	if day := now.UTC().Format(time.DateOnly); b.day != day {
		b.day, b.settings.UsedToday = day, 0
	}
	jobs := make([]*job, 0, len(b.jobs))
	for _, j := range b.jobs {
		jobs = append(jobs, j)
	}
	// Asked first, then oldest first.
	slices.SortFunc(jobs, func(x, y *job) int {
		if x.asked != y.asked {
			if x.asked {
				return -1
			}
			return 1
		}
		return x.rec.Created.Compare(y.rec.Created)
	})
	for _, j := range jobs {
		if !j.retryAt.IsZero() && !now.Before(j.retryAt) {
			// The article's next due time: those that declined are
			// offered the job again.
			j.declinedBy, j.retryAt = nil, time.Time{}
		}
		switch {
		case j.answering:
		case j.conn != nil && !now.Before(j.leaseUntil):
			j.answering = true
			expired = append(expired, j)
		case j.conn != nil:
			next = minTime(next, j.leaseUntil)
		case !b.settings.Enabled:
		case len(b.conns) == 0:
			notes = j.note(notes, "waiting for your browser: none is connected")
		case !j.asked && b.settings.UsedToday >= b.settings.DailyBudget:
			notes = j.note(notes, fmt.Sprintf("waiting for your browser: today's budget of %d re-checks is spent; they go on tomorrow", b.settings.DailyBudget))
			next = minTime(next, tomorrow(now))
		default:
			c, declined := b.freeConn(j)
			if c == nil {
				if declined {
					// Every browser connected declined it: the job keeps
					// saying why, until one is ready or it is due again.
					if !j.retryAt.IsZero() {
						next = minTime(next, j.retryAt)
					}
					continue
				}
				notes = j.note(notes, "waiting for your browser: it is busy with other re-checks")
				continue
			}
			acquire := w.hosts.tryAcquire
			if j.asked {
				acquire = w.hosts.tryAcquireAsked
			}
			ok, ready := acquire(j.host, now)
			if !ok {
				next = minTime(next, ready)
				continue
			}
			j.conn, j.leaseUntil = c, now.Add(b.lease)
			// Only a check the reader asked for gets here with the budget
			// spent: it runs.
			j.beyondBudget, j.budget = b.settings.UsedToday >= b.settings.DailyBudget, b.settings.DailyBudget
			j.leasedDay = b.day
			c.held++
			b.settings.UsedToday++
			c.out <- w.request(j) // never blocks: held < cap(out)
			leased = append(leased, j)
			next = minTime(next, j.leaseUntil)
		}
	}
	b.mu.Unlock()

	if len(leased) > 0 {
		w.saveUsed(ctx)
	}
	for _, j := range leased {
		w.setBrowserState(ctx, j, article.BrowserRunning, "your browser is checking it")
	}
	for _, j := range notes {
		b.mu.Lock()
		msg := j.message
		b.mu.Unlock()
		w.setBrowserState(ctx, j, article.BrowserWaiting, msg)
	}
	for _, j := range expired {
		w.hosts.release(j.host, w.now(), 200, 0)
		f := finding{result: article.CheckResult{At: w.now().UTC(), Outcome: article.CheckError, Via: article.ViaBrowser,
			Message: fmt.Sprintf("your browser did not answer within %s", b.lease)}}
		if _, _, err := w.concludeJob(ctx, j, f); err != nil && ctx.Err() == nil {
			w.log.Error("record a re-check that timed out", "article", j.rec.ArticleID, "err", err)
		}
	}
	return next
}

// saveUsed writes today's count to the store.
func (w *Watcher) saveUsed(ctx context.Context) {
	b := w.browsers
	b.usedMu.Lock()
	defer b.usedMu.Unlock()
	b.mu.Lock()
	used, day := b.settings.UsedToday, b.day
	b.mu.Unlock()
	if err := w.store.SetSetting(ctx, settingRecheckUsed, map[string]any{"day": day, "used": used}); err != nil && ctx.Err() == nil {
		w.log.Error("count re-checks through the browser", "err", err)
	}
}

// freeConn is the connected extension holding the fewest jobs that may be
// offered j, if one can take another. declined reports that none may
// because each declined j (b.mu held).
func (b *browsers) freeConn(j *job) (c *browserConn, declined bool) {
	declined = true
	for _, x := range b.conns {
		if j.declined(x) {
			continue
		}
		declined = false
		if x.held < maxHeld && (c == nil || x.held < c.held) {
			c = x
		}
	}
	return c, declined && len(b.conns) > 0
}

func (w *Watcher) request(j *job) RecheckRequest {
	r := RecheckRequest{Type: "recheck.request", JobID: j.rec.ID, ArticleID: j.rec.ArticleID, URL: j.rec.URL, LeaseUntil: j.leaseUntil.UTC()}
	if a, err := w.store.Article(j.rec.ArticleID); err == nil && a.Watch != nil && a.Watch.Browser != nil {
		r.Validators = Validators{ETag: a.Watch.Browser.ETag, LastModified: a.Watch.Browser.LastModified}
	}
	return r
}

// setBrowserState records where a job stands on its article, if it still
// stands there when the write runs: an answer may overtake the write of
// its lease. (A write that loses that race conflicts with the other, runs
// again and sees it.)
func (w *Watcher) setBrowserState(ctx context.Context, j *job, state article.BrowserState, msg string) {
	still := func() bool {
		b := w.browsers
		b.mu.Lock()
		defer b.mu.Unlock()
		return !j.answering && (j.conn != nil) == (state == article.BrowserRunning)
	}
	_, err := w.store.UpdateOpenRecheck(ctx, j.rec.ArticleID, j.rec.ID, func(a *article.Article) (*article.Event, error) {
		if a.Watch == nil || !still() {
			return nil, nil
		}
		a.Watch.Browser = browserOf(a.Watch)
		a.Watch.Browser.State, a.Watch.Browser.Message = state, msg
		if a.Watch.Browser.Since.IsZero() {
			a.Watch.Browser.Since = j.rec.Created
		}
		return nil, nil
	})
	if err != nil && article.ErrorCode(err) != article.ENOTFOUND && ctx.Err() == nil {
		w.log.Warn("record a re-check's state", "article", j.rec.ArticleID, "err", err)
	}
	if err == nil {
		w.watchMoved(j.rec.ArticleID)
	}
}

// beyondBudget is what the result of a check the reader asked for says
// when it ran after the day's budget was spent: the budget holds back the
// scheduled checks, not the reader's.
func beyondBudget(budget int) string {
	if budget == 0 {
		return "; the daily budget of re-checks through your browser is 0, so none runs on its own: this one ran because you asked"
	}
	unit := "re-checks"
	if budget == 1 {
		unit = "re-check"
	}
	return fmt.Sprintf("; today's budget of %d %s through your browser is spent: this one ran because you asked (the scheduled ones wait for tomorrow)", budget, unit)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func tomorrow(now time.Time) time.Time {
	y, m, d := now.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// Answer records an extension's answer to a job it holds and returns the
// check's result, as a check does. An answer that is not valid changes
// nothing and leaves the job leased.
func (w *Watcher) Answer(ctx context.Context, jobID string, ans RecheckAnswer) (article.CheckResult, article.Article, error) {
	now := w.now()
	if err := ans.validate(now); err != nil {
		return article.CheckResult{}, article.Article{}, err
	}
	if ans.Outcome == AnswerDeclined {
		return w.declined(ctx, jobID, ans.Detail, now)
	}
	b := w.browsers
	b.mu.Lock()
	j := b.jobs[jobID]
	if err := leasedJob(j); err != nil {
		b.mu.Unlock()
		return article.CheckResult{}, article.Article{}, err
	}
	j.answering = true
	b.mu.Unlock()

	a, err := w.store.Article(j.rec.ArticleID)
	if err != nil {
		w.hosts.cancel(j.host)
		w.forgetJob(j)
		return article.CheckResult{}, a, err
	}
	f := w.judgeBrowser(a, &ans, now)
	w.hosts.release(j.host, w.now(), f.hostStatus, 0)
	return w.concludeJob(ctx, j, f)
}

// leasedJob says why a job may not be answered, if it may not (b.mu
// held).
func leasedJob(j *job) error {
	switch {
	case j == nil || j.answering:
		return store.ErrRecheckGone
	case j.conn == nil:
		return article.Errorf(article.ECONFLICT, "this re-check job is not leased to a browser: it timed out or its browser left")
	}
	return nil
}

// declined records that the extension holding a job will not do it now
// (capture paused, say). The job waits, saying why; whoever asked for it
// hears why now, and it no longer jumps the queue. The browser made no
// request, so the lease leaves the day's count. The extension is not
// offered the job again until it says it is ready (its state changed) or
// the article's next due time comes: offering it again at once would
// only be declined again.
func (w *Watcher) declined(ctx context.Context, jobID, detail string, now time.Time) (article.CheckResult, article.Article, error) {
	b := w.browsers
	b.mu.Lock()
	j := b.jobs[jobID]
	if err := leasedJob(j); err != nil {
		b.mu.Unlock()
		return article.CheckResult{}, article.Article{}, err
	}
	a, err := w.store.Article(j.rec.ArticleID)
	if err != nil {
		b.mu.Unlock()
		return article.CheckResult{}, a, err
	}
	c := j.conn
	c.held--
	j.conn, j.leaseUntil = nil, time.Time{}
	if j.declinedBy == nil {
		j.declinedBy = map[*browserConn]bool{}
	}
	j.declinedBy[c] = true
	j.retryAt = w.nextDue(&a, now)
	refund := j.leasedDay == b.day && b.settings.UsedToday > 0
	if refund {
		b.settings.UsedToday--
	}
	j.leasedDay, j.beyondBudget = "", false
	j.message = "waiting for your browser: " + declines[detail]
	msg, waiters := j.message, j.waiters
	j.waiters, j.asked = nil, false
	b.mu.Unlock()

	w.hosts.cancel(j.host)
	if refund {
		w.saveUsed(ctx)
	}
	w.setBrowserState(ctx, j, article.BrowserWaiting, msg)
	b.poke()
	if cur, err := w.store.Article(j.rec.ArticleID); err == nil {
		a = cur
	}
	res := article.CheckResult{Outcome: article.CheckError, At: now.UTC(), Via: article.ViaBrowser, Message: msg}
	for _, ch := range waiters {
		ch <- checked{result: res, article: a}
	}
	return res, a, nil
}

// nextDue is the article's next due time by the schedule after now (zero
// once its schedule has ended).
func (w *Watcher) nextDue(a *article.Article, now time.Time) time.Time {
	next, _, ok := w.Schedule().Next(Since(a), now, w.random)
	if !ok {
		return time.Time{}
	}
	return next
}

// forgetJob drops a job from memory (its article is gone).
func (w *Watcher) forgetJob(j *job) {
	b := w.browsers
	b.mu.Lock()
	if j.conn != nil {
		j.conn.held--
	}
	delete(b.jobs, j.rec.ID)
	b.mu.Unlock()
	b.poke()
}

// judgeBrowser judges what the browser found as the watcher judges a
// fetch: by the answer's status, then by the page.
func (w *Watcher) judgeBrowser(a article.Article, ans *RecheckAnswer, now time.Time) finding {
	f := finding{result: article.CheckResult{At: now.UTC(), Via: article.ViaBrowser}, hostStatus: 200}
	if ans.Outcome == AnswerError {
		f.hostStatus = 0
		f.fail("your browser could not fetch the page: " + orText(ans.Detail, "no detail"))
		return f
	}
	final, err := url.Parse(orText(ans.URL, a.URL))
	if err != nil {
		final, _ = url.Parse(a.URL)
	}
	resp := &Response{Status: ans.HTTPStatus, URL: final, ContentType: "text/html; charset=utf-8", Body: []byte(ans.HTML)}
	f.hostStatus = resp.Status
	f.result.HTTPStatus = resp.Status
	f.etag, f.lastModified = ans.ETag, ans.LastModified
	w.judgeAnswer(&f, a, resp, false, false, func() { w.judgeBrowserPage(&f, a, resp, ans.Capture, now) })
	if resp.Status == 304 && f.result.Outcome == article.CheckUnchanged {
		f.result.Version = a.LatestBrowser
	}
	if f.result.Outcome == article.CheckNotCheckable {
		f.result.Message = browserReasonText(f.result.Reason, f.result.Message)
	}
	return f
}

func orText(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

// concludeJob stores what a job found, closes it, records the check on
// the article, and tells those who asked.
func (w *Watcher) concludeJob(ctx context.Context, j *job, f finding) (article.CheckResult, article.Article, error) {
	defer w.forgetJob(j)
	now := w.now()
	a, err := w.store.Article(j.rec.ArticleID)
	if err != nil {
		return article.CheckResult{}, a, err
	}
	if f.capture != nil {
		saved, err := w.reading.Rechecked(ctx, a, f.capture, now)
		if err := w.stored(&f, saved, err); err != nil {
			return article.CheckResult{}, a, err
		}
		switch f.result.Outcome {
		case article.CheckBaseline:
			f.result.Message = fmt.Sprintf("first check through your browser stored as version %d", saved.Version)
		case article.CheckUnchanged:
			f.result.Message = "no change since the last check through your browser"
		}
	}
	b := w.browsers
	b.mu.Lock()
	beyond, budget := j.beyondBudget, j.budget
	b.mu.Unlock()
	if beyond {
		f.result.Message += beyondBudget(budget)
	}
	updated, err := w.store.CloseRecheck(ctx, a.ID, j.rec.ID, func(a *article.Article) (*article.Event, error) {
		return w.applyBrowser(a, f, now), nil
	})
	if err != nil {
		return article.CheckResult{}, a, err
	}
	res := w.recorded(updated, f)
	b.mu.Lock()
	waiters := j.waiters
	j.waiters = nil
	b.mu.Unlock()
	for _, ch := range waiters {
		ch <- checked{result: res, article: updated}
	}
	w.Wake()
	return res, updated, nil
}

// applyBrowser records a check through the browser in the article's watch
// and plans the next one by the schedule. The fetch's verdict (state and
// reason not_checkable) stays: only the browser follows the article.
func (w *Watcher) applyBrowser(a *article.Article, f finding, now time.Time) *article.Event {
	wt := a.Watch
	if wt == nil {
		wt = &article.Watch{State: article.WatchWatching}
		a.Watch = wt
	}
	res := f.result
	wt.Checks++
	wt.LastChecked = now.UTC()
	wt.LastResult = &res
	bc := browserOf(wt)
	wt.Browser = bc
	bc.State, bc.Since, bc.Message = article.BrowserIdle, time.Time{}, res.Message
	if f.hostStatus != 0 {
		bc.LastChecked = now.UTC()
	}
	var ev *article.Event
	switch res.Outcome {
	case article.CheckBaseline, article.CheckUnchanged, article.CheckChanged:
		wt.Failures = 0
		if f.etag != "" || f.lastModified != "" {
			bc.ETag, bc.LastModified = f.etag, f.lastModified
		}
		wt.RemovedAt = time.Time{}
		if wt.State == article.WatchRemoved {
			wt.State = article.WatchWatching
		}
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
	default:
		wt.Failures++
	}
	w.planNext(a, now)
	return ev
}

// judgeBrowserPage decides whether the page the browser fetched is the
// article. The extension's extraction (Readability, the block rules of a
// read capture) is what is compared and stored; the page's HTML gives the
// signs of a wall, which sit outside what Readability keeps, and tells a
// page that shows its article only with script. The reference is the
// newest browser version, what the reader (or the last re-check) saw.
func (w *Watcher) judgeBrowserPage(f *finding, a article.Article, resp *Response, c *article.Capture, now time.Time) {
	page, _ := extract.HTML(resp.Body, resp.ContentType, resp.URL)
	var wall extract.Wall
	if page != nil {
		wall = page.Wall
	}
	script := scripted(resp.Body)
	if c == nil {
		switch {
		case wall.Kind != "":
			f.verdict(wall.Kind, wall.Evidence, true)
		case script:
			f.verdict(ReasonNeedsVisit, "", true)
		default:
			f.verdict(ReasonNoText, "", true)
		}
		return
	}
	var ref *article.Content
	if a.LatestBrowser > 0 {
		v, err := w.store.Version(a.ID, a.LatestBrowser)
		if err != nil {
			f.fail("Redline could not read your capture: " + article.ErrorMessage(err))
			return
		}
		ref = &v.Content
	}
	judged := &extract.Page{Blocks: canonical.Blocks(slices.Clone(c.Blocks)), Wall: wall}
	reason, detail := w.quality.judge(judged, ref, nil)
	if (reason == ReasonPoorer || reason == ReasonNoText) && script {
		reason, detail = ReasonNeedsVisit, ""
	}
	if reason != "" {
		f.verdict(reason, detail, true)
		return
	}
	cp := *c
	cp.CapturedAt, cp.Reading = now.UTC(), nil
	f.capture = &cp
}

// scripted reports whether a page's markup holds a script element: a page
// whose text the browser's fetch misses may show it only with script.
func scripted(body []byte) bool {
	return bytes.Contains(bytes.ToLower(body[:min(len(body), MaxAnswerHTML)]), []byte("<script"))
}

// browserReasonText says why the page the browser fetched is not the
// article.
func browserReasonText(reason, fallback string) string {
	switch reason {
	case ReasonPaywall:
		return "the page your browser fetched asks for a subscription: is your subscription still active? Nothing was stored"
	case ReasonLogin:
		return "the page your browser fetched asks to log in: log in to the site in your browser. Nothing was stored"
	case ReasonConsent:
		return "the page your browser fetched is a cookie-consent page: answer it once on the site. Nothing was stored"
	case ReasonBotCheck:
		return "the site answered your browser with a bot check: visit the page once. Nothing was stored"
	case ReasonNeedsVisit:
		return "needs a visit: the page shows its article only with script, so Redline learns of changes when you visit it. Nothing was stored"
	case ReasonPoorer:
		return "the page your browser fetched holds far less than the text you read. Nothing was stored"
	case ReasonNoText:
		return "your browser found no article text in the page. Nothing was stored"
	}
	return fallback
}
