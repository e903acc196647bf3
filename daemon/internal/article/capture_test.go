package article

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func textBytes(bs []Block) int {
	n := 0
	for _, b := range bs {
		n += len(b.Text)
	}
	return n
}

// Fit keeps the start of the text and cuts at the limits, never inside a
// character, and leaves what it was given alone.
func TestFit(t *testing.T) {
	para := func(n int, s string) Block { return Block{Kind: KindParagraph, Text: strings.Repeat(s, n)} }
	small := []Block{para(10, "a"), para(3, "é")}
	if got := Fit(small); len(got) != 2 || got[0] != small[0] || got[1] != small[1] {
		t.Errorf("Fit of a small capture = %q, want it unchanged", got)
	}

	var huge []Block
	for range 8 {
		huge = append(huge, para(MaxBlockBytes/2+1, "é")) // 2-byte characters, each block over the block limit
	}
	got := Fit(huge)
	if n := textBytes(got); n > MaxTextBytes || n < MaxTextBytes-1 {
		t.Errorf("Fit of %d bytes kept %d, want the limit %d (less a split character)", textBytes(huge), n, MaxTextBytes)
	}
	for i, b := range got {
		if len(b.Text) > MaxBlockBytes || !utf8.ValidString(b.Text) {
			t.Errorf("block %d: %d bytes, valid UTF-8 %v", i, len(b.Text), utf8.ValidString(b.Text))
		}
	}
	if len(huge[0].Text) != MaxBlockBytes+2 {
		t.Errorf("Fit changed its input")
	}

	many := make([]Block, MaxBlocks+10)
	for i := range many {
		many[i] = para(1, "w")
	}
	if got := Fit(many); len(got) != MaxBlocks {
		t.Errorf("Fit of %d blocks kept %d, want %d", len(many), len(got), MaxBlocks)
	}
	c := Capture{URL: "https://news.test/a", Title: "T", Blocks: Fit(huge), CapturedAt: time.Now(), Source: SourceBrowser, Extractor: "x"}
	if err := c.Validate(time.Now()); err != nil {
		t.Errorf("a capture cut by Fit is refused: %v", err)
	}
}
