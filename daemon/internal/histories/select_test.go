package histories

import (
	"fmt"
	"strings"

	"golang.org/x/net/html"
)

// The corpus names the parts of a page (its headline, byline, body) with
// selectors in a small subset of CSS: a tag, .class, #id, [attr],
// [attr=value] and [attr*=value] (quoted or not), :first-child and
// :last-child, joined by descendant (space) and child (>) combinators;
// commas separate alternatives. Matches come in document order.

type attrTest struct {
	key, op, val string // op: "" (present), "=" or "*=" (contains)
}

type compound struct {
	child   bool // joined to the previous compound by '>'
	tag, id string
	classes []string
	attrs   []attrTest
	first   bool
	last    bool
}

type selector [][]compound // alternatives, each a chain of compounds

func parseSelector(s string) (selector, error) {
	var sel selector
	for _, alt := range splitTop(s, ',') {
		chain, err := parseChain(alt)
		if err != nil {
			return nil, fmt.Errorf("selector %q: %w", s, err)
		}
		sel = append(sel, chain)
	}
	if len(sel) == 0 {
		return nil, fmt.Errorf("selector %q is empty", s)
	}
	return sel, nil
}

// splitTop splits s at sep outside brackets and quotes.
func splitTop(s string, sep byte) []string {
	var out []string
	depth, quote, start := 0, byte(0), 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	out = append(out, s[start:])
	var kept []string
	for _, p := range out {
		if strings.TrimSpace(p) != "" {
			kept = append(kept, p)
		}
	}
	return kept
}

func parseChain(s string) ([]compound, error) {
	var chain []compound
	child := false
	i := 0
	for i < len(s) {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n':
			i++
			continue
		case c == '>':
			if len(chain) == 0 || child {
				return nil, fmt.Errorf("'>' needs an element on each side")
			}
			child = true
			i++
			continue
		}
		var cp compound
		var err error
		cp, i, err = parseCompound(s, i)
		if err != nil {
			return nil, err
		}
		cp.child = child
		child = false
		chain = append(chain, cp)
	}
	if child {
		return nil, fmt.Errorf("'>' needs an element on each side")
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("no element named")
	}
	return chain, nil
}

func parseCompound(s string, i int) (compound, int, error) {
	var cp compound
	name := func() string {
		start := i
		for i < len(s) && (isNameByte(s[i])) {
			i++
		}
		return s[start:i]
	}
	if i < len(s) && s[i] != '.' && s[i] != '#' && s[i] != '[' && s[i] != ':' {
		cp.tag = strings.ToLower(name())
		if cp.tag == "" {
			return cp, i, fmt.Errorf("unexpected %q", s[i:])
		}
	}
	for i < len(s) {
		switch s[i] {
		case '.':
			i++
			c := name()
			if c == "" {
				return cp, i, fmt.Errorf("'.' without a class name")
			}
			cp.classes = append(cp.classes, c)
		case '#':
			i++
			cp.id = name()
			if cp.id == "" {
				return cp, i, fmt.Errorf("'#' without an id")
			}
		case '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return cp, i, fmt.Errorf("'[' without ']'")
			}
			a, err := parseAttr(s[i+1 : i+end])
			if err != nil {
				return cp, i, err
			}
			cp.attrs = append(cp.attrs, a)
			i += end + 1
		case ':':
			i++
			switch p := name(); p {
			case "first-child":
				cp.first = true
			case "last-child":
				cp.last = true
			default:
				return cp, i, fmt.Errorf("unknown pseudo-class :%s", p)
			}
		default:
			if s[i] == ' ' || s[i] == '>' || s[i] == '\t' || s[i] == '\n' {
				return cp, i, nil
			}
			return cp, i, fmt.Errorf("unexpected %q", s[i:])
		}
	}
	return cp, i, nil
}

func isNameByte(c byte) bool {
	return c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func parseAttr(s string) (attrTest, error) {
	var a attrTest
	switch k, v, ok := strings.Cut(s, "*="); {
	case ok:
		a.key, a.op, a.val = k, "*=", v
	default:
		if k, v, ok := strings.Cut(s, "="); ok {
			a.key, a.op, a.val = k, "=", v
		} else {
			a.key = s
		}
	}
	a.key = strings.ToLower(strings.TrimSpace(a.key))
	a.val = strings.Trim(strings.TrimSpace(a.val), `"'`)
	if a.key == "" {
		return a, fmt.Errorf("attribute test [%s] names no attribute", s)
	}
	return a, nil
}

func (cp compound) matches(n *html.Node) bool {
	if n.Type != html.ElementNode || cp.tag != "" && n.Data != cp.tag {
		return false
	}
	if cp.id != "" && attr(n, "id") != cp.id {
		return false
	}
	if len(cp.classes) > 0 {
		have := strings.Fields(attr(n, "class"))
		for _, c := range cp.classes {
			found := false
			for _, h := range have {
				if h == c {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
	}
	for _, a := range cp.attrs {
		v, ok := attrOK(n, a.key)
		switch {
		case !ok:
			return false
		case a.op == "=" && v != a.val:
			return false
		case a.op == "*=" && !strings.Contains(v, a.val):
			return false
		}
	}
	if cp.first && prevElement(n) != nil || cp.last && nextElement(n) != nil {
		return false
	}
	return true
}

// matchChain reports whether n matches chain, its last compound being n's.
func matchChain(n *html.Node, chain []compound) bool {
	last := len(chain) - 1
	if !chain[last].matches(n) {
		return false
	}
	if last == 0 {
		return true
	}
	rest := chain[:last]
	if chain[last].child {
		p := n.Parent
		return p != nil && matchChain(p, rest)
	}
	for p := n.Parent; p != nil; p = p.Parent {
		if matchChain(p, rest) {
			return true
		}
	}
	return false
}

func (sel selector) matches(n *html.Node) bool {
	for _, chain := range sel {
		if matchChain(n, chain) {
			return true
		}
	}
	return false
}

// selectAll returns the elements under root that match s, in document
// order.
func selectAll(root *html.Node, s string) ([]*html.Node, error) {
	sel, err := parseSelector(s)
	if err != nil {
		return nil, err
	}
	var out []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				if sel.matches(c) {
					out = append(out, c)
				}
				walk(c)
			}
		}
	}
	walk(root)
	return out, nil
}

// selectSome is selectAll that fails when nothing matches: a case that
// changed nothing would be labelled wrongly.
func selectSome(root *html.Node, s, what string) ([]*html.Node, error) {
	nodes, err := selectAll(root, s)
	if err != nil {
		return nil, err
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("no %s in the page: nothing matches %q", what, s)
	}
	return nodes, nil
}

func attr(n *html.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func prevElement(n *html.Node) *html.Node {
	for p := n.PrevSibling; p != nil; p = p.PrevSibling {
		if p.Type == html.ElementNode {
			return p
		}
	}
	return nil
}

func nextElement(n *html.Node) *html.Node {
	for p := n.NextSibling; p != nil; p = p.NextSibling {
		if p.Type == html.ElementNode {
			return p
		}
	}
	return nil
}
