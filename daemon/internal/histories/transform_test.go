package histories

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// The named transformations a case applies to a real page, in the
// manifest as ["name", args...]. Each one works on the parsed page and
// fails when it finds nothing to change, so that no case passes for a
// change it never made.

type transform struct {
	args int // how many arguments it takes
	run  func(p *page, args []string) error
}

var transforms = map[string]transform{
	// The same article in another template of its outlet.
	"moveArticle": {1, moveArticle},
	// The article's text from a file of the corpus: the headline on the
	// first line, then paragraphs separated by blank lines.
	"setArticle": {1, setArticle},
	// Headline and metadata.
	"setHeadline":        {1, func(p *page, a []string) error { return setHeadline(p, a[0], true) }},
	"setVisibleHeadline": {1, func(p *page, a []string) error { return setHeadline(p, a[0], false) }},
	"addJSONLD":          {0, addJSONLD},
	// The byline as the page writes it.
	"setByline": {1, setByline},
	// Words of the body.
	"replaceText": {2, replaceText},
	// Blocks around the article.
	"insertBefore": {2, func(p *page, a []string) error { return insertAt(p, a[0], a[1], false) }},
	"insertAfter":  {2, func(p *page, a []string) error { return insertAt(p, a[0], a[1], true) }},
	"remove":       {1, removeAll},
	// Blocks of the body, by index (negative: from the end).
	"insertBeforeBlock": {2, func(p *page, a []string) error { return insertAtBlock(p, a[0], a[1], false) }},
	"insertAfterBlock":  {2, func(p *page, a []string) error { return insertAtBlock(p, a[0], a[1], true) }},
	"removeBlock":       {1, removeBlock},
	"moveBlock":         {2, moveBlock},
	// Template variants of the same page.
	"reclass":   {0, reclass},
	"wrapBody":  {1, wrapBody},
	"splitBody": {2, splitBody},
}

// apply runs one step of a case on p.
func apply(p *page, step []string) error {
	if len(step) == 0 {
		return fmt.Errorf("an empty step")
	}
	t, ok := transforms[step[0]]
	if !ok {
		return fmt.Errorf("unknown transformation %q", step[0])
	}
	if len(step)-1 != t.args {
		return fmt.Errorf("%s takes %d arguments, got %d", step[0], t.args, len(step)-1)
	}
	if err := t.run(p, step[1:]); err != nil {
		return fmt.Errorf("%s on %s: %w", step[0], p.name, err)
	}
	return nil
}

// moveArticle puts the article of page from into p's template: headline
// (visible and in the metadata), description, author, the article's own
// slots (print line, author's biography), the body, block by block into
// p's own body blocks, and the figures' captions and credits, so p's
// wrappers, ads and furniture stay where the template puts them.
func moveArticle(p *page, args []string) error {
	from, err := p.m.readOnlyPage(args[0])
	if err != nil {
		return err
	}
	if from.anat.Site != p.anat.Site {
		return fmt.Errorf("%s is of %s, not of the same outlet as %s (%s)", from.name, from.anat.Site, p.name, p.anat.Site)
	}
	headline, err := from.headline()
	if err != nil {
		return err
	}
	if err := setHeadline(p, headline, true); err != nil {
		return err
	}
	desc := description(from)
	setDescription(p, desc)
	if p.anat.Summary != "" {
		sums, err := selectSome(p.doc, p.anat.Summary, "summary")
		if err != nil {
			return err
		}
		if desc == "" {
			remove(sums[0])
		} else {
			setText(sums[0], desc)
		}
	}
	if err := renameAuthor(p, from.anat.Author); err != nil {
		return err
	}
	for name, sel := range p.anat.Slots {
		to, err := selectSome(p.doc, sel, "slot "+name)
		if err != nil {
			return err
		}
		fromSel, ok := from.anat.Slots[name]
		if !ok {
			remove(to[0]) // this page's own, with no counterpart
			continue
		}
		src, err := selectSome(from.doc, fromSel, "slot "+name)
		if err != nil {
			return err
		}
		setText(to[0], textOf(src[0]))
	}
	src, err := from.blocks()
	if err != nil {
		return err
	}
	if err := fillBody(p, src); err != nil {
		return err
	}
	return moveFigures(p, from)
}

