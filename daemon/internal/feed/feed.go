// Package feed writes Atom feeds (RFC 4287) of the changes Redline found,
// for feed readers. Entry content is HTML carried as escaped text, so
// captured text can never become markup of the feed itself.
package feed

import (
	"encoding/xml"
	"fmt"
	"io"
	"time"
)

// Feed is one Atom feed.
type Feed struct {
	ID      string
	Title   string
	Updated time.Time
	// Self is the feed's own address; Alternate the page it mirrors.
	Self, Alternate string
	Entries         []Entry
}

// Entry is one entry of a feed.
type Entry struct {
	ID      string
	Title   string
	Updated time.Time
	Link    string
	// Summary is plain text; Content is HTML.
	Summary string
	Content string
}

type xmlFeed struct {
	XMLName xml.Name   `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string     `xml:"id"`
	Title   xmlText    `xml:"title"`
	Updated string     `xml:"updated"`
	Author  xmlAuthor  `xml:"author"`
	Links   []xmlLink  `xml:"link"`
	Gen     string     `xml:"generator"`
	Entries []xmlEntry `xml:"entry"`
}

type xmlAuthor struct {
	Name string `xml:"name"`
}

type xmlLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type xmlText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type xmlEntry struct {
	ID      string    `xml:"id"`
	Title   xmlText   `xml:"title"`
	Updated string    `xml:"updated"`
	Links   []xmlLink `xml:"link"`
	Summary xmlText   `xml:"summary"`
	Content xmlText   `xml:"content"`
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Write writes f as an Atom document.
func Write(w io.Writer, f Feed) error {
	x := xmlFeed{
		ID: f.ID, Title: xmlText{Type: "text", Text: clean(f.Title)}, Updated: stamp(f.Updated),
		Author: xmlAuthor{Name: "Redline"}, Gen: "Redline",
		Links: []xmlLink{{Rel: "self", Type: "application/atom+xml", Href: f.Self}},
	}
	if f.Alternate != "" {
		x.Links = append(x.Links, xmlLink{Rel: "alternate", Type: "text/html", Href: f.Alternate})
	}
	for _, e := range f.Entries {
		xe := xmlEntry{
			ID: e.ID, Title: xmlText{Type: "text", Text: clean(e.Title)}, Updated: stamp(e.Updated),
			Summary: xmlText{Type: "text", Text: clean(e.Summary)},
			Content: xmlText{Type: "html", Text: clean(e.Content)},
		}
		if e.Link != "" {
			xe.Links = []xmlLink{{Rel: "alternate", Type: "text/html", Href: e.Link}}
		}
		x.Entries = append(x.Entries, xe)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write feed: %w", err)
	}
	enc := xml.NewEncoder(w)
	if err := enc.Encode(x); err != nil {
		return fmt.Errorf("write feed: %w", err)
	}
	return enc.Close()
}

// clean drops the characters XML 1.0 cannot carry at all (control
// characters other than tab and line breaks); the encoder escapes the
// rest.
func clean(s string) string {
	ok := true
	for _, r := range s {
		if !allowed(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if allowed(r) {
			out = append(out, r)
		}
	}
	return string(out)
}

func allowed(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}
