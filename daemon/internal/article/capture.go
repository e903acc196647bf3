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
	for i, b := range c.Blocks {
		if !b.Kind.Valid() {
			return Errorf(EINVALID, "block %d has kind %q: want h, p, li, quote or pre", i, b.Kind)
		}
		if len(b.Text) > MaxBlockBytes {
			return Errorf(EINVALID, "block %d is %d bytes, the limit is %d", i, len(b.Text), MaxBlockBytes)
		}
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
