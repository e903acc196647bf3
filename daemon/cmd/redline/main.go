// Command redline is Redline's one binary: the daemon and the commands
// that talk to it. Run `redline help` for the list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// command is one subcommand.
type command struct {
	name    string
	usage   string // arguments after the name
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command may touch; tests give their own.
type env struct {
	stdout, stderr io.Writer
	stdin          io.Reader
	// sawFlags, when set, is given every flag set a command makes (the
	// completion scripts learn the flags so).
	sawFlags func(*flag.FlagSet)
}

var commands []command

func init() {
	commands = []command{
		{"serve", "[--addr 127.0.0.1:7710] [--data DIR] [--allow-private] [--log FILE] [--verbose]", "run the daemon", runServe},
		serviceCommand,
		{"status", "[--data DIR] [--json]", "show whether the daemon runs and what it holds", runStatus},
		{"token", "[--data DIR]", "print the API token (created on first use)", runToken},
		{"export", "[--data DIR]", "write every article and version as JSON lines to stdout", runExport},
		{"import", "[--data DIR] FILE", "add an export (daemon stopped), a list of addresses, bookmarks or OPML", runImport},
		{"backup", "[--data DIR] FILE", "write a full backup to FILE (- for stdout)", runBackup},
		{"restore", "[--data DIR] [--replace] FILE", "restore a backup (the daemon must be stopped)", runRestore},
		{"pair", "[--data DIR] [--print]", "print (and open) a one-time link that pairs the browser extension", runPair},
		{"open", "[--data DIR] [--print]", "open the dashboard in the browser (--print: only print its one-time login link)", runOpen},
		{"list", "[--data DIR] [--changed] [--limit N] [--json]", "list the newest articles, or with --changed the most recently changed", runList},
		{"track", "[--data DIR] [--json] URL", "watch a page you name, without the browser (its first fetch counts as read)", runTrack},
		{"check", "[--data DIR] [--json] URL|ID", "check an article now and say what changed", runCheck},
		{"diff", diffUsage, "show how an article changed since you read it, to read or to share", runDiff},
		{"pause", "[--data DIR] URL|ID | --site SITE", "stop checking an article, or every article of a site", runPause},
		{"resume", "[--data DIR] URL|ID | --site SITE", "check a paused article or site again, starting now", runResume},
		{"notify", notifyUsage, "send changes to your phone or inbox: add, list, remove or test targets", runNotify},
		{"completion", "bash|zsh|fish", "print a shell completion script: source <(redline completion bash)", runCompletion},
		{"version", "", "print the version", runVersion},
	}
}

func main() {
	ctx, stop := signalContext()
	code := run(ctx, &env{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin}, os.Args[1:])
	stop()
	os.Exit(code)
}

// signalContext ends on SIGINT or SIGTERM: the daemon then shuts down
// cleanly.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// errUsage marks a mistake in how the command was called.
var errUsage = errors.New("usage")

func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "--help", "-help":
		if len(args) == 1 {
			usage(e.stdout)
			return 0
		}
		c, ok := find(args[1])
		if !ok || len(args) > 2 {
			fmt.Fprintf(e.stderr, "redline help: no command %q (see `redline help`)\n", strings.Join(args[1:], " "))
			return 2
		}
		return run(ctx, e, []string{c.name, "--help"})
	case "--version", "-version", "-v":
		if len(args) > 1 {
			fmt.Fprintf(e.stderr, "redline: %s takes nothing after it; flags go after the command (see `redline help`)\n", name)
			return 2
		}
		return run(ctx, e, []string{"version"})
	}
	c, ok := find(name)
	if !ok {
		what := "command"
		if strings.HasPrefix(name, "-") {
			what = "flag (flags go after the command)"
		}
		fmt.Fprintf(e.stderr, "redline: unknown %s %q (see `redline help`)\n", what, name)
		return 2
	}
	err := c.run(ctx, e, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(e.stderr, "redline %s: %s\nusage: %s (see `redline %s --help`)\n", c.name, strings.TrimPrefix(err.Error(), "usage: "),
			strings.TrimSpace("redline "+c.name+" "+c.usage), c.name)
		return 2
	default:
		fmt.Fprintf(e.stderr, "redline %s: %s\n", c.name, oneLine(err))
		return 1
	}
}

func find(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Redline tells you when an article you already read has changed.

Usage: redline COMMAND [ARGUMENTS] [FLAGS]

Commands:
`)
	width := 0
	for _, c := range commands {
		width = max(width, len(c.name))
	}
	for _, c := range commands {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprint(w, `
Flags go before or after the arguments. The commands that use your data
take --data DIR (or REDLINE_DATA); the default is the per-user data
folder. "redline COMMAND --help" shows a command's usage and flags.
`)
}

// oneLine keeps error output to one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

func runVersion(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "version")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "redline", version)
	return nil
}
