package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"redline/daemon/internal/canonical"
)

// maxListFile bounds a list of addresses, bookmarks or OPML file: far more
// than any browser's bookmarks.
const maxListFile = 64 << 20

func runImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "import")
	data := dataFlag(fs)
	if err := parseOneArg(fs, args, "name the FILE to import (or - for stdin)"); err != nil {
		return err
	}
	path, cleanup, err := importFile(fs.Arg(0), e.stdin)
	if err != nil {
		return err
	}
	defer cleanup()
	kind, err := sniffImport(path)
	if err != nil {
		return err
	}
	if kind == importExport {
		return withService(ctx, *data, func(r redlineService) error {
			rep, err := r.ImportExport(ctx, path, func(total int64) *meter { return newMeter(e, "import", meterBytes, total) })
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "imported %s: %d articles added (%d versions), %d already there\n", fs.Arg(0), rep.Added, rep.Versions, rep.Existing)
			return nil
		})
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", fs.Arg(0), err)
	}
	var links []link
	switch kind {
	case importBookmarks:
		links, err = bookmarkLinks(b)
	case importOPML:
		links, err = opmlLinks(b)
	default:
		links, err = listLinks(b)
	}
	if err != nil {
		return fmt.Errorf("%s: %w; nothing was imported", fs.Arg(0), err)
	}
	pages, skipped := webPages(links)
	if len(pages) == 0 {
		return fmt.Errorf("%s: no web page addresses to import (%d other links skipped)", fs.Arg(0), skipped)
	}
	return withService(ctx, *data, func(r redlineService) error {
		st, err := r.Status(ctx)
		if err != nil {
			return err
		}
		if st.Empty {
			return fmt.Errorf("no Redline data in %s yet: start the daemon with `redline serve` first; nothing was imported", st.DataDir)
		}
		return trackAll(ctx, e, r, pages, skipped)
	})
}

// importFile returns a file to read the import from: the one named, or
// stdin (or a pipe named) copied to a temporary file (an export is read twice: checked
// whole, then written).
func importFile(name string, stdin io.Reader) (path string, cleanup func(), err error) {
	if name != "-" {
		fi, err := os.Stat(name)
		if err != nil {
			return "", nil, fmt.Errorf("open %s: %w", name, err)
		}
		if fi.IsDir() {
			return "", nil, fmt.Errorf("open %s: a folder, not a file", name)
		}
		if fi.Mode().IsRegular() {
			return name, func() {}, nil
		}
		f, err := os.Open(name) // a pipe or a device: kept like stdin
		if err != nil {
			return "", nil, fmt.Errorf("open %s: %w", name, err)
		}
		defer f.Close()
		stdin = f
	}
	f, err := os.CreateTemp("", "redline-import-*")
	if err != nil {
		return "", nil, fmt.Errorf("keep stdin: %w", err)
	}
	cleanup = func() { os.Remove(f.Name()) }
	if _, err := io.Copy(f, stdin); err != nil {
		f.Close()
		cleanup()
		return "", nil, fmt.Errorf("read stdin: %w", err)
	}
	if err := f.Close(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("keep stdin: %w", err)
	}
	return f.Name(), cleanup, nil
}

// importKind is what a file to import holds.
type importKind int

const (
	importList importKind = iota
	importExport
	importBookmarks
	importOPML
)

// sniffImport tells an export (JSON lines), a bookmarks file, an OPML file
// and a list of addresses apart by how they start.
func sniffImport(path string) (importKind, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, 1024)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	head = bytes.TrimLeft(bytes.TrimPrefix(head[:n], []byte("\xef\xbb\xbf")), " \t\r\n")
	lower := bytes.ToLower(head)
	switch {
	case len(head) == 0:
		return 0, fmt.Errorf("%s is empty: nothing to import", filepath.Base(path))
	case head[0] == '{':
		return importExport, nil
	case bytes.Contains(lower, []byte("<!doctype netscape-bookmark-file")):
		return importBookmarks, nil
	case bytes.Contains(lower, []byte("<opml")):
		return importOPML, nil
	case head[0] == '<':
		return 0, fmt.Errorf("%s is neither a bookmarks file nor OPML: Redline imports its own export, a list of addresses, a bookmarks file and OPML", filepath.Base(path))
	}
	return importList, nil
}

// link is an address found in a file, with the line it is on.
type link struct {
	url  string
	line int
}

