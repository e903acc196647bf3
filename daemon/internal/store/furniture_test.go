package store

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"redline/daemon/internal/article"
	"redline/daemon/internal/diff"
)

const furnSite = "courier.test"

// promo is a line the site puts in its articles: long enough to be a
// substantive addition were it the article's, and of no furniture shape.
const promo = "Get the Riverton Courier app for alerts on the river"

func openFurnished(t testing.TB) *Store {
	t.Helper()
	return openWith(t, t.TempDir(), Options{Judge: diff.Judge(diff.DefaultRules)})
}

// readOn stores a browser capture (a read) of page on furnSite.
func readOn(t testing.TB, s *Store, page string, paras ...string) Saved {
	t.Helper()
	c := capture("https://"+furnSite+"/"+page, "Story "+page, paras...)
	out, err := s.SaveCapture(context.Background(), Ingest{Capture: c, URL: c.URL, Site: furnSite, MarkRead: true, Now: t0})
	if err != nil {
		t.Fatalf("save %s: %v", page, err)
	}
	return out
}

func furnitureOf(t testing.TB, s *Store) []FurnitureEntry {
	t.Helper()
	got, err := s.Furniture(furnSite)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func body(name string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("Paragraph %d of story %s tells what the council decided about the bridge and the budget this week.", i+1, name)
	}
	return out
}

// learnPromo makes the promo line the site's furniture: two different
// articles carry it.
func learnPromo(t testing.TB, s *Store) {
	t.Helper()
	readOn(t, s, "a", append(body("a", 2), promo)...)
	readOn(t, s, "b", append(body("b", 2), promo)...)
}

