package web_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/reading"
)

// seed stores n read articles on 40 sites straight into the store, from
// 64 writers at once (durable commits share their fsyncs).
func (s *stack) seed(b *testing.B, n int) {
	b.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	next := make(chan int)
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				site := fmt.Sprintf("site%02d.example", i%40)
				c := &article.Capture{
					URL: fmt.Sprintf("https://www.%s/news/%d", site, i), Title: fmt.Sprintf("Council delays the budget vote, story %d", i),
					Blocks:     []article.Block{{Kind: article.KindParagraph, Text: fmt.Sprintf("Story %d: the council delayed the vote.", i)}},
					CapturedAt: time.Now().Add(-time.Duration(n-i) * time.Minute), Source: article.SourceBrowser, Extractor: "bench",
				}
				if _, err := reading.New(reading.Config{Store: s.store}).Read(context.Background(), c, time.Now()); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range n {
		select {
		case next <- i:
		case err := <-errs:
			b.Fatal(err)
		}
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkArticleListPage is the server time of the All articles page
// (50 rows) with 100,000 articles: the first page and page 500.
func BenchmarkArticleListPage(b *testing.B) {
	s := newStack(b)
	s.seed(b, 100_000)
	br := s.loggedIn()
	for _, path := range []string{"/articles", "/articles?page=500", "/articles?site=site07.example&page=10", "/articles?changed=unchanged&q=story+99"} {
		b.Run(strings.TrimPrefix(path, "/articles"), func(b *testing.B) {
			for b.Loop() {
				if code, _, _ := br.get(path); code != 200 {
					b.Fatalf("%s: %d", path, code)
				}
			}
		})
	}
}

// BenchmarkDiffPage is the server time of an article page whose diff
// compares two versions of a 5,000-word article with ten edited
// paragraphs, one added and one removed.
func BenchmarkDiffPage(b *testing.B) {
	s := newStack(b)
	var v1, v2 []block
	for i := range 100 {
		p := fmt.Sprintf("Paragraph %d of the long report. ", i) + strings.Repeat(fmt.Sprintf("The committee heard evidence %d from witnesses about the budget, taxes and schools. ", i), 4)
		v1 = append(v1, block{"p", p})
		switch {
		case i%10 == 3:
			v2 = append(v2, block{"p", strings.Replace(p, "witnesses", "several reluctant witnesses", 2)})
		case i == 50:
		case i == 70:
			v2 = append(v2, block{"p", p}, block{"p", "Correction: an earlier version of this report misstated the committee's findings on schools."})
		default:
			v2 = append(v2, block{"p", p})
		}
	}
	id := s.capture("https://news.example/long", "A long report", "", v1...)
	s.capture("https://news.example/long", "A long report, updated", "", v2...)
	br := s.loggedIn()
	for _, mode := range []string{"side", "inline"} {
		b.Run(mode, func(b *testing.B) {
			path := fmt.Sprintf("/articles/%d?from=1&to=2&mode=%s", id, mode)
			for b.Loop() {
				if code, _, _ := br.get(path); code != 200 {
					b.Fatalf("%s: %d", path, code)
				}
			}
		})
	}
}

// maximalVersions are two versions of an article at the capture limits
// (article.MaxBlocks blocks sharing article.MaxTextBytes of text) where
// the second edits every block: the largest comparison the dashboard can
// be asked to show.
func maximalVersions() (v1, v2 []block) {
	size := article.MaxTextBytes / article.MaxBlocks
	for i := range article.MaxBlocks {
		p := fmt.Sprintf("Paragraph %d: the committee heard evidence from witnesses about the budget, taxes, roads and schools in town.", i)[:size]
		v1 = append(v1, block{"p", p})
		v2 = append(v2, block{"p", strings.Replace(p, "witnesses", "reluctant witnesses", 1)[:size]})
	}
	return v1, v2
}

// BenchmarkMaximalDiffPage is the server time and the size of the article
// page comparing two versions of an article at the capture limits, every
// paragraph edited (maximalVersions: 5,000 short paragraphs;
// longParagraphVersions: five of 100 KiB), side by side and inline: the
// first part of the comparison, and the whole of it read part by part.
//
//	go test -run '^$' -bench MaximalDiffPage -benchtime 5x ./daemon/internal/web
func BenchmarkMaximalDiffPage(b *testing.B) {
	for _, shape := range []struct {
		name     string
		versions func() (v1, v2 []block)
	}{{"paragraphs=5000", maximalVersions}, {"paragraphs=5", longParagraphVersions}} {
		b.Run(shape.name, func(b *testing.B) {
			s := newStack(b)
			v1, v2 := shape.versions()
			id := s.capture("https://news.test/maximal", "A maximal report", "", v1...)
			s.capture("https://news.test/maximal", "A maximal report", "", v2...)
			br := s.loggedIn()
			for _, mode := range []string{"side", "inline"} {
				b.Run(mode, func(b *testing.B) {
					path := fmt.Sprintf("/articles/%d?from=1&to=2&mode=%s", id, mode)
					size, largest, parts, all := 0, 0, 0, 0
					for b.Loop() {
						code, body, _ := br.get(path)
						if code != 200 {
							b.Fatalf("%s: %d", path, code)
						}
						size = len(body)
						b.StopTimer()
						largest, parts, all = size, 1, size
						for n := 2; ; n++ {
							code, body, _ := br.get(fmt.Sprintf("%s&part=%d", path, n))
							if code != 200 || !strings.Contains(body, fmt.Sprintf("part %d of", n)) {
								break
							}
							parts, all, largest = n, all+len(body), max(largest, len(body))
						}
						b.StartTimer()
					}
					b.ReportMetric(float64(size)/1024, "page-KiB")
					b.ReportMetric(float64(largest)/1024, "largest-part-KiB")
					b.ReportMetric(float64(parts), "parts")
					b.ReportMetric(float64(all)/1024, "all-parts-KiB")
				})
			}
		})
	}
}

// BenchmarkArticlePageManyVersions is the server time of an article's page
// when it has many versions: each version is graded against the previous
// one of its lineage (minor or substantive, on the version list and the
// timeline), one comparison a version.
//
//	go test -run '^$' -bench ArticlePageManyVersions ./daemon/internal/web
func BenchmarkArticlePageManyVersions(b *testing.B) {
	for _, versions := range []int{10, 100} {
		b.Run(fmt.Sprintf("versions=%d", versions), func(b *testing.B) {
			s := newStack(b)
			var body []block
			for i := range 100 {
				body = append(body, block{"p", fmt.Sprintf("Paragraph %d of the long report. ", i) + strings.Repeat(fmt.Sprintf("The committee heard evidence %d from witnesses about the budget, taxes and schools. ", i), 4)})
			}
			id := s.capture("https://news.example/live", "A long report", "", body...)
			for v := 1; v < versions; v++ {
				body[v%100].Text = strings.Replace(body[v%100].Text, "witnesses", fmt.Sprintf("witnesses (%d)", v), 1)
				s.capture("https://news.example/live", "A long report", "", body...)
			}
			br := s.loggedIn()
			path := fmt.Sprintf("/articles/%d", id)
			for b.Loop() {
				if code, _, _ := br.get(path); code != 200 {
					b.Fatalf("%s: %d", path, code)
				}
			}
		})
	}
}
