package histories

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/canonical"
	"redline/daemon/internal/diff"
	"redline/daemon/internal/extract"
	"redline/daemon/internal/reading"
	"redline/daemon/internal/store"
)

// manifest is shared/testdata/histories/manifest.json.
type manifest struct {
	Pages map[string]anatomy `json:"pages"`
	Cases []hcase            `json:"cases"`
}

// hcase is one history: an article as the reader read it, and as the
// site served it later.
type hcase struct {
	Name string `json:"name"`
	// Expect is "quiet" (no alert: nothing changed, or only a trivial or
	// minor change) or "alert" (a substantive change).
	Expect string  `json:"expect"`
	Why    string  `json:"why"`
	Before version `json:"before"`
	After  version `json:"after"`
}

// version is a real page and the transformations that make it one version
// of the case.
type version struct {
	Page string     `json:"page"`
	Do   [][]string `json:"do"`
}

// show names a case whose comparison the test logs block by block:
//
//	go test -run TestHistories -v ./daemon/internal/histories -args -show=NAME
var show = flag.String("show", "", "log the comparison of this history corpus case")

const (
	quiet = "quiet"
	alert = "alert"
)

func loadManifest() (*manifest, error) {
	b, err := os.ReadFile(filepath.Join(corpusDir(), "manifest.json"))
	if err != nil {
		return nil, err
	}
	return parseManifest(b)
}

// parseManifest reads and checks a manifest: every case named once, with
// a verdict, a reason and pages the manifest describes.
func parseManifest(b []byte) (*manifest, error) {
	var m manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if len(m.Cases) == 0 {
		return nil, fmt.Errorf("manifest: no cases")
	}
	for name, a := range m.Pages {
		if a.Site == "" {
			return nil, fmt.Errorf("manifest: page %s names no site", name)
		}
	}
	seen := map[string]bool{}
	for i, c := range m.Cases {
		switch {
		case c.Name == "":
			return nil, fmt.Errorf("manifest: case %d has no name", i)
		case seen[c.Name]:
			return nil, fmt.Errorf("manifest: two cases are named %s", c.Name)
		case c.Expect != quiet && c.Expect != alert:
			return nil, fmt.Errorf("manifest: case %s expects %q: want %q or %q", c.Name, c.Expect, quiet, alert)
		case strings.TrimSpace(c.Why) == "":
			return nil, fmt.Errorf("manifest: case %s does not say why", c.Name)
		}
		seen[c.Name] = true
		for _, v := range []version{c.Before, c.After} {
			if _, ok := m.Pages[v.Page]; !ok {
				return nil, fmt.Errorf("manifest: case %s uses page %q, which the manifest does not describe", c.Name, v.Page)
			}
			for _, step := range v.Do {
				if len(step) == 0 {
					return nil, fmt.Errorf("manifest: case %s has an empty step", c.Name)
				}
				t, ok := transforms[step[0]]
				if !ok {
					return nil, fmt.Errorf("manifest: case %s: unknown transformation %q", c.Name, step[0])
				}
				if len(step)-1 != t.args {
					return nil, fmt.Errorf("manifest: case %s: %s takes %d arguments, got %d", c.Name, step[0], t.args, len(step)-1)
				}
			}
		}
		if m.Pages[c.Before.Page].Site != m.Pages[c.After.Page].Site {
			return nil, fmt.Errorf("manifest: case %s compares pages of two sites", c.Name)
		}
	}
	return &m, nil
}

// build makes one version's page: the real page, transformed.
func (m *manifest) build(v version) ([]byte, error) {
	p, err := m.loadPage(v.Page)
	if err != nil {
		return nil, err
	}
	for _, step := range v.Do {
		if err := apply(p, step); err != nil {
			return nil, err
		}
	}
	return p.render()
}

// articlePages are the pages whose article text a version shows: the page
// itself, or the page whose article was moved into it (none for a text of
// the corpus).
func articlePages(v version) []string {
	for _, step := range v.Do {
		switch step[0] {
		case "moveArticle":
			return []string{step[1]}
		case "setArticle":
			return nil
		}
	}
	return []string{v.Page}
}

