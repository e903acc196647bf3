package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func openStore(t testing.TB, dir string) *Store {
	t.Helper()
	return openWith(t, dir, Options{})
}

// openWith opens the store in dir with its collaborators in o.
func openWith(t testing.TB, dir string, o Options) *Store {
	t.Helper()
	s, err := Open(dir, o)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func capture(url, title string, paras ...string) *article.Capture {
	c := &article.Capture{URL: url, Title: title, CapturedAt: t0, Source: article.SourceBrowser, Extractor: "test"}
	for _, p := range paras {
		c.Blocks = append(c.Blocks, article.Block{Kind: article.KindParagraph, Text: p})
	}
	return c
}

func save(t testing.TB, s *Store, c *article.Capture, aliases ...string) Saved {
	t.Helper()
	out, err := s.SaveCapture(context.Background(), Ingest{Capture: c, URL: c.URL, Aliases: aliases, Site: "example.com", MarkRead: c.Source == article.SourceBrowser, Now: t0})
	if err != nil {
		t.Fatalf("save capture: %v", err)
	}
	return out
}

func TestCaptureUnchangedChangedGivesVersions112(t *testing.T) {
	s := openStore(t, t.TempDir())
	u := "https://news.example/a"
	got := []Saved{
		save(t, s, capture(u, "Mayor resigns", "First paragraph.", "Second paragraph.")),
		save(t, s, capture(u, "Mayor resigns", "First paragraph.", "Second paragraph.")),
		save(t, s, capture(u, "Mayor resigns", "First paragraph.", "Second paragraph, corrected.")),
	}
	wantV := []int{1, 1, 2}
	wantS := []article.CaptureStatus{article.StatusNew, article.StatusUnchanged, article.StatusChanged}
	for i, g := range got {
		if g.Version != wantV[i] || g.Status != wantS[i] {
			t.Errorf("capture %d: version %d status %s, want %d %s", i+1, g.Version, g.Status, wantV[i], wantS[i])
		}
		if g.Article.ID != got[0].Article.ID {
			t.Errorf("capture %d went to article %d, want %d", i+1, g.Article.ID, got[0].Article.ID)
		}
	}
	a, err := s.Article(got[0].Article.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Versions != 2 || a.Captures != 3 || a.Changes != 1 || a.Read.Version != 2 {
		t.Errorf("article = %+v, want 2 versions, 3 captures, 1 change, read version 2", a)
	}
	v1, err := s.Version(a.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := s.Version(a.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if v1.Blocks[1].Text != "Second paragraph." || v2.Blocks[1].Text != "Second paragraph, corrected." {
		t.Errorf("round trip lost text: v1 %+v v2 %+v", v1.Blocks, v2.Blocks)
	}
	if v1.Title != "Mayor resigns" || v1.Source != article.SourceBrowser || v1.Extractor != "test" || !v1.CapturedAt.Equal(t0) {
		t.Errorf("v1 metadata = %+v", v1)
	}
}

func TestContentSurvivesReopenAndLongChains(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	u := "https://news.example/long"
	var id int64
	for i := range 40 {
		out := save(t, s, capture(u, "Title", "Intro stays the same across every edit of this article.", fmt.Sprintf("Edit number %d.", i)))
		id = out.Article.ID
		if out.Version != i+1 {
			t.Fatalf("edit %d stored as version %d", i, out.Version)
		}
	}
	s.Close()
	s2 := openStore(t, dir)
	for n := 1; n <= 40; n++ {
		v, err := s2.Version(id, n)
		if err != nil {
			t.Fatalf("version %d after reopen: %v", n, err)
		}
		if want := fmt.Sprintf("Edit number %d.", n-1); v.Blocks[1].Text != want {
			t.Fatalf("version %d text %q, want %q", n, v.Blocks[1].Text, want)
		}
	}
}

func TestRevertRepeatsContentWithoutStoringIt(t *testing.T) {
	s := openStore(t, t.TempDir())
	u := "https://news.example/ab"
	save(t, s, capture(u, "Headline A", "Body."))
	save(t, s, capture(u, "Headline B", "Body."))
	out := save(t, s, capture(u, "Headline A", "Body."))
	if out.Version != 3 || out.RevertOf != 1 || out.Status != article.StatusChanged {
		t.Fatalf("flip back = %+v, want version 3 reverting to 1", out)
	}
	v3, err := s.Version(out.Article.ID, 3)
	if err != nil {
		t.Fatal(err)
	}
	if v3.Title != "Headline A" || v3.RevertOf != 1 {
		t.Errorf("version 3 = %+v", v3)
	}
}

func TestLookupByAliasAndForget(t *testing.T) {
	s := openStore(t, t.TempDir())
	c := capture("https://example.com/story", "Story", "Text.")
	out := save(t, s, c, "https://m.example.com/story")
	for _, u := range []string{"https://example.com/story", "https://m.example.com/story"} {
		a, err := s.ArticleByURL(u)
		if err != nil || a.ID != out.Article.ID {
			t.Errorf("lookup %s = %d, %v", u, a.ID, err)
		}
	}
	// A capture arriving by the alias lands on the same article.
	if again := save(t, s, capture("https://m.example.com/story", "Story", "Text.")); again.Article.ID != out.Article.ID {
		t.Errorf("capture by alias made article %d", again.Article.ID)
	}
	if err := s.DeleteArticle(context.Background(), out.Article.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ArticleByURL("https://m.example.com/story"); article.ErrorCode(err) != article.ENOTFOUND {
		t.Errorf("after forget, lookup gave %v", err)
	}
	if _, err := s.Version(out.Article.ID, 1); article.ErrorCode(err) != article.ENOTFOUND {
		t.Errorf("after forget, version gave %v", err)
	}
	// Nothing of it is left in the store.
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := string(it.Item().Key())
			if !strings.HasPrefix(k, "m:") && !strings.HasPrefix(k, "s:") {
				t.Errorf("key %q left after forget", k)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestListPagesNewestFirstAndSearches(t *testing.T) {
	s := openStore(t, t.TempDir())
	for i := range 7 {
		save(t, s, capture(fmt.Sprintf("https://example.com/%d", i), fmt.Sprintf("Story %d", i), "Text."))
	}
	save(t, s, capture("https://example.com/budget", "Budget vote delayed", "Text."))
	var seen []string
	var cursor int64
	for {
		page, next, err := s.List(ListQuery{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page {
			seen = append(seen, a.Title)
		}
		if next == 0 {
			break
		}
		cursor = next
	}
	if len(seen) != 8 || seen[0] != "Budget vote delayed" || seen[7] != "Story 0" {
		t.Errorf("pages = %v", seen)
	}
	found, _, err := s.List(ListQuery{Q: "BUDGET"})
	if err != nil || len(found) != 1 || found[0].Title != "Budget vote delayed" {
		t.Errorf("search = %v, %v", found, err)
	}
	// A search pages newest first too, and looks in titles as they are
	// now, addresses and sites.
	save(t, s, capture("https://example.com/3", "Renamed headline", "Text."))
	search := func(q string, limit int) []string {
		t.Helper()
		var titles []string
		var cursor int64
		for {
			page, next, err := s.List(ListQuery{Q: q, Limit: limit, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range page {
				titles = append(titles, a.Title)
			}
			if next == 0 {
				return titles
			}
			cursor = next
		}
	}
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"story", []string{"Story 6", "Story 5", "Story 4", "Story 2", "Story 1", "Story 0"}},
		{"renamed", []string{"Renamed headline"}},
		{"story 3", nil},
		{"EXAMPLE.COM/budget", []string{"Budget vote delayed"}},
		{"example.com", []string{"Budget vote delayed", "Story 6", "Story 5", "Story 4", "Renamed headline", "Story 2", "Story 1", "Story 0"}},
		{"story\x00", nil},
	} {
		if got := search(c.q, 2); !slices.Equal(got, c.want) {
			t.Errorf("search %q = %q, want %q", c.q, got, c.want)
		}
	}
}

func TestSeparateLineagesForBrowserAndFetch(t *testing.T) {
	s := openStore(t, t.TempDir())
	u := "https://example.com/paywalled"
	save(t, s, capture(u, "Story", "Full text the browser saw."))
	f := capture(u, "Story", "Teaser only.")
	f.Source = article.SourceFetch
	first := save(t, s, f)
	if first.Status != article.StatusNew || first.Previous != 0 || first.Version != 2 {
		t.Errorf("first fetch = %+v, want a new lineage at version 2", first)
	}
	again := save(t, s, f)
	if again.Status != article.StatusUnchanged || again.Version != 2 {
		t.Errorf("same fetch again = %+v", again)
	}
	if again.Article.Read.Version != 1 {
		t.Errorf("a fetch moved the read mark to %d", again.Article.Read.Version)
	}
}

func TestBackupRestore(t *testing.T) {
	src := openStore(t, t.TempDir())
	out := save(t, src, capture("https://example.com/x", "X", "One."))
	save(t, src, capture("https://example.com/x", "X", "Two."))
	const feedToken = "feed-token-that-must-stay-home"
	if err := src.SetSetting(context.Background(), SettingFeedToken, feedToken); err != nil {
		t.Fatal(err)
	}
	if err := src.SetSetting(context.Background(), SettingSites, SiteRules{Deny: []string{"ads.example"}}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := src.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte(feedToken)) {
		t.Error("the backup holds the feed token")
	}
	dst := t.TempDir()
	if err := Restore(dst, bytes.NewReader(buf.Bytes()), false, nil); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if err := Restore(dst, bytes.NewReader(buf.Bytes()), false, nil); article.ErrorCode(err) != article.ECONFLICT {
		t.Errorf("restore over data without replace = %v, want conflict", err)
	}
	if err := Restore(dst, bytes.NewReader(buf.Bytes()), true, nil); err != nil {
		t.Errorf("restore with replace: %v", err)
	}
	if err := Restore(dst, strings.NewReader(buf.String()[:buf.Len()/2]), true, nil); article.ErrorCode(err) != article.EINVALID {
		t.Errorf("restore of a truncated backup = %v, want invalid", err)
	}
	s := openStore(t, dst)
	v, err := s.Version(out.Article.ID, 2)
	if err != nil || v.Blocks[0].Text != "Two." {
		t.Fatalf("restored version 2 = %+v, %v", v, err)
	}
	var tok string
	if found, err := s.Setting(SettingFeedToken, &tok); err != nil || found {
		t.Errorf("the restored store has a feed token %q (%v)", tok, err)
	}
	var sites SiteRules
	if found, err := s.Setting(SettingSites, &sites); err != nil || !found || len(sites.Deny) != 1 {
		t.Errorf("the restored store lost the other settings: %+v (%v)", sites, err)
	}
	// New articles after a restore never reuse restored ids.
	n := save(t, s, capture("https://example.com/y", "Y", "New."))
	if n.Article.ID == out.Article.ID {
		t.Errorf("new article reused id %d", n.Article.ID)
	}
	for name, data := range map[string]string{
		"empty":     "",
		"foreign":   "not a backup",
		"truncated": buf.String()[:len(buf.String())/2],
		"damaged":   backupMagic + "\xff\xff\xff\xff\xff\xff\xff\x7fgarbage",
	} {
		if err := Restore(t.TempDir(), strings.NewReader(data), false, nil); article.ErrorCode(err) != article.EINVALID {
			t.Errorf("restore of %s file = %v, want invalid", name, err)
		}
	}
}

func TestRefusesForeignAndNewerStores(t *testing.T) {
	foreign := t.TempDir()
	os.WriteFile(filepath.Join(foreign, "thesis.txt"), []byte("years of work"), 0o600)
	if _, err := Open(foreign, Options{}); article.ErrorCode(err) != article.EINVALID {
		t.Errorf("open foreign dir = %v, want a clear refusal", err)
	}
	if b, _ := os.ReadFile(filepath.Join(foreign, "thesis.txt")); string(b) != "years of work" {
		t.Error("foreign file was touched")
	}

	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.db.Update(func(txn *badger.Txn) error { return txn.Set(keySchema, []byte("99")) })
	s.Close()
	if _, err := Open(dir, Options{}); err == nil || !strings.Contains(err.Error(), "newer Redline") {
		t.Errorf("open newer store = %v", err)
	}
}

func TestSecondOpenIsRefusedClearly(t *testing.T) {
	dir := t.TempDir()
	openStore(t, dir)
	_, err := Open(dir, Options{})
	if article.ErrorCode(err) != article.EUNAVAILABLE {
		t.Errorf("second open = %v, want unavailable", err)
	}
}

func TestExportHasEveryVersion(t *testing.T) {
	s := openStore(t, t.TempDir())
	save(t, s, capture("https://example.com/e", "E", "One."))
	save(t, s, capture("https://example.com/e", "E", "Two."))
	var buf bytes.Buffer
	if err := s.Export(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 4 || !strings.Contains(lines[0], `"type":"article"`) || !strings.Contains(lines[2], `"Two."`) ||
		lines[3] != `{"type":"end","articles":1,"versions":2}` {
		t.Errorf("export = %s", buf.String())
	}
}

// A new store maintains its indexes from its first write: opening it again
// must not rebuild them (at 100,000 articles that took minutes).
func TestNewStoreNeedsNoRebuild(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	save(t, s, capture("https://example.com/n", "N", "Text."))
	s.Close()
	s2 := openStore(t, dir)
	for _, k := range [][]byte{keyListIndex, keyWatchAll} {
		err := s2.db.View(func(txn *badger.Txn) error { _, err := txn.Get(k); return err })
		if err != nil {
			t.Errorf("%s not marked built: %v", k, err)
		}
	}
}

func TestFetchesDoNotRenameABrowserArticle(t *testing.T) {
	s := openStore(t, t.TempDir())
	save(t, s, capture("https://example.com/t", "Council votes", "Text."))
	f := capture("https://example.com/t", "Council votes | The Example Ledger", "Text as the server sees it.")
	f.Source = article.SourceFetch
	out := save(t, s, f)
	if out.Article.Title != "Council votes" {
		t.Errorf("title after a fetch = %q", out.Article.Title)
	}
}

// A capture is compared with the version before it once, however many
// times its transaction runs and however many questions its alert asks
// (the change itself, the change since the read): at the limits one
// comparison costs tens of MB.
func TestCaptureIsComparedOnce(t *testing.T) {
	var mu sync.Mutex
	judged := 0
	s := openWith(t, t.TempDir(), Options{Judge: func(p article.Pair) article.Summary {
		mu.Lock()
		judged++
		mu.Unlock()
		return article.Summary{BlocksChanged: 1, Significance: article.Substantive}
	}})
	u := "https://news.example/compared"
	save(t, s, capture(u, "T", "The minister was reluctant to sign."))
	got := save(t, s, capture(u, "T", "The minister was willing to sign."))
	if got.Event == nil || got.Summary == nil || got.Event.Summary.Significance != article.Substantive {
		t.Fatalf("a substantive change read before: event %+v, summary %+v", got.Event, got.Summary)
	}
	if judged != 1 {
		t.Errorf("the capture was compared %d times, want once", judged)
	}
}