// A line one article repeats in every version is not furniture; the same
// line in a second article is. Then, in a third article, the line
// appearing after the read does not alert, while a line the site never
// repeated does.
func TestFurnitureIsLearnedAcrossArticles(t *testing.T) {
	s := openFurnished(t)
	readOn(t, s, "a", append(body("a", 2), promo)...)
	readOn(t, s, "a", append(body("a", 3), promo)...)
	readOn(t, s, "a", append(body("a", 4), promo)...)
	if got := furnitureOf(t, s); len(got) != 0 {
		t.Fatalf("after one article in three versions, learned %+v; want nothing", got)
	}
	readOn(t, s, "b", append(body("b", 2), promo)...)
	got := furnitureOf(t, s)
	if len(got) != 1 || got[0].Text != promo || got[0].Articles != 2 || len(got[0].ID) != 16 {
		t.Fatalf("after two articles, learned %+v; want the promo line, seen in 2", got)
	}

	readOn(t, s, "c", body("c", 3)...)
	out := readOn(t, s, "c", append(body("c", 3), promo)...)
	if out.Event != nil || out.Summary == nil || out.Summary.Significance != article.Trivial {
		t.Errorf("the site's promo line added after the read: event %+v, summary %+v; want no alert, trivial", out.Event, out.Summary)
	}
	readOn(t, s, "d", body("d", 3)...)
	out = readOn(t, s, "d", append(body("d", 3), "Get the Valley Gazette app for alerts on the hills")...)
	if out.Event == nil || out.Event.Summary.Significance != article.Substantive {
		t.Errorf("a line the site never repeated, added after the read: event %+v; want a substantive alert", out.Event)
	}

	// The comparison "Show changes" makes greys the same line.
	c, err := s.ArticleByURL("https://" + furnSite + "/c")
	if err != nil {
		t.Fatal(err)
	}
	ch, err := s.ChangeBetween(c, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	res := diff.ComparePair(ch.Pair, diff.DefaultRules())
	if res.Summary.Significance != article.Trivial || len(res.Ops) != 4 || res.Ops[3].Op != diff.OpInsert || !res.Ops[3].Noise {
		t.Errorf("the comparison of c: %+v; want the promo line inserted as noise, trivial", res)
	}
}

// A removed entry is no longer furniture, is not learned again from more
// articles, and its line alerts again. Bad ids are refused and change
// nothing.
func TestFurnitureRemovalSticks(t *testing.T) {
	s := openFurnished(t)
	ctx := context.Background()
	learnPromo(t, s)
	got := furnitureOf(t, s)
	if len(got) != 1 {
		t.Fatalf("learned %+v; want the promo line", got)
	}
	before, err := s.FurnitureBytes(furnSite)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct{ id, code string }{
		{"", article.EINVALID},
		{"not-an-entry", article.EINVALID},
		{"ABCDEF0123456789", article.EINVALID},
		{"0123456789abcdef0", article.EINVALID},
		{"0123456789abcdef", article.ENOTFOUND},
	} {
		if err := s.RemoveFurniture(ctx, furnSite, bad.id); article.ErrorCode(err) != bad.code {
			t.Errorf("RemoveFurniture(%q) = %v; want %s", bad.id, err, bad.code)
		}
	}
	if err := s.RemoveFurniture(ctx, "other.test", got[0].ID); article.ErrorCode(err) != article.ENOTFOUND {
		t.Errorf("removing the entry from another site = %v; want %s", err, article.ENOTFOUND)
	}
	if after, _ := s.FurnitureBytes(furnSite); after != before || len(furnitureOf(t, s)) != 1 {
		t.Fatalf("bad removals changed the record: %d bytes, was %d", after, before)
	}

	if err := s.RemoveFurniture(ctx, furnSite, got[0].ID); err != nil {
		t.Fatal(err)
	}
	if got := furnitureOf(t, s); len(got) != 0 {
		t.Fatalf("after the removal, learned %+v; want nothing", got)
	}
	if err := s.RemoveFurniture(ctx, furnSite, got[0].ID); article.ErrorCode(err) != article.ENOTFOUND {
		t.Errorf("removing it twice = %v; want %s", err, article.ENOTFOUND)
	}
	readOn(t, s, "e", append(body("e", 2), promo)...)
	readOn(t, s, "f", append(body("f", 2), promo)...)
	if got := furnitureOf(t, s); len(got) != 0 {
		t.Fatalf("two more articles with the removed line: learned %+v; want it never learned again", got)
	}
	readOn(t, s, "g", body("g", 3)...)
	out := readOn(t, s, "g", append(body("g", 3), promo)...)
	if out.Event == nil || out.Event.Summary.Significance != article.Substantive {
		t.Errorf("the removed line added after the read: event %+v; want a substantive alert", out.Event)
	}
}

// Forgetting an article forgets what it alone taught; what two articles
// share stays until one of them is the last; ForgetFurniture drops the
// whole record.
func TestForgetArticleDropsWhatOnlyItTaught(t *testing.T) {
	s := openFurnished(t)
	ctx := context.Background()
	a := readOn(t, s, "a", append(body("a", 2), promo)...).Article
	if n, _ := s.FurnitureBytes(furnSite); n == 0 {
		t.Fatal("the first article left no record")
	}
	if err := s.DeleteArticle(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.FurnitureBytes(furnSite); n != 0 {
		t.Errorf("after forgetting the only article, the site's record holds %d bytes; want none", n)
	}
	learnPromo(t, s)
	if err := s.ForgetFurniture(ctx, furnSite); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.FurnitureBytes(furnSite); n != 0 || len(furnitureOf(t, s)) != 0 {
		t.Errorf("after ForgetFurniture, %d bytes and %+v; want nothing", n, furnitureOf(t, s))
	}
}

// A record survives encoding, and a damaged one is an error, not a panic
// or a wrong record.
func TestFurnitureRecordRoundTrip(t *testing.T) {
	r := &furnitureRecord{}
	r.learn(1, []article.Block{{Kind: article.KindParagraph, Text: promo}, {Kind: article.KindHeading, Text: "Supported by"}})
	r.learn(2, []article.Block{{Kind: article.KindParagraph, Text: promo}})
	r.entries[0].rejected = true
	b := r.marshal()
	got, err := unmarshalFurniture(b)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(r) {
		t.Errorf("round trip: %+v, want %+v", got, r)
	}
	for n := range len(b) {
		if _, err := unmarshalFurniture(b[:n]); err == nil {
			t.Errorf("a record cut to %d of %d bytes decoded", n, len(b))
		}
	}
}

// BenchmarkFurnitureCapture measures what learning costs one capture of a
// 25-paragraph article with 15 short lines of its own and 5 the site
// repeats, on a site whose record is full (100 such articles before):
// decode the record, count the article's short blocks, encode it again;
// then grade-time lookups of every block. It reports the record's size.
//
//	go test -run '^$' -bench Furniture -benchmem ./daemon/internal/store
func BenchmarkFurnitureCapture(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	r := &furnitureRecord{}
	articleBlocks := func(id int64) []article.Block {
		var bs []article.Block
		for _, p := range realisticArticle(rng) {
			bs = append(bs, article.Block{Kind: article.KindParagraph, Text: p})
		}
		for k := range 15 {
			bs = append(bs, article.Block{Kind: article.KindParagraph, Text: fmt.Sprintf("Short line %d of article %d", k, id)})
		}
		for _, f := range []string{promo, "Supported by", "The Flood Files", "Sign up for River Watch, our weekly newsletter", "Read more about the river"} {
			bs = append(bs, article.Block{Kind: article.KindParagraph, Text: f})
		}
		return bs
	}
	for id := int64(1); id <= 100; id++ {
		r.learn(id, articleBlocks(id))
	}
	stored := r.marshal()
	next := articleBlocks(101)
	b.ReportAllocs()
	for b.Loop() {
		got, err := unmarshalFurniture(stored)
		if err != nil {
			b.Fatal(err)
		}
		got.learn(101, next)
		_ = got.marshal()
		for _, bl := range next {
			got.Furniture(bl.Text)
		}
	}
	b.ReportMetric(float64(len(stored)), "record-bytes")
}

// A long learned line is kept cut, at a character's start, for showing;
// it is still matched by its whole text.
func TestLearnedTextIsKeptShort(t *testing.T) {
	long := "Sign up — “Riverton Weekly” brings the valley’s news, sport, weather and what’s on to your inbox every Friday morning, é"
	r := &furnitureRecord{}
	for id := int64(1); id <= 2; id++ {
		r.learn(id, []article.Block{{Kind: article.KindParagraph, Text: long}})
	}
	got := r.entries[0].text
	if len(got) > maxFurnitureText || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Errorf("kept %q (%d bytes); want at most %d bytes of valid text ending in …", got, len(got), maxFurnitureText)
	}
	if !r.Furniture(long) {
		t.Error("the long line is not furniture")
	}
}

// A record never holds more than maxFurnitureEntries: a page of thousands
// of short lines is learned only in part, and when articles keep bringing
// new lines, a learned line outlives the lines seen once.
func TestFurnitureRecordStaysBounded(t *testing.T) {
	r := &furnitureRecord{}
	var many []article.Block
	for k := range 5000 {
		many = append(many, article.Block{Kind: article.KindListItem, Text: fmt.Sprintf("Item %d", k)})
	}
	r.learn(1, many)
	if len(r.entries) > maxFurnitureEntries {
		t.Fatalf("a page of 5,000 short lines left %d entries", len(r.entries))
	}
	r.learn(2, []article.Block{{Kind: article.KindParagraph, Text: promo}})
	r.learn(3, []article.Block{{Kind: article.KindParagraph, Text: promo}})
	for id := int64(4); id < 40; id++ {
		var bs []article.Block
		for k := range 20 {
			bs = append(bs, article.Block{Kind: article.KindParagraph, Text: fmt.Sprintf("Line %d of article %d", k, id)})
		}
		r.learn(id, bs)
		if len(r.entries) > maxFurnitureEntries {
			t.Fatalf("after article %d: %d entries", id, len(r.entries))
		}
	}
	if !r.Furniture(promo) {
		t.Error("the learned line was forgotten before lines seen once")
	}
	if !slices.IsSortedFunc(r.entries, func(a, b furnitureEntry) int { return cmp.Compare(a.hash, b.hash) }) {
		t.Error("the entries are no longer sorted by hash")
	}
}
