package diff

import (
	"fmt"

	"redline/daemon/internal/article"
)

// Apply replays ops on the old blocks and returns the new blocks. It checks
// that the ops are consistent: every old block is used exactly once, new
// positions come in order, and the spans of an edited block concatenate to
// the old text (equal and delete spans). Tests use it to prove that a
// Result describes the change completely; a client may use it to rebuild a
// version from its predecessor.
func Apply(old []article.Block, ops []Op) ([]article.Block, error) {
	used := make([]bool, len(old))
	var out []article.Block
	take := func(k int, op Op) (article.Block, error) {
		if op.Old == nil {
			return article.Block{}, fmt.Errorf("op %d (%s): no old index", k, op.Op)
		}
		i := *op.Old
		if i < 0 || i >= len(old) {
			return article.Block{}, fmt.Errorf("op %d (%s): old index %d out of range", k, op.Op, i)
		}
		if used[i] {
			return article.Block{}, fmt.Errorf("op %d (%s): old block %d used twice", k, op.Op, i)
		}
		used[i] = true
		if op.OldKind != "" && op.OldKind != old[i].Kind {
			return article.Block{}, fmt.Errorf("op %d (%s): old kind %q, block has %q", k, op.Op, op.OldKind, old[i].Kind)
		}
		return old[i], nil
	}
	emit := func(k int, op Op, text string) error {
		if op.New == nil {
			return fmt.Errorf("op %d (%s): no new index", k, op.Op)
		}
		if *op.New != len(out) {
			return fmt.Errorf("op %d (%s): new index %d, want %d", k, op.Op, *op.New, len(out))
		}
		out = append(out, article.Block{Kind: op.Kind, Text: text})
		return nil
	}
	edited := func(k int, op Op, ob article.Block) (string, error) {
		if got := oldText(op.Spans); got != ob.Text {
			return "", fmt.Errorf("op %d (%s): spans give old text %q, block has %q", k, op.Op, got, ob.Text)
		}
		return newText(op.Spans), nil
	}
	for k, op := range ops {
		switch op.Op {
		case OpEqual:
			ob, err := take(k, op)
			if err != nil {
				return nil, err
			}
			if op.Text != "" && op.Text != ob.Text {
				return nil, fmt.Errorf("op %d (equal): text differs from old block %d", k, *op.Old)
			}
			if err := emit(k, op, ob.Text); err != nil {
				return nil, err
			}
		case OpDelete:
			if op.New != nil {
				return nil, fmt.Errorf("op %d (delete): has a new index", k)
			}
			if _, err := take(k, op); err != nil {
				return nil, err
			}
		case OpInsert:
			if op.Old != nil {
				return nil, fmt.Errorf("op %d (insert): has an old index", k)
			}
			if err := emit(k, op, op.Text); err != nil {
				return nil, err
			}
		case OpChange, OpMove:
			ob, err := take(k, op)
			if err != nil {
				return nil, err
			}
			text := ob.Text
			if op.Op == OpChange || op.Spans != nil {
				if text, err = edited(k, op, ob); err != nil {
					return nil, err
				}
			} else if op.Text != "" && op.Text != ob.Text {
				return nil, fmt.Errorf("op %d (move): text differs from old block %d", k, *op.Old)
			}
			if err := emit(k, op, text); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("op %d: unknown op %q", k, op.Op)
		}
	}
	for i, u := range used {
		if !u {
			return nil, fmt.Errorf("old block %d not accounted for", i)
		}
	}
	return out, nil
}
