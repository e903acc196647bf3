package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// wordCorpus is a generated store and what its word index must answer:
// for every article kept, the words of every version it had (what the
// index of one key per word per article answered).
type wordCorpus struct {
	s     *Store
	words map[int64]map[string]bool
	vocab []string
	maxID int64 // the newest article's id
}

// vocabWord is the i-th word of the generated vocabulary: letters only,
// so that no word is a prefix of another by accident of numbering.
func vocabWord(i int) string {
	var b strings.Builder
	b.WriteString("q")
	for ; ; i /= 26 {
		b.WriteByte(byte('a' + i%26))
		if i < 26 {
			break
		}
	}
	return b.String()
}

// newWordCorpus captures n articles of sentences drawn from a skewed
// vocabulary (a few words in nearly every article, most in a handful),
// gives every fifth article two more versions, the last of which drops a
// sentence and adds new words, and forgets every eleventh article.
func newWordCorpus(t *testing.T, n int) *wordCorpus {
	t.Helper()
	wc := &wordCorpus{s: openStore(t, t.TempDir()), words: map[int64]map[string]bool{}}
	for i := range 3000 {
		wc.vocab = append(wc.vocab, vocabWord(i))
	}
	rng := rand.New(rand.NewPCG(18, 2026))
	sentence := func() string {
		var ws []string
		for range 6 {
			// Skewed: the square of a uniform number favours low indexes.
			f := rng.Float64()
			ws = append(ws, wc.vocab[int(f*f*f*float64(len(wc.vocab)))])
		}
		return strings.Join(ws, " ") + "."
	}
	for i := range n {
		u := fmt.Sprintf("https://news.test/story/%d", i)
		paras := []string{"Common words lead every story.", sentence(), sentence(), sentence()}
		versions := [][]string{paras}
		if i%5 == 0 {
			versions = append(versions, append(slices.Clone(paras), sentence()))
			versions = append(versions, append(slices.Clone(paras[:2]), sentence(), "Fresh corrected text."))
		}
		var id int64
		for v, ps := range versions {
			c := capture(u, fmt.Sprintf("Headline number %d", i), ps...)
			c.CapturedAt = t0.Add(time.Duration(i)*time.Minute + time.Duration(v)*time.Second)
			c.Source = article.SourceFetch
			if v == 0 {
				c.Source = article.SourceBrowser
			}
			out, err := wc.s.SaveCapture(context.Background(), Ingest{Capture: c, URL: u, Site: "news.test", MarkRead: v == 0, Now: c.CapturedAt})
			if err != nil {
				t.Fatal(err)
			}
			id = out.Article.ID
			wc.maxID = max(wc.maxID, id)
			if wc.words[id] == nil {
				wc.words[id] = map[string]bool{}
			}
			for _, w := range contentWords(c.Content()) {
				wc.words[id][w] = true
			}
		}
		if i%11 == 3 {
			if err := wc.s.DeleteArticle(context.Background(), id); err != nil {
				t.Fatal(err)
			}
			delete(wc.words, id)
		}
	}
	return wc
}

// want is the articles whose words, in any version, hold every word of q.
func (wc *wordCorpus) want(q string) []int64 {
	words := indexWords(q)
	var out []int64
	for id, have := range wc.words {
		if len(words) > 0 && !slices.ContainsFunc(words, func(w string) bool { return !have[w] }) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// got is the articles the word index finds for q: it asks about every
// id, newest first as a listing does.
func (wc *wordCorpus) got(t *testing.T, q string) []int64 {
	t.Helper()
	var out []int64
	err := wc.s.db.View(func(txn *badger.Txn) error {
		tq, err := wc.s.newTextQuery(txn, q)
		if err != nil {
			return err
		}
		defer tq.close()
		for id := wc.maxID; id > 0; id-- {
			ok, err := tq.has(id)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, id)
			}
		}
		slices.Reverse(out)
		return nil
	})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	return out
}

// queries are searches of every kind: common, rare and absent words,
// words of removed sentences, of forgotten articles, several words at
// once, prefixes of words, and phrases in another case and order.
func (wc *wordCorpus) queries() []string {
	qs := []string{
		"common", "story words", "fresh corrected", "FRESH, Corrected!", "corrected fresh",
		"headline", "nosuchword", "common nosuchword", "", "the", "q", "qa", "qaa", "qb qc", "7",
	}
	for i := 0; i < len(wc.vocab); i += 97 {
		qs = append(qs, wc.vocab[i], wc.vocab[i]+" "+wc.vocab[(i*7)%len(wc.vocab)], wc.vocab[i][:len(wc.vocab[i])-1])
	}
	return qs
}

