package web

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"redline/daemon/internal/article"
	"redline/daemon/internal/diff"
	"redline/daemon/internal/store"
)

// row is one line of the side-by-side view: a paragraph of the old version
// beside the paragraph it became.
type row struct {
	Op    string // equal, insert, delete, change, move
	Kind  article.BlockKind
	Old   []diff.Span // what the left column shows (equal and delete spans)
	New   []diff.Span // what the right column shows (equal and insert spans)
	All   []diff.Span // the inline view: every span in order
	OldNo int         // 1-based paragraph number in the old version, 0 if none
	NewNo int
	Noise bool
	Note  string
}

// fold is a run of rows; a long run of unchanged paragraphs is folded
// away behind a summary the reader can open. A folded run too long for its
// part of the page is Hidden: only counted, from paragraph First to Last
// of the new version.
type fold struct {
	Folded      bool
	Hidden      bool
	First, Last int
	Rows        []row
}

// diffView is a diff ready for the templates.
type diffView struct {
	From, To     store.VersionInfo
	Title        []diff.Span
	TitleChanged bool
	Byline       []diff.Span
	BylineChange bool
	Folds        []fold
	Summary      article.Summary
	Words        []string // what changed, in words
	Empty        bool     // nothing differs at all
	// Part of Parts is the part of a long comparison shown (see
	// paginate); Nav links to the others.
	Part, Parts int
	Nav         partNav
}

// partNav links the parts of a long comparison to each other.
type partNav struct {
	Prev, Next string // "" at the ends
	Links      []partLink
}

type partLink struct {
	N       int
	Href    string
	Label   string // which paragraphs of the new version it holds
	Current bool
}

func spansOf(op, text string) []diff.Span { return []diff.Span{{Op: op, Text: text}} }

func rowsOf(res diff.Result) []row {
	rows := make([]row, 0, len(res.Ops))
	for _, op := range res.Ops {
		r := row{Op: op.Op, Kind: op.Kind, Noise: op.Noise}
		if op.Old != nil {
			r.OldNo = *op.Old + 1
		}
		if op.New != nil {
			r.NewNo = *op.New + 1
		}
		switch op.Op {
		case diff.OpEqual:
			r.Old, r.New, r.All = spansOf(diff.SpanEqual, op.Text), spansOf(diff.SpanEqual, op.Text), spansOf(diff.SpanEqual, op.Text)
		case diff.OpInsert:
			r.New, r.All = spansOf(diff.SpanInsert, op.Text), spansOf(diff.SpanInsert, op.Text)
		case diff.OpDelete:
			r.Old, r.All = spansOf(diff.SpanDelete, op.Text), spansOf(diff.SpanDelete, op.Text)
		case diff.OpChange, diff.OpMove:
			if len(op.Spans) == 0 {
				r.Old, r.New, r.All = spansOf(diff.SpanEqual, op.Text), spansOf(diff.SpanEqual, op.Text), spansOf(diff.SpanEqual, op.Text)
			} else {
				r.All = op.Spans
				for _, s := range op.Spans {
					if s.Op != diff.SpanInsert {
						r.Old = append(r.Old, s)
					}
					if s.Op != diff.SpanDelete {
						r.New = append(r.New, s)
					}
				}
			}
			if op.Op == diff.OpMove {
				r.Note = "moved"
			}
			if op.OldKind != "" && op.OldKind != op.Kind {
				r.Note = strings.TrimSpace(r.Note + " " + kindWord(op.OldKind) + " became " + kindWord(op.Kind))
			}
		}
		if op.OneSide {
			r.Note = "only one extraction kept this"
		}
		if op.Drift {
			r.Note = "still on the page: the extraction missed it"
		}
		if r.Noise && r.Note == "" {
			r.Note = "noise"
		}
		rows = append(rows, r)
	}
	return rows
}

func kindWord(k article.BlockKind) string {
	switch k {
	case article.KindHeading:
		return "heading"
	case article.KindListItem:
		return "list item"
	case article.KindQuote:
		return "quote"
	case article.KindPre:
		return "preformatted text"
	}
	return "paragraph"
}

