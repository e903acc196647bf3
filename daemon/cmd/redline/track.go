package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"redline/daemon/internal/api"
	"redline/daemon/internal/article"
	"redline/daemon/internal/watch"
)

func runTrack(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "track")
	data := dataFlag(fs)
	asJSON := jsonFlag(fs)
	if err := parseOneArg(fs, args, "name the page's URL"); err != nil {
		return err
	}
	return withService(ctx, *data, func(r redlineService) error {
		out, err := r.Track(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		if *asJSON {
			return checkJSON(e.stdout, out, out.Result)
		}
		a := out.Article
		if out.Created {
			fmt.Fprintf(e.stdout, "watching %s (article %d)\n", a.URL, a.ID)
		} else {
			fmt.Fprintf(e.stdout, "already known: %s (article %d), now watched as a page you named\n", a.URL, a.ID)
		}
		fmt.Fprintf(e.stdout, "  %s\n", printable(a.Title, maxTitle))
		return printCheck(e.stdout, out.CheckResponse, time.Now())
	})
}

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "check")
	data := dataFlag(fs)
	asJSON := jsonFlag(fs)
	if err := parseOneArg(fs, args, "name the article by its URL or its id"); err != nil {
		return err
	}
	return withService(ctx, *data, func(r redlineService) error {
		out, err := r.Check(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		if *asJSON {
			return checkJSON(e.stdout, out, out.Result)
		}
		printTitle(e.stdout, out.Article)
		return printCheck(e.stdout, out, time.Now())
	})
}

// checkJSON writes the answer of `check --json` or `track --json`, the
// API's own; a check that ran and failed still exits 1.
func checkJSON(w io.Writer, answer any, res article.CheckResult) error {
	if err := writeJSON(w, answer); err != nil {
		return err
	}
	if res.Outcome == article.CheckError {
		return errCheckFailed
	}
	return nil
}

// parseOneArg parses flags of a command that takes one argument; what
// says what the argument is when it is missing.
func parseOneArg(fs *flag.FlagSet, args []string, what string) error {
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: %s", errUsage, what)
	}
	return nil
}

func runPause(ctx context.Context, e *env, args []string) error {
	return pauseOrResume(ctx, e, "pause", args)
}

func runResume(ctx context.Context, e *env, args []string) error {
	return pauseOrResume(ctx, e, "resume", args)
}

func pauseOrResume(ctx context.Context, e *env, name string, args []string) error {
	fs := newFlags(e, name)
	data := dataFlag(fs)
	site := fs.String("site", "", "every article of this site (e.g. example.com), and those captured later")
	if err := parse(fs, args); err != nil {
		return err
	}
	if (*site == "") == (fs.NArg() != 1) || fs.NArg() > 1 {
		return fmt.Errorf("%w: name one article (URL or id) or one --site", errUsage)
	}
	paused := name == "pause"
	return withService(ctx, *data, func(r redlineService) error {
		if *site != "" {
			out, err := r.SetSitePaused(ctx, *site, paused)
			if err != nil {
				return err
			}
			verb := "paused"
			if !out.Paused {
				verb = "resumed"
			}
			fmt.Fprintf(e.stdout, "%s %s: %d %s\n", verb, out.Site, out.Articles, plural(out.Articles, "article"))
			return nil
		}
		a, err := r.SetPaused(ctx, fs.Arg(0), paused)
		if err != nil {
			return err
		}
		printTitle(e.stdout, a)
		printWatch(e.stdout, a.Watch, time.Now())
		return nil
	})
}

func parseID(arg string) (int64, bool) {
	id, err := strconv.ParseInt(arg, 10, 64)
	return id, err == nil && id > 0
}

// notWatched turns "no article at URL" into what to do about it.
func notWatched(arg string, err error) error {
	if article.ErrorCode(err) == article.ENOTFOUND || strings.Contains(err.Error(), "no article") {
		return fmt.Errorf("Redline has no article at %s: start watching it with `redline track %s`", arg, arg)
	}
	return err
}

