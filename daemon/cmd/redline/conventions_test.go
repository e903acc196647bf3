package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"redline/daemon/internal/testtool"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The version answers to `--version`, `-v` and `version`, on stdout.
func TestVersionFlags(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"-v"}, {"-version"}, {"version"}} {
		out, errOut, code := cli(t, "", args...)
		if code != 0 || out != "redline "+version+"\n" || errOut != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want the version on stdout", args, code, out, errOut)
		}
	}
	for _, args := range [][]string{{"--version", "serve"}, {"-v", "--data", "x"}, {"version", "now"}} {
		out, errOut, code := cli(t, "", args...)
		if code != 2 || out != "" || errOut == "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want a usage error", args, code, out, errOut)
		}
	}
}

// firstWord is what a command takes first when it has actions
// (`service install`), so that the flags after it are the action's.
func firstWord(name string) []string {
	if subs := subcommands[name]; len(subs) > 0 {
		return []string{name, subs[0]}
	}
	return []string{name}
}

// A bad flag, before or after an argument, is a usage error for every
// command: one message and the usage on stderr, nothing on stdout (so
// `redline export --bogus > out.jsonl` leaves out.jsonl empty), exit 2.
// A flag after an argument is read as a flag, not taken as an argument.
func TestBadFlagIsAUsageErrorOnStderr(t *testing.T) {
	dir := t.TempDir()
	for _, c := range commands {
		for _, args := range [][]string{
			append(firstWord(c.name), "--bogus"),
			append(firstWord(c.name), "an-argument", "--bogus", "--data", dir),
		} {
			out, errOut, code := cli(t, "", args...)
			if code != 2 || out != "" || !strings.Contains(errOut, "unknown flag --bogus") || !strings.Contains(errOut, "usage: redline "+c.name) {
				t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2, nothing on stdout, the error and the usage on stderr", args, code, out, errOut)
			}
		}
	}
}

// Every other kind of mistake in a command line is a usage error too:
// exit 2, stderr only, saying what is wrong.
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "Usage: redline COMMAND"},
		{[]string{"bogus"}, `unknown command "bogus"`},
		{[]string{"--bogus"}, `unknown flag (flags go after the command) "--bogus"`},
		{[]string{"--data", dir, "status"}, "flags go after the command"},
		{[]string{"help", "bogus"}, `no command "bogus"`},
		{[]string{"check", "1", "--data"}, "flag needs an argument: --data"},
		{[]string{"check", "--data", dir}, "name the article by its URL or its id"},
		{[]string{"check", "1", "2", "--data", dir}, "name the article by its URL or its id"},
		{[]string{"status", "extra", "--data", dir}, `unexpected argument "extra"`},
		{[]string{"pause", "--data", dir, "--site=x.test", "1"}, "name one article (URL or id) or one --site"},
		{[]string{"restore", "--replace=maybe", "f"}, `invalid boolean value "maybe" for --replace`},
		{[]string{"completion"}, "name the shell: bash, zsh or fish"},
		{[]string{"service", "--bogus", "status"}, "unknown flag --bogus"},
		{[]string{"service", "--data", dir}, "name what to do: install, uninstall or status"},
		{[]string{"notify", "--data", dir}, "say what to do: add, list, remove or test"},
		{[]string{"notify", "--data", dir, "list", "--minor"}, "unknown flag --minor"},
		{[]string{"completion", "tcsh"}, `no completion for "tcsh": bash, zsh or fish`},
		{[]string{"completion", "bash", "zsh"}, "name the shell: bash, zsh or fish"},
		{[]string{"help", "check", "extra"}, `no command "check extra"`},
		{[]string{"list", "--limit", "5", "--limit"}, "flag needs an argument: --limit"},
	} {
		out, errOut, code := cli(t, "", c.args...)
		if code != 2 || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q on stderr only", c.args, code, out, errOut, c.want)
		}
	}
}

// --help and `help COMMAND` print the command's usage and flags, written
// --name as the README writes them, on stdout.
func TestHelpWritesFlagsWithTwoDashes(t *testing.T) {
	for _, args := range [][]string{{"serve", "--help"}, {"help", "serve"}, {"serve", "-h"}} {
		out, errOut, code := cli(t, "", args...)
		if code != 0 || errOut != "" || !strings.Contains(out, "Usage: redline serve") ||
			!strings.Contains(out, "  --addr ADDR") || !strings.Contains(out, "  --data DIR") || strings.Contains(out, " -addr") {
			t.Errorf("%q: exit %d, stderr %q, stdout:\n%s", args, code, errOut, out)
		}
	}
}

