package histories

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// A manifest that could label a case wrongly is refused, saying what is
// wrong with it, before any case runs.
func TestManifestRefusesWhatCannotBeRun(t *testing.T) {
	page := `"pages": {"a": {"site": "one", "body": "p"}, "b": {"site": "two", "body": "p"}}`
	ok := `{"name": "x", "expect": "quiet", "why": "w", "before": {"page": "a"}, "after": {"page": "a"}}`
	for _, tc := range []struct {
		name, manifest, want string
	}{
		{"not JSON", `{"pages": `, "manifest"},
		{"an unknown field", `{` + page + `, "cases": [` + ok + `], "extra": 1}`, "unknown field"},
		{"no cases", `{` + page + `, "cases": []}`, "no cases"},
		{"a page without a site", `{"pages": {"a": {"body": "p"}}, "cases": [` + ok + `]}`, "names no site"},
		{"a case without a name", `{` + page + `, "cases": [{"expect": "quiet", "why": "w", "before": {"page": "a"}, "after": {"page": "a"}}]}`, "has no name"},
		{"two cases of one name", `{` + page + `, "cases": [` + ok + `, ` + ok + `]}`, "two cases are named x"},
		{"a verdict that is neither", `{` + page + `, "cases": [{"name": "x", "expect": "minor", "why": "w", "before": {"page": "a"}, "after": {"page": "a"}}]}`, `expects "minor"`},
		{"no reason", `{` + page + `, "cases": [{"name": "x", "expect": "alert", "why": " ", "before": {"page": "a"}, "after": {"page": "a"}}]}`, "does not say why"},
		{"an undescribed page", `{` + page + `, "cases": [{"name": "x", "expect": "alert", "why": "w", "before": {"page": "c"}, "after": {"page": "a"}}]}`, `uses page "c"`},
		{"an unknown transformation", `{` + page + `, "cases": [{"name": "x", "expect": "alert", "why": "w", "before": {"page": "a"}, "after": {"page": "a", "do": [["rewrite"]]}}]}`, `unknown transformation "rewrite"`},
		{"an empty step", `{` + page + `, "cases": [{"name": "x", "expect": "alert", "why": "w", "before": {"page": "a"}, "after": {"page": "a", "do": [[]]}}]}`, "an empty step"},
		{"missing arguments", `{` + page + `, "cases": [{"name": "x", "expect": "alert", "why": "w", "before": {"page": "a"}, "after": {"page": "a", "do": [["replaceText", "a"]]}}]}`, "replaceText takes 2 arguments, got 1"},
		{"two sites compared", `{` + page + `, "cases": [{"name": "x", "expect": "alert", "why": "w", "before": {"page": "a"}, "after": {"page": "b"}}]}`, "two sites"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseManifest([]byte(tc.manifest))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

// A transformation that finds nothing to change fails, so that no case
// is labelled for a change that was never made.
func TestTransformationsRefuseWhatTheyCannotFind(t *testing.T) {
	m, err := loadManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		page string
		step []string
		want string
	}{
		{"bbc-1", []string{"replaceText", "words the page does not hold", "x"}, "no text of the body holds"},
		{"bbc-1", []string{"setByline", "By Jane Doe"}, "names no byline"},
		{"nytimes-1", []string{"setByline", "By JEFFREY GETTLEMAN"}, "is \"By JEFFREY GETTLEMAN\" already"},
		{"nytimes-1", []string{"setHeadline", "United States to Lift Sudan Sanctions"}, "already"},
		{"nytimes-1", []string{"insertAfter", "aside.none", "<p>x</p>"}, "nothing matches \"aside.none\""},
		{"nytimes-1", []string{"remove", "div.no-such-block"}, "nothing matches"},
		{"nytimes-1", []string{"removeBlock", "99"}, "the body has 20 blocks"},
		{"nytimes-1", []string{"removeBlock", "two"}, "not a number"},
		{"nytimes-1", []string{"moveBlock", "3", "3"}, "before itself"},
		{"nytimes-1", []string{"moveArticle", "bbc-1"}, "not of the same outlet"},
		{"nytimes-1", []string{"moveArticle", "nytimes-9"}, "not described"},
		{"nytimes-1", []string{"setArticle", "seed/none.txt"}, "no such file"},
		{"nytimes-1", []string{"insertBefore", "p[data-x", "<p>x</p>"}, "'[' without ']'"},
		{"nytimes-1", []string{"insertBefore", "p:hover", "<p>x</p>"}, "unknown pseudo-class"},
		{"nytimes-1", []string{"wrapBody", "just text"}, "no element to wrap"},
	} {
		t.Run(strings.Join(tc.step, " "), func(t *testing.T) {
			p, err := m.loadPage(tc.page)
			if err != nil {
				t.Fatal(err)
			}
			before, err := p.render()
			if err != nil {
				t.Fatal(err)
			}
			err = apply(p, tc.step)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
			if after, _ := p.render(); string(after) != string(before) {
				t.Error("the failed transformation changed the page")
			}
		})
	}
}

// The selectors the manifest names pages with match as CSS would.
func TestSelectors(t *testing.T) {
	doc, err := html.Parse(strings.NewReader(`<div id="a" class="x y"><p itemprop="author creator">A</p><section><p class="y">B</p><p>C</p></section></div><p class="y">D</p>`))
	if err != nil {
		t.Fatal(err)
	}
	for sel, want := range map[string]string{
		"p":                             "A B C D",
		"div p":                         "A B C",
		"div > p":                       "A",
		"#a.x.y > section > p":          "B C",
		".y":                            "A B C B D", // the div, then two paragraphs
		"p.y":                           "B D",
		`p[itemprop="author creator"]`:  "A",
		"p[itemprop*=creator]":          "A",
		"p[itemprop]":                   "A",
		"section p:first-child":         "B",
		"section p:last-child":          "C",
		"section p:last-child, div > p": "A C",
		"span":                          "",
	} {
		nodes, err := selectAll(doc, sel)
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		var got []string
		for _, n := range nodes {
			got = append(got, textOf(n))
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%s matches %q, want %q", sel, strings.Join(got, " "), want)
		}
	}
	for _, bad := range []string{"", "> p", "p >", "p[", "p[=x]", ".", "#", "p::", "*"} {
		if _, err := selectAll(doc, bad); err == nil {
			t.Errorf("selector %q is accepted", bad)
		}
	}
}
