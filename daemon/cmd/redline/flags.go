package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
)

// Every command parses its own flag.FlagSet, made by newFlags and parsed
// by parse (or parseNoArgs, parseOneArg). Those give every command the
// same conventions: flags before or after the arguments, --help on
// stdout, a bad flag a usage error (stderr, exit 2) that writes nothing to
// stdout, and flags shown as --name.

// newFlags returns a flag set whose --help prints the command's usage.
func newFlags(e *env, name string) *flag.FlagSet {
	c, _ := find(name)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	out := &helpOutput{stdout: e.stdout}
	fs.SetOutput(out)
	fs.Usage = func() {
		out.Reset()
		commandUsage(out, c, fs)
	}
	if e.sawFlags != nil {
		e.sawFlags(fs)
	}
	return fs
}

// helpOutput is a flag set's output. The flag package writes its error
// there and calls Usage on every mistake; only --help (or -h) shows what
// it holds, on stdout. A mistake shows one line on stderr instead.
type helpOutput struct {
	bytes.Buffer
	stdout io.Writer
}

// parse parses flags, which may come before or after the arguments
// ("--" ends them: what follows is an argument even if it starts with
// "-"); fs.Args() then holds the arguments in order. A bad flag is a
// usage error; --help prints the usage and returns flag.ErrHelp.
func parse(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			if out, ok := fs.Output().(*helpOutput); ok {
				out.stdout.Write(out.Bytes())
			}
			return flag.ErrHelp
		}
		if err != nil {
			return fmt.Errorf("%w: %s", errUsage, dashes(err.Error()))
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	// Parsing "--" and the arguments sets fs.Args() and no flag.
	return fs.Parse(append([]string{"--"}, pos...))
}

// flagName finds a flag the flag package names with one dash.
var flagName = regexp.MustCompile(`(^|\s)-([A-Za-z][\w-]*)`)

// dashes writes the flag package's messages the way the help shows
// flags: "flag provided but not defined: -bogus" becomes "unknown flag
// --bogus".
func dashes(msg string) string {
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return "unknown flag --" + name
	}
	return flagName.ReplaceAllString(msg, "$1--$2")
}

// splitAction takes the action out of the arguments of a command that
// has actions (`redline notify --data DIR list`): the first argument that
// is neither a flag nor the value of one of valueFlags (the flags, of any
// action, that take a value). It is "" when there is none.
func splitAction(args []string, valueFlags ...string) (action string, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			if i+1 < len(args) {
				return args[i+1], append(slices.Clone(args[:i+1]), args[i+2:]...)
			}
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			if name := strings.TrimLeft(a, "-"); !strings.Contains(name, "=") && slices.Contains(valueFlags, name) {
				i++ // its value
			}
			continue
		}
		return a, append(slices.Clone(args[:i]), args[i+1:]...)
	}
	return "", args
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

// commandUsage prints a command's usage and, when fs has any, its flags.
func commandUsage(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: %s\n\n%s.\n", strings.TrimSpace("redline "+c.name+" "+c.usage), strings.ToUpper(c.summary[:1])+c.summary[1:])
	if fs != nil && hasFlags(fs) {
		fmt.Fprintln(w, "\nFlags:")
		printFlags(w, fs)
	}
}

// printFlags lists fs's flags as the README writes them: --name VALUE,
// what it does, and its default when it has one.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		value, text := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if value == "string" { // no `NAME` in the usage: the flag names its value
			value = f.Name
		}
		if value != "" {
			name += " " + strings.ToUpper(value)
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			text += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(tw, "  %s\t%s\n", name, text)
	})
	tw.Flush()
}

// hasFlags reports whether fs defines any flag.
func hasFlags(fs *flag.FlagSet) bool {
	found := false
	fs.VisitAll(func(*flag.Flag) { found = true })
	return found
}

// takesValue reports whether a flag needs a value (--data DIR), as
// against a switch (--print).
func takesValue(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return !ok || !b.IsBoolFlag()
}
