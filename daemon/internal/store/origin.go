package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
	"redline/daemon/internal/canonical"
)

// KnownOrigin reports whether the user read a page at origin (scheme, host
// and port, as canonical.Origin writes them) or named a URL there for the
// watcher: whether an article the user read holds a URL at that origin as
// its own. A daemon started with --allow-private reaches addresses on this
// computer or a private network only at such origins.
//
// An article's aliases are its own URLs: pages read that declared its URL
// as their canonical, and URLs the user named. Its URL is its own too,
// unless one of its aliases is at another origin: a store written before
// a declared canonical had to name the same page may hold, as an article's
// URL, a canonical that a page on another origin declared, which nobody
// read or named.
func (s *Store) KnownOrigin(origin string) (bool, error) {
	if origin == "" || canonical.Origin(origin+"/") != origin {
		return false, article.Errorf(article.EINVALID, "%q is not an origin such as https://example.com or http://127.0.0.1:8080", origin)
	}
	var known bool
	err := s.db.View(func(txn *badger.Txn) error {
		prefix := append(slices.Clip(pfxURL), origin+"/"...)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 16})
		defer it.Close()
		checked := map[int64]bool{}
		for it.Rewind(); it.Valid(); it.Next() {
			u := string(it.Item().Key()[len(pfxURL):])
			var id int64
			if err := it.Item().Value(func(v []byte) error {
				if len(v) != 8 {
					return fmt.Errorf("url index for %s is damaged", u)
				}
				id = int64(binary.BigEndian.Uint64(v))
				return nil
			}); err != nil {
				return err
			}
			if checked[id] {
				continue
			}
			checked[id] = true
			var a article.Article
			err := getJSON(txn, idKey(pfxArticle, id), &a)
			if errors.Is(err, badger.ErrKeyNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("read article %d: %w", id, err)
			}
			if a.Read.Version > 0 && ownsOrigin(&a, origin) {
				known = true
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("look for pages read at %s: %w", origin, err)
	}
	return known, nil
}

// ownsOrigin reports whether one of a's own URLs is at origin.
func ownsOrigin(a *article.Article, origin string) bool {
	urlOwn := true
	for _, u := range a.Aliases {
		o := canonical.Origin(u)
		if o == origin {
			return true
		}
		if o != canonical.Origin(a.URL) {
			urlOwn = false
		}
	}
	return urlOwn && canonical.Origin(a.URL) == origin
}