// fillBody replaces p's body blocks by copies of src: the i-th block of
// src takes the place (and the attributes) of p's i-th block; blocks
// beyond p's follow its last one, and p's blocks beyond src's are removed.
func fillBody(p *page, src []*html.Node) error {
	slots, err := p.blocks()
	if err != nil {
		return err
	}
	if len(src) == 0 {
		return fmt.Errorf("no blocks to put in the body")
	}
	var last *html.Node
	for i, s := range src {
		shell := slots[min(i, len(slots)-1)]
		n := &html.Node{Type: html.ElementNode, Data: s.Data, DataAtom: s.DataAtom, Attr: append([]html.Attribute(nil), shell.Attr...)}
		for c := s.FirstChild; c != nil; c = c.NextSibling {
			n.AppendChild(cloneTree(c))
		}
		if i < len(slots) {
			insertBefore(slots[i], []*html.Node{n})
			remove(slots[i])
		} else {
			insertAfter(last, []*html.Node{n})
		}
		last = n
	}
	for _, s := range slots[min(len(src), len(slots)):] {
		remove(s)
	}
	return nil
}

// moveFigures gives p's figures the captions and credits of from's, in
// order. p's figures beyond from's are removed; from's beyond p's follow
// the article's last block as from has them, so that every caption of the
// article is still on the page.
func moveFigures(p, from *page) error {
	var figs, src []*html.Node
	var err error
	if p.anat.Figures != "" {
		if figs, err = selectAll(p.doc, p.anat.Figures); err != nil {
			return err
		}
	}
	if from.anat.Figures != "" {
		if src, err = selectAll(from.doc, from.anat.Figures); err != nil {
			return err
		}
	}
	if len(src) > len(figs) {
		blocks, err := p.blocks()
		if err != nil {
			return err
		}
		var extra []*html.Node
		for _, f := range src[len(figs):] {
			extra = append(extra, cloneTree(f))
		}
		insertAfter(blocks[len(blocks)-1], extra)
	}
	for i, fig := range figs {
		if i >= len(src) {
			remove(fig)
			continue
		}
		for _, part := range []struct {
			to, from string
			credit   bool
		}{{p.anat.Caption, from.anat.Caption, false}, {p.anat.Credit, from.anat.Credit, true}} {
			if part.to == "" {
				continue
			}
			dst, err := selectAll(fig, part.to)
			if err != nil || len(dst) == 0 {
				continue
			}
			text := ""
			if part.from != "" {
				if s, err := selectAll(src[i], part.from); err == nil && len(s) > 0 {
					text = textOf(s[0])
				}
			}
			if part.credit {
				text = creditName(text)
			}
			switch {
			case text == "":
				remove(dst[0])
			case part.credit:
				setCredit(dst[0], text)
			default:
				setText(dst[0], text)
			}
		}
	}
	return nil
}

// setCredit writes a photographer's credit, keeping the template's
// "Credit" label where it has one.
func setCredit(n *html.Node, name string) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type != html.ElementNode || textOf(c) != "Credit" {
			n.RemoveChild(c)
		}
		c = next
	}
	n.AppendChild(&html.Node{Type: html.TextNode, Data: " " + name})
}

// creditName is a credit without its "Credit" label.
func creditName(s string) string {
	for {
		t := strings.TrimSpace(s)
		t = strings.TrimPrefix(t, "Credit")
		t = strings.TrimLeft(t, ".…: ")
		if t == s {
			return t
		}
		s = t
	}
}

// description is the page's summary in its metadata.
func description(p *page) string {
	for _, sel := range []string{`meta[name=description]`, `meta[property="og:description"]`, `meta[name="twitter:description"]`} {
		if ms, err := selectAll(p.doc, sel); err == nil && len(ms) > 0 {
			if c := strings.TrimSpace(attr(ms[0], "content")); c != "" {
				return c
			}
		}
	}
	return ""
}

func setDescription(p *page, desc string) {
	for _, sel := range []string{`meta[name=description]`, `meta[property="og:description"]`, `meta[name="twitter:description"]`, `meta[property="twitter:description"]`} {
		ms, _ := selectAll(p.doc, sel)
		for _, m := range ms {
			setAttr(m, "content", desc)
		}
	}
}

func setAttr(n *html.Node, key, val string) {
	for i, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}

