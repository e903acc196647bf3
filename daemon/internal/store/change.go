package store

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// "Changed since you read it" is one story wherever Redline tells it: the
// banner, the popup, the dashboard's cards and diff, the feeds and
// `redline check` all describe the same two versions, chosen here.

// Change is the comparison "Show changes" shows: two versions of an
// article with their content, and how they relate (see article.Pair).
type Change struct {
	From, To article.Version
	Pair     article.Pair
}

// base is the version the reader knows: the one they had before their
// oldest unseen change, else the newer of the version they read and the
// one they marked seen.
func base(a *article.Article) int {
	if len(a.Unseen) > 0 {
		return a.Unseen[0].From
	}
	return max(a.Read.Version, a.Seen, 1)
}

// sinceRead returns the default range of an article: from the version the
// reader knows to the newest. When the reader's own lineage has a version
// as new as the newest change, that one is the end, so that like is
// compared with like.
func sinceRead(a *article.Article, source func(n int) (article.Source, error)) (from, to int, err error) {
	from = min(base(a), a.Versions)
	src, err := source(from)
	if err != nil {
		return 0, 0, err
	}
	same := a.LatestBrowser
	if src == article.SourceFetch {
		same = a.LatestFetch
	}
	to = a.Versions
	if len(a.Unseen) > 0 {
		to = a.Unseen[len(a.Unseen)-1].To
	}
	if same > from && same >= to {
		to = same
	}
	if from == to && to > 1 {
		// Nothing since the read: the last change before it, within its
		// lineage when it has an older version.
		from = to - 1
		for n := to - 1; n >= 1; n-- {
			s, err := source(n)
			if err != nil {
				return 0, 0, err
			}
			if s == src {
				from = n
				break
			}
		}
	}
	return from, to, nil
}

// pair returns what comparing versions from and to means. Across lineages
// the counterpart is the version of to's lineage that stands for from: the
// newest one before it, else the first one after it (a baseline fetch
// taken after the read), if that is not to itself.
func pair(from, to int, source func(n int) (article.Source, error)) (across bool, counterpart int, err error) {
	sf, err := source(from)
	if err != nil {
		return false, 0, err
	}
	st, err := source(to)
	if err != nil {
		return false, 0, err
	}
	if sf == st {
		return false, 0, nil
	}
	for n := from - 1; n >= 1; n-- {
		s, err := source(n)
		if err != nil {
			return false, 0, err
		}
		if s == st {
			return true, n, nil
		}
	}
	for n := from + 1; n < to; n++ {
		s, err := source(n)
		if err != nil {
			return false, 0, err
		}
		if s == st {
			return true, n, nil
		}
	}
	return true, 0, nil
}

// sourceIn reads version sources inside a transaction, each once.
func (s *Store) sourceIn(txn *badger.Txn, id int64) func(n int) (article.Source, error) {
	memo := map[int]article.Source{}
	return func(n int) (article.Source, error) {
		if src, ok := memo[n]; ok {
			return src, nil
		}
		r, err := s.record(txn, id, n)
		if err != nil {
			return "", err
		}
		memo[n] = r.Source
		return r.Source, nil
	}
}

// contentOf decodes a version's content.
func (s *Store) contentOf(txn *badger.Txn, id int64, r versionRecord) (article.Content, error) {
	var c article.Content
	raw, err := s.content(txn, id, r)
	if err != nil {
		return c, err
	}
	if err := jsonUnmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("decode version %d of article %d: %w", r.Number, id, err)
	}
	return c, nil
}

// pairIn builds the comparison of versions from and to inside txn.
func (s *Store) pairIn(txn *badger.Txn, id int64, from, to int, furn article.Furniture) (Change, error) {
	source := s.sourceIn(txn, id)
	var ch Change
	var pages [2]*article.PageDigest
	for i, side := range []struct {
		n int
		v *article.Version
	}{{from, &ch.From}, {to, &ch.To}} {
		r, err := s.record(txn, id, side.n)
		if err != nil {
			return ch, err
		}
		c, err := s.contentOf(txn, id, r)
		if err != nil {
			return ch, err
		}
		*side.v = r.version(id)
		side.v.Content = c
		if pages[i], err = s.pageOf(txn, id, side.n); err != nil {
			return ch, err
		}
	}
	across, counterpart, err := pair(from, to, source)
	if err != nil {
		return ch, err
	}
	ch.Pair = article.Pair{Old: ch.From.Content, New: ch.To.Content, Across: across, OldPage: pages[0], NewPage: pages[1], Furniture: furn}
	if counterpart > 0 {
		r, err := s.record(txn, id, counterpart)
		if err != nil {
			return ch, err
		}
		c, err := s.contentOf(txn, id, r)
		if err != nil {
			return ch, err
		}
		ch.Pair.Counterpart = &c
	}
	return ch, nil
}

// ChangeSinceRead returns the change the reader has not seen: from the
// version they know to the newest (see sinceRead).
func (s *Store) ChangeSinceRead(a article.Article) (Change, error) {
	var ch Change
	err := s.db.View(func(txn *badger.Txn) error {
		if a.Versions == 0 {
			return article.Errorf(article.ENOTFOUND, "article %d has no versions", a.ID)
		}
		from, to, err := sinceRead(&a, s.sourceIn(txn, a.ID))
		if err != nil {
			return err
		}
		furn, err := readFurniture(txn, a.Site)
		if err != nil {
			return err
		}
		ch, err = s.pairIn(txn, a.ID, from, to, furn)
		return err
	})
	if err != nil {
		return Change{}, fmt.Errorf("change since read of article %d: %w", a.ID, err)
	}
	return ch, nil
}

// ChangeBetween returns the comparison of any two versions of an article.
func (s *Store) ChangeBetween(a article.Article, from, to int) (Change, error) {
	if from < 1 || from > a.Versions || to < 1 || to > a.Versions {
		return Change{}, article.Errorf(article.EINVALID, "article %d has versions 1 to %d", a.ID, a.Versions)
	}
	var ch Change
	err := s.db.View(func(txn *badger.Txn) error {
		furn, err := readFurniture(txn, a.Site)
		if err != nil {
			return err
		}
		ch, err = s.pairIn(txn, a.ID, from, to, furn)
		return err
	})
	if err != nil {
		if errors.Is(err, badger.ErrKeyNotFound) {
			return Change{}, notFound(a.ID)
		}
		return Change{}, fmt.Errorf("compare versions %d and %d of article %d: %w", from, to, a.ID, err)
	}
	return ch, nil
}

// DefaultRange returns the versions ChangeSinceRead compares, without
// reading their content.
func (s *Store) DefaultRange(a article.Article) (from, to int, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		if a.Versions == 0 {
			return article.Errorf(article.ENOTFOUND, "article %d has no versions", a.ID)
		}
		from, to, err = sinceRead(&a, s.sourceIn(txn, a.ID))
		return err
	})
	return from, to, err
}
