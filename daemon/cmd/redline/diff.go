package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/term"

	"redline/daemon/internal/api"
	"redline/daemon/internal/article"
	"redline/daemon/internal/canonical"
	"redline/daemon/internal/config"
	"redline/daemon/internal/reading"
	"redline/daemon/internal/store"
	"redline/daemon/internal/web"
)

const diffUsage = "[--data DIR] [--from N] [--to M] [--format text|markdown|html] [--color auto|always|never] URL|ID"

// shareRange names the versions `redline diff` compares; 0 is the end
// of the range "since you read it".
type shareRange struct{ from, to int }

func runDiff(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "diff")
	data := dataFlag(fs)
	from := fs.Int("from", 0, "the older version (default: the version you read)")
	to := fs.Int("to", 0, "the newer version (default: the newest)")
	format := fs.String("format", "text", "text (for a terminal), markdown, or html (a single self-contained file)")
	color := fs.String("color", "auto", "colour the text: auto (on a terminal, unless NO_COLOR is set), always or never")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: name one article, by its URL or its id", errUsage)
	}
	switch *format {
	case "text", "markdown", "html":
	default:
		return fmt.Errorf("%w: --format is text, markdown or html, not %q", errUsage, *format)
	}
	switch *color {
	case "auto", "always", "never":
	default:
		return fmt.Errorf("%w: --color is auto, always or never, not %q", errUsage, *color)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for name, n := range map[string]int{"from": *from, "to": *to} {
		if set[name] && n < 1 {
			return fmt.Errorf("%w: --%s is a version number, 1 or more", errUsage, name)
		}
	}
	if *from > 0 && *to > 0 && *from > *to {
		return fmt.Errorf("%w: --from %d is after --to %d: name the older version first", errUsage, *from, *to)
	}
	dir, err := config.DataDir(*data)
	if err != nil {
		return err
	}
	s, err := shareOf(ctx, dir, fs.Arg(0), shareRange{*from, *to})
	if err != nil {
		return err
	}
	if s.From.Number > s.To.Number {
		return fmt.Errorf("%w: version %d is after version %d: name the older version first", errUsage, s.From.Number, s.To.Number)
	}
	switch *format {
	case "markdown":
		return s.Markdown(e.stdout)
	case "html":
		return s.HTML(e.stdout)
	}
	return s.Text(e.stdout, useColor(*color, e.stdout))
}

// useColor decides whether the terminal diff is coloured: always, never,
// or (auto) when stdout is a terminal, NO_COLOR is unset or empty and
// TERM is not dumb.
func useColor(mode string, out any) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := out.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// shareOf is the change of the article arg names over r: from the daemon
// serving the data folder dir when one runs, else read from its store,
// opened read-only.
func shareOf(ctx context.Context, dir, arg string, r shareRange) (web.Share, error) {
	svc, err := connect(ctx, dir)
	if err != nil {
		return web.Share{}, err
	}
	defer svc.Close()
	if c, ok := svc.(*httpRedline); ok {
		return c.share(ctx, arg, r)
	}
	return localShare(dir, arg, r)
}

// share asks the daemon for the article, the diff and both versions'
// text.
func (c *httpRedline) share(ctx context.Context, arg string, r shareRange) (web.Share, error) {
	id, err := c.articleID(ctx, arg)
	if err != nil {
		return web.Share{}, err
	}
	path := "/api/v1/articles/" + strconv.FormatInt(id, 10)
	var a article.Article
	if err := c.do(ctx, http.MethodGet, path, nil, &a); err != nil {
		return web.Share{}, noArticle(arg, err)
	}
	if err := checkRange(a, r); err != nil {
		return web.Share{}, err
	}
	q := "?"
	if r.from > 0 {
		q += "from=" + strconv.Itoa(r.from) + "&"
	}
	if r.to > 0 {
		q += "to=" + strconv.Itoa(r.to)
	}
	var d api.DiffResponse
	if err := c.do(ctx, http.MethodGet, path+"/diff"+q, nil, &d); err != nil {
		return web.Share{}, err
	}
	var from, to article.Version
	for _, v := range []struct {
		n   int
		dst *article.Version
	}{{d.From.Number, &from}, {d.To.Number, &to}} {
		if err := c.do(ctx, http.MethodGet, path+"/versions/"+strconv.Itoa(v.n), nil, v.dst); err != nil {
			return web.Share{}, err
		}
	}
	return web.NewShare(a, from, to, d.Result, d.Across), nil
}

// localShare reads the change from the data folder's store, opened
// read-only: nothing is written, and the rules in force are the user's.
func localShare(dir, arg string, r shareRange) (web.Share, error) {
	storeDir := filepath.Join(dir, config.StoreDir)
	if _, err := os.Stat(storeDir); err != nil {
		return web.Share{}, fmt.Errorf("no Redline data in %s yet: start the daemon with `redline serve`", dir)
	}
	st, err := store.Open(storeDir, store.Options{ReadOnly: true})
	if err != nil {
		return web.Share{}, err
	}
	defer st.Close()
	var a article.Article
	if id, ok := parseID(arg); ok {
		a, err = st.Article(id)
		if err != nil {
			return web.Share{}, noArticle(arg, err)
		}
	} else {
		u, err := canonical.URL(arg)
		if err != nil {
			return web.Share{}, err
		}
		if a, err = st.ArticleByURL(u); err != nil {
			return web.Share{}, notWatched(arg, err)
		}
	}
	if err := checkRange(a, r); err != nil {
		return web.Share{}, err
	}
	rules, err := reading.LoadRules(st)
	if err != nil {
		return web.Share{}, err
	}
	c, err := reading.New(reading.Config{Store: st, Rules: reading.NewRules(rules)}).Compare(a, r.from, r.to)
	if err != nil {
		return web.Share{}, err
	}
	return web.NewShare(a, c.From, c.To, c.Result, c.Across), nil
}

// checkRange says what is wrong with the versions named for a: an article
// of one version has nothing to compare, and a version it does not have
// cannot be shown.
func checkRange(a article.Article, r shareRange) error {
	if a.Versions < 2 {
		return fmt.Errorf("article %d has only one version so far: nothing to compare yet", a.ID)
	}
	for _, n := range []int{r.from, r.to} {
		if n > a.Versions {
			return fmt.Errorf("article %d has versions 1 to %d, not %d", a.ID, a.Versions, n)
		}
	}
	return nil
}

// noArticle words "no such article id".
func noArticle(arg string, err error) error {
	if _, ok := parseID(arg); ok && (article.ErrorCode(err) == article.ENOTFOUND || strings.Contains(err.Error(), "no article")) {
		return fmt.Errorf("Redline has no article %s (see `redline open` for the list)", arg)
	}
	return notWatched(arg, err)
}
