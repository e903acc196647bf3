package store

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// Counters of articles and versions, so that Stats reads a fixed number of
// small keys whatever the store holds, never the article records:
//
//	n:<shard>  the articles whose id is shard modulo countShards, and their
//	           versions: two big-endian int64 (a missing shard counts 0)
//	m:counts   countsVersion: the counters are maintained (absent on a
//	           store written before them, which is counted once on open)
//
// They change in the same transaction as the article record (SaveCapture,
// DeleteArticle). One counter key read and written by every capture would
// make concurrent captures of different articles conflict and run again;
// sharded by article id, the writes to one article (which conflict on its
// record anyway) share a shard, new articles take consecutive ids and so
// different shards, and a capture that brings neither a new article nor a
// new version touches no counter at all.
var (
	pfxCount  = []byte("n:")
	keyCounts = []byte("m:counts")
)

// countShards is how many counter keys there are: enough that concurrent
// captures of different articles rarely share one, few enough that Stats
// reads them in microseconds.
const countShards = 64

// countsVersion changes when the layout of n: keys changes; a store with
// another version counts again on open.
const countsVersion = "1"

// counts is one shard's counters.
type counts struct{ articles, versions int64 }

func countKey(shard int) []byte {
	return append(append([]byte(nil), pfxCount...), byte(shard))
}

func shardOf(id int64) int { return int(uint64(id) % countShards) }

func (c counts) bytes() []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(c.articles))
	return binary.BigEndian.AppendUint64(b, uint64(c.versions))
}

// parseCounts reads one counter key and its value, refusing anything this
// code could not have written.
func parseCounts(k, v []byte) (shard int, c counts, err error) {
	if len(k) != len(pfxCount)+1 || int(k[len(pfxCount)]) >= countShards {
		return 0, c, errCountsDamaged("a counter key %q that is not one of its %d", k, countShards)
	}
	shard = int(k[len(pfxCount)])
	if len(v) != 16 {
		return shard, c, errCountsDamaged("counter %d holds %d bytes, not 16", shard, len(v))
	}
	c = counts{int64(binary.BigEndian.Uint64(v)), int64(binary.BigEndian.Uint64(v[8:]))}
	if c.articles < 0 || c.versions < 0 {
		return shard, c, errCountsDamaged("counter %d says %d articles with %d versions", shard, c.articles, c.versions)
	}
	return shard, c, nil
}

func errCountsDamaged(format string, args ...any) error {
	return article.Errorf(article.EINTERNAL, "the store's article counters are damaged (%s): start Redline again and it counts its articles anew; what is stored is safe", fmt.Sprintf(format, args...))
}

// addCounts adds to the counters of article id's shard, in the transaction
// that adds or removes the article or its versions.
func addCounts(txn *badger.Txn, id int64, articles, versions int) error {
	if articles == 0 && versions == 0 {
		return nil
	}
	k := countKey(shardOf(id))
	var c counts
	found, err := getOptional(txn, k, func(v []byte) error {
		var err error
		_, c, err = parseCounts(k, v)
		return err
	})
	if err != nil {
		return fmt.Errorf("read article counter: %w", err)
	}
	c.articles += int64(articles)
	c.versions += int64(versions)
	if c.articles < 0 || c.versions < 0 {
		return errCountsDamaged("counter %d would say %d articles with %d versions", shardOf(id), c.articles, c.versions)
	}
	if c == (counts{}) && found {
		return txn.Delete(k)
	}
	return txn.Set(k, c.bytes())
}

// readCounts sums the counters. ok is false when the store has none.
func readCounts(txn *badger.Txn) (total counts, ok bool, err error) {
	ok, err = getOptional(txn, keyCounts, func(v []byte) error {
		if string(v) != countsVersion {
			return errCountsDamaged("counter layout %q, this Redline knows %q", v, countsVersion)
		}
		return nil
	})
	if err != nil || !ok {
		return total, false, err
	}
	// A key at a time: a read goes straight to a key's newest version,
	// where an iterator would step over the older ones every write leaves
	// until Badger compacts them away.
	for shard := range countShards {
		k := countKey(shard)
		_, err := getOptional(txn, k, func(v []byte) error {
			_, c, err := parseCounts(k, v)
			total.articles += c.articles
			total.versions += c.versions
			return err
		})
		if err != nil {
			return counts{}, false, err
		}
	}
	return total, true, nil
}

// countByScan counts articles and versions from every article record, by
// shard: what the counters hold, found the slow way.
func countByScan(txn *badger.Txn) ([countShards]counts, error) {
	var shards [countShards]counts
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxArticle, PrefetchValues: true, PrefetchSize: 256})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		var a struct {
			ID       int64 `json:"id"`
			Versions int   `json:"versions"`
		}
		if err := it.Item().Value(func(b []byte) error { return jsonUnmarshal(b, &a) }); err != nil {
			return shards, fmt.Errorf("read article %x: %w", it.Item().Key(), err)
		}
		c := &shards[shardOf(a.ID)]
		c.articles++
		c.versions += int64(a.Versions)
	}
	return shards, nil
}

// ensureCounts writes the counters of a store that has none (written
// before they existed, or restored from such a backup), or whose counters
// do not read back: it counts every article once, in one transaction. On
// a store whose counters read back it reads countShards keys.
func (s *Store) ensureCounts() error {
	var why string
	err := s.db.View(func(txn *badger.Txn) error {
		_, ok, err := readCounts(txn)
		switch {
		case err != nil:
			why = err.Error()
		case !ok:
			why = "none yet"
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read article counters: %w", err)
	}
	if why == "" {
		return nil
	}
	start := time.Now()
	var total counts
	err = s.db.Update(func(txn *badger.Txn) error {
		shards, err := countByScan(txn)
		if err != nil {
			return err
		}
		if err := deletePrefix(txn, pfxCount); err != nil {
			return err
		}
		total = counts{}
		for i, c := range shards {
			if c == (counts{}) {
				continue
			}
			total.articles += c.articles
			total.versions += c.versions
			if err := txn.Set(countKey(i), c.bytes()); err != nil {
				return err
			}
		}
		return txn.Set(keyCounts, []byte(countsVersion))
	})
	if err != nil {
		return fmt.Errorf("count articles: %w", mapStoreErr(err))
	}
	level := s.log.Info
	if why != "none yet" {
		level = s.log.Warn
	}
	level("articles counted", "articles", total.articles, "versions", total.versions, "why", why, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
