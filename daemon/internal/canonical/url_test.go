package canonical

import (
	"errors"
	"strings"
	"testing"

	"redline/daemon/internal/article"
)

func TestURLLength(t *testing.T) {
	base := "https://example.com/"
	fits := base + strings.Repeat("a", MaxURLLength-len(base))
	if got, err := URL(fits); err != nil || got != fits {
		t.Errorf("URL of exactly 8 KB = %.40q…, %v; want it unchanged", got, err)
	}
	if _, err := URL(fits + "a"); err == nil {
		t.Error("URL longer than 8 KB accepted")
	}
	// Short enough as input but longer than 8 KB once escaped: refused, so
	// that every canonical URL is itself a valid input.
	if _, err := URL(base + strings.Repeat("é", 3000)); err == nil {
		t.Error("URL that escapes to more than 8 KB accepted")
	}
}

func TestURLErrorsAreShownToUsers(t *testing.T) {
	for in, want := range map[string]string{
		"":                    "URL is empty",
		"javascript:alert(1)": "only http and https URLs can be tracked, not javascript:",
		"example.com/news":    "URL is not absolute: it must start with http:// or https://",
		"http://":             "URL has no host",
		"http://a:99999/":     "URL has an invalid port",
	} {
		_, err := URL(in)
		var e *article.Error
		if !errors.As(err, &e) || e.Code != article.EINVALID {
			t.Errorf("URL(%q) error = %#v, want an EINVALID *article.Error", in, err)
			continue
		}
		if e.Message != want {
			t.Errorf("URL(%q) message = %q, want %q", in, e.Message, want)
		}
	}
}

func TestChooseInvalidPage(t *testing.T) {
	_, err := Choose("file:///etc/passwd", "https://example.com/")
	if article.ErrorCode(err) != article.EINVALID {
		t.Errorf("Choose with a file: page = %v, want an EINVALID error", err)
	}
}

func TestURLEscapingRoundTrip(t *testing.T) {
	// Every byte value, raw and escaped, in path and query: the result must
	// be a fixed point and hold only printable ASCII.
	var raw, esc strings.Builder
	for c := 0x20; c < 0x100; c++ {
		if c != '#' && c != '?' && c != 0x7f {
			raw.WriteByte(byte(c))
		}
		esc.WriteString("%")
		esc.WriteString(strings.ToLower(string(upperHex[c>>4]) + string(upperHex[c&15])))
	}
	r := strings.ToValidUTF8(raw.String(), "")
	for _, in := range []string{
		"http://example.com/" + r + "?" + r,
		"http://example.com/" + esc.String() + "?" + esc.String(),
	} {
		got, err := URL(in)
		if err != nil {
			t.Fatalf("URL(%q): %v", in, err)
		}
		for i := 0; i < len(got); i++ {
			if got[i] <= ' ' || got[i] >= 0x7f {
				t.Fatalf("URL(%q) = %q: byte %#x not escaped", in, got, got[i])
			}
		}
		if again, _ := URL(got); again != got {
			t.Errorf("not a fixed point:\n%q\n%q", got, again)
		}
	}
}

func BenchmarkURL(b *testing.B) {
	for _, c := range []struct{ name, in string }{
		{"plain", "https://www.example.com/news/world/2026/11/27/story-slug"},
		{"tracking", "https://www.example.com/news/story?utm_source=twitter&utm_medium=social&id=42&fbclid=IwAR0abc#comments"},
		{"idn", "https://bücher.example/caf%c3%a9/./a/../b?z=1&a=2"},
	} {
		in := c.in
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := URL(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
