package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// readmeBlocks returns the code blocks of the README's "Commands"
// section.
func readmeBlocks(t *testing.T) (readme string, blocks []string) {
	t.Helper()
	b, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme = string(b)
	_, section, ok := strings.Cut(readme, "\n## Commands\n")
	if !ok {
		t.Fatal("the README has no Commands section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	parts := strings.Split(section, "```\n")
	for i := 1; i < len(parts); i += 2 {
		blocks = append(blocks, parts[i])
	}
	if len(blocks) < 2 {
		t.Fatalf("the README's Commands section has %d code blocks, want the help and the usages", len(blocks))
	}
	return readme, blocks
}

// The README's command list is what `redline help` prints, and its list
// of usages is each command's usage line, in the same order: a command
// added to the table is added to the README too.
func TestReadmeMatchesHelp(t *testing.T) {
	readme, blocks := readmeBlocks(t)
	help, _, code := cli(t, "", "help")
	if code != 0 || blocks[0] != help {
		t.Errorf("the README's Commands block differs from `redline help`; put this in README.md:\n%s", help)
	}
	var want []string
	for _, c := range commands {
		want = append(want, strings.TrimSpace("redline "+c.name+" "+c.usage))
	}
	if got := strings.Split(strings.TrimSuffix(blocks[1], "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the README's usages differ from the commands'; put this in README.md:\n%s", strings.Join(want, "\n"))
	}
	// Flags are written with two dashes, as the help writes them.
	for _, c := range completionCommands() {
		for _, f := range c.flags {
			if m := regexp.MustCompile("(^|[\\s\\[(`])-" + regexp.QuoteMeta(f.Name) + `\b`).FindString(readme); m != "" {
				t.Errorf("the README writes %q: the help writes --%s", strings.TrimSpace(m), f.Name)
			}
		}
	}
}
