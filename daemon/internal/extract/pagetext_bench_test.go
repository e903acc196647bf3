package extract

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/net/html"

	"redline/daemon/internal/article"
	"redline/daemon/internal/contracttest"
)

// BenchmarkPageDigest measures what the page text adds to a fetched
// capture, on the real pages in shared/testdata/pages: the time to take
// the page's visible text and make its digest (per page), and the bytes
// the store keeps for it (digest-bytes/page) beside the page text's size
// (text-bytes/page). The whole extraction of a page (HTML, which
// includes the visible text) is measured beside them for scale.
//
//	go test -run '^$' -bench PageDigest -benchmem ./daemon/internal/extract
func BenchmarkPageDigest(b *testing.B) {
	dir := filepath.Join(contracttest.SharedDir(), "testdata", "pages")
	entries, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	type page struct {
		text    string
		content article.Content
		html    []byte
	}
	var pages []page
	for _, e := range entries {
		src, err := os.ReadFile(filepath.Join(dir, e.Name(), "source.html"))
		if err != nil {
			continue
		}
		p, err := HTML(src, "text/html; charset=utf-8", pageURL)
		if err != nil {
			continue
		}
		pages = append(pages, page{text: p.PageText, content: article.Content{Title: p.Title, Byline: p.Byline, Blocks: p.Blocks}, html: src})
	}
	if len(pages) == 0 {
		b.Fatal("no pages")
	}
	var text, digest int
	for _, p := range pages {
		text += len(p.text)
		digest += len(article.DigestPage(p.text, p.content).Encode())
	}
	b.Run("digest", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			p := pages[i%len(pages)]
			article.DigestPage(p.text, p.content).Encode()
		}
		b.ReportMetric(float64(digest)/float64(len(pages)), "digest-bytes/page")
		b.ReportMetric(float64(text)/float64(len(pages)), "text-bytes/page")
	})
	b.Run("visible-text", func(b *testing.B) {
		docs := make([]*html.Node, len(pages))
		for i, p := range pages {
			if docs[i], err = html.Parse(bytes.NewReader(ToUTF8(p.html, "text/html; charset=utf-8"))); err != nil {
				b.Fatal(err)
			}
		}
		for i := 0; b.Loop(); i++ {
			PageText(docs[i%len(docs)])
		}
	})
	b.Run("whole-extraction", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := HTML(pages[i%len(pages)].html, "text/html; charset=utf-8", pageURL); err != nil {
				b.Fatal(err)
			}
		}
	})
}