// listLinks reads a list of addresses: one per line; blank lines and
// lines starting with # are skipped. Any other line must be an address.
func listLinks(b []byte) ([]link, error) {
	if !utf8.Valid(b) {
		return nil, errors.New("not text (UTF-8)")
	}
	var out []link
	var bad []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, maxListFile)
	for n := 1; sc.Scan(); n++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		if _, err := canonical.URL(s); err != nil {
			bad = append(bad, fmt.Sprintf("line %d: %v", n, err))
			continue
		}
		out = append(out, link{s, n})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, badLines(bad)
}

// badLines joins the mistakes found, at most ten of them.
func badLines(bad []string) error {
	switch {
	case len(bad) == 0:
		return nil
	case len(bad) > 10:
		return fmt.Errorf("%d bad lines: %s; …", len(bad), strings.Join(bad[:10], "; "))
	}
	return fmt.Errorf("%d bad line(s): %s", len(bad), strings.Join(bad, "; "))
}

// bookmarkLinks reads the bookmarks file browsers export (the
// NETSCAPE-Bookmark-file-1 format): every <A HREF>.
func bookmarkLinks(b []byte) ([]link, error) {
	z := html.NewTokenizer(bytes.NewReader(b))
	line := 1
	var out []link
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if errors.Is(z.Err(), io.EOF) {
				return out, nil
			}
			return nil, fmt.Errorf("line %d: %v", line, z.Err())
		}
		raw := z.Raw()
		if tt == html.StartTagToken {
			name, hasAttr := z.TagName()
			if atom.Lookup(name) == atom.A && hasAttr {
				for {
					k, v, more := z.TagAttr()
					if string(k) == "href" {
						out = append(out, link{strings.TrimSpace(string(v)), line})
					}
					if !more {
						break
					}
				}
			}
		}
		line += bytes.Count(raw, []byte("\n"))
	}
}

// opmlLinks reads an OPML outline: each outline's url (a link list),
// else its htmlUrl (the site of a feed), else its xmlUrl (the feed).
func opmlLinks(b []byte) ([]link, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	var out []link
	sawOPML := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if !sawOPML {
				return nil, errors.New("no <opml> element")
			}
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("not well-formed OPML: %w", err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch el.Name.Local {
		case "opml":
			sawOPML = true
		case "outline":
			attr := map[string]string{}
			for _, a := range el.Attr {
				attr[strings.ToLower(a.Name.Local)] = strings.TrimSpace(a.Value)
			}
			line, _ := d.InputPos()
			for _, k := range []string{"url", "htmlurl", "xmlurl"} {
				if attr[k] != "" {
					out = append(out, link{attr[k], line})
					break
				}
			}
		}
	}
}

// webPages keeps the http and https addresses, each once, and counts the
// other links (a browser's bookmarks hold javascript:, place: and the like).
func webPages(links []link) (pages []link, skipped int) {
	seen := map[string]bool{}
	for _, l := range links {
		u, err := canonical.URL(l.url)
		if err != nil || !(strings.HasPrefix(l.url, "http://") || strings.HasPrefix(l.url, "https://")) {
			skipped++
			continue
		}
		if seen[u] {
			continue
		}
		seen[u] = true
		pages = append(pages, link{u, l.line})
	}
	return pages, skipped
}

// trackAll starts watching each page that is new to Redline, as `redline
// track` does, and says what it did. A page that cannot be watched is
// reported with its line; the others are still watched.
func trackAll(ctx context.Context, e *env, r redlineService, pages []link, skipped int) error {
	m := newMeter(e, "import", meterItems, int64(len(pages)))
	var added, known int
	var failed []string
	for _, p := range pages {
		if ctx.Err() != nil {
			m.done(false)
			return ctx.Err()
		}
		ok, err := r.Known(ctx, p.url)
		switch {
		case err != nil:
			failed = append(failed, fmt.Sprintf("line %d: %s: %s", p.line, p.url, oneLine(err)))
		case ok:
			known++
		default:
			if _, err := r.Track(ctx, p.url); err != nil {
				failed = append(failed, fmt.Sprintf("line %d: %s: %s", p.line, p.url, oneLine(err)))
			} else {
				added++
			}
		}
		m.add(1, 0)
	}
	m.done(true)
	fmt.Fprintf(e.stdout, "watching %d new pages, %d already there", added, known)
	if skipped > 0 {
		fmt.Fprintf(e.stdout, ", %d links that are not web pages skipped", skipped)
	}
	fmt.Fprintln(e.stdout)
	if len(failed) == 0 {
		return nil
	}
	for _, f := range failed {
		fmt.Fprintf(e.stderr, "not watched: %s\n", f)
	}
	return fmt.Errorf("%d of %d pages could not be watched (listed above); import the file again to retry them", len(failed), len(pages))
}
