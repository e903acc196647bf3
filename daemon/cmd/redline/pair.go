package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"

	"redline/daemon/internal/api"
)

// runPair asks the running daemon for a one-time pairing URL, prints it,
// and opens it in the default browser unless --print is given. Opening it
// in a browser where the Redline extension is installed pairs the
// extension with this daemon; nothing has to be typed.
func runPair(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "pair")
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
		return errors.New("the daemon is not running: start it with `redline serve`, then pair")
	}
	var p api.PairingResponse
	if err := t.client.do(ctx, "POST", "/api/v1/pair", strings.NewReader("{}"), &p); err != nil {
		return err
	}
	if *printOnly {
		fmt.Fprintln(e.stdout, p.URL)
		return nil
	}
	fmt.Fprintf(e.stdout, "Open this link in the browser where the Redline extension is installed\n(it works once, for 10 minutes):\n\n  %s\n\n", p.URL)
	if err := openBrowser(p.URL); err != nil {
		fmt.Fprintf(e.stdout, "Could not open a browser (%v): open the link yourself.\n", oneLine(err))
	}
	return nil
}

// openBrowser opens url with the desktop's default browser.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() // reap it; the browser outlives us
	return nil
}
