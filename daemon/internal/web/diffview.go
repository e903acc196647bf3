package web

import (
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
// away behind a summary the reader can open.
type fold struct {
	Folded bool
	Rows   []row
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

func spansChange(ss []diff.Span) bool {
	for _, s := range ss {
		if s.Op != diff.SpanEqual {
			return true
		}
	}
	return false
}

// describe says what changed in words, most telling first.
func describe(s article.Summary) []string {
	var out []string
	if s.TitleChanged {
		out = append(out, "headline changed")
	}
	if s.Correction {
		out = append(out, "correction or editor's note added")
	}
	if s.BylineChanged {
		out = append(out, "byline changed")
	}
	var blocks []string
	if s.BlocksChanged > 0 {
		blocks = append(blocks, plural(s.BlocksChanged, "paragraph")+" edited")
	}
	if s.BlocksAdded > 0 {
		blocks = append(blocks, plural(s.BlocksAdded, "paragraph")+" added")
	}
	if s.BlocksRemoved > 0 {
		blocks = append(blocks, plural(s.BlocksRemoved, "paragraph")+" removed")
	}
	if s.BlocksMoved > 0 {
		blocks = append(blocks, plural(s.BlocksMoved, "paragraph")+" moved")
	}
	out = append(out, blocks...)
	if s.WordsAdded > 0 || s.WordsRemoved > 0 {
		out = append(out, plural(s.WordsAdded, "word")+" added, "+plural(s.WordsRemoved, "word")+" removed")
	}
	if len(out) == 0 {
		out = append(out, "only noise (timestamps, spacing, punctuation)")
	}
	return out
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
