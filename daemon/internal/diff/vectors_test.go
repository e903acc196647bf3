package diff

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"redline/daemon/internal/article"
	"redline/daemon/internal/contracttest"
)

// vectorDir holds the shared diff cases that the extension's tests run too.
var vectorDir = filepath.Join(contracttest.SharedDir(), "vectors", "diff")

type vector struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Rules       json.RawMessage `json:"rules"`
	// Furniture lists the blocks the site repeats across its articles,
	// as the store learns them (article.Pair.Furniture).
	Furniture []string        `json:"furniture"`
	Old       article.Content `json:"old"`
	New       article.Content `json:"new"`
	// OldPage and NewPage are the visible text of the pages each version
	// was captured from (optional): the extraction-drift rule reads them.
	OldPage *string `json:"old_page"`
	NewPage *string `json:"new_page"`
	Expect  struct {
		Summary map[string]any `json:"summary"`
		Ops     []string       `json:"ops"`
		Noise   []bool         `json:"noise"`
		Title   []Span         `json:"title"`
		Spans   [][]Span       `json:"spans"`
	} `json:"expect"`
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(vectorDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v vector
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if v.Name+".json" != filepath.Base(f) {
			t.Errorf("%s: name %q does not match the file name", f, v.Name)
		}
		vs = append(vs, v)
	}
	return vs
}

