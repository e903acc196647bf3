package main

import (
	"context"
	"errors"
	"fmt"
)

// runOpen asks the running daemon for a one-time dashboard login URL and
// opens it in the default browser, or only prints it with --print. The
// URL is the only way into the dashboard from a browser: it works once,
// for two minutes, and then a session cookie keeps the browser logged in.
func runOpen(ctx context.Context, e *env, args []string) error {
	url, printOnly, err := oneTimeLink(ctx, e, "open", args, "/api/v1/dashboard/login", "open the dashboard")
	if err != nil || printOnly {
		return err
	}
	if err := openBrowser(url); err != nil {
		fmt.Fprintf(e.stdout, "Could not open a browser (%v). Open this link yourself; it works once, for 2 minutes:\n\n  %s\n", oneLine(err), url)
		return nil
	}
	fmt.Fprintf(e.stdout, "Opening the dashboard in your browser. If it does not open, use this link (it works once, for 2 minutes):\n\n  %s\n", url)
	return nil
}

// oneTimeLink is what `redline open` and `redline pair` share: the --data
// and --print flags, and asking the running daemon (POST path) for a
// one-time URL. With --print the URL is printed here.
func oneTimeLink(ctx context.Context, e *env, name string, args []string, path, then string) (url string, printOnly bool, err error) {
	fs := newFlags(e, name)
	data := dataFlag(fs)
	only := fs.Bool("print", false, "only print the URL; do not open a browser")
	if err := parseNoArgs(fs, args); err != nil {
		return "", false, err
	}
	r, err := connect(ctx, *data)
	if err != nil {
		return "", false, err
	}
	defer r.Close()
	url, err = r.Link(ctx, path)
	if errors.Is(err, errNoDaemon) {
		return "", false, fmt.Errorf("the daemon is not running: start it with `redline serve`, then %s", then)
	}
	if err != nil {
		return "", false, err
	}
	if *only {
		fmt.Fprintln(e.stdout, url)
	}
	return url, *only, nil
}