// history is what the reader of a case had read on its site before: the
// site's other pages in the corpus, unchanged, each under its own URL (a
// page whose article the case shows is not another article).
func (m *manifest) history(c hcase) []string {
	site := m.Pages[c.Before.Page].Site
	shown := append(articlePages(c.Before), articlePages(c.After)...)
	var out []string
	for name, a := range m.Pages {
		if a.Site == site && !slices.Contains(shown, name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// loadKnown reads known.json: the cases the current code gets wrong, each
// with the verdict it gives now.
func loadKnown(m *manifest) (map[string]string, error) {
	b, err := os.ReadFile(filepath.Join(corpusDir(), "known.json"))
	if err != nil {
		return nil, err
	}
	known := map[string]string{}
	if err := json.Unmarshal(b, &known); err != nil {
		return nil, fmt.Errorf("known.json: %w", err)
	}
	for name, got := range known {
		i := slices.IndexFunc(m.Cases, func(c hcase) bool { return c.Name == name })
		switch {
		case i < 0:
			return nil, fmt.Errorf("known.json lists %s, which is no case of the manifest", name)
		case got != quiet && got != alert:
			return nil, fmt.Errorf("known.json: %s gives %q: want %q or %q", name, got, quiet, alert)
		case got == m.Cases[i].Expect:
			return nil, fmt.Errorf("known.json: %s gives %q, which is what the case expects: a known wrong verdict must differ", name, got)
		}
	}
	return known, nil
}

// result is what Redline made of one case.
type result struct {
	got          string // quiet or alert
	significance article.Significance
	sentence     string
}

// extractPage is the daemon's extraction of a fetched page, the entry
// point the watcher uses.
func extractPage(body []byte, pageURL string) (*extract.Page, error) {
	u, err := url.Parse(pageURL)
	if err != nil {
		return nil, err
	}
	return extract.HTML(body, "text/html; charset=utf-8", u)
}

// fetched is the capture the watcher stores for a fetched page (watch's
// judgePage and conclude): the article's own URL, the extractor's fields,
// the page's visible text.
func fetched(p *extract.Page, pageURL string, at time.Time) *article.Capture {
	return &article.Capture{
		URL: pageURL, Title: p.Title, Byline: p.Byline, SiteName: p.SiteName,
		PublishedTime: p.PublishedTime, Lang: p.Lang, Blocks: article.Fit(slices.Clone(p.Blocks)),
		CapturedAt: at, Source: article.SourceFetch, Extractor: extract.Extractor, PageText: p.PageText,
	}
}

// stores lends each running case a real store, in a temporary folder,
// that no other case uses while it runs. Cases share stores (opening and
// closing one costs more than a case) but never a site: each case is on a
// site of its own, with its own reading history, and Redline keeps and
// learns what it knows of a site per site.
type stores struct {
	dir  string
	mu   sync.Mutex
	free []*store.Store
	all  []*store.Store
}

func newStores(t *testing.T) *stores {
	s := &stores{dir: t.TempDir()}
	t.Cleanup(func() {
		for _, st := range s.all {
			if err := st.Close(); err != nil {
				t.Errorf("close a store: %v", err)
			}
		}
	})
	return s
}

// get returns a free store, opening one if none is.
func (s *stores) get() (*store.Store, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.free); n > 0 {
		st := s.free[n-1]
		s.free = s.free[:n-1]
		return st, nil
	}
	dir, err := os.MkdirTemp(s.dir, "store")
	if err != nil {
		return nil, err
	}
	st, err := judgedStore(dir)
	if err != nil {
		return nil, err
	}
	s.all = append(s.all, st)
	return st, nil
}

func (s *stores) put(st *store.Store) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.free = append(s.free, st)
}

// judgedStore opens a real store in dir that judges changes as the daemon
// wires it (daemon.OpenParts), with the default rules.
func judgedStore(dir string) (*store.Store, error) {
	return store.Open(dir, store.Options{Judge: diff.Judge(diff.DefaultRules)})
}

// save files a fetched capture through the reading service, as the
// watcher does: read, the first fetch of a page the user named
// (Service.Named); otherwise a re-check of the article at its URL
// (Service.Fetched).
func save(ctx context.Context, st *store.Store, c *article.Capture, read bool) (store.Saved, error) {
	svc := reading.New(reading.Config{Store: st})
	u, err := canonical.URL(c.URL)
	if err != nil {
		return store.Saved{}, err
	}
	if read {
		return svc.Named(ctx, u, c, c.CapturedAt)
	}
	a, err := st.ArticleByURL(u)
	if err != nil {
		return store.Saved{}, err
	}
	return svc.Fetched(ctx, a, c, c.CapturedAt)
}

// unchanged caches the extraction of pages used as they are.
var unchanged sync.Map // name → func() (*extract.Page, error)

func unchangedPage(name string) (*extract.Page, error) {
	f, _ := unchanged.LoadOrStore(name, sync.OnceValues(func() (*extract.Page, error) {
		src, err := readSource(name)
		if err != nil {
			return nil, err
		}
		return extractPage(src.html, "https://page.test/"+name)
	}))
	return f.(func() (*extract.Page, error))()
}

// versionPage is the daemon's extraction of one version of a case.
func (m *manifest) versionPage(v version, pageURL string) (*extract.Page, error) {
	if len(v.Do) == 0 {
		return unchangedPage(v.Page)
	}
	body, err := m.build(v)
	if err != nil {
		return nil, err
	}
	return extractPage(body, pageURL)
}

// runCase stores the case's history, then its two versions as a reader's
// read and a later fetch of one URL, and returns whether that alerts.
func runCase(t *testing.T, m *manifest, c hcase, pool *stores) result {
	t.Helper()
	ctx := t.Context()
	st, err := pool.get()
	if err != nil {
		t.Fatal(err)
	}
	defer pool.put(st)
	origin := "https://" + c.Name + ".test"
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

	for i, name := range m.history(c) {
		p, err := unchangedPage(name)
		if err != nil {
			t.Fatalf("history page %s: %v", name, err)
		}
		if _, err := save(ctx, st, fetched(p, origin+"/read/"+name, start.Add(time.Duration(i)*time.Minute)), true); err != nil {
			t.Fatalf("store history page %s: %v", name, err)
		}
	}

	articleURL := origin + "/article"
	var pages [2]*extract.Page
	for i, v := range []version{c.Before, c.After} {
		if pages[i], err = m.versionPage(v, articleURL); err != nil {
			t.Fatalf("%s version of %s: %v", []string{"before", "after"}[i], c.Name, err)
		}
	}
	read := start.Add(24 * time.Hour)
	if _, err := save(ctx, st, fetched(pages[0], articleURL, read), true); err != nil {
		t.Fatalf("store what the reader read: %v", err)
	}
	saved, err := save(ctx, st, fetched(pages[1], articleURL, read.Add(30*24*time.Hour)), false)
	if err != nil {
		t.Fatalf("store the later version: %v", err)
	}
	r := result{got: quiet}
	if saved.Summary != nil {
		r.significance = saved.Summary.Significance
		r.sentence = saved.Summary.Sentence()
	}
	if ev := saved.Event; ev != nil && ev.Summary != nil {
		r.significance, r.sentence = ev.Summary.Significance, ev.Summary.Sentence()
		if ev.Summary.Significance == article.Substantive {
			r.got = alert
		}
	}
	switch {
	case saved.Status == article.StatusUnchanged:
		r.significance, r.sentence = article.Trivial, "unchanged"
	case r.sentence == "":
		r.sentence = article.NoiseOnly
	}
	if *show == c.Name {
		logComparison(t, st, saved.Article)
	}
	return r
}

// logComparison logs what the reader would be shown: the change since
// their read, block by block (unchanged blocks left out).
func logComparison(t *testing.T, st *store.Store, a article.Article) {
	t.Helper()
	ch, err := st.ChangeSinceRead(a)
	if err != nil {
		t.Fatal(err)
	}
	res := diff.ComparePair(ch.Pair, diff.DefaultRules())
	var b strings.Builder
	fmt.Fprintf(&b, "version %d → %d\ntitle:  %q → %q\nbyline: %q → %q\n", ch.From.Number, ch.To.Number,
		ch.Pair.Old.Title, ch.Pair.New.Title, ch.Pair.Old.Byline, ch.Pair.New.Byline)
	for _, op := range res.Ops {
		if op.Op == "equal" {
			continue
		}
		noise := ""
		if op.Noise {
			noise = " (noise)"
		}
		text := op.Text
		if op.Op == "change" || len(op.Spans) > 0 {
			var sp strings.Builder
			for _, s := range op.Spans {
				switch s.Op {
				case "delete":
					fmt.Fprintf(&sp, "[-%s-]", s.Text)
				case "insert":
					fmt.Fprintf(&sp, "{+%s+}", s.Text)
				default:
					sp.WriteString(s.Text)
				}
			}
			text = sp.String()
		}
		fmt.Fprintf(&b, "%-6s %s%s: %s\n", op.Op, op.Kind, noise, text)
	}
	fmt.Fprintf(&b, "summary: %+v\n", res.Summary)
	t.Log(b.String())
}

// TestHistories runs every case of the history corpus through the real
// extraction, storage and judgement, reports what the reader would be
// told, and holds the results to the ratchet in known.json: a case not
// listed there must get its expected verdict, and a listed one must still
// get the wrong verdict listed (once it is right, it leaves the list).
func TestHistories(t *testing.T) {
	m, err := loadManifest()
	if err != nil {
		t.Fatal(err)
	}
	known, err := loadKnown(m)
	if err != nil {
		t.Fatal(err)
	}
	// A case left out by -run has neither a result nor a failure.
	results := make([]*result, len(m.Cases))
	failed := make([]bool, len(m.Cases))
	pool := newStores(t)
	t.Run("case", func(t *testing.T) {
		for i, c := range m.Cases {
			t.Run(c.Name, func(t *testing.T) {
				t.Parallel()
				defer func() { failed[i] = t.Failed() }()
				r := runCase(t, m, c, pool)
				results[i] = &r
			})
		}
	})

	var table strings.Builder
	fmt.Fprintf(&table, "\n%-48s %-6s %-6s %-12s %s\n", "case", "expect", "got", "grade", "summary")
	var edits, found, quiets, alarms int
	nowWrong := map[string]string{}
	for i, c := range m.Cases {
		r := results[i]
		if r == nil {
			if failed[i] {
				fmt.Fprintf(&table, "%-48s %-6s %-6s\n", c.Name, c.Expect, "error")
			}
			continue
		}
		mark := ""
		if r.got != c.Expect {
			mark = "  ✗"
			nowWrong[c.Name] = r.got
		}
		fmt.Fprintf(&table, "%-48s %-6s %-6s %-12s %s%s\n", c.Name, c.Expect, r.got, r.significance, r.sentence, mark)
		if c.Expect == alert {
			edits++
			if r.got == alert {
				found++
			}
		} else {
			quiets++
			if r.got == alert {
				alarms++
			}
		}
	}
	fmt.Fprintf(&table, "real edits found: %d/%d; false alarms: %d/%d quiet cases\n", found, edits, alarms, quiets)
	t.Log(table.String())
	if t.Failed() {
		return // a case could not be built: its verdict is unknown
	}

	ratchet := false
	for i, c := range m.Cases {
		if results[i] == nil {
			continue // not run
		}
		// A listed verdict differs from the expected one (loadKnown), and
		// there are two: a listed case that is wrong gives the listed one.
		got, wrong := nowWrong[c.Name]
		_, listed := known[c.Name]
		switch {
		case wrong && !listed:
			t.Errorf("%s: expected %s, got %s: %s", c.Name, c.Expect, got, c.Why)
			ratchet = true
		case !wrong && listed:
			t.Errorf("%s is now right (%s): remove it from known.json", c.Name, c.Expect)
			ratchet = true
		}
	}
	if ratchet {
		b, _ := json.MarshalIndent(nowWrong, "", "  ")
		t.Logf("known.json for these results (only ever shrink it):\n%s", b)
	}
}