// setHeadline gives the page a new headline: the visible one, <title>,
// the og: and twitter: titles, and with jsonLD the JSON-LD headline too
// (without, the JSON-LD is left stale, as sites do).
func setHeadline(p *page, headline string, jsonLD bool) error {
	old, err := p.headline()
	if err != nil {
		return err
	}
	if old == headline {
		return fmt.Errorf("the headline is %q already", old)
	}
	hs, _ := selectAll(p.doc, p.anat.Headline)
	for _, h := range hs {
		setText(h, headline)
	}
	titles, _ := selectAll(p.doc, "title")
	for _, t := range titles {
		if s := textOf(t); strings.Contains(s, old) {
			setText(t, strings.Replace(s, old, headline, 1))
		} else {
			setText(t, headline)
		}
	}
	metas, _ := selectAll(p.doc, "meta[content]")
	for _, m := range metas {
		if c := attr(m, "content"); strings.Contains(c, old) {
			setAttr(m, "content", strings.Replace(c, old, headline, 1))
		}
	}
	if !jsonLD {
		return nil
	}
	scripts, err := p.jsonLD()
	if err != nil {
		return err
	}
	for _, s := range scripts {
		rewriteJSONLD(s, func(_, v string) string { return strings.ReplaceAll(v, old, headline) })
	}
	return nil
}

// addJSONLD gives a page without JSON-LD article data a NewsArticle with
// its headline and author, as many templates carry.
func addJSONLD(p *page, _ []string) error {
	headline, err := p.headline()
	if err != nil {
		return err
	}
	data := map[string]any{"@context": "https://schema.org", "@type": "NewsArticle", "headline": headline}
	if p.anat.Author != "" {
		data["author"] = map[string]any{"@type": "Person", "name": p.anat.Author}
	}
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	head, err := p.head()
	if err != nil {
		return err
	}
	script := &html.Node{Type: html.ElementNode, Data: "script", Attr: []html.Attribute{{Key: "type", Val: "application/ld+json"}}}
	script.AppendChild(&html.Node{Type: html.TextNode, Data: string(b)})
	head.AppendChild(script)
	return nil
}

// renameAuthor replaces the page's author by name wherever the page
// writes it (the visible byline, the metadata, JSON-LD), in the case each
// place writes it in: a byline in capitals stays in capitals.
func renameAuthor(p *page, name string) error {
	old := p.anat.Author
	if old == "" || name == "" {
		return fmt.Errorf("the manifest names no author for %s or for the page moved into it", p.name)
	}
	styled := func(s string) string {
		return replaceFold(s, old, func(found string) string {
			if found == strings.ToUpper(found) {
				return strings.ToUpper(name)
			}
			return name
		})
	}
	changed := 0
	bylines, err := selectSome(p.doc, p.anat.Byline, "byline")
	if err != nil {
		return err
	}
	for _, b := range bylines {
		eachText(b, func(t *html.Node) {
			if s := styled(t.Data); s != t.Data {
				t.Data = s
				changed++
			}
		})
	}
	if changed == 0 {
		return fmt.Errorf("the byline %q does not hold the author %q", textOf(bylines[0]), old)
	}
	metas, _ := selectAll(p.doc, "meta[content]")
	for _, m := range metas {
		setAttr(m, "content", styled(attr(m, "content")))
	}
	scripts, _ := p.jsonLD()
	for _, s := range scripts {
		rewriteJSONLD(s, func(_, v string) string { return styled(v) })
	}
	return nil
}

// replaceFold replaces every occurrence of old in s, compared ignoring
// case, by what repl makes of the text found.
func replaceFold(s, old string, repl func(found string) string) string {
	if old == "" {
		return s
	}
	lower, lowerOld := strings.ToLower(s), strings.ToLower(old)
	if len(lower) != len(s) {
		return s // a case change that moves bytes: leave it be
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, lowerOld)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(repl(s[i : i+len(old)]))
		s, lower = s[i+len(old):], lower[i+len(old):]
	}
}

func eachText(n *html.Node, f func(t *html.Node)) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode:
			f(c)
		case c.Type == html.ElementNode && (c.Data == "script" || c.Data == "style"):
		default:
			eachText(c, f)
		}
	}
}

