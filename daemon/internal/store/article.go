package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

func (s *Store) findID(txn *badger.Txn, urls []string) (int64, error) {
	for _, u := range urls {
		item, err := txn.Get(append(slices.Clip(pfxURL), u...))
		if errors.Is(err, badger.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return 0, err
		}
		var id int64
		err = item.Value(func(v []byte) error {
			if len(v) != 8 {
				return fmt.Errorf("url index for %s is damaged", u)
			}
			id = int64(binary.BigEndian.Uint64(v))
			return nil
		})
		return id, err
	}
	return 0, nil
}

func (s *Store) record(txn *badger.Txn, id int64, n int) (versionRecord, error) {
	var r versionRecord
	item, err := txn.Get(versionKey(id, n))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return r, article.Errorf(article.ENOTFOUND, "article %d has no version %d", id, n)
	}
	if err != nil {
		return r, err
	}
	err = item.Value(r.unmarshal)
	return r, err
}

// content returns the serialised content of a version, following
// references and dictionary chains.
func (s *Store) content(txn *badger.Txn, id int64, r versionRecord) ([]byte, error) {
	for r.Enc == encRef {
		var err error
		if r, err = s.record(txn, id, r.Base); err != nil {
			return nil, err
		}
	}
	switch r.Enc {
	case encZstd:
		return s.zstd.decompress(r.data, nil)
	case encDict:
		base, err := s.record(txn, id, r.Base)
		if err != nil {
			return nil, err
		}
		dict, err := s.content(txn, id, base)
		if err != nil {
			return nil, err
		}
		return s.zstd.decompress(r.data, dict)
	}
	return nil, fmt.Errorf("version %d of article %d has unknown encoding %q", r.Number, id, r.Enc)
}

// ErrNotFound reports a missing article.
func notFound(id int64) error {
	return article.Errorf(article.ENOTFOUND, "no article with id %d", id)
}

// Article returns one article.
func (s *Store) Article(id int64) (article.Article, error) {
	var a article.Article
	err := s.db.View(func(txn *badger.Txn) error {
		err := getJSON(txn, idKey(pfxArticle, id), &a)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return notFound(id)
		}
		return err
	})
	if err != nil {
		return a, fmt.Errorf("read article %d: %w", id, err)
	}
	return a, nil
}

// ArticleByURL finds the article a canonical URL belongs to.
func (s *Store) ArticleByURL(canonicalURL string) (article.Article, error) {
	var a article.Article
	err := s.db.View(func(txn *badger.Txn) error {
		id, err := s.findID(txn, []string{canonicalURL})
		if err != nil {
			return err
		}
		if id == 0 {
			return article.Errorf(article.ENOTFOUND, "Redline has no article at %s", canonicalURL)
		}
		return getJSON(txn, idKey(pfxArticle, id), &a)
	})
	if err != nil {
		return a, fmt.Errorf("look up %s: %w", canonicalURL, err)
	}
	return a, nil
}

// Version returns one version of an article with its content.
func (s *Store) Version(id int64, n int) (article.Version, error) {
	var v article.Version
	err := s.db.View(func(txn *badger.Txn) error {
		if _, err := txn.Get(idKey(pfxArticle, id)); errors.Is(err, badger.ErrKeyNotFound) {
			return notFound(id)
		}
		r, err := s.record(txn, id, n)
		if err != nil {
			return err
		}
		raw, err := s.content(txn, id, r)
		if err != nil {
			return err
		}
		v = r.version(id)
		return jsonUnmarshal(raw, &v.Content)
	})
	if err != nil {
		return v, fmt.Errorf("read version %d of article %d: %w", n, id, err)
	}
	return v, nil
}

// VersionInfo is a version without its content, for listings.
type VersionInfo struct {
	Number     int            `json:"number"`
	CapturedAt time.Time      `json:"captured_at"`
	Source     article.Source `json:"source"`
	Extractor  string         `json:"extractor"`
	Title      string         `json:"title"`
	Hash       string         `json:"hash"`
	RevertOf   int            `json:"revert_of,omitempty"`
	// Layout is set on a version that only changed the page's layout
	// (article.Summary.Layout): shown as "page layout changed".
	Layout bool `json:"layout,omitempty"`
}

// Versions lists an article's versions, oldest first, without content.
func (s *Store) Versions(id int64) ([]VersionInfo, error) {
	var out []VersionInfo
	err := s.db.View(func(txn *badger.Txn) error {
		if _, err := txn.Get(idKey(pfxArticle, id)); errors.Is(err, badger.ErrKeyNotFound) {
			return notFound(id)
		}
		prefix := idKey(pfxVersion, id)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 32})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var r versionRecord
			if err := it.Item().Value(r.unmarshal); err != nil {
				return err
			}
			v := r.version(id)
			out = append(out, VersionInfo{Number: v.Number, CapturedAt: v.CapturedAt, Source: v.Source,
				Extractor: v.Extractor, Title: r.Title, Hash: v.Hash, RevertOf: v.RevertOf, Layout: r.Layout})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list versions of article %d: %w", id, err)
	}
	return out, nil
}

func (r versionRecord) version(id int64) article.Version {
	return article.Version{
		ArticleID: id, Number: r.Number, CapturedAt: time.UnixMilli(r.CapturedAt).UTC(),
		Source: r.Source, Extractor: r.Extractor, Hash: r.Hash, RevertOf: r.RevertOf,
	}
}

// ListQuery selects articles for a listing.
type ListQuery struct {
	// Q keeps articles whose title, URL or site contains it (any case).
	Q string
	// Limit is the page size; Cursor continues a previous page (0: start).
	Limit  int
	Cursor int64
}

