package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"redline/daemon/internal/article"
	"redline/daemon/internal/diff"
)

// shareLinks are what an article page offers to share the change it
// shows: the HTML file, the card, and the Markdown to copy.
type shareLinks struct {
	HTML, Card string
	// Markdown is the change as Markdown, carried by the page for Copy
	// as Markdown; empty when longer than markdownInPage, and then
	// MarkdownFile downloads it.
	Markdown     string
	MarkdownFile string
	// CardLeft is what the card leaves out because its font cannot
	// draw it (Share.CardLeavesOut): the page says so, and offers the
	// text to copy.
	CardLeft []string
}

// markdownInPage is about the most Markdown an article page carries for
// Copy as Markdown: a long comparison is shown in parts of about
// partBudget, and the page stays small; a longer change is downloaded.
const markdownInPage = 32 << 10

// markdownSize is about how long the Markdown of res is, without writing
// it: the text of the headline, the byline and the changed paragraphs.
func markdownSize(res diff.Result) int {
	n := 512
	for _, ss := range [][]diff.Span{res.Title, res.Byline} {
		for _, s := range ss {
			n += len(s.Text) + 4
		}
	}
	for _, op := range res.Ops {
		if op.Op == diff.OpEqual {
			continue
		}
		n += len(op.Text) + 8
		for _, s := range op.Spans {
			n += len(s.Text) + 4
		}
	}
	return n
}

// shareLinksOf are the share links of the change from version from to
// version to of article a, as the diff engine compared them.
func shareLinksOf(a article.Article, from, to article.Version, res diff.Result, across bool) (*shareLinks, error) {
	q := url.Values{"from": {strconv.Itoa(from.Number)}, "to": {strconv.Itoa(to.Number)}}.Encode()
	base := "/articles/" + strconv.FormatInt(a.ID, 10)
	l := &shareLinks{HTML: base + "/share.html?" + q, Card: base + "/card.png?" + q}
	long := markdownSize(res) > markdownInPage
	s := newShare(a, from, to, res, across, !long)
	if long {
		l.MarkdownFile = base + "/share.md?" + q
	} else {
		var md bytes.Buffer
		if err := s.Markdown(&md); err != nil {
			return nil, err
		}
		l.Markdown = md.String()
	}
	left, err := s.CardLeavesOut()
	if err != nil {
		return nil, err
	}
	l.CardLeft = left
	return l, nil
}

// shareOf is the change a share link names: versions from and to of the
// article (the query's, else the range "since you read it").
func (d *Dashboard) shareOf(r *http.Request) (article.Article, Share, error) {
	a, err := d.articleOf(r)
	if err != nil {
		return a, Share{}, err
	}
	if a.Versions < 2 {
		return a, Share{}, userError(article.EINVALID, "This article has only one version so far: there is no change to share yet.")
	}
	from, to, err := d.reading.Range(a)
	if err != nil {
		return a, Share{}, err
	}
	q := r.URL.Query()
	for name, dst := range map[string]*int{"from": &from, "to": &to} {
		if s := q.Get(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > a.Versions {
				return a, Share{}, userError(article.EINVALID, fmt.Sprintf("This article has versions 1 to %d.", a.Versions))
			}
			*dst = n
		}
	}
	if from > to {
		return a, Share{}, userError(article.EINVALID, fmt.Sprintf("Version %d is after version %d: name the older version first.", from, to))
	}
	c, err := d.reading.Compare(a, from, to)
	if err != nil {
		return a, Share{}, err
	}
	return a, NewShare(a, c.From, c.To, c.Result, c.Across), nil
}

// shareFileName names a download: redline-ARTICLE-vFROM-vTO.EXT.
func shareFileName(a article.Article, s Share, ext string) string {
	return fmt.Sprintf("redline-%d-v%d-v%d.%s", a.ID, s.From.Number, s.To.Number, ext)
}

// shareHTML downloads the change as a single self-contained HTML file.
func (d *Dashboard) shareHTML(w http.ResponseWriter, r *http.Request, u user) error {
	a, s, err := d.shareOf(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.html(&buf, d.pages); err != nil {
		return err
	}
	sendShare(w, shareFileName(a, s, "html"), "text/html; charset=utf-8", buf.Bytes())
	return nil
}

// sendShare sends a shared change as a file to save.
func sendShare(w http.ResponseWriter, name, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	w.Write(body)
}

// shareCard downloads the change as a PNG card.
func (d *Dashboard) shareCard(w http.ResponseWriter, r *http.Request, u user) error {
	a, s, err := d.shareOf(r)
	if err != nil {
		return err
	}
	c, err := s.Card()
	if err != nil {
		return err
	}
	sendShare(w, shareFileName(a, s, "png"), "image/png", c.PNG)
	return nil
}

// shareMarkdown downloads the change as Markdown.
func (d *Dashboard) shareMarkdown(w http.ResponseWriter, r *http.Request, u user) error {
	a, s, err := d.shareOf(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.Markdown(&buf); err != nil {
		return err
	}
	sendShare(w, shareFileName(a, s, "md"), "text/markdown; charset=utf-8", buf.Bytes())
	return nil
}