// folds groups rows, folding unchanged runs longer than keep*2+1 paragraphs
// so that a long article shows its changes with a paragraph of context.
func folds(rows []row, keep int) []fold {
	var out []fold
	flush := func(run []row) {
		if len(run) <= 2*keep+1 {
			out = append(out, fold{Rows: run})
			return
		}
		head, mid, tail := run[:keep], run[keep:len(run)-keep], run[len(run)-keep:]
		if len(out) == 0 {
			head, mid = nil, run[:len(run)-keep] // at the top, only context after
		}
		if len(head) > 0 {
			out = append(out, fold{Rows: head})
		}
		out = append(out, fold{Folded: true, Rows: mid})
		if len(tail) > 0 {
			out = append(out, fold{Rows: tail})
		}
	}
	var eq []row
	for _, r := range rows {
		if r.Op == diff.OpEqual {
			eq = append(eq, r)
			continue
		}
		if len(eq) > 0 {
			flush(eq)
			eq = nil
		}
		out = append(out, fold{Rows: []row{r}})
	}
	if len(eq) > 0 {
		if len(eq) > keep+1 {
			if len(out) == 0 {
				out = append(out, fold{Rows: eq})
			} else {
				out = append(out, fold{Rows: eq[:keep]}, fold{Folded: true, Rows: eq[keep:]})
			}
		} else {
			out = append(out, fold{Rows: eq})
		}
	}
	return out
}

func newDiffView(from, to store.VersionInfo, res diff.Result) diffView {
	v := diffView{From: from, To: to, Title: res.Title, Byline: res.Byline, Summary: res.Summary}
	v.TitleChanged = spansChange(res.Title)
	v.BylineChange = spansChange(res.Byline)
	v.Folds = folds(rowsOf(res), 1)
	v.Words = describe(res.Summary)
	v.Empty = !v.TitleChanged && !v.BylineChange
	for _, op := range res.Ops {
		if op.Op != diff.OpEqual {
			v.Empty = false
		}
	}
	return v
}

// A long comparison is shown in parts, so that a page stays small however
// long the article: a capture at the limits, every paragraph edited, was
// 2 MB of HTML side by side. partBudget is about how many bytes of HTML a
// part shows: its texts (both columns) and rowCost for each paragraph's
// markup. An article people read (the longest of 130 real ones holds
// 117 KiB of text) is one part unless much of it changed.
const (
	partBudget = 128 << 10
	rowCost    = 300
)

func rowsCost(rows []row) int {
	n := 0
	for _, r := range rows {
		n += rowCost
		for _, s := range r.Old {
			n += len(s.Text)
		}
		for _, s := range r.New {
			n += len(s.Text)
		}
	}
	return n
}

// paginate splits folds into parts of about budget each. The paragraphs
// shown (the changes and the unchanged ones beside them) fill the parts in
// reading order; a part ends before a paragraph that would take it over
// the budget, and holds at least one. A folded unchanged run stays where
// it falls: it keeps its text, to open in place, when that fits in what is
// left of the part and takes at most half a part; otherwise it is only
// counted (Hidden), so that a long unchanged stretch neither pushes the
// changes to later parts nor makes the page large.
func paginate(folds []fold, budget int) [][]fold {
	var parts [][]fold
	var cur []fold
	used, shown := 0, false
	for _, f := range folds {
		c := rowsCost(f.Rows)
		if f.Folded {
			if c > budget/2 || used+c > budget {
				f.Hidden, c = true, rowCost
				f.First, f.Last = f.Rows[0].NewNo, f.Rows[len(f.Rows)-1].NewNo
			}
			cur = append(cur, f)
			used += c
			continue
		}
		if shown && used+c > budget {
			parts = append(parts, cur)
			cur, used, shown = nil, 0, false
		}
		cur = append(cur, f)
		used += c
		shown = true
	}
	if len(cur) > 0 || len(parts) == 0 {
		parts = append(parts, cur)
	}
	return parts
}

// paragraphs says which paragraphs of the new version a part holds (of
// the old version when it holds only deletions).
func paragraphs(folds []fold) string {
	first, last := 0, 0
	for _, f := range folds {
		for _, r := range f.Rows {
			n := r.NewNo
			if n == 0 {
				continue
			}
			if first == 0 {
				first = n
			}
			last = n
		}
	}
	switch {
	case first == 0:
		return "removed paragraphs"
	case first == last:
		return fmt.Sprintf("paragraph %d", first)
	}
	return fmt.Sprintf("paragraphs %d–%d", first, last)
}