// List returns articles, newest first, and the cursor of the next page (0
// when this is the last).
func (s *Store) List(q ListQuery) ([]article.Article, int64, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	needle := strings.ToLower(q.Q)
	var out []article.Article
	var next int64
	err := s.db.View(func(txn *badger.Txn) error {
		if needle != "" {
			ready, err := listIndexReady(txn)
			if err != nil {
				return err
			}
			if ready {
				out, next, err = s.searchList(txn, needle, q.Cursor, limit)
				return err
			}
		}
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxArticle, Reverse: true, PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		start := idKey(pfxArticle, 1<<62)
		if q.Cursor > 0 {
			start = idKey(pfxArticle, q.Cursor-1)
		}
		for it.Seek(start); it.Valid(); it.Next() {
			var a article.Article
			if err := it.Item().Value(func(b []byte) error { return jsonUnmarshal(b, &a) }); err != nil {
				return err
			}
			if needle != "" && !matches(a, needle) {
				continue
			}
			if len(out) == limit {
				next = out[len(out)-1].ID
				return nil
			}
			out = append(out, a)
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list articles: %w", err)
	}
	return out, next, nil
}

// searchList answers a List search from the list index, whose values hold
// the text a search looks in: reading index entries, not every article
// record, is what keeps a search that matches little fast in a large
// store.
func (s *Store) searchList(txn *badger.Txn, needle string, cursor int64, limit int) ([]article.Article, int64, error) {
	if strings.ContainsRune(needle, 0) {
		return nil, 0, nil // the fields are joined by NULs: never a match
	}
	want := []byte(needle)
	var ids []int64
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxListRead, PrefetchValues: true, PrefetchSize: 256})
	for it.Rewind(); it.Valid(); it.Next() {
		k := it.Item().Key()
		id := int64(binary.BigEndian.Uint64(k[len(k)-8:]))
		if cursor > 0 && id >= cursor {
			continue
		}
		hit := false
		if err := it.Item().Value(func(v []byte) error { hit = bytes.Contains(v, want); return nil }); err != nil {
			it.Close()
			return nil, 0, err
		}
		if hit {
			ids = append(ids, id)
		}
	}
	it.Close()
	slices.SortFunc(ids, func(a, b int64) int { return cmp.Compare(b, a) }) // newest first
	var out []article.Article
	for _, id := range ids {
		var a article.Article
		err := getJSON(txn, idKey(pfxArticle, id), &a)
		if errors.Is(err, badger.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return nil, 0, fmt.Errorf("read article %d: %w", id, err)
		}
		if len(out) == limit {
			return out, out[len(out)-1].ID, nil
		}
		out = append(out, a)
	}
	return out, 0, nil
}

func matches(a article.Article, needle string) bool {
	return strings.Contains(strings.ToLower(a.Title), needle) ||
		strings.Contains(strings.ToLower(a.URL), needle) ||
		strings.Contains(strings.ToLower(a.SiteName), needle) ||
		strings.Contains(a.Site, needle)
}

// DeleteArticle forgets everything about an article: its versions, its
// URLs, its read mark, and the blocks only it taught its site's learned
// template furniture.
func (s *Store) DeleteArticle(ctx context.Context, id int64) error {
	err := s.update(ctx, func(txn *badger.Txn) error {
		var a article.Article
		err := getJSON(txn, idKey(pfxArticle, id), &a)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return notFound(id)
		}
		if err != nil {
			return err
		}
		for _, u := range append([]string{a.URL}, a.Aliases...) {
			if err := txn.Delete(append(slices.Clip(pfxURL), u...)); err != nil {
				return err
			}
		}
		if err := s.unindex(txn, &a); err != nil {
			return err
		}
		if err := deleteWatch(txn, &a); err != nil {
			return err
		}
		for _, prefix := range [][]byte{idKey(pfxVersion, id), idKey(pfxHash, id), idKey(pfxFlip, id), idKey(pfxPage, id)} {
			if err := deletePrefix(txn, prefix); err != nil {
				return err
			}
		}
		if err := deleteEventsOf(txn, id); err != nil {
			return err
		}
		// What only this article taught of its site's template goes
		// with it; blocks other articles share stay the site's.
		furn, err := readFurniture(txn, a.Site)
		if err != nil {
			return err
		}
		if furn.forgetArticle(id) {
			if err := writeFurniture(txn, a.Site, furn); err != nil {
				return err
			}
		}
		if err := addCounts(txn, id, -1, -a.Versions); err != nil {
			return err
		}
		return txn.Delete(idKey(pfxArticle, id))
	})
	if err != nil {
		return fmt.Errorf("forget article %d: %w", id, err)
	}
	return nil
}

func deletePrefix(txn *badger.Txn, prefix []byte) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	var keys [][]byte
	for it.Rewind(); it.Valid(); it.Next() {
		keys = append(keys, it.Item().KeyCopy(nil))
	}
	it.Close()
	for _, k := range keys {
		if err := txn.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// deleteEventsOf removes an article's events from the log: forgetting an
// article leaves no title or URL of it behind.
func deleteEventsOf(txn *badger.Txn, id int64) error {
	prefix := idKey(pfxArticleEvent, id)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	var keys [][]byte
	for it.Rewind(); it.Valid(); it.Next() {
		keys = append(keys, it.Item().KeyCopy(nil))
	}
	it.Close()
	for _, k := range keys {
		eventID := int64(binary.BigEndian.Uint64(k[len(prefix):]))
		if err := txn.Delete(idKey(pfxEvent, eventID)); err != nil {
			return err
		}
		if err := txn.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
