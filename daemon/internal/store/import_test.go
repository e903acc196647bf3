package store

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/diff"
)

// fillForExport gives a store what an export must carry: several
// articles, a gap in the ids (one forgotten), changes not yet seen (from
// fetches), a page that flipped back to an earlier text, and other
// addresses of an article.
func fillForExport(t *testing.T, s *Store) {
	t.Helper()
	save(t, s, capture("https://news.example/a", "A", "First text of a."), "https://news.example/a?amp=1")
	gone := save(t, s, capture("https://news.example/gone", "Gone", "Soon forgotten."))
	save(t, s, capture("https://news.example/b", "B", "One paragraph.", "Two paragraph."))
	if err := s.DeleteArticle(context.Background(), gone.Article.ID); err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{"A second wording.", "A third wording.", "A second wording."} {
		c := capture("https://news.example/b", "B", text)
		c.Source = article.SourceFetch
		c.CapturedAt = t0.Add(time.Duration(i+1) * time.Hour)
		save(t, s, c)
	}
}

func openGraded(t *testing.T) *Store {
	return openWith(t, t.TempDir(), Options{Judge: diff.Judge(diff.DefaultRules)})
}

func exportOf(t *testing.T, s *Store) string {
	t.Helper()
	var buf bytes.Buffer
	if err := s.Export(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// importAll reads an export into s, as `redline import` does: the whole
// file is read and checked before anything is written.
func importAll(t *testing.T, s *Store, file string) (added int) {
	t.Helper()
	var xs []Exported
	if err := ReadExport(strings.NewReader(file), func(_ int, x Exported) error { xs = append(xs, x); return nil }); err != nil {
		t.Fatalf("read export: %v", err)
	}
	for _, x := range xs {
		ok, err := s.Import(context.Background(), x)
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		if ok {
			added++
		}
	}
	return added
}

func TestExportImportExportIsIdentical(t *testing.T) {
	src := openGraded(t)
	fillForExport(t, src)
	first := exportOf(t, src)
	if !strings.Contains(first, `"unseen"`) || !strings.Contains(first, `"revert_of":2`) {
		t.Fatalf("the source store lacks what the test needs:\n%s", first)
	}

	dst := openGraded(t)
	if n := importAll(t, dst, first); n != 2 {
		t.Fatalf("imported %d articles, want 2", n)
	}
	if again := exportOf(t, dst); again != first {
		t.Errorf("export after import differs:\nfirst:\n%s\nagain:\n%s", first, again)
	}

	// Importing again adds nothing.
	if n := importAll(t, dst, first); n != 0 {
		t.Errorf("second import added %d articles", n)
	}
	if again := exportOf(t, dst); again != first {
		t.Errorf("a second import changed the store")
	}

	// The imported store works as one: counts, search by a removed
	// sentence, the other address, a new capture's id and event.
	st, err := dst.Stats()
	if err != nil || st.Articles != 2 || st.Versions != 5 {
		t.Errorf("stats = %+v, %v; want 2 articles, 5 versions", st, err)
	}
	page, err := dst.ListArticles(ListFilter{Q: "third wording"})
	if err != nil || len(page.Articles) != 1 || page.Articles[0].URL != "https://news.example/b" {
		t.Errorf("search for a replaced sentence = %+v, %v", page.Articles, err)
	}
	if a, err := dst.ArticleByURL("https://news.example/a?amp=1"); err != nil || a.URL != "https://news.example/a" {
		t.Errorf("other address = %+v, %v", a, err)
	}
	fresh := save(t, dst, capture("https://news.example/c", "C", "New after the import."))
	if fresh.Article.ID <= 3 {
		t.Errorf("an article made after the import took id %d, an imported one's or below", fresh.Article.ID)
	}
	b, _ := dst.ArticleByURL("https://news.example/b")
	top := int64(0)
	for _, u := range b.Unseen {
		top = max(top, u.EventID)
	}
	c := capture("https://news.example/b", "B", "Yet another wording.")
	c.Source = article.SourceFetch
	c.CapturedAt = t0.Add(10 * time.Hour)
	save(t, dst, c)
	b, _ = dst.ArticleByURL("https://news.example/b")
	if last := b.Unseen[len(b.Unseen)-1].EventID; last <= top {
		t.Errorf("a change after the import has event id %d, not above the imported %d", last, top)
	}
}

func TestImportKeepsTheStoreAndTakesANewIDWhenItsIsUsed(t *testing.T) {
	src := openGraded(t)
	fillForExport(t, src)
	file := exportOf(t, src)

	dst := openGraded(t)
	mine := save(t, dst, capture("https://other.example/mine", "Mine", "Already here."))
	if n := importAll(t, dst, file); n != 2 {
		t.Fatalf("imported %d, want 2", n)
	}
	a, err := dst.ArticleByURL("https://news.example/a")
	if err != nil || a.ID == mine.Article.ID {
		t.Fatalf("imported article = %+v, %v; it must not take id %d", a, err, mine.Article.ID)
	}
	if v, err := dst.Version(a.ID, 1); err != nil || v.Blocks[0].Text != "First text of a." {
		t.Errorf("imported version = %+v, %v", v, err)
	}
	if m, err := dst.Article(mine.Article.ID); err != nil || m.URL != "https://other.example/mine" {
		t.Errorf("the store's own article = %+v, %v", m, err)
	}
}

// Every kind of damaged file is refused with its line, before any write.
func TestReadExportRefusesDamagedFiles(t *testing.T) {
	src := openGraded(t)
	fillForExport(t, src)
	file := exportOf(t, src)
	lines := strings.SplitAfter(file, "\n")
	lines = lines[:len(lines)-1] // the empty string after the last newline

	cases := map[string]struct {
		file, want string
	}{
		"cut between two articles": {strings.Join(lines[:2], ""), "cut short"},
		"cut inside a line":        {file[:len(file)/2], "line"},
		"cut after a version":      {strings.Join(lines[:len(lines)-2], ""), "cut"},
		"not JSON":                 {"hello\n", "line 1: not a line of a Redline export"},
		"unknown type":             {`{"type":"song"}` + "\n", "line 1"},
		"unknown field":            {strings.Replace(file, `"type":"article",`, `"type":"article","x":1,`, 1), "line 1"},
		"version before article":   {lines[1] + lines[0], "line 1: a version before any article"},
		"changed text":             {strings.Replace(file, "First text of a.", "First text of b.", 1), "does not match its hash"},
		"missing version":          {lines[0] + strings.Join(lines[2:], ""), "line 1"},
		"wrong end count":          {strings.Replace(file, `"articles":2`, `"articles":3`, 1), "end line says 3"},
		"more after the end":       {file + lines[0], "more after the end line"},
		"empty":                    {"", "cut short"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			calls := 0
			err := ReadExport(strings.NewReader(c.file), func(int, Exported) error { calls++; return nil })
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to say %q", err, c.want)
			}
		})
	}
}

