package article

import (
	"time"
	"unicode/utf8"
)

// Limits on what one capture may hold. They keep a hostile or broken
// client from filling the disk or stalling the daemon.
const (
	MaxBlocks     = 5000
	MaxBlockBytes = 100 << 10
	// MaxTextBytes bounds the text of all of a capture's blocks together
	// (UTF-8 bytes). Of 130 real article pages measured, the longest holds
	// 117 KiB of text and the median 4 KiB: this leaves four times the
	// longest, while a capture at the limits stays a few megabytes of work
	// to store and compare.
	MaxTextBytes  = 512 << 10
	MaxTitleBytes = 4 << 10
	MaxURLBytes   = 8 << 10
	MaxFieldBytes = 1 << 10 // site name, language, published time, extractor
	// MaxClockSkew is how far in the future a capture's time may be.
	MaxClockSkew = 10 * time.Minute
)

// Validate checks a capture as it arrived on the wire. It does not check
// URLs beyond their presence and size; canonicalisation does that.
func (c *Capture) Validate(now time.Time) error {
	switch {
	case c.URL == "":
		return Errorf(EINVALID, "url is required")
	case c.Title == "":
		return Errorf(EINVALID, "title is required")
	case len(c.URL) > MaxURLBytes || len(c.CanonicalURL) > MaxURLBytes:
		return Errorf(EINVALID, "url is longer than %d bytes", MaxURLBytes)
	case len(c.Title) > MaxTitleBytes:
		return Errorf(EINVALID, "title is longer than %d bytes", MaxTitleBytes)
	case len(c.Byline) > MaxTitleBytes:
		return Errorf(EINVALID, "byline is longer than %d bytes", MaxTitleBytes)
	case len(c.SiteName) > MaxFieldBytes, len(c.Lang) > MaxFieldBytes,
		len(c.PublishedTime) > MaxFieldBytes, len(c.Extractor) > MaxFieldBytes:
		return Errorf(EINVALID, "site_name, lang, published_time and extractor must each be under %d bytes", MaxFieldBytes)
	case c.Blocks == nil:
		return Errorf(EINVALID, "blocks is required")
	case len(c.Blocks) == 0:
		return Errorf(EINVALID, "blocks is empty: a capture needs the article's text")
	case len(c.Blocks) > MaxBlocks:
		return Errorf(EINVALID, "too many blocks: %d, the limit is %d", len(c.Blocks), MaxBlocks)
	case c.CapturedAt.IsZero():
		return Errorf(EINVALID, "captured_at is required (RFC 3339 time)")
	case c.CapturedAt.After(now.Add(MaxClockSkew)):
		return Errorf(EINVALID, "captured_at %s is in the future", c.CapturedAt.Format(time.RFC3339))
	case c.Source == "":
		return Errorf(EINVALID, "source is required")
	case !c.Source.Valid():
		return Errorf(EINVALID, "source %q is unknown: want \"browser\" or \"fetch\"", c.Source)
	case c.Extractor == "":
		return Errorf(EINVALID, "extractor is required")
	}
	text := 0
	for i, b := range c.Blocks {
		if !b.Kind.Valid() {
			return Errorf(EINVALID, "block %d has kind %q: want h, p, li, quote or pre", i, b.Kind)
		}
		if len(b.Text) > MaxBlockBytes {
			return Errorf(EINVALID, "block %d is %d bytes, the limit is %d", i, len(b.Text), MaxBlockBytes)
		}
		text += len(b.Text)
	}
	if text > MaxTextBytes {
		return Errorf(EINVALID, "the blocks hold %d bytes of text, the limit is %d (%d KiB) a capture: cut the text to the limit", text, MaxTextBytes, MaxTextBytes>>10)
	}
	if len(c.PageText) > MaxPageTextBytes {
		return Errorf(EINVALID, "page_text is %d bytes, the limit is %d (%d KiB): cut it to the limit", len(c.PageText), MaxPageTextBytes, MaxPageTextBytes>>10)
	}
	if !utf8.ValidString(c.PageText) {
		return Errorf(EINVALID, "page_text is not valid UTF-8")
	}
	if c.Reading != nil && (c.Reading.DwellMS < 0 || c.Reading.Scroll < 0 || c.Reading.Scroll > 1) {
		return Errorf(EINVALID, "reading: dwell_ms must be >= 0 and scroll between 0 and 1")
	}
	for _, s := range []string{c.URL, c.CanonicalURL, c.Title, c.Byline, c.SiteName, c.Lang, c.PublishedTime, c.Extractor} {
		if !utf8.ValidString(s) {
			return Errorf(EINVALID, "text is not valid UTF-8")
		}
	}
	for i, b := range c.Blocks {
		if !utf8.ValidString(b.Text) {
			return Errorf(EINVALID, "block %d is not valid UTF-8", i)
		}
	}
	return nil
}

// Fit returns blocks cut to the limits of one capture, in reading order:
// at most MaxBlocks blocks, each at most MaxBlockBytes, MaxTextBytes in
// all. A block that crosses a limit is cut at a character boundary, and
// the text after the total limit is dropped. The extension cuts what it
// captures the same way before sending it; the daemon cuts what it
// fetches. blocks is not changed.
func Fit(blocks []Block) []Block {
	out := make([]Block, 0, min(len(blocks), MaxBlocks))
	left := MaxTextBytes
	for _, b := range blocks {
		if len(out) == MaxBlocks || left == 0 {
			break
		}
		if n := min(MaxBlockBytes, left); len(b.Text) > n {
			b.Text = cutText(b.Text, n)
		}
		left -= len(b.Text)
		out = append(out, b)
	}
	return out
}

// cutText returns the longest prefix of s of at most n bytes that does not
// end inside a character.
func cutText(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