func (wc *wordCorpus) check(t *testing.T, when string) {
	t.Helper()
	for _, q := range wc.queries() {
		if got, want := wc.got(t, q), wc.want(q); !slices.Equal(got, want) {
			t.Errorf("%s: search %q finds %d articles %v, want %d %v", when, q, len(got), head(got), len(want), head(want))
		}
	}
}

func head(ids []int64) []int64 { return ids[:min(len(ids), 8)] }

func countKeys(t *testing.T, s *Store, prefix []byte) int {
	t.Helper()
	n := 0
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The posting lists answer every search as one key per word per article
// did: with words pending, folded, after articles are forgotten from
// folded blocks, and after a rebuild.
func TestWordIndexAnswersAsEveryVersionSays(t *testing.T) {
	wc := newWordCorpus(t, 700)
	if countKeys(t, wc.s, pfxListPosting) == 0 {
		t.Fatal("700 articles captured and no word folded into the posting lists")
	}
	wc.check(t, "while capturing")
	// A few shards at a time, as a fold does when captures keep writing
	// pending words while it runs.
	wc.s.words.fold.Lock()
	if err := wc.s.foldShards(); err != nil {
		t.Fatal(err)
	}
	wc.s.words.fold.Unlock()
	if n := countKeys(t, wc.s, pfxListPending); n != 0 {
		t.Fatalf("%d pending keys after a fold", n)
	}
	wc.check(t, "folded")
	old := collectBlocks
	collectBlocks = 0 // every word common: read block by block
	wc.check(t, "folded, block by block")
	collectBlocks = old
	if blocks := countKeys(t, wc.s, postingPrefix("common")); blocks < 2 {
		t.Fatalf("a word of 700 articles is in %d block, want it cut in several", blocks)
	}
	// Forget articles whose ids are first, inside and last in their
	// blocks.
	for _, id := range []int64{1, 2, 250, 251, 699} {
		if wc.words[id] == nil {
			continue
		}
		if err := wc.s.DeleteArticle(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		delete(wc.words, id)
	}
	wc.check(t, "after forgetting")
	if err := wc.s.db.Update(func(txn *badger.Txn) error { return txn.Delete(keyListIndex) }); err != nil {
		t.Fatal(err)
	}
	if err := wc.s.EnsureListIndex(); err != nil {
		t.Fatal(err)
	}
	wc.check(t, "rebuilt")
}

// An article's words that are pending and folded at once (a version
// captured after the fold) are found and forgotten together.
func TestWordIndexPendingAndFoldedWords(t *testing.T) {
	s := openStore(t, t.TempDir())
	u := "https://news.test/a"
	save(t, s, capture(u, "Budget", "Council delays the vote."))
	s.words.fold.Lock()
	if err := s.foldPending(); err != nil {
		t.Fatal(err)
	}
	s.words.fold.Unlock()
	c := capture(u, "Budget", "Council approves the amended vote.")
	c.CapturedAt = t0.Add(time.Hour)
	saved := save(t, s, c)
	if countKeys(t, s, pfxListPending) != 1 {
		t.Fatal("the new words of a second version are not pending")
	}
	for q, want := range map[string]int{"delays vote": 1, "amended council": 1, "delays amended": 1, "missing": 0} {
		p, err := s.ListArticles(ListFilter{Q: q, Limit: 10})
		if err != nil || len(p.Articles) != want {
			t.Errorf("search %q: %d articles, want %d (%v)", q, len(p.Articles), want, err)
		}
	}
	if err := s.DeleteArticle(context.Background(), saved.Article.ID); err != nil {
		t.Fatal(err)
	}
	if n := countKeys(t, s, pfxListPosting) + countKeys(t, s, pfxListPending); n != 0 {
		t.Fatalf("%d word index keys left after forgetting the only article", n)
	}
}

// oldWordKey is the key of the previous layout, one per word per article.
func oldWordKey(word string, id int64) []byte {
	return idKey(append([]byte("l:t"+word), 0), id)
}

// toOldLayout turns wc's store into one an older Redline wrote: the list
// index at version 3, its word index one key per word per article.
func (wc *wordCorpus) toOldLayout(t *testing.T) {
	t.Helper()
	s := wc.s
	for _, p := range [][]byte{pfxListPosting, pfxListPending} {
		if err := s.dropPrefix(p); err != nil {
			t.Fatal(err)
		}
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for id, words := range wc.words {
		for w := range words {
			if err := wb.Set(oldWordKey(w, id), nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := wb.Set(keyListIndex, []byte("3")); err != nil {
		t.Fatal(err)
	}
	if err := wb.Flush(); err != nil {
		t.Fatal(err)
	}
}

// A store with the old word index opens with the new one built, its old
// keys gone, and every search answered as before; a build cut short (the
// process killed between batches) leaves a store that builds again at
// the next start.
func TestWordIndexRebuildsOldLayout(t *testing.T) {
	wc := newWordCorpus(t, 300)
	wc.toOldLayout(t)
	if countKeys(t, wc.s, []byte("l:t")) == 0 {
		t.Fatal("the old layout was not written")
	}
	// Small batches, and a build that holds few words at a time, so that
	// words get blocks from several flushes.
	oldBatch, oldCarry := rebuildBatch, rebuildCarry
	rebuildBatch, rebuildCarry = 40, 50
	killed := errors.New("killed")
	afterRebuildBatch = func(n int) error {
		if n >= 120 {
			return killed
		}
		return nil
	}
	t.Cleanup(func() {
		rebuildBatch, rebuildCarry, afterRebuildBatch = oldBatch, oldCarry, func(int) error { return nil }
	})
	if err := wc.s.EnsureListIndex(); !errors.Is(err, killed) {
		t.Fatalf("build stopped between batches: %v", err)
	}
	if n := countKeys(t, wc.s, pfxListRead); n == 0 || n >= len(wc.words) {
		t.Fatalf("the stopped build indexed %d of %d articles: it was not cut short", n, len(wc.words))
	}
	dir := wc.s.Dir()
	if err := wc.s.Close(); err != nil {
		t.Fatal(err)
	}
	afterRebuildBatch = func(int) error { return nil }
	wc.s = openStore(t, dir)
	ready := false
	if err := wc.s.db.View(func(txn *badger.Txn) error {
		var err error
		ready, err = listIndexReady(txn)
		return err
	}); err != nil || ready {
		t.Fatalf("after a build cut short the index reads as ready (%v)", err)
	}
	if err := wc.s.EnsureListIndex(); err != nil {
		t.Fatal(err)
	}
	if n := countKeys(t, wc.s, []byte("l:t")); n != 0 {
		t.Fatalf("%d keys of the old word index left", n)
	}
	wc.check(t, "rebuilt from the old layout")
	p, err := wc.s.ListArticles(ListFilter{Q: "fresh corrected", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	got := ids(p.Articles)
	slices.Sort(got)
	if want := wc.want("fresh corrected"); !slices.Equal(got, want) {
		t.Fatalf("listing search after the rebuild: %v, want %v", head(got), head(want))
	}
}

// Captures running at once, folding as they go, lose no word: each
// article is found by its own word and all by the word they share.
func TestWordIndexConcurrentCaptures(t *testing.T) {
	s := openStore(t, t.TempDir())
	const clients, each = 8, 40
	errs := make(chan error, clients)
	for c := range clients {
		go func() {
			for i := range each {
				n := c*each + i
				// A site per client: captures of one site share its
				// template furniture's key.
				site := fmt.Sprintf("site%d.test", c)
				u := fmt.Sprintf("https://%s/%d", site, n)
				cp := capture(u, "Budget", "Shared words here.", "Own word "+vocabWord(n)+".")
				if _, err := s.SaveCapture(context.Background(), Ingest{Capture: cp, URL: u, Site: site, MarkRead: true, Now: t0}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range clients {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if countKeys(t, s, pfxListPosting) == 0 {
		t.Fatal("no fold ran during 320 captures")
	}
	find := func(q string) int {
		p, err := s.ListArticles(ListFilter{Q: q, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Articles)
	}
	if n := find("shared words"); n != clients*each {
		t.Errorf("the shared words find %d articles, want %d", n, clients*each)
	}
	for n := range clients * each {
		if got := find("own " + vocabWord(n)); got != 1 {
			t.Errorf("article %d's own word finds %d articles", n, got)
		}
	}
}
