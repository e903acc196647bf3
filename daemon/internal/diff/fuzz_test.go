package diff

import (
	"slices"
	"strings"
	"testing"

	"redline/daemon/internal/article"
)

// content turns fuzz input into an article: the first line is the title,
// every other line a block.
func content(s string) article.Content {
	lines := strings.Split(s, "\n")
	c := article.Content{Title: lines[0]}
	kinds := []article.BlockKind{article.KindParagraph, article.KindHeading, article.KindListItem}
	for i, l := range lines[1:] {
		kind := article.KindParagraph
		if strings.HasPrefix(l, "#") {
			kind = kinds[i%len(kinds)]
		}
		c.Blocks = append(c.Blocks, article.Block{Kind: kind, Text: l})
	}
	return c
}

func FuzzCompare(f *testing.F) {
	for _, v := range loadVectors(f) {
		var o, n strings.Builder
		o.WriteString(v.Old.Title)
		n.WriteString(v.New.Title)
		for _, b := range v.Old.Blocks {
			o.WriteString("\n" + b.Text)
		}
		for _, b := range v.New.Blocks {
			n.WriteString("\n" + b.Text)
		}
		f.Add(o.String(), n.String())
	}
	f.Add("", "")
	f.Add("a\nb\nc\nb\na", "a\nc\nb\nb\nc")
	f.Add("t\nx y z\n\n\nx y z", "t\n\nx y z\nx y w\n")
	f.Add("\xff\xfe\nUpdated 5 minutes ago\n“quoted”", "\xff\nUpdated 6 minutes ago\n\"quoted\"")
	f.Fuzz(func(t *testing.T, a, b string) {
		old, new := content(a), content(b)
		res := Compare(old, new, DefaultRules())
		checkResult(t, old, new, res)
		if a == b && res.Summary.Significance != article.Trivial {
			t.Errorf("identical inputs graded %s", res.Summary.Significance)
		}
	})
}

func FuzzWords(f *testing.F) {
	f.Add("The quick brown fox.", "A quick red fox!")
	f.Add("did not say", "did say")
	f.Add("北京今天下雨了。", "北京今天下雪了。")
	f.Add("a a a a b", "b a a a a")
	f.Add("1,234 comments", "1,301 comments")
	f.Add("x\xffy", "x\xfey")
	f.Add("Don't stop: at 10:42, 1,234 U.S. voters -- O’Neil's", "café NÉE a\u200db x-\u00a0y 3.5% 2014-09-15.")
	f.Fuzz(func(t *testing.T, a, b string) {
		// The canonical words are the word tokens, canonical, whichever
		// path (ASCII or general) found them.
		var want []string
		for _, tok := range tokenize(a) {
			if tok.kind == tokWord {
				want = append(want, canonicalWord(tok.text))
			}
		}
		if got := words(a); !slices.Equal(got, want) {
			t.Fatalf("words(%q) = %q, want the word tokens %q", a, got, want)
		}
		budget := workBudget
		spans := wordDiff(a, b, &budget, nil)
		if got := oldText(spans); got != a {
			t.Fatalf("old side %q, want %q (spans %q)", got, a, spans)
		}
		if got := newText(spans); got != b {
			t.Fatalf("new side %q, want %q (spans %q)", got, b, spans)
		}
		for i, sp := range spans {
			if sp.Text == "" {
				t.Fatalf("empty span %d in %q", i, spans)
			}
			if i > 0 && spans[i-1].Op == sp.Op {
				t.Fatalf("adjacent %s spans in %q", sp.Op, spans)
			}
			if i > 0 && spans[i-1].Op == SpanInsert && sp.Op == SpanDelete {
				t.Fatalf("insert before delete in %q", spans)
			}
		}
		var joined strings.Builder
		for _, tok := range tokenize(a) {
			joined.WriteString(tok.text)
		}
		if joined.String() != a {
			t.Fatalf("tokens of %q join to %q", a, joined.String())
		}
	})
}

// FuzzByline: any two bylines compare without failing, a byline is the
// same as itself, and the comparison does not depend on the order.
func FuzzByline(f *testing.F) {
	for _, s := range []string{"By JANE DOE", "Jane Doe, Staff Writer | The Riverton Courier", "Von Lena von der Heide",
		"Por María García y José Pérez", "Propos recueillis par Marie Dupont.", "J. K. Doe — 10:42 a.m. ET", "\xff\xfe by by ,,", "记者 张三"} {
		f.Add(s, "Jane Doe")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if !sameByline(a, a) {
			t.Errorf("%q is not the same byline as itself", a)
		}
		if sameByline(a, b) != sameByline(b, a) {
			t.Errorf("sameByline(%q, %q) depends on the order", a, b)
		}
	})
}
