package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// pfxRecheck holds the open re-check jobs for the reader's browser:
// j:<article id be64> -> Recheck JSON. An article has at most one.
var pfxRecheck = []byte("j:")

func recheckKey(id int64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(nil), pfxRecheck...), uint64(id))
}

// Recheck is a re-check job waiting for, or held by, the reader's
// browser. It is kept until it is answered, so a restart loses none.
type Recheck struct {
	// ID is 128 random bits as 32 hex digits.
	ID        string    `json:"id"`
	ArticleID int64     `json:"article_id"`
	URL       string    `json:"url"`
	Created   time.Time `json:"created"`
}

// ErrRecheckGone: the job is not open (answered, dropped, or its article
// forgotten).
var ErrRecheckGone = article.Errorf(article.ENOTFOUND, "no such re-check job: it was answered, dropped, or its article forgotten")

// OpenRecheck records job for its article and applies fn to the article
// in the same transaction. When the article has a job open already, that
// job is returned instead (opened is false); fn is applied all the same.
func (s *Store) OpenRecheck(ctx context.Context, job Recheck, fn WatchUpdate) (a article.Article, open Recheck, opened bool, err error) {
	a, err = s.updateWatch(ctx, job.ArticleID, func(a *article.Article) (*article.Event, error) {
		open, opened = Recheck{}, false
		return nil, nil
	}, func(txn *badger.Txn, a *article.Article) error {
		found, err := getOptional(txn, recheckKey(a.ID), func(b []byte) error { return jsonUnmarshal(b, &open) })
		if err != nil {
			return err
		}
		if _, err := fn(a); err != nil {
			return err
		}
		if found {
			return nil
		}
		open, opened = job, true
		return setJSON(txn, recheckKey(a.ID), &job)
	})
	if err != nil {
		return a, Recheck{}, false, fmt.Errorf("open a re-check job: %w", err)
	}
	return a, open, opened, nil
}

// CloseRecheck removes the open job jobID of article id and applies fn to
// the article in the same transaction. ErrRecheckGone when that job is
// not open.
func (s *Store) CloseRecheck(ctx context.Context, id int64, jobID string, fn WatchUpdate) (article.Article, error) {
	return s.whileOpen(ctx, id, jobID, fn, true)
}

// UpdateOpenRecheck applies fn to article id while its job jobID is
// open; ErrRecheckGone (and nothing changes) once it is not.
func (s *Store) UpdateOpenRecheck(ctx context.Context, id int64, jobID string, fn WatchUpdate) (article.Article, error) {
	return s.whileOpen(ctx, id, jobID, fn, false)
}

// whileOpen applies fn to article id in a transaction that finds its job
// jobID open, and deletes the job there when closing.
func (s *Store) whileOpen(ctx context.Context, id int64, jobID string, fn WatchUpdate, closing bool) (article.Article, error) {
	a, err := s.updateWatch(ctx, id, fn, func(txn *badger.Txn, a *article.Article) error {
		var open Recheck
		found, err := getOptional(txn, recheckKey(id), func(b []byte) error { return jsonUnmarshal(b, &open) })
		if err != nil {
			return err
		}
		if !found || open.ID != jobID {
			return ErrRecheckGone
		}
		if closing {
			return txn.Delete(recheckKey(id))
		}
		return nil
	})
	if errors.Is(err, ErrRecheckGone) || article.ErrorCode(err) == article.ENOTFOUND {
		return a, ErrRecheckGone
	}
	return a, err
}

// Rechecks returns every open re-check job, oldest first.
func (s *Store) Rechecks() ([]Recheck, error) {
	var out []Recheck
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxRecheck, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var j Recheck
			if err := it.Item().Value(func(b []byte) error { return jsonUnmarshal(b, &j) }); err != nil {
				return err
			}
			out = append(out, j)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read re-check jobs: %w", err)
	}
	slices.SortStableFunc(out, func(a, b Recheck) int { return a.Created.Compare(b.Created) })
	return out, nil
}

// ViaBrowser sends the checks of every article a fetch found not
// checkable (for a reason fits allows) to the reader's browser, due at
// once: articles of stores from before re-checks through the browser, or
// found while they were switched off. It reads every article: for a
// switch the user turns on, and once per store.
func (s *Store) ViaBrowser(ctx context.Context, now time.Time, fits func(reason string) bool) (int, error) {
	waits := func(a *article.Article) bool {
		w := a.Watch
		return w != nil && w.State == article.WatchNotCheckable && w.Via != article.ViaBrowser && fits(w.Reason)
	}
	ids, err := s.articleIDs(waits)
	if err != nil {
		return 0, fmt.Errorf("find articles not checkable by fetch: %w", err)
	}
	n := 0
	err = s.updateWatches(ctx, ids, func(_ *badger.Txn, a *article.Article) error {
		if waits(a) {
			a.Watch.Via, a.Watch.NextCheck = article.ViaBrowser, now
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("send articles not checkable by fetch to the browser: %w", err)
	}
	if n > 0 {
		s.wakeWatcher()
	}
	return n, nil
}
