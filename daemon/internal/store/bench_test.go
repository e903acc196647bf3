package store

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// realisticArticle returns a ~1,500-word article in 25 paragraphs.
func realisticArticle(r *rand.Rand) []string {
	words := strings.Fields(`the council said on tuesday that its budget for next year would
	include new spending on schools roads and housing while officials warned that
	revenue from property taxes had fallen sharply since the spring and that
	residents should expect delays to several projects mayor reported during a
	meeting which lasted more than four hours according to people who attended
	opposition members criticised plan arguing it relied on optimistic forecasts`)
	paras := make([]string, 25)
	for i := range paras {
		var sb strings.Builder
		for j := range 60 {
			if j > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(words[r.IntN(len(words))])
		}
		sb.WriteByte('.')
		paras[i] = sb.String()
	}
	return paras
}

// BenchmarkVersionBytes stores an article edited 100 times with small
// edits (a word or a sentence in one paragraph) and reports what each extra
// version costs, next to the zstd size of one whole version.
func BenchmarkVersionBytes(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		s, err := Open(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		r := rand.New(rand.NewPCG(1, 2))
		paras := realisticArticle(r)
		save(b, s, capture("https://example.com/edited", "Budget", paras...))
		b.StartTimer()
		for i := range 99 {
			p := r.IntN(len(paras))
			if i%3 == 0 {
				paras[p] += fmt.Sprintf(" An official added on day %d that talks continue.", i)
			} else {
				w := strings.Fields(paras[p])
				w[r.IntN(len(w))] = fmt.Sprintf("edit%d", i)
				paras[p] = strings.Join(w, " ")
			}
			save(b, s, capture("https://example.com/edited", "Budget", paras...))
		}
		b.StopTimer()
		var recordBytes, firstBytes, dataBytes int
		for n := 1; n <= 100; n++ {
			v, err := s.db.NewTransaction(false).Get(versionKey(1, n))
			if err != nil {
				b.Fatal(err)
			}
			var rec versionRecord
			if err := v.Value(rec.unmarshal); err != nil {
				b.Fatal(err)
			}
			if n == 1 {
				firstBytes = int(v.ValueSize())
			} else {
				recordBytes += int(v.ValueSize())
				dataBytes += len(rec.data)
			}
		}
		whole := contentBytes(capture("", "Budget", paras...).Content())
		enc, _ := zstd.NewWriter(nil)
		zOne := len(enc.EncodeAll(whole, nil))
		s.Close()
		b.ReportMetric(float64(recordBytes)/99, "bytes/extra-version")
		b.ReportMetric(float64(dataBytes)/99, "content-bytes/extra-version")
		b.ReportMetric(float64(firstBytes), "bytes/first-version")
		b.ReportMetric(float64(zOne), "zstd-bytes/whole-version")
		b.ReportMetric(float64(len(whole)), "raw-bytes/version")
		b.StartTimer()
	}
}

// BenchmarkReadLatestOfLongChain reads the newest of 100 versions, which
// walks a dictionary chain.
func BenchmarkReadLatestOfLongChain(b *testing.B) {
	s, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(1, 2))
	paras := realisticArticle(r)
	for i := range 100 {
		paras[i%len(paras)] += " More."
		save(b, s, capture("https://example.com/chain", "T", paras...))
	}
	for b.Loop() {
		if _, err := s.Version(1, 100); err != nil {
			b.Fatal(err)
		}
	}
}
