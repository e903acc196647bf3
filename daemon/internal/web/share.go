package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"

	"redline/daemon/internal/article"
	"redline/daemon/internal/diff"
	"redline/daemon/internal/store"
)

// Share is a change as it leaves Redline: two versions of an article
// compared, to keep as proof or to post. It is written as a single HTML
// file (HTML), Markdown (Markdown), text for a terminal (Text) or a PNG
// card (Card). Every form is drawn from the dashboard's diff view
// (newDiffView, previewOf), so they all show the same change.
type Share struct {
	URL      string
	Site     string
	SiteName string
	// Title is the headline of the newer version.
	Title    string
	From, To SharedVersion
	Result   diff.Result
	// Across is set when the two versions come from different lineages
	// (a browser capture and a fetch).
	Across bool
}

// SharedVersion is one side of a shared change.
type SharedVersion struct {
	Number     int
	CapturedAt time.Time
	Source     article.Source
	Title      string
	// TextSHA256 is the SHA-256 of the version's text (VersionText), in
	// hex: anyone holding the text can check it.
	TextSHA256 string
}

// NewShare is the change from version from to version to of a, as the
// diff engine compared them (res).
func NewShare(a article.Article, from, to article.Version, res diff.Result, across bool) Share {
	return newShare(a, from, to, res, across, true)
}

// newShare is NewShare, with the SHA-256 of the texts only when hash is
// set: the article page does without them when it carries no Markdown.
func newShare(a article.Article, from, to article.Version, res diff.Result, across, hash bool) Share {
	side := func(v article.Version) SharedVersion {
		sv := SharedVersion{Number: v.Number, CapturedAt: v.CapturedAt, Source: v.Source, Title: v.Title}
		if hash {
			sum := sha256.Sum256([]byte(VersionText(v.Content)))
			sv.TextSHA256 = hex.EncodeToString(sum[:])
		}
		return sv
	}
	return Share{URL: a.URL, Site: a.Site, SiteName: a.SiteName, Title: to.Title, From: side(from), To: side(to), Result: res, Across: across}
}

// VersionText is a version's text as a shared change fingerprints it:
// the headline, the byline when there is one, then each block, separated
// by a blank line, in UTF-8 without a final newline.
func VersionText(c article.Content) string {
	parts := []string{c.Title}
	if c.Byline != "" {
		parts = append(parts, c.Byline)
	}
	for _, b := range c.Blocks {
		parts = append(parts, b.Text)
	}
	return strings.Join(parts, "\n\n")
}

// view is the dashboard's view of the change: every paragraph, unchanged
// runs folded, in one part (a file has no next page).
func (s Share) view() diffView {
	info := func(v SharedVersion) store.VersionInfo {
		return store.VersionInfo{Number: v.Number, CapturedAt: v.CapturedAt, Source: v.Source, Title: v.Title}
	}
	return newDiffView(info(s.From), info(s.To), s.Result)
}

// Words is the summary line the dashboard shows: what changed, in words,
// most telling first, then the grade: "Headline changed · 1 paragraph
// edited (substantive)".
func (s Share) Words() string {
	return capital(strings.Join(describe(s.Result.Summary), " · ")) + " (" + string(s.Result.Summary.Significance) + ")"
}