// errCheckFailed marks a check that ran and failed: the command says why
// and exits 1.
var errCheckFailed = errors.New("the check failed; it will be tried again on the schedule")

// printCheck says what a check found and when the next one is.
func printCheck(w io.Writer, c api.CheckResponse, now time.Time) error {
	res := c.Result
	switch res.Outcome {
	case article.CheckBaseline:
		line := "first fetch stored as version " + strconv.Itoa(res.Version)
		if c.Article.Watch != nil && c.Article.Watch.Named && c.Article.Read.Version == res.Version {
			line += "; it counts as read"
		}
		fmt.Fprintf(w, "  %s\n", line)
		printSinceRead(w, res)
	case article.CheckUnchanged:
		fmt.Fprintf(w, "  unchanged since the last check\n")
	case article.CheckChanged:
		fmt.Fprintf(w, "  changed: version %d: %s\n", res.Version, watch.SummaryText(res.Summary))
		printSinceRead(w, res)
	case article.CheckRemoved:
		fmt.Fprintf(w, "  removed: %s\n", res.Message)
	case article.CheckNotCheckable:
		fmt.Fprintf(w, "  not checkable by fetch: %s\n", res.Message)
	default:
		fmt.Fprintf(w, "  error: %s\n", res.Message)
	}
	printWatch(w, c.Article.Watch, now)
	if res.Outcome == article.CheckError {
		return errCheckFailed
	}
	return nil
}

// printSinceRead says what changed since the reader read the article: the
// range the banner, the dashboard and the feeds describe.
func printSinceRead(w io.Writer, res article.CheckResult) {
	if res.SinceRead == nil {
		return
	}
	fmt.Fprintf(w, "  changed since you read it (version %d to %d): %s\n", res.ReadVersion, res.Version, watch.SummaryText(res.SinceRead))
	fmt.Fprintf(w, "  see the diff in the dashboard: redline open\n")
}

// maxTitle is as much of a headline as check and track show.
const maxTitle = 300

// printTitle names the article by its newest headline, and the one the
// reader read when a change replaced it.
func printTitle(w io.Writer, a article.Article) {
	fmt.Fprintf(w, "%s (article %d)\n", printable(a.Title, maxTitle), a.ID)
	if a.TitleWas != "" {
		fmt.Fprintf(w, "  was: %s\n", printable(a.TitleWas, maxTitle))
	}
}

// printWatch says when the article is checked next.
func printWatch(w io.Writer, wt *article.Watch, now time.Time) {
	if wt == nil {
		return
	}
	switch {
	case wt.State == article.WatchPaused:
		fmt.Fprintf(w, "  paused: not checked until resumed\n")
	case wt.Browser != nil && wt.Browser.State != article.BrowserIdle:
		fmt.Fprintf(w, "  %s\n", orWaiting(wt.Browser.Message))
	case wt.Via == article.ViaBrowser && !wt.NextCheck.IsZero():
		fmt.Fprintf(w, "  next check through your browser %s (%s)\n", in(wt.NextCheck.Sub(now)), wt.NextCheck.Local().Format("2006-01-02 15:04"))
	case wt.State == article.WatchNotCheckable:
		fmt.Fprintf(w, "  followed through your browser captures only\n")
	case wt.NextCheck.IsZero():
		fmt.Fprintf(w, "  won't be checked again: unchanged for longer than the schedule follows articles\n")
	default:
		fmt.Fprintf(w, "  next check %s (%s)\n", in(wt.NextCheck.Sub(now)), wt.NextCheck.Local().Format("2006-01-02 15:04"))
	}
}

// orWaiting is a browser job's message, or the plain one.
func orWaiting(msg string) string {
	if msg == "" {
		return "waiting for your browser"
	}
	return msg
}

// in says a wait in words: "in 15 min", "in 3 h", "in 2 days".
func in(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "now"
	case d < 2*time.Hour:
		return fmt.Sprintf("in %d min", int(d.Round(time.Minute)/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("in %d h", int(d.Round(time.Hour)/time.Hour))
	}
	return fmt.Sprintf("in %d days", int(d.Round(24*time.Hour)/(24*time.Hour)))
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
