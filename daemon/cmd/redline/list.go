package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"redline/daemon/internal/api"
	"redline/daemon/internal/article"
)

func runList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "list")
	data := dataFlag(fs)
	changed := fs.Bool("changed", false, "only the articles that changed, the most recently changed first")
	limit := fs.Int("limit", 20, "show at most `N` articles (1 to "+strconv.Itoa(api.MaxListLimit)+")")
	asJSON := jsonFlag(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *limit < 1 || *limit > api.MaxListLimit {
		return fmt.Errorf("%w: --limit must be a number from 1 to %d", errUsage, api.MaxListLimit)
	}
	return withService(ctx, *data, func(r redlineService) error {
		l, err := r.List(ctx, *changed, *limit)
		if err != nil {
			return err
		}
		if l.Articles == nil {
			l.Articles = []article.Article{}
		}
		if *asJSON {
			return writeJSON(e.stdout, l)
		}
		printList(e.stdout, l, *changed)
		return nil
	})
}

// jsonFlag adds --json to fs.
func jsonFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("json", false, "print the answer as JSON (its fields: README, Commands)")
}

// writeJSON writes v as indented JSON, with & < > as they are (URLs).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// printList shows a page of articles as a table: id, when Redline first
// saw it, its last change, how many changes, its site and headline.
func printList(w io.Writer, l articleList, changed bool) {
	if len(l.Articles) == 0 {
		if changed {
			fmt.Fprintln(w, "no article has changed yet")
		} else {
			fmt.Fprintln(w, "no articles yet")
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tFIRST SEEN\tLAST CHANGE\tCHANGES\tSITE\tTITLE")
	for _, a := range l.Articles {
		last := "never"
		if !a.LastChanged.IsZero() {
			last = when(a.LastChanged)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\n", a.ID, when(a.FirstSeen), last, a.Changes, printable(a.Site, 30), printable(a.Title, 60))
	}
	tw.Flush()
	if l.More {
		fmt.Fprintf(w, "(the first %d; --limit shows more)\n", len(l.Articles))
	}
}

func when(t time.Time) string { return t.Local().Format("2006-01-02 15:04") }

// printable is captured text made safe for a terminal and a table: no
// control characters (a headline cannot move the cursor, recolour the
// terminal or break a row), spaces folded, at most max characters.
func printable(s string, max int) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	s = strings.Map(func(r rune) rune {
		if r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' { // bidi embeddings, overrides, isolates
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return s
}
