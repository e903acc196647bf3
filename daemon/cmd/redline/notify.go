package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"text/tabwriter"

	"redline/daemon/internal/api"
	"redline/daemon/internal/notify"
)

// notifyUsage is the notify command's arguments.
const notifyUsage = "add URL [--minor] [--site SITE] [--digest 30m] | list | remove ID | test [ID]  [--data DIR]"

// runNotify sets the daemon's notification targets: add, list, remove
// and test, over the running daemon's API (the daemon keeps the targets
// and sends the messages).
func runNotify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "notify")
	data := dataFlag(fs)
	sub, args := splitAction(args, "data", "site", "digest")
	var minor *bool
	var site, digest *string
	if sub == "add" {
		minor = fs.Bool("minor", false, "send minor changes too (default: substantive changes only)")
		site = fs.String("site", "", "send only the changes of this site (e.g. example.com)")
		digest = fs.String("digest", "", "at most one message per `PERIOD` (e.g. 30m, 2h), summarising the changes since the last")
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	pos := fs.Args()
	var err error
	want := func(lo, hi int, what string) error {
		if len(pos) < lo || len(pos) > hi {
			return fmt.Errorf("%w: notify %s takes %s", errUsage, sub, what)
		}
		return nil
	}
	switch sub {
	case "add":
		err = want(1, 1, "one service URL")
	case "list":
		err = want(0, 0, "no arguments")
	case "remove":
		err = want(1, 1, "one target id")
	case "test":
		err = want(0, 1, "a target id, or none for every target")
	case "":
		err = fmt.Errorf("%w: say what to do: add, list, remove or test", errUsage)
	default:
		err = fmt.Errorf("%w: unknown notify action %q (add, list, remove or test)", errUsage, sub)
	}
	if err != nil {
		return err
	}
	var id int64
	if (sub == "remove" || sub == "test") && len(pos) == 1 {
		if id, err = strconv.ParseInt(pos[0], 10, 64); err != nil || id < 1 {
			return fmt.Errorf("%w: %q is not a target id (see `redline notify list`)", errUsage, pos[0])
		}
	}
	r, err := connect(ctx, *data)
	if err != nil {
		return err
	}
	defer r.Close()
	c, ok := r.(*httpRedline)
	if !ok {
		return fmt.Errorf("the Redline daemon is not running: it keeps the notification targets and sends the messages; start it with `redline serve` (or `redline service install`)")
	}
	switch sub {
	case "add":
		var st notify.Status
		spec := notify.Spec{URL: pos[0], Minor: *minor, Site: *site, Digest: *digest}
		if err := c.do(ctx, http.MethodPost, "/api/v1/notify/targets", jsonBody(spec), &st); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added target %d: %s\nsends %s\ncheck it with `redline notify test %d`\n", st.ID, st.URL, sends(st), st.ID)
	case "list":
		var l api.NotifyTargets
		if err := c.do(ctx, http.MethodGet, "/api/v1/notify/targets", nil, &l); err != nil {
			return err
		}
		printTargets(e.stdout, l.Targets)
	case "remove":
		var l api.NotifyTargets
		if err := c.do(ctx, http.MethodDelete, "/api/v1/notify/targets/"+strconv.FormatInt(id, 10), nil, &l); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "removed target %d; %d left\n", id, len(l.Targets))
	case "test":
		var res api.NotifyTestResults
		if err := c.do(ctx, http.MethodPost, "/api/v1/notify/test", jsonBody(api.NotifyTestRequest{ID: id}), &res); err != nil {
			return err
		}
		if len(res.Results) == 0 {
			fmt.Fprintln(e.stdout, "no notification targets: add one with `redline notify add URL`")
			return nil
		}
		failed := 0
		for _, t := range res.Results {
			if t.OK {
				fmt.Fprintf(e.stdout, "target %d: sent (%s)\n", t.ID, t.URL)
			} else {
				failed++
				fmt.Fprintf(e.stdout, "target %d: FAILED (%s): %s\n", t.ID, t.URL, t.Error)
			}
		}
		if failed > 0 {
			return fmt.Errorf("%d of %d test %s failed", failed, len(res.Results), plural(len(res.Results), "notification"))
		}
	}
	return nil
}

// sends says what a target sends.
func sends(st notify.Status) string {
	s := "substantive changes"
	if st.Minor {
		s = "minor and substantive changes"
	}
	if st.Site != "" {
		s += " of " + st.Site
	} else {
		s += " of every site"
	}
	if st.DigestMinutes > 0 {
		s += ", at most one message every " + minutesText(st.DigestMinutes)
	} else {
		s += ", each at once"
	}
	return s
}

// minutesText says a number of minutes as a duration: 30m, 2h, 1h30m.
func minutesText(n int) string {
	h, m := n/60, n%60
	switch {
	case h == 0:
		return fmt.Sprintf("%dm", m)
	case m == 0:
		return fmt.Sprintf("%dh", h)
	default:
		return fmt.Sprintf("%dh%dm", h, m)
	}
}

// printTargets lists the targets: masked URL, what each sends and how its
// delivery stands.
func printTargets(w io.Writer, targets []notify.Status) {
	if len(targets) == 0 {
		fmt.Fprintln(w, "no notification targets: add one with `redline notify add URL`")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	defer tw.Flush()
	fmt.Fprintln(tw, "ID\tSERVICE\tURL\tSENDS\tSTATUS")
	for _, t := range targets {
		status := "nothing sent yet"
		if t.LastSentAt != nil {
			status = "last sent " + t.LastSentAt.Local().Format("2006-01-02 15:04")
		}
		if t.LastError != "" {
			status = "FAILING"
			if t.LastErrorAt != nil {
				status += " at " + t.LastErrorAt.Local().Format("2006-01-02 15:04")
			}
			status += ": " + t.LastError
			if t.Failures > 0 {
				status += fmt.Sprintf(" (%d %s in a row, trying again)", t.Failures, plural(t.Failures, "failure"))
			}
		}
		if t.Pending > 0 {
			status += fmt.Sprintf("; %d pending", t.Pending)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", t.ID, t.Service, t.URL, sends(t), oneLineText(status))
	}
}

func oneLineText(s string) string { return strings.Join(strings.Fields(s), " ") }