// showPart keeps only part n (1-based) of a comparison, with links to the
// others for the page at base (its from, to and mode).
func (v *diffView) showPart(n int, base string) error {
	parts := paginate(v.Folds, partBudget)
	if n < 1 || n > len(parts) {
		return userError(article.EINVALID, fmt.Sprintf("This comparison has parts 1 to %d.", len(parts)))
	}
	v.Part, v.Parts, v.Folds = n, len(parts), parts[n-1]
	if len(parts) == 1 {
		return nil
	}
	href := func(k int) string { return fmt.Sprintf("%s&part=%d#d-h", base, k) }
	for k, p := range parts {
		v.Nav.Links = append(v.Nav.Links, partLink{N: k + 1, Href: href(k + 1), Label: paragraphs(p), Current: k+1 == n})
	}
	if n > 1 {
		v.Nav.Prev = href(n - 1)
	}
	if n < len(parts) {
		v.Nav.Next = href(n + 1)
	}
	return nil
}

func spansChange(ss []diff.Span) bool {
	for _, s := range ss {
		if s.Op != diff.SpanEqual {
			return true
		}
	}
	return false
}

// describe says what changed in words, most telling first, as every
// front end says it (article.Summary.Phrases); of a trivial change, that
// only noise changed, or that the page's layout changed.
func describe(s article.Summary) []string {
	if words := s.Phrases(); len(words) > 0 {
		return words
	}
	if s.Layout {
		return []string{article.LayoutOnly}
	}
	return []string{article.NoiseOnly}
}

// preview is the one line that shows the most significant edit of a diff:
// the headline if it changed, else the edited paragraph with the most
// words changed (or the longest paragraph added or removed), cut to a line
// around its first edit.
type preview struct {
	Label string
	Spans []diff.Span
}

func previewOf(res diff.Result) *preview {
	if spansChange(res.Title) {
		return &preview{Label: "Headline", Spans: clip(res.Title, 160)}
	}
	best, bestScore := -1, 0
	for i, op := range res.Ops {
		if op.Noise || op.Op == diff.OpEqual {
			continue
		}
		score := 0
		switch op.Op {
		case diff.OpChange, diff.OpMove:
			for _, s := range op.Spans {
				if s.Op != diff.SpanEqual {
					score += len(strings.Fields(s.Text)) * 2 // edits inside a paragraph tell more
				}
			}
		default:
			score = len(strings.Fields(op.Text))
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	if best < 0 {
		return nil
	}
	op := res.Ops[best]
	switch op.Op {
	case diff.OpInsert:
		return &preview{Label: "Added", Spans: clip(spansOf(diff.SpanInsert, op.Text), 160)}
	case diff.OpDelete:
		return &preview{Label: "Removed", Spans: clip(spansOf(diff.SpanDelete, op.Text), 160)}
	}
	return &preview{Label: "Edited", Spans: clip(op.Spans, 160)}
}

// clip keeps about n characters of spans around the first edit: a little
// context before it, then as much as fits.
func clip(spans []diff.Span, n int) []diff.Span {
	first := 0
	for i, s := range spans {
		if s.Op != diff.SpanEqual {
			first = i
			break
		}
	}
	var out []diff.Span
	if first > 0 {
		ctx := spans[first-1].Text
		if utf8.RuneCountInString(ctx) > 40 {
			r := []rune(ctx)
			ctx = "…" + strings.TrimLeft(string(r[len(r)-40:]), " ")
		}
		out = append(out, diff.Span{Op: diff.SpanEqual, Text: ctx})
		n -= utf8.RuneCountInString(ctx)
	}
	for _, s := range spans[first:] {
		if n <= 0 {
			out = append(out, diff.Span{Op: diff.SpanEqual, Text: "…"})
			break
		}
		if c := utf8.RuneCountInString(s.Text); c > n {
			r := []rune(s.Text)
			out = append(out, diff.Span{Op: s.Op, Text: string(r[:n]) + "…"})
			break
		}
		out = append(out, s)
		n -= utf8.RuneCountInString(s.Text)
	}
	return out
}
