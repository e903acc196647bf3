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
}

var commands []command

func init() {
	commands = []command{
		{"serve", "[--addr 127.0.0.1:7710] [--data DIR] [--allow-private]", "run the daemon", runServe},
		serviceCommand,
		{"status", "[--data DIR]", "show whether the daemon runs and what it holds", runStatus},
		{"token", "[--data DIR]", "print the API token (created on first use)", runToken},
		{"export", "[--data DIR]", "write every article and version as JSON lines to stdout", runExport},
		{"backup", "[--data DIR] FILE", "write a full backup to FILE (- for stdout)", runBackup},
		{"restore", "[--data DIR] [--replace] FILE", "restore a backup (the daemon must be stopped)", runRestore},
		{"pair", "[--data DIR] [--print]", "print (and open) a one-time link that pairs the browser extension", runPair},
		{"open", "[--data DIR] [--print]", "open the dashboard in the browser (--print: only print its one-time login link)", runOpen},
		{"track", "[--data DIR] URL", "watch a page you name, without the browser (its first fetch counts as read)", runTrack},
		{"check", "[--data DIR] URL|ID", "check an article now and say what changed", runCheck},
		{"diff", diffUsage, "show how an article changed (since you read it, or between two versions), to read or to share", runDiff},
		{"pause", "[--data DIR] URL|ID | --site SITE", "stop checking an article, or every article of a site", runPause},
		{"resume", "[--data DIR] URL|ID | --site SITE", "check a paused article or site again, starting now", runResume},
		{"notify", notifyUsage, "send changes to your phone or inbox: add, list, remove or test targets", runNotify},
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
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		if len(args) > 1 {
			if c, ok := find(args[1]); ok {
				commandUsage(e.stdout, c, nil)
				return 0
			}
		}
		usage(e.stdout)
		return 0
	}
	c, ok := find(name)
	if !ok {
		fmt.Fprintf(e.stderr, "redline: unknown command %q (see `redline help`)\n", name)
		return 2
	}
	err := c.run(ctx, e, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(e.stderr, "redline %s: %s\nusage: redline %s %s\n", c.name, strings.TrimPrefix(err.Error(), "usage: "), c.name, c.usage)
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

Usage: redline COMMAND [flags]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Every command takes --data DIR (or REDLINE_DATA); the default is the
per-user data folder. Run "redline COMMAND --help" for its flags.
`)
}

func commandUsage(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: %s\n\n%s.\n", strings.TrimSpace("redline "+c.name+" "+c.usage), strings.ToUpper(c.summary[:1])+c.summary[1:])
	if fs != nil && hasFlags(fs) {
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// hasFlags reports whether fs defines any flag.
func hasFlags(fs *flag.FlagSet) bool {
	found := false
	fs.VisitAll(func(*flag.Flag) { found = true })
	return found
}

// newFlags returns a flag set whose --help prints the command's usage.
func newFlags(e *env, name string) *flag.FlagSet {
	c, _ := find(name)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() { commandUsage(e.stdout, c, fs) }
	return fs
}

// parse parses flags; a bad flag is a usage error, --help prints usage.
func parse(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return flag.ErrHelp // the flag package has printed the usage
	}
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

// parseNoArgs parses flags of a command that takes no other arguments.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
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
