package article_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"redline/daemon/internal/article"
	"redline/daemon/internal/contracttest"
)

// The daemon words a change exactly as the extension does: both run
// shared/vectors/summary.json.
func TestSentenceFollowsTheSharedVectors(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(contracttest.SharedDir(), "vectors", "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Sentence []struct {
			Name string          `json:"name"`
			In   article.Summary `json:"in"`
			Out  string          `json:"out"`
		} `json:"sentence"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Sentence) < 10 {
		t.Fatalf("only %d cases in summary.json", len(v.Sentence))
	}
	for _, c := range v.Sentence {
		if got := c.In.Sentence(); got != c.Out {
			t.Errorf("%s: Sentence() = %q, want %q", c.Name, got, c.Out)
		}
	}
}
