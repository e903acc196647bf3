package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"redline/daemon/internal/api"
)

// runOpen asks the running daemon for a one-time dashboard login URL and
// opens it in the default browser, or only prints it with --print. The
// URL is the only way into the dashboard from a browser: it works once,
// for two minutes, and then a session cookie keeps the browser logged in.
func runOpen(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "open")
	data := dataFlag(fs)
	printOnly := fs.Bool("print", false, "only print the URL; do not open a browser")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	t, err := connect(ctx, *data)
	if err != nil {
		return err
	}
	if t.client == nil {
		return errors.New("the daemon is not running: start it with `redline serve`, then open the dashboard")
	}
	var l api.LoginResponse
	if err := t.client.do(ctx, "POST", "/api/v1/dashboard/login", strings.NewReader("{}"), &l); err != nil {
		return err
	}
	if *printOnly {
		fmt.Fprintln(e.stdout, l.URL)
		return nil
	}
	if err := openBrowser(l.URL); err != nil {
		fmt.Fprintf(e.stdout, "Could not open a browser (%v). Open this link yourself; it works once, for 2 minutes:\n\n  %s\n", oneLine(err), l.URL)
		return nil
	}
	fmt.Fprintf(e.stdout, "Opening the dashboard in your browser. If it does not open, use this link (it works once, for 2 minutes):\n\n  %s\n", l.URL)
	return nil
}
