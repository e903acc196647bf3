package feed

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

func TestWriteEscapesAndDropsWhatXMLCannotCarry(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	f := Feed{
		ID: "urn:redline:changes", Title: "Changes", Updated: at, Self: "http://127.0.0.1:7710/feeds/changes.atom?token=t&x=1",
		Entries: []Entry{{
			ID: "urn:e", Title: "<script>alert(1)</script> \x00\x1b]]> & co", Updated: at, Link: "http://127.0.0.1:7710/articles/1",
			Summary: "minor", Content: `<p><del>old</del><ins>new</ins> &lt;b&gt;</p>`,
		}},
	}
	var buf bytes.Buffer
	if err := Write(&buf, f); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Entries []struct {
			Title   string `xml:"title"`
			Content string `xml:"content"`
		} `xml:"entry"`
		Links []struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("not well-formed XML: %v\n%s", err, buf.String())
	}
	if len(got.Entries) != 1 || got.Entries[0].Title != "<script>alert(1)</script> ]]> & co" {
		t.Fatalf("entry title %q", got.Entries[0].Title)
	}
	if got.Entries[0].Content != f.Entries[0].Content {
		t.Errorf("content %q, want the HTML back as text", got.Entries[0].Content)
	}
	if got.Links[0].Href != f.Self {
		t.Errorf("self link %q", got.Links[0].Href)
	}
	if strings.Contains(buf.String(), "<script>") {
		t.Error("markup from an entry reached the feed's own XML")
	}
}
