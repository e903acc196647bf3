package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/watch"
)

// Watcher is what the dashboard asks of the daemon's watcher: check an
// article now, pause and resume its checks, and the schedule.
type Watcher interface {
	CheckNow(ctx context.Context, id int64) (article.CheckResult, article.Article, error)
	Pause(ctx context.Context, id int64) (article.Article, error)
	Resume(ctx context.Context, id int64) (article.Article, error)
	Schedule() watch.Schedule
	SetSchedule(ctx context.Context, s watch.Schedule) error
	RecheckSettings() watch.RecheckSettings
	SetRecheckSettings(ctx context.Context, p watch.RecheckPatch) (watch.RecheckSettings, error)
}

// saveRecheck saves the settings of re-checks through the browser.
func (d *Dashboard) saveRecheck(w http.ResponseWriter, r *http.Request, u user) error {
	if d.watcher == nil {
		return userError(article.ENOTFOUND, "Checking is off in this daemon.")
	}
	enabled := r.PostForm.Get("enabled") == "on"
	budget, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("daily_budget")))
	if err != nil {
		return userError(article.EINVALID, fmt.Sprintf("The daily re-checks must be a whole number from 0 to %d.", watch.MaxDailyBudget))
	}
	var sites []string
	for line := range strings.Lines(r.PostForm.Get("sites")) {
		if t := strings.TrimSpace(line); t != "" {
			sites = append(sites, t)
		}
	}
	if _, err := d.watcher.SetRecheckSettings(r.Context(), watch.RecheckPatch{Enabled: &enabled, DailyBudget: &budget, Sites: &sites}); err != nil {
		if article.ErrorCode(err) == article.EINVALID {
			return userError(article.EINVALID, errMessage(err)+".")
		}
		return err
	}
	http.Redirect(w, r, "/settings?saved=recheck", http.StatusSeeOther)
	return nil
}

// watchView is an article's watch state in words.
type watchView struct {
	State  article.WatchState
	Words  string
	Detail string
	// Which buttons make sense in this state (and with a watcher).
	Check, Pause, Resume bool
}

func (d *Dashboard) watchOf(a article.Article) watchView {
	w := a.Watch
	now := d.now()
	if w == nil {
		v := watchView{Words: "not checked by Redline yet"}
		if d.watcher != nil {
			v.Detail = "Redline fetches it soon after you read it, then on a schedule that slows down as the article settles."
			v.Check = true
		}
		return v
	}
	v := watchView{State: w.State}
	switch w.State {
	case article.WatchWatching:
		switch {
		case w.NextCheck.IsZero():
			v.Words = "watched"
		case !w.NextCheck.After(now):
			v.Words = "next check due now"
		default:
			v.Words = "next check in " + durationText(w.NextCheck.Sub(now))
		}
		v.Pause = true
	case article.WatchPaused:
		v.Words = "paused: not checked until you resume it"
		if w.Reason == "site_paused" {
			v.Words = "paused with its whole site"
		}
		v.Resume = true
	case article.WatchNotCheckable:
		why := w.Message
		if why == "" {
			why = strings.ReplaceAll(w.Reason, "_", " ")
		}
		v.Words = "not checkable by fetch"
		if why != "" {
			v.Words += ": " + why
		}
		v.Detail = "Only your browser's captures follow it."
		if w.Via == article.ViaBrowser {
			v.Detail = "Your browser checks it instead, in the background, on the same schedule."
		}
		v.Pause = true
	case article.WatchRemoved:
		v.Words = "removed from the site"
		if !w.RemovedAt.IsZero() {
			v.Words += " (found gone " + ago(w.RemovedAt) + ")"
		}
		v.Detail = "Redline keeps checking in case it comes back."
		v.Pause = true
	case article.WatchFinished:
		v.Words = "won't be checked again"
		if !a.LastChanged.IsZero() {
			v.Words = "last changed " + ago(a.LastChanged) + " and won't be checked again"
		}
		v.Resume = true
	default:
		v.Words = string(w.State)
	}
	if !w.LastChecked.IsZero() {
		last := fmt.Sprintf("Last checked %s (%s), %s.", ago(w.LastChecked), absTime(w.LastChecked), plural(w.Checks, "check"))
		switch {
		case w.Failures == 1:
			last += " The last check failed."
		case w.Failures > 1:
			last += fmt.Sprintf(" The last %d checks failed.", w.Failures)
		}
		v.Detail = strings.TrimSpace(v.Detail + " " + last)
	}
	if b := w.Browser; b != nil {
		switch {
		case b.State == article.BrowserWaiting:
			v.Words = "waiting for your browser"
			if msg := strings.TrimPrefix(b.Message, "waiting for your browser"); strings.HasPrefix(msg, ": ") {
				v.Words += " (" + msg[2:] + ")"
			}
		case b.State == article.BrowserRunning:
			v.Words = "your browser is checking it now"
		case !b.LastChecked.IsZero():
			v.Detail = strings.TrimSpace(v.Detail + " " + fmt.Sprintf("Checked through your browser %s (%s).", ago(b.LastChecked), absTime(b.LastChecked)))
		}
	}
	v.Check = d.watcher != nil
	v.Pause = v.Pause && d.watcher != nil
	v.Resume = v.Resume && d.watcher != nil
	return v
}

