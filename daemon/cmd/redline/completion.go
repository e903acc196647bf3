package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// subcommands are the actions of the commands that take one first
// (`redline service install`): the completion scripts offer them, and
// then the action's own flags.
var subcommands = map[string][]string{
	"service":    {"install", "uninstall", "status"},
	"notify":     {"add", "list", "remove", "test"},
	"completion": shells,
}

// shells are the shells `redline completion` writes a script for.
var shells = []string{"bash", "zsh", "fish"}

func runCompletion(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "completion")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: name the shell: %s", errUsage, shellList())
	}
	sh := fs.Arg(0)
	if !slices.Contains(shells, sh) {
		return fmt.Errorf("%w: no completion for %q: %s", errUsage, sh, shellList())
	}
	cmds := completionCommands()
	switch sh {
	case "bash":
		writeBash(e.stdout, cmds)
	case "zsh":
		writeZsh(e.stdout, cmds)
	default:
		writeFish(e.stdout, cmds)
	}
	return nil
}

func shellList() string {
	return strings.Join(shells[:len(shells)-1], ", ") + " or " + shells[len(shells)-1]
}

// completed is a command as the completion scripts see it: its flags, and
// its actions with theirs.
type completed struct {
	name, summary string
	flags         []*flag.Flag
	subs          []completedSub
	file          bool // it takes a FILE
}

type completedSub struct {
	name  string
	flags []*flag.Flag
}

// completionCommands learns every command's flags from the commands
// themselves: each runs with --help (with its output thrown away), and
// the flag sets it makes are noted. A command in the table, parsing its
// flags with newFlags and parse as every command does, is completed with
// no more to write. Parsing comes before anything a command does, so
// --help does nothing else; the context is cancelled besides.
func completionCommands() []completed {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	flagsOf := func(c command, args ...string) []*flag.Flag {
		var sets []*flag.FlagSet
		e := &env{stdout: io.Discard, stderr: io.Discard, stdin: strings.NewReader(""), sawFlags: func(fs *flag.FlagSet) { sets = append(sets, fs) }}
		_ = c.run(ctx, e, append(args, "--help")) // --help answers flag.ErrHelp
		var out []*flag.Flag
		for _, fs := range sets {
			fs.VisitAll(func(f *flag.Flag) {
				if !slices.ContainsFunc(out, func(g *flag.Flag) bool { return g.Name == f.Name }) {
					out = append(out, f)
				}
			})
		}
		return out
	}
	var out []completed
	for _, c := range commands {
		cc := completed{name: c.name, summary: c.summary, flags: flagsOf(c), file: takesFile(c.usage)}
		for _, s := range subcommands[c.name] {
			cc.subs = append(cc.subs, completedSub{name: s, flags: flagsOf(c, s)})
		}
		out = append(out, cc)
	}
	return out
}

// optional is a bracketed part of a usage line: [--log FILE].
var optional = regexp.MustCompile(`\[[^\]]*\]`)

// takesFile reports whether a usage line names a FILE argument (not a
// flag's value).
func takesFile(usage string) bool {
	return slices.Contains(strings.Fields(optional.ReplaceAllString(usage, "")), "FILE")
}

// valueFlags are the names of the flags that take a value, of any
// command: after one, the scripts offer no flags.
func valueFlags(cmds []completed) (names []string) {
	add := func(fl []*flag.Flag) {
		for _, f := range fl {
			if takesValue(f) && !slices.Contains(names, f.Name) {
				names = append(names, f.Name)
			}
		}
	}
	for _, c := range cmds {
		add(c.flags)
		for _, s := range c.subs {
			add(s.flags)
		}
	}
	return names
}

// dirFlags are the flags whose value is a folder: the scripts offer
// folders after them.
var dirFlags = []string{"data"}

// quote quotes s for bash, zsh and fish alike.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func flagWords(fl []*flag.Flag) string {
	var w []string
	for _, f := range fl {
		w = append(w, "--"+f.Name)
	}
	return strings.Join(w, " ")
}

func names(cmds []completed) string {
	var w []string
	for _, c := range cmds {
		w = append(w, c.name)
	}
	return strings.Join(w, " ")
}

func subNames(subs []completedSub) string {
	var w []string
	for _, s := range subs {
		w = append(w, s.name)
	}
	return strings.Join(w, " ")
}

// flagText is a flag's help in one short line.
func flagText(f *flag.Flag) string {
	_, text := flag.UnquoteUsage(f)
	if i := strings.Index(text, " ("); i > 0 {
		text = text[:i]
	}
	return text
}

func writeBash(w io.Writer, cmds []completed) {
	fmt.Fprintf(w, `# bash completion for redline (written by redline completion bash).
# Load it with: source <(redline completion bash)
_redline() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} words=
	COMPREPLY=()
	if ((COMP_CWORD == 1)); then
		COMPREPLY=($(compgen -W %s -- "$cur"))
		return
	fi
	case $prev in
	%s)
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	%s)
		return
		;;
	esac
	case ${COMP_WORDS[1]} in
	help)
		((COMP_CWORD == 2)) && words=%s
		;;
`, quote(names(cmds)+" help --help --version"), "--"+strings.Join(dirFlags, "|--"), "--"+strings.Join(valueFlags(cmds), "|--"), quote(names(cmds)))
	for _, c := range cmds {
		fmt.Fprintf(w, "\t%s)\n", c.name)
		if len(c.subs) == 0 {
			fmt.Fprintf(w, "\t\twords=%s\n", quote(flagWords(c.flags)+" --help"))
		} else {
			fmt.Fprintf(w, "\t\tif ((COMP_CWORD == 2)); then\n\t\t\twords=%s\n\t\telse\n\t\t\tcase ${COMP_WORDS[2]} in\n", quote(subNames(c.subs)+" --help"))
			for _, s := range c.subs {
				fmt.Fprintf(w, "\t\t\t%s) words=%s ;;\n", s.name, quote(flagWords(s.flags)+" --help"))
			}
			fmt.Fprintf(w, "\t\t\tesac\n\t\tfi\n")
		}
		fmt.Fprintf(w, "\t\t;;\n")
	}
	fmt.Fprint(w, `	esac
	COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _redline redline
`)
}