// shareTime is a capture time in a shared change: UTC, so that the file
// says the same wherever it is opened.
func shareTime(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") }

// shareFile is what the sharefile template gets.
type shareFile struct {
	Share
	Diff diffView
}

// sharePages are the templates a share is written with when there is no
// dashboard (`redline diff`); the dashboard has its own copy.
var sharePages = sync.OnceValues(loadPages)

// HTML writes the change as a single self-contained HTML file: inline
// CSS, no script, a Content-Security-Policy that lets nothing load, the
// side-by-side and the inline diff, the article's URL, both versions'
// capture times and the SHA-256 of their text. Every captured string is
// escaped by html/template.
func (s Share) HTML(w io.Writer) error {
	p, err := sharePages()
	if err != nil {
		return err
	}
	return s.html(w, p)
}

func (s Share) html(w io.Writer, p *pages) error {
	t, ok := p.tmpl["share"]
	if !ok {
		return fmt.Errorf("no share template")
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "sharefile", shareFile{Share: s, Diff: s.view()}); err != nil {
		return fmt.Errorf("render shared change: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Markdown writes the change as Markdown: deletions struck through
// (~~old~~), insertions in bold, each changed paragraph a quote. Captured
// text is escaped, so that it stays text wherever the Markdown is pasted:
// no link, image or HTML comes out of it.
func (s Share) Markdown(w io.Writer) error {
	var b strings.Builder
	title := s.Title
	if title == "" {
		title = s.URL
	}
	fmt.Fprintf(&b, "**[%s](%s)**\n\n", mdEscape(title), mdURL(s.URL))
	fmt.Fprintf(&b, "%s\n\n", mdEscape(s.Words()))
	fmt.Fprintf(&b, "Version %d (%s) → version %d (%s)\n\n", s.From.Number, shareTime(s.From.CapturedAt), s.To.Number, shareTime(s.To.CapturedAt))
	v := s.view()
	if v.TitleChanged {
		fmt.Fprintf(&b, "**Headline:** %s\n\n", mdSpans(s.Result.Title))
	}
	if v.BylineChange {
		fmt.Fprintf(&b, "**Byline:** %s\n\n", mdSpans(s.Result.Byline))
	}
	for _, r := range changedRows(v) {
		fmt.Fprintf(&b, "> %s%s\n\n", mdLineStart(mdSpans(r.All)), noteText(r, func(n string) string { return " *(" + n + ")*" }))
	}
	if v.Empty {
		b.WriteString("These two versions hold the same text.\n\n")
	}
	fmt.Fprintf(&b, "*Captured by Redline.* SHA-256 of the text: version %d `%s`, version %d `%s`.\n", s.From.Number, s.From.TextSHA256, s.To.Number, s.To.TextSHA256)
	_, err := io.WriteString(w, b.String())
	return err
}

// changedRows are the paragraphs that differ, in reading order.
func changedRows(v diffView) []row {
	var out []row
	for _, f := range v.Folds {
		for _, r := range f.Rows {
			if r.Op != diff.OpEqual {
				out = append(out, r)
			}
		}
	}
	return out
}

func noteText(r row, wrap func(string) string) string {
	if r.Note == "" {
		return ""
	}
	return wrap(r.Note)
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// mdSpans writes word spans as Markdown. The markers go around the words
// only: a space just inside ** or ~~ would keep them from working.
func mdSpans(spans []diff.Span) string {
	var b strings.Builder
	prev := ""
	for _, s := range spans {
		text := mdEscape(s.Text)
		if s.Op != diff.SpanEqual && prev != "" && prev != diff.SpanEqual && prev != s.Op {
			b.WriteString(" ")
		}
		switch s.Op {
		case diff.SpanDelete:
			b.WriteString(mdMark(text, "~~"))
		case diff.SpanInsert:
			b.WriteString(mdMark(text, "**"))
		default:
			b.WriteString(text)
		}
		prev = s.Op
	}
	return b.String()
}

func mdMark(text, mark string) string {
	core := strings.TrimSpace(text)
	if core == "" {
		return text
	}
	i := strings.Index(text, core)
	return text[:i] + mark + core + mark + text[i+len(core):]
}

// mdEscape makes captured text plain Markdown text: every character that
// could start markup inside a line (emphasis, code, links, HTML, entities,
// tables) is escaped with a backslash, and line breaks and control
// characters become spaces. What only starts markup at the start of a
// line is mdLineStart's.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case strings.ContainsRune("\\`*_[]<>|~&", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r) || isBidiControl(r):
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdLineStartRe matches what makes a line a heading, a list item, a rule
// or a numbered item.
var mdLineStartRe = regexp.MustCompile(`^(\s*)([#+\-=>]|\d+[.)])`)

// mdLineStart escapes the start of a line of captured text that would
// make it a heading, a list or a quote of its own.
func mdLineStart(line string) string {
	m := mdLineStartRe.FindStringSubmatchIndex(line)
	if m == nil {
		return line
	}
	mark := m[5] - 1 // the last byte of the marker: '#', '-', '.' or ')'
	return line[:mark] + "\\" + line[mark:]
}

// mdURL is the article's URL as a Markdown link target: in angle
// brackets, which keep spaces and parentheses inside it.
func mdURL(u string) string {
	return "<" + strings.NewReplacer("<", "%3C", ">", "%3E", "\n", "", "\r", "").Replace(u) + ">"
}

// isBidiControl reports whether r reorders the text around it on screen
// (the explicit bidirectional formatting characters): captured text
// could use them to show a terminal or a reader something else than it
// holds.
func isBidiControl(r rune) bool {
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069' || r == '\u200E' || r == '\u200F' || r == '\u061C'
}

// ANSI styles of the terminal diff.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiDelete = "\x1b[9;31m" // struck through, red
	ansiInsert = "\x1b[4;32m" // underlined, green
)

// Text writes the change for a terminal, headline first: with colour,
// deletions red and struck through, insertions green and underlined;
// without, deletions as [-old-] and insertions as {+new+}. Captured text
// is stripped of control characters, so that it cannot move the cursor,
// retitle the window or colour what follows.
func (s Share) Text(w io.Writer, color bool) error {
	var b strings.Builder
	style := func(code, text string) string {
		if !color {
			return text
		}
		return code + text + ansiReset
	}
	spans := func(ss []diff.Span) string {
		var o strings.Builder
		prev := ""
		for _, sp := range ss {
			text := termSafe(sp.Text)
			if sp.Op != diff.SpanEqual && prev != "" && prev != diff.SpanEqual && prev != sp.Op {
				o.WriteString(" ")
			}
			switch {
			case sp.Op == diff.SpanDelete && color:
				o.WriteString(ansiDelete + text + ansiReset)
			case sp.Op == diff.SpanDelete:
				o.WriteString("[-" + text + "-]")
			case sp.Op == diff.SpanInsert && color:
				o.WriteString(ansiInsert + text + ansiReset)
			case sp.Op == diff.SpanInsert:
				o.WriteString("{+" + text + "+}")
			default:
				o.WriteString(text)
			}
			prev = sp.Op
		}
		return o.String()
	}
	v := s.view()
	title := s.Title
	if title == "" {
		title = s.URL
	}
	b.WriteString(style(ansiBold, termSafe(title)) + "\n")
	b.WriteString(termSafe(s.URL) + "\n")
	b.WriteString(s.Words() + "\n")
	b.WriteString(style(ansiDim, fmt.Sprintf("version %d (%s, %s) → version %d (%s, %s)", s.From.Number, shareTime(s.From.CapturedAt), s.From.Source,
		s.To.Number, shareTime(s.To.CapturedAt), s.To.Source)) + "\n")
	if v.TitleChanged {
		fmt.Fprintf(&b, "\nHeadline: %s\n", spans(s.Result.Title))
	}
	if v.BylineChange {
		fmt.Fprintf(&b, "\nByline: %s\n", spans(s.Result.Byline))
	}
	for _, r := range changedRows(v) {
		n := r.NewNo
		if n == 0 {
			n = r.OldNo
		}
		fmt.Fprintf(&b, "\n%s %s%s\n", style(ansiDim, fmt.Sprintf("¶%d", n)), spans(r.All), noteText(r, func(n string) string { return " " + style(ansiDim, "("+n+")") }))
	}
	if v.Empty {
		b.WriteString("\nThese two versions hold the same text.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// termSafe keeps captured text to one line of printable characters: a
// control character (the escape that starts a terminal command, a
// carriage return) or a bidirectional override becomes U+FFFD, and line
// breaks and tabs become spaces.
func termSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r) || isBidiControl(r):
			return '\uFFFD'
		}
		return r
	}, s)
}
