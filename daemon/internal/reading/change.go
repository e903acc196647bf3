package reading

import (
	"context"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/diff"
)

// Comparison is two versions of an article compared with the rules in
// force.
type Comparison struct {
	// From and To are the versions compared, with their content.
	From, To article.Version
	// Across is set when they come from different lineages (the
	// browser's captures and the daemon's fetches): blocks only one
	// extractor kept are marked one_side and not counted.
	Across bool
	diff.Result
}

// Range returns the versions "Show changes" compares when none are named:
// from the version the reader knows (the one before their oldest unseen
// change, else the newer of the version they read and the one they marked
// seen) to the newest, the range every front end describes
// (store.DefaultRange).
func (s *Service) Range(a article.Article) (from, to int, err error) {
	return s.store.DefaultRange(a)
}

// Compare compares versions from and to of a. Zero for both is the change
// since the read (Range); zero for one takes that end of Range.
func (s *Service) Compare(a article.Article, from, to int) (Comparison, error) {
	if from == 0 && to == 0 {
		ch, err := s.store.ChangeSinceRead(a)
		if err != nil {
			return Comparison{}, err
		}
		return Comparison{From: ch.From, To: ch.To, Across: ch.Pair.Across, Result: diff.ComparePair(ch.Pair, s.rules.Get())}, nil
	}
	if from == 0 || to == 0 {
		dfrom, dto, err := s.Range(a)
		if err != nil {
			return Comparison{}, err
		}
		if from == 0 {
			from = dfrom
		} else {
			to = dto
		}
	}
	ch, err := s.store.ChangeBetween(a, from, to)
	if err != nil {
		return Comparison{}, err
	}
	return Comparison{From: ch.From, To: ch.To, Across: ch.Pair.Across, Result: diff.ComparePair(ch.Pair, s.rules.Get())}, nil
}

// MarkSeen records that the user has seen the changes of article id up to
// version n; the store tells the clients when that cleared any.
func (s *Service) MarkSeen(ctx context.Context, id int64, n int, now time.Time) (article.Article, error) {
	a, _, err := s.store.MarkSeen(ctx, id, n, now)
	return a, err
}