// vectorPair is the pair a vector compares, and its rules.
func vectorPair(t testing.TB, v vector) (article.Pair, Rules) {
	t.Helper()
	rules := DefaultRules()
	if len(v.Rules) > 0 {
		dec := json.NewDecoder(strings.NewReader(string(v.Rules)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rules); err != nil {
			t.Fatalf("%s: rules: %v", v.Name, err)
		}
	}
	p := article.Pair{Old: v.Old, New: v.New, Furniture: learned(v.Furniture)}
	if v.OldPage != nil {
		p.OldPage = article.DigestPage(*v.OldPage, v.Old)
	}
	if v.NewPage != nil {
		p.NewPage = article.DigestPage(*v.NewPage, v.New)
	}
	return p, rules
}

// TestComparisonsShareNoState: comparisons reuse working memory, so each
// vector is compared again after every other (and after a long text that
// grows that memory), from several goroutines at once, and must give the
// same result as the first time.
func TestComparisonsShareNoState(t *testing.T) {
	vs := loadVectors(t)
	pairs := make([]article.Pair, len(vs))
	rules := make([]Rules, len(vs))
	want := make([]Result, len(vs))
	for i, v := range vs {
		pairs[i], rules[i] = vectorPair(t, v)
		want[i] = ComparePair(pairs[i], rules[i])
	}
	var long article.Content
	for k := range 300 {
		long.Blocks = append(long.Blocks, article.Block{Kind: article.KindParagraph,
			Text: strings.Repeat(fmt.Sprintf("Paragraph %d says something new: word%d, Word%d. ", k, k, k*7), 5)})
	}
	const workers = 4
	errs := make(chan string, workers*len(vs))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for n := range vs {
				i := (len(vs) - 1 - n + w*7) % len(vs) // another order for each worker
				if n%5 == 0 {
					Compare(long, vs[i].New, DefaultRules())
				}
				if got := ComparePair(pairs[i], rules[i]); !reflect.DeepEqual(got, want[i]) {
					errs <- fmt.Sprintf("%s: compared again, got %+v\nwant %+v", vs[i].Name, got, want[i])
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestVectors(t *testing.T) {
	vs := loadVectors(t)
	if len(vs) < 35 {
		t.Fatalf("found %d vectors in %s, want at least 35", len(vs), vectorDir)
	}
	for _, v := range vs {
		t.Run(v.Name, func(t *testing.T) {
			p, rules := vectorPair(t, v)
			res := ComparePair(p, rules)
			checkResult(t, v.Old, v.New, res)

			raw, _ := json.Marshal(res.Summary)
			var got map[string]any
			_ = json.Unmarshal(raw, &got)
			if len(v.Expect.Summary) == 0 {
				t.Fatal("vector asserts no summary fields")
			}
			for _, k := range []string{"significance", "blocks_added", "blocks_removed", "blocks_changed", "blocks_moved", "words_added", "words_removed"} {
				if _, ok := v.Expect.Summary[k]; !ok {
					t.Errorf("vector does not assert %s", k)
				}
			}
			for k, want := range v.Expect.Summary {
				if g, ok := got[k]; !ok {
					t.Errorf("summary has no field %q", k)
				} else if !reflect.DeepEqual(g, want) {
					t.Errorf("summary.%s = %v, want %v", k, g, want)
				}
			}
			if v.Expect.Ops != nil {
				kinds := make([]string, len(res.Ops))
				for i, op := range res.Ops {
					kinds[i] = op.Op
				}
				if !slices.Equal(kinds, v.Expect.Ops) {
					t.Errorf("ops = %v, want %v", kinds, v.Expect.Ops)
				}
			}
			if v.Expect.Noise != nil {
				noise := make([]bool, len(res.Ops))
				for i, op := range res.Ops {
					noise[i] = op.Noise
				}
				if !slices.Equal(noise, v.Expect.Noise) {
					t.Errorf("noise = %v, want %v", noise, v.Expect.Noise)
				}
			}
			if v.Expect.Title != nil && !reflect.DeepEqual(res.Title, v.Expect.Title) {
				t.Errorf("title spans = %q, want %q", res.Title, v.Expect.Title)
			}
			if v.Expect.Spans != nil {
				var spans [][]Span
				for _, op := range res.Ops {
					if op.Spans != nil {
						spans = append(spans, op.Spans)
					}
				}
				if !reflect.DeepEqual(spans, v.Expect.Spans) {
					t.Errorf("spans = %q, want %q", spans, v.Expect.Spans)
				}
			}
			if t.Failed() {
				out, _ := json.MarshalIndent(res, "", "  ")
				t.Logf("result: %s", out)
			}
		})
	}
}

// checkResult asserts what must hold for every comparison: the ops rebuild
// the new blocks from the old ones, the title and byline spans rebuild both
// sides, and the counts are not negative.
func checkResult(t testing.TB, old, new article.Content, res Result) {
	t.Helper()
	got, err := Apply(old.Blocks, res.Ops)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if len(got) != len(new.Blocks) || len(got) > 0 && !reflect.DeepEqual(got, new.Blocks) {
		t.Fatalf("Apply rebuilt %d blocks, want %d:\n got %q\nwant %q", len(got), len(new.Blocks), got, new.Blocks)
	}
	for _, f := range []struct {
		name     string
		spans    []Span
		old, new string
	}{{"title", res.Title, old.Title, new.Title}, {"byline", res.Byline, old.Byline, new.Byline}} {
		if f.spans == nil {
			t.Errorf("%s spans are nil", f.name)
		}
		if o, n := oldText(f.spans), newText(f.spans); o != f.old || n != f.new {
			t.Errorf("%s spans rebuild %q → %q, want %q → %q", f.name, o, n, f.old, f.new)
		}
	}
	s := res.Summary
	for _, n := range []int{s.BlocksAdded, s.BlocksRemoved, s.BlocksChanged, s.BlocksMoved, s.WordsAdded, s.WordsRemoved} {
		if n < 0 {
			t.Errorf("negative count in %+v", s)
		}
	}
	switch s.Significance {
	case article.Trivial, article.Minor, article.Substantive:
	default:
		t.Errorf("significance %q", s.Significance)
	}
	if res.Ops == nil {
		t.Error("ops are nil")
	}
}

// learned is a site's learned furniture given as its block texts, as the
// store matches them: the same words, whatever the case and punctuation.
type learned []string

func (l learned) Furniture(text string) bool {
	return slices.ContainsFunc(l, func(f string) bool { return sameWords(f, text) })
}
