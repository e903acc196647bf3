package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"

	"redline/daemon/internal/article"
)

// page is one real article from bench/testdata/pages.json.
type page struct {
	Page   string          `json:"page"`
	Title  string          `json:"title"`
	Blocks []article.Block `json:"blocks"`
}

func loadPages(path string) ([]page, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read test pages: %w", err)
	}
	var f struct {
		Pages []page `json:"pages"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("read test pages: %w", err)
	}
	return f.Pages, nil
}

// pair is one diff input: two versions of an article.
type pair struct {
	Name  string          `json:"name"`
	Class string          `json:"class"` // small edits, heavy rewrite, unrelated, real
	Words int             `json:"words"`
	Old   article.Content `json:"old"`
	New   article.Content `json:"new"`
}

// Text is how a version is handed to the text-based references: title,
// byline and blocks, one paragraph per line pair.
func text(c article.Content) string {
	var sb strings.Builder
	sb.WriteString(c.Title)
	sb.WriteString("\n\n")
	if c.Byline != "" {
		sb.WriteString(c.Byline)
		sb.WriteString("\n\n")
	}
	for i, b := range c.Blocks {
		if i > 0 {
			sb.WriteString("\n\n")
		}
		sb.WriteString(b.Text)
	}
	return sb.String()
}

func words(c article.Content) int {
	n := 0
	for _, b := range c.Blocks {
		n += len(strings.Fields(b.Text))
	}
	return n
}

// pool is every paragraph of every page, in order.
func pool(pages []page) []article.Block {
	var out []article.Block
	for _, p := range pages {
		out = append(out, p.Blocks...)
	}
	return out
}

// take returns paragraphs from the pool starting at from until they hold
// about n words.
func take(blocks []article.Block, from, n int) []article.Block {
	var out []article.Block
	total := 0
	for i := from; total < n; i++ {
		b := blocks[i%len(blocks)]
		out = append(out, b)
		total += len(strings.Fields(b.Text))
	}
	return out
}

// smallEdits is what newsrooms do most: a word or figure changed in a
// few paragraphs, a sentence added, a correction appended.
func smallEdits(r *rand.Rand, old []article.Block) []article.Block {
	out := append([]article.Block(nil), old...)
	for range 3 {
		i := r.IntN(len(out))
		w := strings.Fields(out[i].Text)
		w[r.IntN(len(w))] = fmt.Sprintf("%d", r.IntN(900)+100)
		out[i].Text = strings.Join(w, " ")
	}
	i := r.IntN(len(out))
	out[i].Text += " Officials confirmed the figures on Tuesday evening."
	out = append(out, article.Block{Kind: article.KindParagraph, Text: "Correction: An earlier version of this article misstated the date of the vote."})
	return out
}

// heavyRewrite rewrites about half the paragraphs, drops some and adds
// others.
func heavyRewrite(r *rand.Rand, old, other []article.Block) []article.Block {
	var out []article.Block
	for i, b := range old {
		switch r.IntN(6) {
		case 0: // dropped
		case 1, 2: // rewritten: half its words replaced
			w := strings.Fields(b.Text)
			ow := strings.Fields(other[i%len(other)].Text)
			for j := range w {
				if r.IntN(2) == 0 {
					w[j] = ow[r.IntN(len(ow))]
				}
			}
			out = append(out, article.Block{Kind: b.Kind, Text: strings.Join(w, " ")})
		default:
			out = append(out, b)
		}
		if r.IntN(8) == 0 {
			out = append(out, other[(i*7)%len(other)])
		}
	}
	return out
}

// makePairs builds the diff inputs: three size classes of small edits,
// heavy rewrites and unrelated texts from real paragraphs, plus real
// version pairs.
func makePairs(pages []page, real []pair) []pair {
	r := rand.New(rand.NewPCG(7, 11))
	all := pool(pages)
	var out []pair
	for _, size := range []int{200, 2000, 20000} {
		base := take(all, 0, size)
		other := take(all, len(all)/2, size)
		old := article.Content{Title: pages[0].Title, Blocks: base}
		mk := func(class string, blocks []article.Block) pair {
			p := pair{Name: fmt.Sprintf("%s, %d words", class, size), Class: class, Old: old,
				New: article.Content{Title: old.Title, Blocks: blocks}}
			p.Words = max(words(p.Old), words(p.New))
			return p
		}
		out = append(out,
			mk("small edits", smallEdits(r, base)),
			mk("heavy rewrite", heavyRewrite(r, base, other)),
			mk("unrelated", other),
		)
	}
	return append(out, real...)
}

// history makes n versions of one real article with the edits newsrooms
// make: figures updated, sentences added, a paragraph inserted or removed,
// the headline rewritten now and then.
func history(r *rand.Rand, p page, extra []article.Block, n int) []article.Content {
	cur := article.Content{Title: p.Title, Byline: "By Staff Reporter", Blocks: append([]article.Block(nil), p.Blocks...)}
	out := []article.Content{cur}
	for v := 1; v < n; v++ {
		next := article.Content{Title: cur.Title, Byline: cur.Byline, Blocks: append([]article.Block(nil), cur.Blocks...)}
		switch r.IntN(10) {
		case 0:
			next.Title = fmt.Sprintf("%s (update %d)", p.Title, v)
		case 1:
			i := r.IntN(len(next.Blocks) + 1)
			next.Blocks = append(next.Blocks[:i], append([]article.Block{extra[r.IntN(len(extra))]}, next.Blocks[i:]...)...)
		case 2:
			if len(next.Blocks) > 3 {
				i := r.IntN(len(next.Blocks))
				next.Blocks = append(next.Blocks[:i], next.Blocks[i+1:]...)
			}
		case 3, 4:
			i := r.IntN(len(next.Blocks))
			next.Blocks[i].Text += fmt.Sprintf(" Update at %d:%02d: officials added further details.", 8+v%12, v%60)
		default:
			i := r.IntN(len(next.Blocks))
			w := strings.Fields(next.Blocks[i].Text)
			w[r.IntN(len(w))] = fmt.Sprintf("%d", r.IntN(9000)+10)
			next.Blocks[i].Text = strings.Join(w, " ")
		}
		out = append(out, next)
		cur = next
	}
	return out
}

// markov writes new text in the style of the test pages: each word is
// drawn after the previous one as the pages follow it. Articles made so
// share words and phrases, as articles do, but not whole paragraphs, so no
// storage gets credit for repeating another article.
type markov struct {
	next  map[string][]string
	start []string
}

func newMarkov(pages []page) *markov {
	m := &markov{next: map[string][]string{}}
	for _, b := range pool(pages) {
		w := strings.Fields(b.Text)
		if len(w) == 0 {
			continue
		}
		m.start = append(m.start, w[0])
		for i := 0; i+1 < len(w); i++ {
			m.next[w[i]] = append(m.next[w[i]], w[i+1])
		}
	}
	return m
}

func (m *markov) paragraph(r *rand.Rand, words int) string {
	w := m.start[r.IntN(len(m.start))]
	out := []string{w}
	for len(out) < words {
		nexts := m.next[w]
		if len(nexts) == 0 {
			w = m.start[r.IntN(len(m.start))]
		} else {
			w = nexts[r.IntN(len(nexts))]
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// article makes a new article of about n words in paragraphs of 30 to 120.
func (m *markov) article(r *rand.Rand, title string, n int) page {
	p := page{Title: title}
	for total := 0; total < n; {
		k := 30 + r.IntN(90)
		p.Blocks = append(p.Blocks, article.Block{Kind: article.KindParagraph, Text: m.paragraph(r, k)})
		total += k
	}
	return p
}
