package canonical

import (
	"strings"
	"testing"

	"redline/daemon/internal/article"
)

func TestTextInvalidUTF8(t *testing.T) {
	if got, want := Text("a\xffb\xc3"), "a\uFFFDb\uFFFD"; got != want {
		t.Errorf("Text of invalid UTF-8 = %+q, want %+q", got, want)
	}
	if got, want := Pre("a\xff\nb"), "a\uFFFD\nb"; got != want {
		t.Errorf("Pre of invalid UTF-8 = %+q, want %+q", got, want)
	}
}

func TestBlocksNewSlice(t *testing.T) {
	in := []article.Block{{Kind: article.KindParagraph, Text: " a "}}
	out := Blocks(in)
	out[0].Text = "changed"
	if in[0].Text != " a " {
		t.Errorf("Blocks shares memory with its input: %q", in[0].Text)
	}
	if got := Blocks(nil); got == nil || len(got) != 0 {
		t.Errorf("Blocks(nil) = %#v, want an empty slice", got)
	}
}

var benchText = strings.Repeat("The minister said on Tuesday that the\u00a0report, published after “months of delay”, would be revised. ", 20)

func BenchmarkText(b *testing.B) {
	b.Run("prose", func(b *testing.B) {
		b.SetBytes(int64(len(benchText)))
		b.ReportAllocs()
		for b.Loop() {
			Text(benchText)
		}
	})
	nfd := strings.Repeat("Cafe\u0301 cre\u0300me bru\u0302le\u0301e \u200b", 40)
	b.Run("nfd", func(b *testing.B) {
		b.SetBytes(int64(len(nfd)))
		b.ReportAllocs()
		for b.Loop() {
			Text(nfd)
		}
	})
}

func BenchmarkPre(b *testing.B) {
	code := strings.Repeat("func main() {\r\n\tfmt.Println(\"hello\")   \r\n}\r\n", 40)
	b.SetBytes(int64(len(code)))
	b.ReportAllocs()
	for b.Loop() {
		Pre(code)
	}
}
