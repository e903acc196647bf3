package canonical

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzURL(f *testing.F) {
	var v urlVectors
	loadVectors(f, "urls.json", &v)
	for _, c := range v.Canonical {
		f.Add(c.In)
	}
	for _, c := range v.Choose {
		f.Add(c.Declared)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := URL(raw)
		Site(raw)
		if err != nil {
			return
		}
		if !strings.HasPrefix(got, "http://") && !strings.HasPrefix(got, "https://") {
			t.Fatalf("URL(%q) = %q: not http(s)", raw, got)
		}
		if len(got) > MaxURLLength {
			t.Fatalf("URL(%q) is %d bytes long", raw, len(got))
		}
		again, err := URL(got)
		if err != nil || again != got {
			t.Fatalf("URL(%q) = %q, but URL(%q) = %q, %v", raw, got, got, again, err)
		}
		if Site(got) == "" {
			t.Fatalf("Site(%q) is empty", got)
		}
		if c, err := Choose(got, raw); err != nil || c != got {
			t.Fatalf("Choose(%q, %q) = %q, %v; a page is its own canonical", got, raw, c, err)
		}
	})
}

func FuzzText(f *testing.F) {
	var v textVectors
	loadVectors(f, "text.json", &v)
	for _, c := range append(v.Text, v.Pre...) {
		f.Add(c.In)
	}
	f.Add("a\xff\xfe b")
	f.Fuzz(func(t *testing.T, s string) {
		got := Text(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Text(%+q) = %+q: invalid UTF-8", s, got)
		}
		if again := Text(got); again != got {
			t.Fatalf("Text(%+q) = %+q, but Text of that = %+q", s, got, again)
		}
		if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") {
			t.Fatalf("Text(%+q) = %+q: stray spaces", s, got)
		}
		for _, r := range got {
			if r != ' ' && isSpace(r) || isInvisible(r) {
				t.Fatalf("Text(%+q) = %+q: holds %U", s, got, r)
			}
		}

		pre := Pre(s)
		if !utf8.ValidString(pre) {
			t.Fatalf("Pre(%+q) = %+q: invalid UTF-8", s, pre)
		}
		if again := Pre(pre); again != pre {
			t.Fatalf("Pre(%+q) = %+q, but Pre of that = %+q", s, pre, again)
		}
		if strings.HasPrefix(pre, "\n") || strings.HasSuffix(pre, "\n") || strings.Contains(pre, "\r") {
			t.Fatalf("Pre(%+q) = %+q: stray line breaks", s, pre)
		}
		for _, line := range strings.Split(pre, "\n") {
			if strings.TrimRight(line, " \t") != line {
				t.Fatalf("Pre(%+q) = %+q: trailing whitespace", s, pre)
			}
		}
	})
}