// completionScript writes `redline completion SHELL` to a file.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	out, errOut, code := cli(t, "", "completion", shell)
	if code != 0 || errOut != "" || out == "" {
		t.Fatalf("completion %s: exit %d, stderr %q", shell, code, errOut)
	}
	path := filepath.Join(t.TempDir(), "redline."+shell)
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// shellOrSkip finds a shell; bash is required, zsh and fish are checked
// where they are installed, and always in CI (.ci/run installs them).
func shellOrSkip(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if name == "bash" {
			t.Fatalf("bash is needed to test the completion script: %v", err)
		}
		testtool.Need(t, "%s is not installed (apt-get install %s): its completion script is not checked", name, name)
	}
	return path
}

func runShell(t *testing.T, shell string, args ...string) string {
	t.Helper()
	out, err := exec.Command(shell, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", shell, args, err, out)
	}
	return string(out)
}

// The bash script passes `bash -n` and, loaded into bash, completes
// command names, actions, every command's flags (after an argument too),
// and folders after --data.
func TestBashCompletion(t *testing.T) {
	bash := shellOrSkip(t, "bash")
	script := completionScript(t, "bash")
	runShell(t, bash, "-n", script)
	complete := func(words ...string) []string {
		t.Helper()
		line := "source " + script + "; COMP_WORDS=(" + shellWords(words) + "); COMP_CWORD=" + strconv.Itoa(len(words)-1) + `; _redline; printf '%s\n' "${COMPREPLY[@]}"`
		return strings.Fields(runShell(t, bash, "--norc", "-c", line))
	}
	for _, c := range []struct {
		words []string
		want  []string
	}{
		{[]string{"redline", "ch"}, []string{"check"}},
		{[]string{"redline", "--v"}, []string{"--version"}},
		{[]string{"redline", "serve", "--a"}, []string{"--addr", "--allow-private"}},
		{[]string{"redline", "check", "https://news.test/a", "--"}, []string{"--data", "--help", "--json"}},
		{[]string{"redline", "restore", "--re"}, []string{"--replace"}},
		{[]string{"redline", "service", "in"}, []string{"install"}},
		{[]string{"redline", "service", "install", "--a"}, []string{"--addr", "--allow-private"}},
		{[]string{"redline", "notify", "add", "--m"}, []string{"--minor"}},
		{[]string{"redline", "completion", ""}, []string{"--help", "bash", "fish", "zsh"}},
		{[]string{"redline", "help", "tr"}, []string{"track"}},
		{[]string{"redline", "list", "--c"}, []string{"--changed"}},
	} {
		got := complete(c.words...)
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%q: completes %q, want %q", c.words, got, c.want)
		}
	}
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "redline-data"), 0o700)
	os.WriteFile(filepath.Join(dir, "redline-notes"), nil, 0o600)
	if got := complete("redline", "status", "--data", filepath.Join(dir, "redline-")); !slices.Equal(got, []string{filepath.Join(dir, "redline-data")}) {
		t.Errorf("--data completes %q, want only the folder", got)
	}
	// Every command in the table is offered, with its flags.
	top := complete("redline", "")
	for _, c := range commands {
		if !slices.Contains(top, c.name) {
			t.Errorf("the bash script does not offer %s", c.name)
		}
	}
}

func shellWords(words []string) string {
	var q []string
	for _, w := range words {
		q = append(q, quote(w))
	}
	return strings.Join(q, " ")
}

// The zsh script passes `zsh -n` and registers itself with zsh's
// completion system.
func TestZshCompletion(t *testing.T) {
	zsh := shellOrSkip(t, "zsh")
	script := completionScript(t, "zsh")
	runShell(t, zsh, "-n", script)
	home := t.TempDir()
	out := runShell(t, zsh, "-f", "-c", "HOME="+quote(home)+"; autoload -Uz compinit && compinit -u -D && source "+quote(script)+` && print -r -- "${_comps[redline]}"`)
	if strings.TrimSpace(out) != "_redline" {
		t.Errorf("loading the zsh script did not register it: %q", out)
	}
	body, _ := os.ReadFile(script)
	for _, want := range []string{"'check:check an article now and say what changed'", "'--addr:loopback address to listen on'", "'--changed:only the articles that changed, the most recently changed first'"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the zsh script lacks %s", want)
		}
	}
}

