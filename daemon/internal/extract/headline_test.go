package extract

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"redline/daemon/internal/contracttest"
)

// headlineVectors are the pages of shared/vectors/headline.json, which
// the extension's capture runs too.
type headlineVectors struct {
	Description string `json:"description"`
	Article     string `json:"article"`
	Cases       []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		HTML        string `json:"html"`
		Title       string `json:"title"`
	} `json:"cases"`
}

// The headline the reader sees is the title, over stale metadata; an <h1>
// that nothing else names (a logo, a section, a hidden one) is not.
func TestHeadlineVectors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(contracttest.SharedDir(), "vectors", "headline.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v headlineVectors
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	if len(v.Cases) < 10 {
		t.Fatalf("%d cases, want at least 10", len(v.Cases))
	}
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			if !strings.Contains(c.HTML, "{{article}}") {
				t.Fatal("the page holds no {{article}}")
			}
			page := strings.ReplaceAll(c.HTML, "{{article}}", v.Article)
			p, err := HTML([]byte(page), "text/html; charset=utf-8", pageURL)
			if err != nil {
				t.Fatal(err)
			}
			if p.Title != c.Title {
				t.Errorf("title %q, want %q (%s)", p.Title, c.Title, c.Description)
			}
		})
	}
}

// The same cases as the extension's headline words test: both sides must
// split a headline alike for the rule to pick the same title.
func TestHeadlineWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"Mayor Calls Flood ‘Worst in Memory’ | The Example", []string{"mayor", "calls", "flood", "worst", "in", "memory", "the", "example"}},
		{"DeepMind新电脑 AI_科技", []string{"deepmind", "新", "电", "脑", "ai", "科", "技"}},
		{"ΟΔΟΣ Café", []string{"οδοσ", "café"}},
	} {
		if got := headlineWords(c.in); !slices.Equal(got, c.want) {
			t.Errorf("headlineWords(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
