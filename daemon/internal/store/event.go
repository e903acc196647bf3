package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// Key prefixes of the event log.
var (
	pfxArticleEvent = []byte("x:") // x:<article id><event id> -> nothing (to forget an article's events)
	pfxFlip         = []byte("f:") // f:<article id><hash><hash> -> nothing: this pair of contents alerted once
)

// Judge grades the change between two versions (of one lineage, or across
// lineages: see article.Pair). The daemon gives the diff engine's summary
// (Options.Judge).
type Judge func(p article.Pair) article.Summary

func flipKey(id int64, a, b string) []byte {
	if a > b {
		a, b = b, a
	}
	return append(append(idKey(pfxFlip, id), a...), b...)
}

// LastEventID returns the id of the newest event on disk (0 when there
// is none). A reader following the log by id is never shown an event that
// is not yet on disk, nor one whose predecessors are not (see commit.go).
func (s *Store) LastEventID() (int64, error) {
	if s.sync != nil {
		return s.sync.durable.Load(), nil
	}
	return s.storedLastEventID()
}

// storedLastEventID reads the event counter.
func (s *Store) storedLastEventID() (int64, error) {
	var last int64
	err := s.db.View(func(txn *badger.Txn) error {
		_, err := getOptional(txn, keyEventSeq, func(v []byte) error {
			if len(v) == 8 {
				last = int64(binary.BigEndian.Uint64(v))
			}
			return nil
		})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("read last event id: %w", err)
	}
	return last, nil
}

// EventsAfter returns up to limit events with ids above after, in order:
// those on disk, up to LastEventID.
func (s *Store) EventsAfter(after int64, limit int) ([]article.Event, error) {
	last, err := s.LastEventID()
	if err != nil {
		return nil, err
	}
	var out []article.Event
	err = s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxEvent, PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		end := idKey(pfxEvent, last)
		for it.Seek(idKey(pfxEvent, after+1)); it.Valid() && len(out) < limit && bytes.Compare(it.Item().Key(), end) <= 0; it.Next() {
			var e article.Event
			if err := it.Item().Value(func(b []byte) error { return jsonUnmarshal(b, &e) }); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read events after %d: %w", after, err)
	}
	return out, nil
}

// MarkSeen records that the user has seen the article's changes up to
// version n, and appends an article.seen event when that cleared any.
func (s *Store) MarkSeen(ctx context.Context, id int64, n int, now time.Time) (article.Article, *article.Event, error) {
	var a article.Article
	var ev *article.Event
	err := s.write(ctx, func(txn *badger.Txn, ap *appending) error {
		ev = nil
		err := getJSON(txn, idKey(pfxArticle, id), &a)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return notFound(id)
		}
		if err != nil {
			return err
		}
		if n < 1 || n > a.Versions {
			return article.Errorf(article.EINVALID, "article %d has versions 1 to %d, not %d", id, a.Versions, n)
		}
		before := len(a.Unseen)
		a.Unseen = slices.DeleteFunc(a.Unseen, func(u article.UnseenChange) bool { return u.To <= n })
		if n > a.Seen {
			a.Seen = n
		}
		if len(a.Unseen) == before {
			return nil // nothing was unseen up to n: no news for anyone
		}
		ev = &article.Event{Type: article.EventSeen, ArticleID: id, URL: a.URL, Title: a.Title, Version: n, At: now.UTC()}
		if err := ap.event(txn, ev); err != nil {
			return err
		}
		return setJSON(txn, idKey(pfxArticle, id), &a)
	}, nil)
	if err != nil {
		return a, nil, fmt.Errorf("mark article %d seen: %w", id, err)
	}
	return a, ev, nil
}