// setByline writes the byline anew: the visible one and the byline
// metadata ("byl" as written, the author fields as names only).
func setByline(p *page, args []string) error {
	text := args[0]
	if p.anat.Byline == "" {
		return fmt.Errorf("the manifest names no byline for %s", p.name)
	}
	bylines, err := selectSome(p.doc, p.anat.Byline, "byline")
	if err != nil {
		return err
	}
	if textOf(bylines[0]) == text {
		return fmt.Errorf("the byline is %q already", text)
	}
	setText(bylines[0], text)
	names := withoutBy(text)
	metas, _ := selectAll(p.doc, "meta[content]")
	for _, m := range metas {
		key := strings.ToLower(attr(m, "name") + attr(m, "property"))
		c := attr(m, "content")
		switch {
		case key == "byl":
			setAttr(m, "content", text)
		case strings.HasSuffix(key, "author") && c != "" && !strings.Contains(c, "://"):
			setAttr(m, "content", names)
		}
	}
	if p.anat.Author != "" {
		scripts, _ := p.jsonLD()
		for _, s := range scripts {
			rewriteJSONLD(s, func(_, v string) string {
				if strings.EqualFold(strings.TrimSpace(v), p.anat.Author) {
					return names
				}
				return v
			})
		}
	}
	return nil
}

// withoutBy is a byline without its leading "By" (or "Par", "Von",
// "Por").
func withoutBy(s string) string {
	for _, by := range []string{"by ", "par ", "von ", "por "} {
		if len(s) > len(by) && strings.EqualFold(s[:len(by)], by) {
			return strings.TrimSpace(s[len(by):])
		}
	}
	return s
}

// replaceText replaces the first occurrence of old in the page's body
// text. One text node must hold it whole; a space in old stands for any
// run of white space in the page's source (its lines are wrapped).
func replaceText(p *page, args []string) error {
	old, repl := strings.TrimSpace(args[0]), args[1]
	if old == "" {
		return fmt.Errorf("nothing to replace")
	}
	var pattern strings.Builder
	for i, w := range strings.Fields(old) {
		if i > 0 {
			pattern.WriteString(`\s+`)
		}
		pattern.WriteString(regexp.QuoteMeta(w))
	}
	re := regexp.MustCompile(pattern.String())
	body, err := p.body()
	if err != nil {
		return err
	}
	done := false
	eachText(body, func(t *html.Node) {
		if done {
			return
		}
		if loc := re.FindStringIndex(t.Data); loc != nil {
			t.Data = t.Data[:loc[0]] + repl + t.Data[loc[1]:]
			done = true
		}
	})
	if !done {
		return fmt.Errorf("no text of the body holds %q whole (a link or a tag may cut it)", old)
	}
	return nil
}

// insertAt parses h and puts it before or after the first element that
// matches sel.
func insertAt(p *page, sel, h string, after bool) error {
	refs, err := selectSome(p.doc, sel, "element to insert at")
	if err != nil {
		return err
	}
	return insertNear(refs[0], h, after)
}

func insertNear(ref *html.Node, h string, after bool) error {
	nodes, err := fragment(ref.Parent, h)
	if err != nil {
		return err
	}
	if after {
		insertAfter(ref, nodes)
	} else {
		insertBefore(ref, nodes)
	}
	return nil
}

func removeAll(p *page, args []string) error {
	nodes, err := selectSome(p.doc, args[0], "element to remove")
	if err != nil {
		return err
	}
	for _, n := range nodes {
		remove(n)
	}
	return nil
}

// block returns the body block at index s (negative: from the end).
func block(p *page, s string) (*html.Node, []*html.Node, error) {
	blocks, err := p.blocks()
	if err != nil {
		return nil, nil, err
	}
	i, err := strconv.Atoi(s)
	if err != nil {
		return nil, nil, fmt.Errorf("block index %q is not a number", s)
	}
	if i < 0 {
		i += len(blocks)
	}
	if i < 0 || i >= len(blocks) {
		return nil, nil, fmt.Errorf("block %s: the body has %d blocks", s, len(blocks))
	}
	return blocks[i], blocks, nil
}

func insertAtBlock(p *page, index, h string, after bool) error {
	b, _, err := block(p, index)
	if err != nil {
		return err
	}
	return insertNear(b, h, after)
}

func removeBlock(p *page, args []string) error {
	b, _, err := block(p, args[0])
	if err != nil {
		return err
	}
	remove(b)
	return nil
}