// The fish script passes `fish -n` and, loaded into fish, completes
// command names, actions and flags.
func TestFishCompletion(t *testing.T) {
	fish := shellOrSkip(t, "fish")
	script := completionScript(t, "fish")
	runShell(t, fish, "--no-config", "-n", script)
	files := t.TempDir()
	os.WriteFile(filepath.Join(files, "redline.backup"), nil, 0o600)
	complete := func(line string) []string {
		t.Helper()
		out := runShell(t, fish, "--no-config", "-c", "cd "+quote(files)+"; source "+quote(script)+"; complete -C "+quote(line))
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if name, _, _ := strings.Cut(l, "\t"); name != "" {
				got = append(got, name)
			}
		}
		slices.Sort(got)
		return got
	}
	for _, c := range []struct {
		line string
		want []string
	}{
		{"redline ch", []string{"check"}},
		{"redline serve --a", []string{"--addr", "--allow-private"}},
		{"redline check 1 --d", []string{"--data"}},
		{"redline service ", []string{"install", "status", "uninstall"}},
		{"redline service status --", nil},
		{"redline notify add --d", []string{"--data", "--digest"}},
		{"redline list --", []string{"--changed", "--data", "--json", "--limit"}},
		{"redline restore redline.", []string{"redline.backup"}},
		{"redline serve redline.", nil},
	} {
		if got := complete(c.line); !slices.Equal(got, c.want) {
			t.Errorf("%q: completes %q, want %q", c.line, got, c.want)
		}
	}
}

// Flags may follow the arguments of every command that takes some; "--"
// makes what follows an argument even when it starts with a dash.
func TestFlagsAfterArguments(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, dir)
	if code, _, err := post(context.Background(), d.base, tokenOf(t, dir), captureBody("https://news.example/a", "Text.")); code != 201 || err != nil {
		t.Fatalf("capture = %d %v", code, err)
	}
	d.stop(t)
	backup := filepath.Join(t.TempDir(), "redline.backup")
	fresh := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"pause", "https://news.example/a", "--data", dir}, "paused: not checked until resumed"},
		{[]string{"resume", "1", "--data", dir}, "next check"},
		{[]string{"pause", "--site", "news.example", "--data", dir}, "paused news.example: 1 article"},
		{[]string{"resume", "--data", dir, "--site", "news.example"}, "resumed news.example: 1 article"},
		{[]string{"backup", backup, "--data", dir}, ""},
		{[]string{"restore", backup, "--data", fresh}, "restored into " + fresh},
		{[]string{"restore", backup, "--data", fresh, "--replace"}, "restored into " + fresh},
		{[]string{"help", "list"}, "Usage: redline list"},
		{[]string{"completion", "bash"}, "complete -o default -F _redline redline"},
	} {
		out, errOut, code := cli(t, "", c.args...)
		if code != 0 || !strings.Contains(out, c.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want %q", c.args, code, out, errOut, c.want)
		}
	}
	if exported, _, _ := cli(t, "", "export", "--data", fresh); !strings.Contains(exported, "https://news.example/a") {
		t.Errorf("the backup written with --data after FILE did not restore the article: %q", exported)
	}
	// Flags read after the argument, for commands that need the daemon.
	for _, args := range [][]string{
		{"notify", "remove", "1", "--data", dir}, {"open", "--data", dir, "--print"},
		// and before the action of a command that has actions
		{"notify", "--data", dir, "list"}, {"notify", "--site", "news.test", "--data", dir, "add", "ntfy://ntfy.test/topic", "--minor"},
	} {
		if _, errOut, code := cli(t, "", args...); code != 1 || !strings.Contains(errOut, "not running") {
			t.Errorf("%q: exit %d, stderr %q; want the daemon not running", args, code, errOut)
		}
	}
	// After "--", a dash starts an argument, not a flag.
	if _, errOut, code := cli(t, "", "check", "--data", dir, "--", "--json"); code != 1 || !strings.Contains(errOut, "URL is not absolute") {
		t.Errorf("check -- --json: exit %d, stderr %q; want --json taken as the article", code, errOut)
	}
}