// zshItem is an entry for zsh's _describe: "name:what it does".
func zshItem(name, text string) string {
	return quote(strings.ReplaceAll(name, ":", `\:`) + ":" + text)
}

func zshFlags(fl []*flag.Flag) string {
	items := []string{zshItem("--help", "show the command's usage and flags")}
	for _, f := range fl {
		items = append(items, zshItem("--"+f.Name, flagText(f)))
	}
	return strings.Join(items, " ")
}

func writeZsh(w io.Writer, cmds []completed) {
	var top []string
	for _, c := range cmds {
		top = append(top, zshItem(c.name, c.summary))
	}
	top = append(top, zshItem("help", "show the help of redline or of a command"))
	fmt.Fprintf(w, `#compdef redline
# zsh completion for redline (written by redline completion zsh).
# Load it with: source <(redline completion zsh)
# or save it as _redline in a folder of $fpath.
_redline() {
	local -a items
	if ((CURRENT == 2)); then
		items=(%s)
		_describe -t commands 'redline command' items
		compadd -- --help --version
		return
	fi
	case ${words[CURRENT-1]} in
	%s)
		_files -/
		return
		;;
	%s)
		_message 'value'
		return
		;;
	esac
	case ${words[2]} in
	help)
		((CURRENT == 3)) && compadd -- %s
		return
		;;
`, strings.Join(top, " "), "--"+strings.Join(dirFlags, "|--"), "--"+strings.Join(valueFlags(cmds), "|--"), names(cmds))
	for _, c := range cmds {
		fmt.Fprintf(w, "\t%s)\n", c.name)
		if len(c.subs) == 0 {
			fmt.Fprintf(w, "\t\titems=(%s)\n", zshFlags(c.flags))
		} else {
			fmt.Fprintf(w, "\t\tif ((CURRENT == 3)); then\n\t\t\tcompadd -- %s\n\t\t\treturn\n\t\tfi\n\t\tcase ${words[3]} in\n", subNames(c.subs))
			for _, s := range c.subs {
				fmt.Fprintf(w, "\t\t%s) items=(%s) ;;\n", s.name, zshFlags(s.flags))
			}
			fmt.Fprintf(w, "\t\tesac\n")
		}
		fmt.Fprintf(w, "\t\t;;\n")
	}
	fmt.Fprint(w, `	esac
	if [[ ${words[CURRENT]} == -* ]]; then
		_describe -t options 'flag' items
	else
		_files
	fi
}
if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then
	_redline "$@"
else
	compdef _redline redline
fi
`)
}

func writeFish(w io.Writer, cmds []completed) {
	fmt.Fprint(w, `# fish completion for redline (written by redline completion fish).
# Load it with: redline completion fish | source
# __redline_using CMD [ACTION]: the command line is redline CMD (ACTION).
function __redline_using
	set -l tokens (commandline -opc)
	test (count $tokens) -ge 2; and test "$tokens[2]" = "$argv[1]"; or return 1
	if set -q argv[2]
		test (count $tokens) -ge 3; and test "$tokens[3]" = "$argv[2]"
	end
end
# __redline_action CMD: the command line is redline CMD, with no action yet.
function __redline_action
	set -l tokens (commandline -opc)
	test (count $tokens) -eq 2; and test "$tokens[2]" = "$argv[1]"
end
complete -c redline -f
complete -c redline -n __fish_use_subcommand -l version -d 'print the version'
complete -c redline -n __fish_use_subcommand -a help -d 'show the help of redline or of a command'
`)
	fmt.Fprintf(w, "complete -c redline -n '__redline_action help' -a %s\n", quote(names(cmds)))
	flagLines := func(cond string, fl []*flag.Flag) {
		for _, f := range fl {
			extra := ""
			switch {
			case slices.Contains(dirFlags, f.Name):
				extra = " -x -a '(__fish_complete_directories)'"
			case takesValue(f):
				extra = " -r"
			}
			fmt.Fprintf(w, "complete -c redline -n %s -l %s%s -d %s\n", quote(cond), f.Name, extra, quote(flagText(f)))
		}
	}
	for _, c := range cmds {
		fmt.Fprintf(w, "complete -c redline -n __fish_use_subcommand -a %s -d %s\n", c.name, quote(c.summary))
		if c.file {
			fmt.Fprintf(w, "complete -c redline -n %s -F\n", quote("__redline_using "+c.name))
		}
		if len(c.subs) == 0 {
			flagLines("__redline_using "+c.name, c.flags)
			continue
		}
		fmt.Fprintf(w, "complete -c redline -n %s -a %s\n", quote("__redline_action "+c.name), quote(subNames(c.subs)))
		for _, s := range c.subs {
			flagLines("__redline_using "+c.name+" "+s.name, s.flags)
		}
	}
}
