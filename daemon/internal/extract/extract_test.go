package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"

	"redline/daemon/internal/article"
	"redline/daemon/internal/canonical"
	"redline/daemon/internal/contracttest"
)

var pageURL, _ = url.Parse("https://news.example/2026/11/story")

func readPage(t *testing.T, name, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(contracttest.SharedDir(), "testdata", "pages", name, file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The daemon's fetch finds the same article text as the browser's reader
// mode does on real news pages: that is what lets a fetch be judged
// against the capture the user read.
func TestRealPagesMatchReaderMode(t *testing.T) {
	for _, name := range []string{"bbc-1", "lemonde-1", "nytimes-1", "qq", "wapo-1"} {
		t.Run(name, func(t *testing.T) {
			var meta struct {
				Title string `json:"title"`
			}
			if err := json.Unmarshal(readPage(t, name, "expected-metadata.json"), &meta); err != nil {
				t.Fatal(err)
			}
			// qq is saved as UTF-8 but declares gb2312: the header wins,
			// as in a browser.
			p, err := HTML(readPage(t, name, "source.html"), "text/html; charset=utf-8", pageURL)
			if err != nil {
				t.Fatal(err)
			}
			if p.Title != meta.Title {
				t.Errorf("title %q, want %q", p.Title, meta.Title)
			}
			doc, err := html.Parse(bytes.NewReader(readPage(t, name, "expected.html")))
			if err != nil {
				t.Fatal(err)
			}
			got, want := Words(p.Blocks), Words(Blocks(doc))
			if c := Coverage(got, want); c < 0.95 {
				t.Errorf("the fetch holds %.0f%% of reader mode's words, want at least 95%%", 100*c)
			}
			if c := Coverage(want, got); c < 0.9 {
				t.Errorf("reader mode holds %.0f%% of the fetch's words, want at least 90%%", 100*c)
			}
			for i, b := range canonical.Blocks(p.Blocks) {
				if !b.Kind.Valid() || !utf8.ValidString(b.Text) || b.Text == "" {
					t.Fatalf("block %d is not a valid block: %+v", i, b)
				}
			}
		})
	}
}

func TestBlocksFromHTML(t *testing.T) {
	p := func(s string) article.Block { return article.Block{Kind: article.KindParagraph, Text: s} }
	h := func(s string) article.Block { return article.Block{Kind: article.KindHeading, Text: s} }
	li := func(s string) article.Block { return article.Block{Kind: article.KindListItem, Text: s} }
	q := func(s string) article.Block { return article.Block{Kind: article.KindQuote, Text: s} }
	pre := func(s string) article.Block { return article.Block{Kind: article.KindPre, Text: s} }
	cases := []struct {
		name, html string
		want       []article.Block
	}{
		{"headings and paragraphs", `<h1>Title</h1><p>One <em>two</em> three.</p><h3>Sub</h3><p>Four</p>`,
			[]article.Block{h("Title"), p("One two three."), h("Sub"), p("Four")}},
		{"loose text is a paragraph", `<div>Loose <b>text</b><p>Para</p>after</div>`,
			[]article.Block{p("Loose text"), p("Para"), p("after")}},
		{"list items, nested list after its parent", `<ul><li>a<ul><li>a1</li></ul>tail</li><li>b</li></ul>`,
			[]article.Block{li("a"), li("a1"), li("tail"), li("b")}},
		{"everything in a blockquote is a quote", `<blockquote><p>Said one.</p><p>Said two.</p>loose</blockquote>`,
			[]article.Block{q("Said one."), q("Said two."), q("loose")}},
		{"pre keeps lines", "<pre>line 1\nline 2<br>line 3</pre>", []article.Block{pre("line 1\nline 2\nline 3")}},
		{"table row is one paragraph", `<table><tr><th>Party</th><th>Seats</th></tr><tr><td>A</td><td> 12 </td></tr></table>`,
			[]article.Block{p("Party | Seats"), p("A | 12")}},
		{"media and scripts carry no text", `<p>Text<script>var x="no";</script><img alt="no"><button>Share</button></p><figure><img><figcaption>Caption</figcaption></figure>`,
			[]article.Block{p("Text"), p("Caption")}},
		{"br is a space", `<p>one<br>two</p>`, []article.Block{p("one two")}},
		{"definition lists", `<dl><dt>Term</dt><dd>Meaning</dd></dl>`, []article.Block{p("Term"), p("Meaning")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := html.Parse(strings.NewReader(c.html))
			if err != nil {
				t.Fatal(err)
			}
			got := canonical.Blocks(Blocks(doc))
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("blocks\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

// story is a small article page with enough text for readability.
func story(charsetMeta, para string) string {
	var b strings.Builder
	b.WriteString("<!doctype html><html lang=\"fr\"><head>")
	if charsetMeta != "" {
		b.WriteString(`<meta charset="` + charsetMeta + `">`)
	}
	b.WriteString("<title>Réforme des retraites</title></head><body><article><h1>Réforme des retraites</h1>")
	for range 6 {
		b.WriteString("<p>" + para + "</p>")
	}
	b.WriteString("</article></body></html>")
	return b.String()
}

const frenchPara = "Le gouvernement a présenté mercredi une réforme très attendue, qui prévoit un âge légal repoussé à soixante-quatre ans et une durée de cotisation allongée pour les générations nées après 1968."

func TestEncodings(t *testing.T) {
	latin1, _ := charmap.ISO8859_1.NewEncoder().String(story("", frenchPara))
	win1252Meta, _ := charmap.Windows1252.NewEncoder().String(story("windows-1252", frenchPara))
	invalid := strings.Replace(story("utf-8", frenchPara), "présenté", "pr\xe9sent\xe9", 1)
	cases := []struct {
		name, contentType, body, want string
	}{
		{"charset in the header", "text/html; charset=ISO-8859-1", latin1, "présenté"},
		{"charset in a meta element", "text/html", win1252Meta, "présenté"},
		{"no charset, UTF-8 bytes", "text/html", story("", frenchPara), "présenté"},
		{"declared UTF-8 with Latin-1 bytes in it", "text/html; charset=utf-8", invalid, "pr\uFFFDsent\uFFFD"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := HTML([]byte(c.body), c.contentType, pageURL)
			if err != nil {
				t.Fatal(err)
			}
			if p.Title != "Réforme des retraites" && !strings.Contains(c.name, "Latin-1 bytes") {
				t.Errorf("title %q", p.Title)
			}
			var text string
			for _, b := range canonical.Blocks(p.Blocks) {
				text += b.Text + "\n"
			}
			if !strings.Contains(text, c.want) || !utf8.ValidString(text) {
				t.Errorf("text %q does not hold %q", text, c.want)
			}
		})
	}

	t.Run("gb2312 declared in a meta element", func(t *testing.T) {
		src := readPage(t, "qq", "source.html")
		// A few symbols of the page have no GBK form; they become "?".
		gbk, err := encoding.ReplaceUnsupported(simplifiedchinese.GBK.NewEncoder()).Bytes(src)
		if err != nil {
			t.Fatal(err)
		}
		p, err := HTML(gbk, "text/html", pageURL)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := HTML(src, "text/html; charset=utf-8", pageURL)
		if c := Coverage(Words(p.Blocks), Words(want.Blocks)); p.Title != want.Title || c < 0.99 {
			t.Errorf("the GBK page reads differently from its UTF-8 original: title %q, %.0f%% of its words", p.Title, 100*c)
		}
	})
}

func TestWallSigns(t *testing.T) {
	page := func(body string) []byte {
		return []byte("<html><head><title>Story</title></head><body><article><h1>Story</h1><p>" + frenchPara + "</p>" + body + "</article></body></html>")
	}
	cases := []struct {
		name string
		body []byte
		kind string
	}{
		{"paywall", page(`<div class="offer"><p>Subscribe to continue reading. Already a subscriber? Log in.</p></div>`), WallPaywall},
		{"declared not free", []byte(`<html><head><script type="application/ld+json">{"@type":"NewsArticle","isAccessibleForFree":"False"}</script></head><body><p>` + frenchPara + `</p></body></html>`), WallPaywall},
		{"login", page(`<p>Please sign in to read the rest of this story.</p>`), WallLogin},
		{"consent", page(`<p>Before you continue to News, we use cookies.</p>`), WallConsent},
		{"bot check text", []byte(`<html><head><title>Just a moment...</title></head><body><p>Checking your browser before accessing the site.</p></body></html>`), WallBotCheck},
		{"bot check markup", []byte(`<html><body><form id="challenge-form" method="post"></form><p>` + frenchPara + `</p></body></html>`), WallBotCheck},
		{"a captcha on a comment form is no bot check", page(`<form class="comments"><div class="captcha-widget"></div><textarea></textarea></form>`), ""},
		{"a free article", page(""), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, _ := HTML(c.body, "text/html; charset=utf-8", pageURL)
			if p == nil || p.Wall.Kind != c.kind {
				t.Fatalf("wall = %+v, want kind %q", p, c.kind)
			}
		})
	}
}

func TestPageWithoutArticle(t *testing.T) {
	_, err := HTML([]byte("<html><head><title>Home</title></head><body><img src=a.png></body></html>"), "text/html", pageURL)
	if !errors.Is(err, ErrNoArticle) {
		t.Fatalf("err = %v, want ErrNoArticle", err)
	}
}

func TestMetadata(t *testing.T) {
	src := `<html lang="en"><head><title>Budget vote delayed | The Example</title>
<link rel="canonical" href="/2026/11/budget">
<meta property="og:site_name" content="The Example">
<meta property="article:published_time" content="2026-11-26T08:00:00Z">
<meta name="author" content="Ana Ruiz"></head>
<body><article><h1>Budget vote delayed</h1><p>` + frenchPara + `</p><p>` + frenchPara + `</p></article></body></html>`
	p, err := HTML([]byte(src), "text/html", pageURL)
	if err != nil {
		t.Fatal(err)
	}
	want := Page{Title: "Budget vote delayed | The Example", Byline: "Ana Ruiz", SiteName: "The Example", Lang: "en",
		PublishedTime: "2026-11-26T08:00:00Z", CanonicalURL: "https://news.example/2026/11/budget"}
	got := *p
	got.Blocks, got.Wall, got.PageText = nil, Wall{}, "" // the page's text: TestPageText
	if !reflect.DeepEqual(got, want) {
		t.Errorf("page\n got %+v\nwant %+v", got, want)
	}
}

func TestCoverage(t *testing.T) {
	words := func(s string) []string { return Words([]article.Block{{Kind: article.KindParagraph, Text: s}}) }
	ref := words("The mayor resigned on Tuesday after the vote.")
	for _, c := range []struct {
		text string
		want float64
	}{
		{"The mayor resigned on Tuesday after the vote.", 1},
		{"THE MAYOR RESIGNED on Tuesday, after the vote! Share this.", 1},
		{"The mayor resigned.", 3.0 / 8},
		{"", 0},
	} {
		if got := Coverage(words(c.text), ref); got != c.want {
			t.Errorf("Coverage(%q) = %v, want %v", c.text, got, c.want)
		}
	}
	if got := words("人工智能 AI"); !reflect.DeepEqual(got, []string{"人", "工", "智", "能", "ai"}) {
		t.Errorf("Han words = %q", got)
	}
}

func FuzzHTML(f *testing.F) {
	f.Add([]byte(story("utf-8", frenchPara)), "text/html")
	f.Add([]byte("<blockquote><ul><li>a<pre>b</pre></li></ul></blockquote>"), "text/html; charset=latin1")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		p, err := HTML(body, contentType, pageURL)
		if err != nil && !errors.Is(err, ErrNoArticle) {
			return
		}
		for _, b := range p.Blocks {
			if !b.Kind.Valid() || !utf8.ValidString(b.Text) {
				t.Fatalf("invalid block %+v", b)
			}
		}
	})
}
