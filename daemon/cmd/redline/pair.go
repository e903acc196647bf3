package main

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
)

// runPair asks the running daemon for a one-time pairing URL, prints it,
// and opens it in the default browser unless --print is given. Opening it
// in a browser where the Redline extension is installed pairs the
// extension with this daemon; nothing has to be typed.
func runPair(ctx context.Context, e *env, args []string) error {
	url, printOnly, err := oneTimeLink(ctx, e, "pair", args, "/api/v1/pair", "pair")
	if err != nil || printOnly {
		return err
	}
	fmt.Fprintf(e.stdout, "Open this link in the browser where the Redline extension is installed\n(it works once, for 10 minutes):\n\n  %s\n\n", url)
	if err := openBrowser(url); err != nil {
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