// checkedWords says what a check found, for the message after "Check now".
var checkedWords = map[string]string{
	string(article.CheckBaseline):     "Checked: Redline fetched its first copy to compare later ones with.",
	string(article.CheckUnchanged):    "Checked: unchanged.",
	string(article.CheckChanged):      "Checked: it changed. The new version is below.",
	string(article.CheckRemoved):      "Checked: the page is gone from the site.",
	string(article.CheckNotCheckable): "Checked: a fetch does not give the article (paywall, login or similar); your browser's captures still follow it.",
	string(article.CheckError):        "The check failed; Redline tries again later.",
}

func (d *Dashboard) checkArticle(w http.ResponseWriter, r *http.Request, u user) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if d.watcher == nil {
		return userError(article.ENOTFOUND, "Checking by fetch is off in this daemon.")
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
	defer cancel()
	res, _, err := d.watcher.CheckNow(ctx, id)
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/articles/%d?checked=%s", id, res.Outcome), http.StatusSeeOther)
	return nil
}

func (d *Dashboard) pauseArticle(w http.ResponseWriter, r *http.Request, u user) error {
	return d.setPaused(w, r, true)
}

func (d *Dashboard) resumeArticle(w http.ResponseWriter, r *http.Request, u user) error {
	return d.setPaused(w, r, false)
}

func (d *Dashboard) setPaused(w http.ResponseWriter, r *http.Request, pause bool) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if d.watcher == nil {
		return userError(article.ENOTFOUND, "Checking by fetch is off in this daemon.")
	}
	if pause {
		_, err = d.watcher.Pause(r.Context(), id)
	} else {
		_, err = d.watcher.Resume(r.Context(), id)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/articles/%d", id), http.StatusSeeOther)
	return nil
}

// scheduleText writes a schedule's tiers one a line: "3h 15m" means
// "while it changed less than 3h ago, check every 15m".
func scheduleText(s watch.Schedule) string {
	var b strings.Builder
	for _, t := range s.Tiers {
		within, _ := t.Within.MarshalText()
		every, _ := t.Every.MarshalText()
		fmt.Fprintf(&b, "%s %s\n", within, every)
	}
	return b.String()
}

func durationValue(d watch.Duration) string {
	b, _ := d.MarshalText()
	return string(b)
}

func (d *Dashboard) saveSchedule(w http.ResponseWriter, r *http.Request, u user) error {
	if d.watcher == nil {
		return userError(article.ENOTFOUND, "Checking by fetch is off in this daemon.")
	}
	s := d.watcher.Schedule()
	s.Tiers = nil
	for line := range strings.Lines(r.PostForm.Get("tiers")) {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		var t watch.Tier
		if len(f) != 2 || t.Within.UnmarshalText([]byte(f[0])) != nil || t.Every.UnmarshalText([]byte(f[1])) != nil {
			return userError(article.EINVALID, fmt.Sprintf("%q: write each step as two durations, like \"3h 15m\" (while it changed less than 3 hours ago, check every 15 minutes).", strings.TrimSpace(line)))
		}
		s.Tiers = append(s.Tiers, t)
	}
	if err := s.CutOff.UnmarshalText([]byte(r.PostForm.Get("cut_off"))); err != nil {
		return userError(article.EINVALID, "The cut-off must be a duration such as 360d.")
	}
	if err := d.watcher.SetSchedule(r.Context(), s); err != nil {
		return err
	}
	http.Redirect(w, r, "/settings?saved=schedule", http.StatusSeeOther)
	return nil
}