// moveBlock moves block i to just before block j (as both were counted
// before the move).
func moveBlock(p *page, args []string) error {
	b, _, err := block(p, args[0])
	if err != nil {
		return err
	}
	to, _, err := block(p, args[1])
	if err != nil {
		return err
	}
	if b == to {
		return fmt.Errorf("block %s moved before itself", args[0])
	}
	remove(b)
	insertBefore(to, []*html.Node{b})
	return nil
}

// reclass gives every element from <body> down to the article's blocks
// new class names and no id, the way a redesign regenerates its styles:
// the same structure, none of the names an extractor weighs.
func reclass(p *page, _ []string) error {
	blocks, err := p.blocks()
	if err != nil {
		return err
	}
	seen := map[*html.Node]bool{}
	for _, b := range blocks {
		for n := b; n != nil && n.Type == html.ElementNode && n.Data != "body" && n.Data != "html"; n = n.Parent {
			if seen[n] {
				break
			}
			seen[n] = true
		}
	}
	for n := range seen {
		h := fnv.New32a()
		h.Write([]byte(n.Data + " " + attr(n, "class") + " " + attr(n, "id")))
		var kept []html.Attribute
		for _, a := range n.Attr {
			if a.Key != "class" && a.Key != "id" {
				kept = append(kept, a)
			}
		}
		n.Attr = append(kept, html.Attribute{Key: "class", Val: fmt.Sprintf("css-%07x", h.Sum32()&0xfffffff)})
	}
	return nil
}

// wrapBody wraps what the first block's container holds in the element
// h describes (its innermost first element receives the content).
func wrapBody(p *page, args []string) error {
	blocks, err := p.blocks()
	if err != nil {
		return err
	}
	container := blocks[0].Parent
	nodes, err := fragment(container, args[0])
	if err != nil {
		return err
	}
	inner := innermost(nodes)
	if inner == nil {
		return fmt.Errorf("%q has no element to wrap the body in", args[0])
	}
	for container.FirstChild != nil {
		c := container.FirstChild
		container.RemoveChild(c)
		inner.AppendChild(c)
	}
	for _, n := range nodes {
		container.AppendChild(n)
	}
	return nil
}

// splitBody moves the blocks from index i on out of the article, into the
// element h describes, placed at the end of the page: a template that
// cuts the story in two, where an extractor keeps only the first part
// although the rest is still on the page.
func splitBody(p *page, args []string) error {
	first, blocks, err := block(p, args[0])
	if err != nil {
		return err
	}
	body, err := p.body()
	if err != nil {
		return err
	}
	nodes, err := fragment(body, args[1])
	if err != nil {
		return err
	}
	inner := innermost(nodes)
	if inner == nil {
		return fmt.Errorf("%q has no element to hold the rest of the body", args[1])
	}
	moving := false
	for _, b := range blocks {
		if b == first {
			moving = true
		}
		if moving {
			remove(b)
			inner.AppendChild(b)
		}
	}
	for _, n := range nodes {
		body.AppendChild(n)
	}
	return nil
}

// innermost follows the first element child down from the first element
// of nodes.
func innermost(nodes []*html.Node) *html.Node {
	var n *html.Node
	for _, c := range nodes {
		if c.Type == html.ElementNode {
			n = c
			break
		}
	}
	for n != nil {
		next := n.FirstChild
		for next != nil && next.Type != html.ElementNode {
			next = next.NextSibling
		}
		if next == nil {
			return n
		}
		n = next
	}
	return nil
}

// setArticle replaces the page's headline and body by a text of the
// corpus.
func setArticle(p *page, args []string) error {
	path := filepath.Join(corpusDir(), filepath.FromSlash(args[0]))
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	headline, text, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	var paras []*html.Node
	for para := range strings.SplitSeq(text, "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			n := &html.Node{Type: html.ElementNode, Data: "p"}
			n.AppendChild(&html.Node{Type: html.TextNode, Data: para})
			paras = append(paras, n)
		}
	}
	if len(paras) == 0 {
		return fmt.Errorf("%s holds a headline but no paragraphs", args[0])
	}
	if err := setHeadline(p, strings.TrimSpace(headline), true); err != nil {
		return err
	}
	return fillBody(p, paras)
}
