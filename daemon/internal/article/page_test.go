package article

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const pageStory = "Heavy rain sent the Cole River over its banks on Monday, forcing hundreds of residents from their homes."

// A digest tells the text of the page outside the article from text the
// page never showed, and survives encoding.
func TestPageDigest(t *testing.T) {
	c := Content{Title: "Flood", Blocks: []Block{{Kind: KindParagraph, Text: pageStory}}}
	page := "Home News Sign in\nFlood\nBy Jane M. Doe and John Roe\n" + pageStory + "\nThe bridge stays closed until the water drops.\n© Courier"
	d := DigestPage(page, c)
	has := func(text string) bool {
		for _, h := range Shingles(text) {
			if !d.Has(h) {
				return false
			}
		}
		return true
	}
	if !has("The bridge stays closed until the water drops.") || !has("THE BRIDGE — stays closed") {
		t.Error("the digest lacks text the page shows outside the article")
	}
	if has("The bridge reopened on Tuesday morning.") {
		t.Error("the digest holds text the page never showed")
	}
	// The article's own shingles are kept with the version, not again in
	// the digest.
	if all := len(Shingles(page)); len(d.Shingle) > all-len(Shingles(pageStory)) {
		t.Errorf("digest holds %d shingles of the page's %d: the article's are not left out", len(d.Shingle), all)
	}
	if !d.HasName([]string{"jane", "doe"}) || !d.HasName([]string{"John", "Roe"}) || d.HasName([]string{"ann", "lee"}) {
		t.Error("HasName does not tell the names on the page")
	}
	got, err := DecodePageDigest(d.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if got.Bits != d.Bits || !slices.Equal(got.Shingle, d.Shingle) || !slices.Equal(got.Names, d.Names) {
		t.Errorf("decoded digest differs: %+v, want %+v", got, d)
	}
}

// Damaged digest bytes are refused with an error, never read as a digest.
func TestDecodePageDigestDamaged(t *testing.T) {
	good := DigestPage(pageStory+" and then some more words on the page", Content{}).Encode()
	for name, b := range map[string][]byte{
		"empty":         nil,
		"format":        append([]byte{9}, good[1:]...),
		"bits":          append([]byte{digestFormat, 40}, good[2:]...),
		"truncated":     good[:len(good)-1],
		"trailing":      append(slices.Clone(good), 1),
		"huge count":    {digestFormat, 20, 0xff, 0xff, 0xff, 0xff, 0x0f, 0},
		"repeated hash": (&PageDigest{Bits: 16, Shingle: []uint32{5, 5}}).Encode(),
		"out of range":  (&PageDigest{Bits: 16, Shingle: []uint32{70000}}).Encode(),
		"unsorted":      (&PageDigest{Bits: 16, Names: []uint32{9, 3}}).Encode(),
		"rice k":        func() []byte { b := slices.Clone(good); b[4]++; return b }(),
	} {
		if _, err := DecodePageDigest(b); err == nil {
			t.Errorf("%s: damaged digest decoded", name)
		}
	}
}

// A capture's page text over the limit, or not UTF-8, is refused with a
// clear error; at the limit it is taken.
func TestValidatePageText(t *testing.T) {
	now := time.Now()
	c := Capture{URL: "https://news.test/a", Title: "T", Blocks: []Block{{Kind: KindParagraph, Text: "x"}},
		CapturedAt: now, Source: SourceBrowser, Extractor: "x"}
	c.PageText = strings.Repeat("é", MaxPageTextBytes/2)
	if err := c.Validate(now); err != nil {
		t.Errorf("page text at the limit refused: %v", err)
	}
	c.PageText += "a"
	if err := c.Validate(now); err == nil || !strings.Contains(err.Error(), "page_text") {
		t.Errorf("page text over the limit: err = %v, want a page_text error", err)
	}
	c.PageText = "ok \xff"
	if err := c.Validate(now); err == nil || !strings.Contains(err.Error(), "page_text") {
		t.Errorf("page text not UTF-8: err = %v, want a page_text error", err)
	}
	if got := FitPageText(strings.Repeat("é", MaxPageTextBytes)); len(got) != MaxPageTextBytes {
		t.Errorf("FitPageText kept %d bytes, want %d", len(got), MaxPageTextBytes)
	}
}

// FuzzDecodePageDigest: any bytes are either refused or decode to a
// digest whose encoding decodes to the same digest; never a panic.
func FuzzDecodePageDigest(f *testing.F) {
	f.Add(DigestPage(pageStory+" By Jane Doe and John Roe", Content{}).Encode())
	f.Add([]byte{digestFormat, 16, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := DecodePageDigest(b)
		if err != nil {
			return
		}
		again, err := DecodePageDigest(d.Encode())
		if err != nil || again.Bits != d.Bits || !slices.Equal(again.Shingle, d.Shingle) || !slices.Equal(again.Names, d.Names) {
			t.Fatalf("%x decodes to %+v, which does not survive encoding: %+v, %v", b, d, again, err)
		}
	})
}
