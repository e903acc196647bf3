package diff

import (
	"math/rand"
	"redline/daemon/internal/testtool"
	"strings"
	"testing"

	"redline/daemon/internal/article"
)

// prose writes deterministic article-like text: words drawn from a
// vocabulary with the skewed frequencies of natural language (a few very
// common words, a long tail of rare ones), in sentences and paragraphs.
type prose struct {
	rng   *rand.Rand
	zipf  *rand.Zipf
	vocab []string
}

func newProse(seed int64) *prose {
	vocabRng := rand.New(rand.NewSource(99)) // the same language for every seed
	syll := []string{"ka", "ro", "mi", "ten", "sa", "lo", "ver", "di", "an", "pe", "tor", "us", "el", "na", "bri", "go", "ste", "il", "mo", "ra"}
	vocab := []string{"the", "of", "and", "to", "a", "in", "said", "that", "for", "on", "was", "with", "he", "it", "as", "at", "by", "from", "his", "an"}
	seen := map[string]bool{}
	for _, w := range vocab {
		seen[w] = true
	}
	for len(vocab) < 6000 {
		n := 1 + vocabRng.Intn(4)
		var b strings.Builder
		for range n {
			b.WriteString(syll[vocabRng.Intn(len(syll))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			vocab = append(vocab, w)
		}
	}
	rng := rand.New(rand.NewSource(seed))
	return &prose{rng: rng, zipf: rand.NewZipf(rng, 1.1, 2, uint64(len(vocab)-1)), vocab: vocab}
}

func (p *prose) paragraph(words int) string {
	var b strings.Builder
	for i := range words {
		w := p.vocab[p.zipf.Uint64()]
		if p.rng.Intn(40) == 0 {
			w = strings.Repeat("1", 1+p.rng.Intn(3))
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		switch {
		case i == words-1 || p.rng.Intn(15) == 0:
			b.WriteByte('.')
		case p.rng.Intn(10) == 0:
			b.WriteByte(',')
		}
	}
	return b.String()
}

// article returns about total words in paragraphs of about per words.
func (p *prose) article(total, per int) article.Content {
	c := article.Content{Title: p.paragraph(8), Byline: "By " + p.paragraph(2)}
	for n := 0; n < total; {
		k := per/2 + p.rng.Intn(per)
		c.Blocks = append(c.Blocks, article.Block{Kind: article.KindParagraph, Text: p.paragraph(k)})
		n += k
	}
	return c
}

// edit returns a copy of c with n paragraphs reworded in a few places.
func (p *prose) edit(c article.Content, n int) article.Content {
	out := c
	out.Blocks = append([]article.Block(nil), c.Blocks...)
	for k := range n {
		i := (k*7 + 3) % len(out.Blocks)
		ws := strings.Fields(out.Blocks[i].Text)
		for e := 0; e < 3 && len(ws) > 0; e++ {
			ws[p.rng.Intn(len(ws))] = p.vocab[p.zipf.Uint64()]
		}
		out.Blocks[i].Text = strings.Join(ws, " ")
	}
	return out
}

// benchCompare also reports the process CPU time per op: on a busy
// machine it is steadier than wall time.
func benchCompare(b *testing.B, old, new article.Content) {
	b.Helper()
	rules := DefaultRules()
	b.ReportAllocs()
	start := int64(testtool.CPUTime())
	n := 0
	for b.Loop() {
		Compare(old, new, rules)
		n++
	}
	b.ReportMetric(float64(int64(testtool.CPUTime())-start)/float64(n), "cpu-ns/op")
}

func BenchmarkCompare2000Words5Edits(b *testing.B) {
	p := newProse(1)
	old := p.article(2000, 60)
	benchCompare(b, old, p.edit(old, 5))
}

func BenchmarkCompare20000WordsSmallEdits(b *testing.B) {
	p := newProse(2)
	old := p.article(20000, 65)
	new := p.edit(old, 10)
	// Also a paragraph moved, one removed and one added.
	new.Blocks = append(new.Blocks[:40], new.Blocks[41:]...)
	new.Blocks[100], new.Blocks[200] = new.Blocks[200], new.Blocks[100]
	new.Blocks = append(new.Blocks, article.Block{Kind: article.KindParagraph, Text: p.paragraph(50)})
	benchCompare(b, old, new)
}

func BenchmarkCompareUnrelated20000Words(b *testing.B) {
	old := newProse(3).article(20000, 65)
	new := newProse(4).article(20000, 65)
	benchCompare(b, old, new)
}

func BenchmarkCompareManySmallBlocks(b *testing.B) {
	one := func(seed int64) article.Content {
		p := newProse(seed)
		var c article.Content
		for range 20000 {
			c.Blocks = append(c.Blocks, article.Block{Kind: article.KindParagraph, Text: p.vocab[p.zipf.Uint64()]})
		}
		return c
	}
	benchCompare(b, one(5), one(6))
}

func BenchmarkCompareUnrelatedSingleParagraph(b *testing.B) {
	old := article.Content{Blocks: []article.Block{{Kind: article.KindParagraph, Text: newProse(7).paragraph(20000)}}}
	new := article.Content{Blocks: []article.Block{{Kind: article.KindParagraph, Text: newProse(8).paragraph(20000)}}}
	benchCompare(b, old, new)
}

// BenchmarkCompareMaximalEveryBlockEdited compares a capture at the limits
// (5,000 blocks sharing 512 KiB of text) with a version where every block
// was edited: the most word diffs one comparison makes.
func BenchmarkCompareMaximalEveryBlockEdited(b *testing.B) {
	p := newProse(9)
	var old article.Content
	for range article.MaxBlocks {
		t := p.paragraph(16)
		old.Blocks = append(old.Blocks, article.Block{Kind: article.KindParagraph, Text: t[:min(len(t), article.MaxTextBytes/article.MaxBlocks)]})
	}
	benchCompare(b, old, p.edit(old, len(old.Blocks)))
}

// newsProse is prose as news reads: names with capitals, sentences that
// open with one, quotations, and bylines. It exercises the checks that
// read an edit for names, dates and quoted words.
func newsProse(seed int64, total, per int) article.Content {
	p := newProse(seed)
	c := p.article(total, per)
	for i := range c.Blocks {
		ws := strings.Fields(c.Blocks[i].Text)
		for k := range ws {
			if k == 0 || k%7 == 3 || strings.HasSuffix(ws[k-1], ".") {
				ws[k] = strings.ToUpper(ws[k][:1]) + ws[k][1:]
			}
		}
		if i%3 == 0 && len(ws) > 8 {
			ws[2] = "“" + ws[2]
			ws[len(ws)-3] += ",”"
		}
		c.Blocks[i].Text = strings.Join(ws, " ")
	}
	c.Byline = "By Jane Doe and John Roe, Staff Writers | Updated 10:42 a.m. ET"
	return c
}

func BenchmarkCompareNewsProse2000Words20Edits(b *testing.B) {
	old := newsProse(10, 2000, 60)
	new := newProse(11).edit(old, 20)
	new.Byline = "JOHN ROE, JANE DOE | The Riverton Courier"
	benchCompare(b, old, new)
}

// BenchmarkCompareExtractionDrift measures what the extraction-drift
// rule adds to a comparison: a 2,000-word article whose new extraction
// kept only its first half, the rest still on the page, compared without
// the pages' digests (the rule off) and with them (the removed half
// checked against the new page, then found to be drift).
//
//	go test -run '^$' -bench ExtractionDrift -benchmem ./daemon/internal/diff
func BenchmarkCompareExtractionDrift(b *testing.B) {
	p := newProse(7)
	old := p.article(2000, 60)
	new := old
	new.Blocks = old.Blocks[:len(old.Blocks)/2]
	var page strings.Builder
	page.WriteString("Home News World Sign in\n")
	for _, bl := range old.Blocks {
		page.WriteString(bl.Text + "\n")
	}
	page.WriteString("© The Riverton Courier")
	pair := article.Pair{Old: old, New: new}
	rules := DefaultRules()
	b.Run("without-pages", func(b *testing.B) {
		for b.Loop() {
			if ComparePair(pair, rules).Summary.Layout {
				b.Fatal("a layout change without pages")
			}
		}
	})
	withPages := pair
	withPages.OldPage = article.DigestPage(page.String(), old)
	withPages.NewPage = article.DigestPage(page.String(), new)
	b.Run("with-pages", func(b *testing.B) {
		for b.Loop() {
			if !ComparePair(withPages, rules).Summary.Layout {
				b.Fatal("the partial extraction is not a layout change")
			}
		}
	})
}

// BenchmarkCompareOneWordEdited is the fixed cost of a comparison: one
// short paragraph with one word changed.
func BenchmarkCompareOneWordEdited(b *testing.B) {
	old := article.Content{Title: "A title", Blocks: []article.Block{{Kind: article.KindParagraph, Text: "The council voted on Tuesday."}}}
	new := article.Content{Title: "A title", Blocks: []article.Block{{Kind: article.KindParagraph, Text: "The council voted on Wednesday."}}}
	benchCompare(b, old, new)
}
