package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"redline/daemon/internal/diff"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets/*
var assetFS embed.FS

// asset is one embedded file, served under /assets/<sum>/<name>.
type asset struct {
	sum  string
	body []byte
	typ  string
}

// pages are the parsed templates and the assets.
type pages struct {
	tmpl   map[string]*template.Template
	assets map[string]asset
}

func loadPages() (*pages, error) {
	p := &pages{tmpl: map[string]*template.Template{}, assets: map[string]asset{}}
	names, err := fs.Glob(assetFS, "assets/*")
	if err != nil {
		return nil, fmt.Errorf("list assets: %w", err)
	}
	for _, n := range names {
		b, err := assetFS.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("read asset %s: %w", n, err)
		}
		sum := sha256.Sum256(b)
		typ := mime.TypeByExtension(path.Ext(n))
		if typ == "" {
			typ = "application/octet-stream"
		}
		p.assets[path.Base(n)] = asset{sum: hex.EncodeToString(sum[:6]), body: b, typ: typ}
	}
	funcs := template.FuncMap{
		"asset": func(name string) (string, error) {
			a, ok := p.assets[name]
			if !ok {
				return "", fmt.Errorf("no asset %q", name)
			}
			return "/assets/" + a.sum + "/" + name, nil
		},
		"ago":      ago,
		"abs":      absTime,
		"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"duration": durationText,
		"plural":   plural,
		"add":      func(a, b int) int { return a + b },
		"pair":     func(c change, csrf string) changeItem { return changeItem{C: c, CSRF: csrf} },
		"sub":      func(a, b int) int { return a - b },
		"spanOld":  func(s diff.Span) bool { return s.Op != diff.SpanInsert },
		"spanNew":  func(s diff.Span) bool { return s.Op != diff.SpanDelete },
		"utc":      shareTime,
		"list":     func(vs ...SharedVersion) []SharedVersion { return vs },
		"inlineCSS": func(name string) (template.CSS, error) {
			a, ok := p.assets[name]
			if !ok {
				return "", fmt.Errorf("no asset %q", name)
			}
			return template.CSS(a.body), nil
		},
		"pct": func(a, b int) int {
			if b == 0 {
				return 0
			}
			return int(math.Round(100 * float64(a) / float64(b)))
		},
	}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/parts.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" || name == "parts" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
		p.tmpl[name] = t
	}
	return p, nil
}

// view is what every page template gets.
type view struct {
	Title string
	// Nav names the section in the top bar that is current.
	Nav  string
	CSRF string
	// Feed is the Atom feed this page advertises (with its token).
	Feed      string
	FeedTitle string
	// Live turns on live updates: the page carries a ticket for the socket.
	Live        bool
	Ticket      string
	LastEventID int64
	Unseen      int
	// Refresh is where the page moves the browser on to by itself (after
	// login): an absolute URL on the dashboard's own origin.
	Refresh string
	Message *message
	Data    any
}

// changeItem is a change with the form token, for the change template.
type changeItem struct {
	C    change
	CSRF string
}

// message is a page that says one thing. Commands in its text are
// written between backticks, as in "Run `redline open`": the page shows
// them as code, exactly as typed.
type message struct {
	Heading string
	Text    string
}

// textPart is a run of a message's text: plain words, or a command.
type textPart struct {
	Text string
	Code bool
}

// Parts splits the text at its backticks: every second run is a command.
// A backtick without its pair stays as it is.
func (m message) Parts() []textPart {
	runs := strings.Split(m.Text, "`")
	if len(runs)%2 == 0 {
		last := len(runs) - 1
		runs = append(runs[:last-1], runs[last-1]+"`"+runs[last])
	}
	parts := make([]textPart, 0, len(runs))
	for i, r := range runs {
		if r != "" {
			parts = append(parts, textPart{Text: r, Code: i%2 == 1})
		}
	}
	return parts
}

// render writes a page. Templates render into a buffer first, so a
// template error never leaves half a page.
func (d *Dashboard) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	t, ok := d.pages.tmpl[name]
	if !ok {
		d.log.Error("no template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		d.log.Error("render page", "page", name, "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (d *Dashboard) asset(w http.ResponseWriter, r *http.Request) {
	a, ok := d.pages.assets[r.PathValue("name")]
	if !ok || a.sum != r.PathValue("sum") {
		d.notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.typ)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(a.body)
}

// ago says how long ago t was, in words ("3 hours ago").
func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := time.Since(t)
	if d < 0 {
		return "in " + durationText(-d)
	}
	if d < time.Minute {
		return "just now"
	}
	return durationText(d) + " ago"
}

// absTime is t in the daemon's local time, unambiguous.
func absTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("Mon 2 Jan 2006, 15:04 MST")
}

// durationText says a duration roughly, as a reader would ("about 3
// hours", "2 days").
func durationText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return plural(int(math.Round(d.Minutes())), "minute")
	case d < 24*time.Hour:
		h := int(math.Round(d.Hours()))
		if h == 24 {
			return "1 day"
		}
		return "about " + plural(h, "hour")
	case d < 60*24*time.Hour:
		return plural(int(math.Round(d.Hours()/24)), "day")
	case d < 730*24*time.Hour:
		return plural(int(math.Round(d.Hours()/24/30.44)), "month")
	}
	return plural(int(math.Round(d.Hours()/24/365.25)), "year")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