func TestImportRefusesAnArticleThatDoesNotHoldTogether(t *testing.T) {
	src := openGraded(t)
	fillForExport(t, src)
	var xs []Exported
	if err := ReadExport(strings.NewReader(exportOf(t, src)), func(_ int, x Exported) error { xs = append(xs, x); return nil }); err != nil {
		t.Fatal(err)
	}
	bad := []func(x *Exported){
		func(x *Exported) { x.Article.Read.Version = 9 },
		func(x *Exported) { x.Article.URL = "" },
		func(x *Exported) { x.Versions[0].Source = "radio" },
		func(x *Exported) { x.Versions = x.Versions[:1] },
		func(x *Exported) { x.Versions[len(x.Versions)-1].RevertOf = 0 },
	}
	dst := openGraded(t)
	for i, spoil := range bad {
		x := xs[1]
		x.Article.Aliases = append([]string(nil), x.Article.Aliases...)
		x.Versions = append([]article.Version(nil), x.Versions...)
		spoil(&x)
		if _, err := dst.Import(context.Background(), x); article.ErrorCode(err) != article.EINVALID {
			t.Errorf("case %d: import = %v, want invalid", i, err)
		}
	}
	if st, _ := dst.Stats(); st.Articles != 0 || st.Versions != 0 {
		t.Errorf("refused imports left %+v", st)
	}
}

func TestImportKeepsLayoutMarks(t *testing.T) {
	src := openGraded(t)
	save(t, src, capture("https://news.example/l", "L", "Text."))
	var xs []Exported
	if err := ReadExport(strings.NewReader(exportOf(t, src)), func(_ int, x Exported) error { xs = append(xs, x); return nil }); err != nil {
		t.Fatal(err)
	}
	xs[0].Layout[1] = true
	dst := openGraded(t)
	if _, err := dst.Import(context.Background(), xs[0]); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(exportOf(t, dst), `"layout":true`) {
		t.Errorf("the layout mark was lost")
	}
}

// A batch too large for one transaction is split, and every article in it
// is imported.
func TestImportBatchSplitsWhatOneTransactionCannotHold(t *testing.T) {
	var xs []Exported
	for i := range 400 {
		var words []string
		for w := range 300 {
			words = append(words, fmt.Sprintf("w%dx%d", i, w))
		}
		content := article.Content{Title: fmt.Sprintf("Story %d", i), Blocks: []article.Block{{Kind: article.KindParagraph, Text: strings.Join(words, " ")}}}
		id := int64(i + 1)
		xs = append(xs, Exported{
			Article: article.Article{ID: id, URL: fmt.Sprintf("https://news.example/%d", i), Site: "news.example", Title: content.Title,
				FirstSeen: t0, LastCaptured: t0, Versions: 1, Captures: 1, LatestBrowser: 1, Read: article.ReadMark{Version: 1, At: t0}, Seen: 1},
			Versions: []article.Version{{ArticleID: id, Number: 1, CapturedAt: t0, Source: article.SourceBrowser, Extractor: "test",
				Hash: hashOf(contentBytes(content)), Content: content}},
		})
	}
	s := openStore(t, t.TempDir())
	added, err := s.ImportBatch(context.Background(), xs)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(slices.DeleteFunc(added, func(ok bool) bool { return !ok })); n != 400 {
		t.Errorf("added %d of 400", n)
	}
	if st, _ := s.Stats(); st.Articles != 400 {
		t.Errorf("the store holds %d articles", st.Articles)
	}
	page, err := s.ListArticles(ListFilter{Q: "w399x299"})
	if err != nil || len(page.Articles) != 1 {
		t.Errorf("search for the last article's last word = %+v, %v", page.Articles, err)
	}
}
