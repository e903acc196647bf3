package web_test

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"redline/daemon/internal/article"
	"redline/daemon/internal/diff"
	"redline/daemon/internal/web"
)

func shareOf(oldTitle, newTitle string, oldParas, newParas []string) web.Share {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	content := func(title string, paras []string) article.Content {
		c := article.Content{Title: title}
		for _, p := range paras {
			c.Blocks = append(c.Blocks, article.Block{Kind: article.KindParagraph, Text: p})
		}
		return c
	}
	old, new := content(oldTitle, oldParas), content(newTitle, newParas)
	a := article.Article{ID: 1, URL: "https://news.example/story", Site: "news.example", Title: newTitle}
	return web.NewShare(a, article.Version{Number: 1, CapturedAt: at, Source: article.SourceBrowser, Content: old},
		article.Version{Number: 2, CapturedAt: at.Add(5 * time.Hour), Source: article.SourceBrowser, Content: new},
		diff.Compare(old, new, diff.DefaultRules()), false)
}

// lumaSpread decodes a card and returns the standard deviation of its
// pixels' brightness: 0 for a blank picture.
func lumaSpread(t *testing.T, b []byte) float64 {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the card is no PNG: %v", err)
	}
	if got := img.Bounds().Size(); got.X != 1200 || got.Y != 630 {
		t.Fatalf("the card is %v, want 1200×630", got)
	}
	var sum, sq float64
	n := 0
	size := img.Bounds().Size()
	for y := 0; y < size.Y; y++ {
		for x := 0; x < size.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			l := 0.299*float64(r>>8) + 0.587*float64(g>>8) + 0.114*float64(bl>>8)
			sum += l
			sq += l * l
			n++
		}
	}
	mean := sum / float64(n)
	return math.Sqrt(sq/float64(n) - mean*mean)
}

// The card of a change: a 1200×630 PNG with the headline and the edit
// drawn, not blank.
func TestCardOfAChange(t *testing.T) {
	s := shareOf("Council delays budget vote", "Council approves budget after all",
		[]string{"The mayor said she was reluctant to raise taxes."}, []string{"The mayor said she was willing to raise taxes."})
	c, err := s.Card()
	if err != nil {
		t.Fatal(err)
	}
	if spread := lumaSpread(t, c.PNG); spread < 5 {
		t.Errorf("the card looks blank: brightness spread %.1f", spread)
	}
	drawn := strings.Join(c.Lines, " ")
	for _, want := range []string{"Council approves budget after all", "HEADLINE", "delays", "approves", "Headline changed", "captured by Redline"} {
		if !strings.Contains(drawn, want) {
			t.Errorf("the card does not show %q; it shows:\n%s", want, drawn)
		}
	}
	if len(c.Left) != 0 {
		t.Errorf("the card left out %v", c.Left)
	}
	saveCard(t, "card.png", c.PNG)
}

// A headline in a script the font lacks (Chinese, Arabic) is left out of
// the card, never drawn as empty boxes: the card says in words what
// changed, and says what it left out.
func TestCardOfAHeadlineTheFontCannotDraw(t *testing.T) {
	for name, titles := range map[string][2]string{
		"chinese": {"市议会推迟预算投票", "市议会最终批准预算"},
		"arabic":  {"المجلس يؤجل التصويت على الميزانية", "المجلس يوافق على الميزانية"},
	} {
		t.Run(name, func(t *testing.T) {
			s := shareOf(titles[0], titles[1], []string{"Nothing else changed."}, []string{"Nothing else changed."})
			c, err := s.Card()
			if err != nil {
				t.Fatal(err)
			}
			if spread := lumaSpread(t, c.PNG); spread < 5 {
				t.Errorf("the card looks blank: brightness spread %.1f", spread)
			}
			drawn := strings.Join(c.Lines, " ")
			for _, r := range drawn {
				if r > unicode.MaxLatin1 && !strings.ContainsRune("·→…", r) {
					t.Errorf("the card draws %q, which its font lacks:\n%s", r, drawn)
					break
				}
			}
			for _, want := range []string{"headline is in a script this card cannot draw", "Headline changed (substantive)"} {
				if !strings.Contains(drawn, want) {
					t.Errorf("the card does not say %q; it shows:\n%s", want, drawn)
				}
			}
			if strings.Join(c.Left, ",") != "the headline,the edit" {
				t.Errorf("the card says it left out %v", c.Left)
			}
			left, err := s.CardLeavesOut()
			if err != nil || strings.Join(left, ",") != strings.Join(c.Left, ",") {
				t.Errorf("CardLeavesOut %v %v, the card %v", left, err, c.Left)
			}
			saveCard(t, "card-"+name+".png", c.PNG)
		})
	}
}

// saveCard keeps the card beside the screenshots, to look at.
func saveCard(t *testing.T, name string, b []byte) {
	dir := os.Getenv("REDLINE_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "redline-screenshots")
	}
	if os.MkdirAll(dir, 0o755) == nil {
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
}

// BenchmarkCard draws the card of a headline change with an edit.
func BenchmarkCard(b *testing.B) {
	s := shareOf("Council delays budget vote", "Council approves budget after all",
		[]string{"The mayor said she was reluctant to raise taxes."}, []string{"The mayor said she was willing to raise taxes."})
	for b.Loop() {
		if _, err := s.Card(); err != nil {
			b.Fatal(err)
		}
	}
}
