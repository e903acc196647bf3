package extract

import (
	"strings"
	"testing"

	"redline/daemon/internal/article"
)

// The page text a fetch carries is what a reader sees on the whole page,
// article or not: the body's text with a line per block, and the page's
// description first; never scripts, styles, hidden elements or the head.
func TestPageText(t *testing.T) {
	src := `<html><head><title>Head title only</title>
<meta name="description" content="  The outlet's   summary of the story. ">
<meta property="og:description" content="A social card's summary.">
<style>.x{color:red}</style><script>var inHead = 1</script></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Budget vote delayed</h1><p>` + frenchPara + `</p>
<p>First <b>bold</b> words<br>and a second line.</p></article>
<aside><p>Read more: the council's other plans.</p></aside>
<div hidden><p>Hidden by attribute.</p></div>
<div style="display: none"><p>Hidden by style.</p></div>
<p style="visibility:hidden">Invisible paragraph.</p>
<script>var inBody = "script text";</script><noscript>Turn on scripts.</noscript>
<template><p>Template text.</p></template>
<footer>© The Example</footer></body></html>`
	p, err := HTML([]byte(src), "text/html", pageURL)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"The outlet's summary of the story.",
		"Home World",
		"Budget vote delayed",
		frenchPara,
		"First bold words",
		"and a second line.",
		"Read more: the council's other plans.",
		"© The Example",
	}, "\n")
	if p.PageText != want {
		t.Errorf("page text\n got %q\nwant %q", p.PageText, want)
	}
}

// A page without a description starts with its visible text; a page
// whose text is over the limit is cut to it, at a character boundary.
func TestPageTextLimits(t *testing.T) {
	p, err := HTML([]byte(`<html><body><article><h1>T</h1><p>`+frenchPara+`</p></article></body></html>`), "text/html", pageURL)
	if err != nil {
		t.Fatal(err)
	}
	if want := "T\n" + frenchPara; p.PageText != want {
		t.Errorf("page text %q, want %q", p.PageText, want)
	}
	huge := strings.Repeat("<p>"+frenchPara+"</p>", article.MaxPageTextBytes/len(frenchPara)+10)
	p, err = HTML([]byte(`<html><body><article><h1>T</h1>`+huge+`</article></body></html>`), "text/html", pageURL)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(p.PageText); n > article.MaxPageTextBytes || n < article.MaxPageTextBytes-4 {
		t.Errorf("page text of %d bytes, want the limit %d", n, article.MaxPageTextBytes)
	}
	if !strings.HasPrefix(p.PageText, "T\n"+frenchPara) {
		t.Errorf("the cut page text does not start with the page's start")
	}
}
