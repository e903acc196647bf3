package store

import (
	"encoding/binary"
	"errors"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// Page digests. A capture's page text (article.Capture.PageText) is not
// kept; its digest (article.PageDigest, about two bytes per three-word
// shingle of the page outside the article) is, under its version, for
// the versions a comparison may start or end at: the newest of each
// lineage, the version the reader read and the one they know. A digest
// is written by the capture that first brings its version; the digests
// of versions that leave that set are deleted. Versions stored before
// digests existed, and captures without page text, have none: the
// extraction-drift rule then does not apply to them.

// pfxPage: p:<article id><version> -> encoded article.PageDigest.
var pfxPage = []byte("p:")

func pageKey(id int64, n int) []byte {
	return binary.BigEndian.AppendUint32(idKey(pfxPage, id), uint32(n))
}

// pageOf reads the digest of version n's page; nil when none is kept. A
// digest that does not decode is left out (the rule does not apply) and
// logged.
func (s *Store) pageOf(txn *badger.Txn, id int64, n int) (*article.PageDigest, error) {
	var d *article.PageDigest
	var bad error
	_, err := getOptional(txn, pageKey(id, n), func(v []byte) error {
		d, bad = article.DecodePageDigest(v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if bad != nil {
		s.log.Error("page digest does not decode; comparing without it", "article", id, "version", n, "err", bad)
		return nil, nil
	}
	return d, nil
}

// pagesKept are the versions of an article whose page digests are kept.
func pagesKept(a *article.Article) [4]int {
	return [4]int{a.LatestBrowser, a.LatestFetch, a.Read.Version, base(a)}
}

// keepPage stores the capture's page digest under version n, unless one
// is kept there already.
func (c *capturing) keepPage(n int) error {
	if c.page == nil {
		return nil
	}
	k := pageKey(c.a.ID, n)
	switch _, err := c.txn.Get(k); {
	case err == nil:
		return nil
	case !errors.Is(err, badger.ErrKeyNotFound):
		return err
	}
	return c.txn.Set(k, c.pageBytes)
}

// prunePages deletes the digests of versions that left the kept set.
func (c *capturing) prunePages(before [4]int) error {
	after := pagesKept(&c.a)
	for _, n := range before {
		if n == 0 || n == after[0] || n == after[1] || n == after[2] || n == after[3] {
			continue
		}
		if err := c.txn.Delete(pageKey(c.a.ID, n)); err != nil {
			return err
		}
	}
	return nil
}
