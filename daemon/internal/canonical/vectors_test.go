package canonical

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"redline/daemon/internal/article"
	"redline/daemon/internal/contracttest"
)

// The shared vectors are the specification both the daemon and the
// extension are tested against; see shared/vectors/README.md.
var vectorsDir = filepath.Join(contracttest.SharedDir(), "vectors")

type urlVectors struct {
	Canonical []struct {
		Name  string `json:"name"`
		In    string `json:"in"`
		Out   string `json:"out"`
		Error bool   `json:"error"`
	} `json:"canonical"`
	Choose []struct {
		Name     string `json:"name"`
		URL      string `json:"url"`
		Declared string `json:"declared"`
		Out      string `json:"out"`
	} `json:"choose"`
	Site []struct {
		Name string `json:"name"`
		In   string `json:"in"`
		Out  string `json:"out"`
	} `json:"site"`
}

type textCase struct {
	Name string `json:"name"`
	In   string `json:"in"`
	Out  string `json:"out"`
}

type textVectors struct {
	Text   []textCase `json:"text"`
	Pre    []textCase `json:"pre"`
	Blocks []struct {
		Name string          `json:"name"`
		In   []article.Block `json:"in"`
		Out  []article.Block `json:"out"`
	} `json:"blocks"`
}

func loadVectors(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vectorsDir, name))
	if err != nil {
		t.Fatalf("read vectors: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
}

func TestURLVectors(t *testing.T) {
	var v urlVectors
	loadVectors(t, "urls.json", &v)
	if len(v.Canonical) < 40 || len(v.Choose) == 0 || len(v.Site) == 0 {
		t.Fatalf("urls.json has too few cases: %d canonical, %d choose, %d site", len(v.Canonical), len(v.Choose), len(v.Site))
	}
	for _, c := range v.Canonical {
		t.Run("canonical/"+c.Name, func(t *testing.T) {
			got, err := URL(c.In)
			if c.Error {
				if err == nil {
					t.Fatalf("URL(%q) = %q, want an error", c.In, got)
				}
				if code := article.ErrorCode(err); code != article.EINVALID {
					t.Errorf("URL(%q) error code = %q, want %q", c.In, code, article.EINVALID)
				}
				return
			}
			if err != nil {
				t.Fatalf("URL(%q): %v", c.In, err)
			}
			if got != c.Out {
				t.Errorf("URL(%q)\n got %q\nwant %q", c.In, got, c.Out)
			}
			if again, err := URL(got); err != nil || again != got {
				t.Errorf("URL(%q) = %q, %v: canonical form is not a fixed point", got, again, err)
			}
		})
	}
	for _, c := range v.Choose {
		t.Run("choose/"+c.Name, func(t *testing.T) {
			got, err := Choose(c.URL, c.Declared)
			if err != nil {
				t.Fatalf("Choose(%q, %q): %v", c.URL, c.Declared, err)
			}
			if got != c.Out {
				t.Errorf("Choose(%q, %q)\n got %q\nwant %q", c.URL, c.Declared, got, c.Out)
			}
		})
	}
	for _, c := range v.Site {
		t.Run("site/"+c.Name, func(t *testing.T) {
			if got := Site(c.In); got != c.Out {
				t.Errorf("Site(%q) = %q, want %q", c.In, got, c.Out)
			}
		})
	}
}

func TestTextVectors(t *testing.T) {
	var v textVectors
	loadVectors(t, "text.json", &v)
	if n := len(v.Text) + len(v.Pre) + len(v.Blocks); n < 25 {
		t.Fatalf("text.json has only %d cases", n)
	}
	for _, c := range v.Text {
		t.Run("text/"+c.Name, func(t *testing.T) {
			if got := Text(c.In); got != c.Out {
				t.Errorf("Text(%+q)\n got %+q\nwant %+q", c.In, got, c.Out)
			}
			if got := Text(c.Out); got != c.Out {
				t.Errorf("Text(%+q) = %+q: not idempotent", c.Out, got)
			}
		})
	}
	for _, c := range v.Pre {
		t.Run("pre/"+c.Name, func(t *testing.T) {
			if got := Pre(c.In); got != c.Out {
				t.Errorf("Pre(%+q)\n got %+q\nwant %+q", c.In, got, c.Out)
			}
			if got := Pre(c.Out); got != c.Out {
				t.Errorf("Pre(%+q) = %+q: not idempotent", c.Out, got)
			}
		})
	}
	for _, c := range v.Blocks {
		t.Run("blocks/"+c.Name, func(t *testing.T) {
			in := slices.Clone(c.In)
			got := Blocks(c.In)
			if !slices.Equal(got, c.Out) {
				t.Errorf("Blocks(%+q)\n got %+q\nwant %+q", c.In, got, c.Out)
			}
			if !slices.Equal(c.In, in) {
				t.Errorf("Blocks changed its input: %+q", c.In)
			}
		})
	}
}
