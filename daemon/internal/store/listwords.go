package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// The word index lets a search find articles by their text, in any version
// the user or Redline ever saw (a sentence that was removed still finds
// the article). It is a posting list per word: the ids of the articles
// whose text has the word, ascending, cut in blocks of about
// maxBlockBytes, each block one key named by its first id:
//
//	l:p<word>\x00<first id be64>  the block's other ids, each as the
//	                              uvarint difference from the one before
//	l:q<shard byte>               words that articles (id modulo 64 is
//	                              the shard) gained and that are not in
//	                              the posting lists yet
//
// A block holds the word's ids from its first up to the next block's
// first. A search reads the blocks of its words, so it costs the size of
// its answer, or, when every word is common, only the blocks of the
// articles the listing walks; a store holds about one key per word and
// per block, not one per word per article.
//
// A capture does not write the posting lists: the words an article gains
// go to its shard of pending words in the capture's transaction, so
// concurrent captures seldom write the same key (every new article has
// "the", and new articles take consecutive ids, hence shards). Once
// foldAt captures have added words, the next one folds the pending words
// into the posting lists, up to foldWords words per transaction; a search
// reads the 64 pending keys as well. Forgetting an article takes its id
// out of its words' blocks in the forgetting transaction.
//
// Words are lower-cased runs of letters and digits, 2 to 40 bytes long
// (single digits count: "7" is a search people make).
var (
	pfxListPosting = []byte("l:p")
	pfxListPending = []byte("l:q")
)

// maxBlockBytes bounds a posting block's value (give or take an id):
// folding a word into its last block rewrites at most this much.
const maxBlockBytes = 512

// foldAt is how many captures add pending words before one folds them
// into the posting lists; a search reads the pending words of about as
// many captures (in place: a few hundred kilobytes at most). A fold's
// commit makes the captures then writing the shards it folded run again,
// so folds are not made more frequent than this.
const foldAt = 256

// foldWords bounds the distinct words one fold transaction writes, at
// most maxBlockBytes each: well inside Badger's transaction limit.
const foldWords = 1000

// maxWordBytes bounds an indexed word; longer runs are not words people
// search for (hashes, base64).
const maxWordBytes = 40

// maxVersionWords bounds the distinct words indexed for one version, in
// the order they first appear: a capture's transaction stays small
// whatever its text (an article rarely has more than 2,000).
const maxVersionWords = 4000

// indexWords splits text into the distinct words the index keeps.
func indexWords(text string) []string {
	var ws wordSet
	ws.add(text)
	return ws.out
}

// contentWords are the distinct words of a content's title, byline and
// blocks, in that order.
func contentWords(c article.Content) []string {
	var ws wordSet
	if ws.add(c.Title) && ws.add(c.Byline) {
		for _, b := range c.Blocks {
			if !ws.add(b.Text) {
				break
			}
		}
	}
	return ws.out
}

// wordSet collects distinct words, reading each text in place: a word is
// a run of runes that are letters or numbers once lower-cased, kept lower-
// cased when it is 2 to maxWordBytes bytes long (or a single digit), up to
// maxVersionWords words. Only the words kept are allocated, so a capture
// at the limits costs its distinct words, not copies of its text.
type wordSet struct {
	seen map[string]bool
	out  []string
	word []byte // the word being read, lower-cased
}

// add reads the words of text; it returns false when the set is full.
func (ws *wordSet) add(text string) bool {
	if ws.seen == nil {
		ws.seen = map[string]bool{}
	}
	ws.word = ws.word[:0]
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		i += n
		if r < utf8.RuneSelf {
			switch {
			case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
				ws.word = append(ws.word, byte(r))
				continue
			case 'A' <= r && r <= 'Z':
				ws.word = append(ws.word, byte(r)+'a'-'A')
				continue
			}
		}
		if l := unicode.ToLower(r); unicode.IsLetter(l) || unicode.IsNumber(l) {
			ws.word = utf8.AppendRune(ws.word, l)
			continue
		}
		if !ws.end() {
			return false
		}
	}
	return ws.end()
}

// end keeps the word just read, if it counts; it returns false when the
// set is full.
func (ws *wordSet) end() bool {
	w := ws.word
	ws.word = ws.word[:0]
	if len(w) == 0 || len(w) > maxWordBytes || len(w) < 2 && !unicode.IsDigit(rune(w[0])) || ws.seen[string(w)] {
		return true
	}
	if len(ws.out) == maxVersionWords {
		return false
	}
	k := string(w)
	ws.seen[k] = true
	ws.out = append(ws.out, k)
	return true
}

// rawWords is contentWords of a stored content.
func rawWords(raw []byte) ([]string, error) {
	var c article.Content
	if err := jsonUnmarshal(raw, &c); err != nil {
		return nil, err
	}
	return contentWords(c), nil
}

// wordIndex is the Store's state of the word index.
type wordIndex struct {
	// fold is held by the one fold running.
	fold sync.Mutex
	// pending counts captures that added pending words since the last
	// fold began (retried transactions count again: it only says when
	// to fold).
	pending atomic.Int64
}

func postingPrefix(w string) []byte {
	k := make([]byte, 0, len(pfxListPosting)+len(w)+9)
	k = append(k, pfxListPosting...)
	k = append(k, w...)
	return append(k, 0)
}

func postingKey(prefix []byte, first int64) []byte {
	return binary.BigEndian.AppendUint64(slices.Clip(prefix), uint64(first))
}

// decodeBlock appends the ids of the block starting at first, whose
// value is v, to ids.
func decodeBlock(ids []int64, first int64, v []byte) ([]int64, error) {
	ids = append(ids, first)
	id := first
	for len(v) > 0 {
		d, n := binary.Uvarint(v)
		if n <= 0 || d == 0 || d > math.MaxInt64-uint64(id) {
			return ids, fmt.Errorf("posting block at article %d is damaged", first)
		}
		id += int64(d)
		ids = append(ids, id)
		v = v[n:]
	}
	return ids, nil
}

// writeBlocks stores ids (ascending, distinct, at least one) under a
// word's prefix in blocks of about maxBlockBytes, replacing the block
// that started at old (-1: none).
func writeBlocks(txn *badger.Txn, prefix []byte, old int64, ids []int64) error {
	if old >= 0 && old != ids[0] {
		if err := txn.Delete(postingKey(prefix, old)); err != nil {
			return err
		}
	}
	for len(ids) > 0 {
		var v []byte
		n := 1
		for ; n < len(ids) && len(v) < maxBlockBytes; n++ {
			v = binary.AppendUvarint(v, uint64(ids[n]-ids[n-1]))
		}
		if err := txn.Set(postingKey(prefix, ids[0]), v); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// seekBlock reads the block of a word (its prefix) that holds id: the one
// with the largest first id not above id. it iterates the posting lists
// in reverse.
func seekBlock(it *badger.Iterator, prefix []byte, id int64) (first int64, ids []int64, found bool, err error) {
	it.Seek(postingKey(prefix, id))
	if !it.ValidForPrefix(prefix) {
		return 0, nil, false, nil
	}
	k := it.Item().Key()
	if len(k) != len(prefix)+8 {
		return 0, nil, false, fmt.Errorf("posting key %q is damaged", k)
	}
	first = int64(binary.BigEndian.Uint64(k[len(prefix):]))
	err = it.Item().Value(func(v []byte) error {
		ids, err = decodeBlock(nil, first, v)
		return err
	})
	return first, ids, true, err
}

// addPostings adds ids (ascending, distinct) to word w's posting list.
func addPostings(txn *badger.Txn, it *badger.Iterator, w string, ids []int64) error {
	prefix := postingPrefix(w)
	for len(ids) > 0 {
		first, have, found, err := seekBlock(it, prefix, ids[len(ids)-1])
		if err != nil {
			return err
		}
		cut, old := 0, int64(-1)
		if found {
			cut, _ = slices.BinarySearch(ids, first)
			old = first
		}
		merged := mergeIDs(have, ids[cut:])
		if len(merged) > len(have) {
			if err := writeBlocks(txn, prefix, old, merged); err != nil {
				return err
			}
		}
		ids = ids[:cut]
	}
	return nil
}

// removePosting takes id out of word w's posting list.
func removePosting(txn *badger.Txn, it *badger.Iterator, w string, id int64) error {
	prefix := postingPrefix(w)
	first, have, found, err := seekBlock(it, prefix, id)
	if err != nil || !found {
		return err
	}
	i, ok := slices.BinarySearch(have, id)
	if !ok {
		return nil
	}
	have = slices.Delete(have, i, i+1)
	if len(have) == 0 {
		return txn.Delete(postingKey(prefix, first))
	}
	return writeBlocks(txn, prefix, first, have)
}

// mergeIDs is the union of two ascending lists of distinct ids.
func mergeIDs(a, b []int64) []int64 {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make([]int64, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i, j = i+1, j+1
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// intersectIDs keeps the ids of a (ascending) that b (ascending) has.
func intersectIDs(a, b []int64) []int64 {
	out := a[:0]
	j := 0
	for _, id := range a {
		for j < len(b) && b[j] < id {
			j++
		}
		if j < len(b) && b[j] == id {
			out = append(out, id)
		}
	}
	return out
}

// pendingShards is how many keys hold the pending words: an article's
// words go to the key of its id modulo pendingShards, so that concurrent
// captures of different articles (new articles take consecutive ids)
// seldom share one, and a fold or a search reads a fixed number of keys,
// never a trail of deleted ones.
const pendingShards = 64

func pendingKey(id int64) []byte {
	return append(slices.Clip(pfxListPending), byte(id%pendingShards))
}

// pendingEntry is one article's pending words.
type pendingEntry struct {
	id    int64
	words []string
}

// encodePending is the value of a pending key: per article its id
// (be64), its number of words, then each word, as uvarint lengths and
// bytes.
func encodePending(entries []pendingEntry) []byte {
	var v []byte
	for _, e := range entries {
		v = binary.BigEndian.AppendUint64(v, uint64(e.id))
		v = binary.AppendUvarint(v, uint64(len(e.words)))
		for _, w := range e.words {
			v = binary.AppendUvarint(v, uint64(len(w)))
			v = append(v, w...)
		}
	}
	return v
}

func decodePending(v []byte) ([]pendingEntry, error) {
	var out []pendingEntry
	err := scanPending(v, func(id int64, w []byte) {
		if len(out) == 0 || out[len(out)-1].id != id {
			out = append(out, pendingEntry{id: id})
		}
		if w != nil {
			out[len(out)-1].words = append(out[len(out)-1].words, string(w))
		}
	})
	return out, err
}

// scanPending calls each with every word of a pending key's value and the
// article it is of, reading the value in place (and once with a nil word
// for each article, first).
func scanPending(v []byte, each func(id int64, w []byte)) error {
	bad := fmt.Errorf("pending words are damaged")
	for len(v) > 0 {
		if len(v) < 8 {
			return bad
		}
		id := int64(binary.BigEndian.Uint64(v))
		n, k := binary.Uvarint(v[8:])
		if k <= 0 || n > uint64(len(v)) {
			return bad
		}
		each(id, nil)
		v = v[8+k:]
		for range n {
			l, k := binary.Uvarint(v)
			if k <= 0 || l > uint64(len(v)-k) {
				return bad
			}
			each(id, v[k:k+int(l)])
			v = v[k+int(l):]
		}
	}
	return nil
}

// readPending reads the pending entries of the key that holds article
// id's.
func readPending(txn *badger.Txn, id int64) ([]pendingEntry, error) {
	var entries []pendingEntry
	_, err := getOptional(txn, pendingKey(id), func(v []byte) error {
		var err error
		entries, err = decodePending(v)
		return err
	})
	return entries, err
}

// writePending stores the pending entries of the key that holds article
// id's, deleting it when none is left.
func writePending(txn *badger.Txn, id int64, entries []pendingEntry) error {
	if len(entries) == 0 {
		return txn.Delete(pendingKey(id))
	}
	return txn.Set(pendingKey(id), encodePending(entries))
}

// addWords indexes the words of a new content of an article. Only words
// the article did not have in its newest version go to its pending key:
// a new version mostly repeats the last. fresh says the article has no
// version yet; newestRaw, when known, is the stored content of its newest
// version, whose words are indexed already.
func (s *Store) addWords(txn *badger.Txn, id int64, c article.Content, fresh bool, newestRaw []byte) error {
	var had map[string]bool
	if !fresh && newestRaw != nil {
		words, err := rawWords(newestRaw)
		if err != nil {
			return fmt.Errorf("read the newest version of article %d: %w", id, err)
		}
		had = make(map[string]bool, len(words))
		for _, w := range words {
			had[w] = true
		}
	}
	var add []string
	for _, w := range contentWords(c) {
		if !had[w] {
			add = append(add, w)
		}
	}
	if len(add) == 0 {
		return nil
	}
	entries, err := readPending(txn, id)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(entries, func(e pendingEntry) bool { return e.id == id })
	if i < 0 {
		entries = append(entries, pendingEntry{id: id, words: add})
	} else {
		in := make(map[string]bool, len(entries[i].words))
		for _, w := range entries[i].words {
			in[w] = true
		}
		for _, w := range add {
			if !in[w] {
				entries[i].words = append(entries[i].words, w)
			}
		}
	}
	if err := writePending(txn, id, entries); err != nil {
		return err
	}
	s.words.pending.Add(1)
	return nil
}

// versionWords calls each with the words of every version of an article
// (a version that repeats an earlier one is skipped). Lenient, a version
// that cannot be read is skipped too, as when building the index of a
// damaged store.
func (s *Store) versionWords(txn *badger.Txn, a *article.Article, lenient bool, each func(words []string) error) error {
	for n := 1; n <= a.Versions; n++ {
		r, err := s.record(txn, a.ID, n)
		if article.ErrorCode(err) == article.ENOTFOUND || lenient && err != nil {
			continue
		}
		if err != nil {
			return err
		}
		if r.RevertOf > 0 {
			continue // the same content as an earlier version
		}
		raw, err := s.content(txn, a.ID, r)
		if err != nil {
			return err
		}
		words, err := rawWords(raw)
		if err != nil {
			return err
		}
		if err := each(words); err != nil {
			return err
		}
	}
	return nil
}

// removeWords takes an article out of the word index: its id out of the
// blocks of the words of every version it has, and its pending words.
// Call it before the versions are deleted.
func (s *Store) removeWords(txn *badger.Txn, a *article.Article) error {
	entries, err := readPending(txn, a.ID)
	if err != nil {
		return err
	}
	if i := slices.IndexFunc(entries, func(e pendingEntry) bool { return e.id == a.ID }); i >= 0 {
		if err := writePending(txn, a.ID, slices.Delete(entries, i, i+1)); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	var words []string
	err = s.versionWords(txn, a, false, func(ws []string) error {
		for _, w := range ws {
			if !seen[w] {
				seen[w] = true
				words = append(words, w)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(words)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxListPosting, Reverse: true})
	defer it.Close()
	for _, w := range words {
		if err := removePosting(txn, it, w, a.ID); err != nil {
			return err
		}
	}
	return nil
}

// foldWordsIfDue folds the pending words into the posting lists once
// foldAt captures have added some, unless a fold is running. A fold that
// fails leaves the words pending, where a search still finds them; a
// later capture folds them.
func (s *Store) foldWordsIfDue() {
	if s.words.pending.Load() < foldAt || !s.words.fold.TryLock() {
		return
	}
	defer s.words.fold.Unlock()
	s.words.pending.Store(0)
	if err := s.foldPending(); err != nil {
		s.log.Warn("fold new words into the word index", "err", err)
	}
}

// foldPending folds every pending word into the posting lists, one
// transaction per foldWords words. It folds every shard at once while no
// capture gets in the way; when one does (it wrote a shard the fold read),
// it folds shard by shard, where a conflict costs one shard's work and is
// retried. Hold words.fold.
func (s *Store) foldPending() error {
	if err := s.Writable(); err != nil {
		return fmt.Errorf("fold pending words: %w", err)
	}
	for {
		var more bool
		err := s.db.Update(func(txn *badger.Txn) error {
			var err error
			more, err = foldSome(txn, 0, pendingShards)
			return err
		})
		if errors.Is(err, badger.ErrConflict) {
			break
		}
		if err != nil {
			return fmt.Errorf("fold pending words: %w", mapStoreErr(err))
		}
		if !more {
			return nil
		}
	}
	return s.foldShards()
}

// foldGroup is how many shards a fold takes per transaction once
// captures get in its way: a conflict then costs an eighth of its work,
// and a fold commits 8 times, not 64.
const foldGroup = 8

// foldShards folds every pending word foldGroup shards at a time. Hold
// words.fold.
func (s *Store) foldShards() error {
	for lo := 0; lo < pendingShards; lo += foldGroup {
		for {
			var more bool
			err := s.update(context.Background(), func(txn *badger.Txn) error {
				var err error
				more, err = foldSome(txn, lo, lo+foldGroup)
				return err
			})
			if err != nil {
				return fmt.Errorf("fold pending words: %w", err)
			}
			if !more {
				break
			}
		}
	}
	return nil
}

// foldSome moves up to foldWords distinct pending words of the shards in
// [lo, hi) into the posting lists; more says pending words are left.
func foldSome(txn *badger.Txn, lo, hi int) (more bool, err error) {
	byWord := map[string][]int64{}
	type kept struct {
		key  []byte
		left []pendingEntry // what does not fold now
	}
	var shards []kept
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxListPending, PrefetchValues: true, PrefetchSize: hi - lo})
	for it.Seek(pendingKey(int64(lo))); it.Valid(); it.Next() {
		k := it.Item().Key()
		if int(k[len(pfxListPending)]) >= hi {
			break
		}
		if len(k) != len(pfxListPending)+1 {
			continue // not a shard's key
		}
		var entries []pendingEntry
		if err := it.Item().Value(func(v []byte) error {
			var err error
			entries, err = decodePending(v)
			return err
		}); err != nil {
			it.Close()
			return false, err
		}
		sh := kept{key: it.Item().KeyCopy(nil)}
		for _, e := range entries {
			i := 0
			for ; i < len(e.words) && !more; i++ {
				if _, ok := byWord[e.words[i]]; !ok && len(byWord) >= foldWords {
					more = true
					break
				}
				byWord[e.words[i]] = append(byWord[e.words[i]], e.id)
			}
			if i < len(e.words) {
				sh.left = append(sh.left, pendingEntry{id: e.id, words: e.words[i:]})
			}
		}
		shards = append(shards, sh)
	}
	it.Close()
	pit := txn.NewIterator(badger.IteratorOptions{Prefix: pfxListPosting, Reverse: true})
	defer pit.Close()
	for _, w := range slices.Sorted(maps.Keys(byWord)) {
		ids := byWord[w]
		slices.Sort(ids) // shards hold ids in any order; an entry's words are distinct
		if err := addPostings(txn, pit, w, ids); err != nil {
			return false, err
		}
	}
	for _, sh := range shards {
		if len(sh.left) == 0 {
			err = txn.Delete(sh.key)
		} else {
			err = txn.Set(sh.key, encodePending(sh.left))
		}
		if err != nil {
			return false, err
		}
	}
	return more, nil
}

// collectBlocks: when a word of a search has at most this many blocks,
// the search reads its words' lists whole and keeps the articles in all;
// otherwise (every word is common) it tests the candidates the listing
// walks, reading only the blocks they fall in, which fills a page of
// common words without reading their lists.
var collectBlocks = 16

// textQuery answers whether an article's text holds every word of a
// search.
type textQuery struct {
	ids     []int64       // the articles that have every word, ascending
	cursors []*wordCursor // instead, when every word is common: one each
}

// wordCursor answers whether articles have one word, reading the block
// each falls in (the last one read is kept: a listing's candidates come
// in runs of the same block).
type wordCursor struct {
	txn     *badger.Txn
	prefix  []byte
	pending []int64          // the articles whose pending words have it
	it      *badger.Iterator // over the word's blocks, in reverse
	ids     []int64          // the block read last
}

func (c *wordCursor) has(id int64) (bool, error) {
	if _, ok := slices.BinarySearch(c.pending, id); ok {
		return true, nil
	}
	if len(c.ids) == 0 || id < c.ids[0] || id > c.ids[len(c.ids)-1] {
		if c.it == nil {
			c.it = c.txn.NewIterator(badger.IteratorOptions{Prefix: c.prefix, Reverse: true})
		}
		_, ids, found, err := seekBlock(c.it, c.prefix, id)
		if err != nil || !found {
			return false, err
		}
		c.ids = ids
	}
	_, ok := slices.BinarySearch(c.ids, id)
	return ok, nil
}

// countBlocks counts word w's blocks, up to limit+1.
func countBlocks(txn *badger.Txn, w string, limit int) int {
	n := 0
	it := txn.NewIterator(badger.IteratorOptions{Prefix: postingPrefix(w)})
	defer it.Close()
	for it.Rewind(); it.Valid() && n <= limit; it.Next() {
		n++
	}
	return n
}

// newTextQuery prepares a text search for q, or returns nil when q has no
// indexable word. It reads the posting lists of q's words and the pending
// words, and keeps the articles that have them all.
func (s *Store) newTextQuery(txn *badger.Txn, q string) (*textQuery, error) {
	words := indexWords(q)
	if len(words) == 0 {
		return nil, nil
	}
	pending, err := pendingWith(txn, words)
	if err != nil {
		return nil, err
	}
	tq := &textQuery{}
	least := -1
	for _, w := range words {
		if n := countBlocks(txn, w, collectBlocks); least < 0 || n < least {
			least = n
		}
	}
	if least > collectBlocks {
		for _, w := range words {
			tq.cursors = append(tq.cursors, &wordCursor{txn: txn, prefix: postingPrefix(w), pending: pending[w]})
		}
		return tq, nil
	}
	for i, w := range words {
		ids, err := postingIDs(txn, w)
		if err != nil {
			return nil, err
		}
		ids = mergeIDs(ids, pending[w])
		if i == 0 {
			tq.ids = ids
		} else {
			tq.ids = intersectIDs(tq.ids, ids)
		}
		if len(tq.ids) == 0 {
			break
		}
	}
	return tq, nil
}

// postingIDs reads word w's posting list.
func postingIDs(txn *badger.Txn, w string) ([]int64, error) {
	prefix := postingPrefix(w)
	var ids []int64
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 64})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		k := it.Item().Key()
		if len(k) != len(prefix)+8 {
			return nil, fmt.Errorf("posting key %q is damaged", k)
		}
		first := int64(binary.BigEndian.Uint64(k[len(prefix):]))
		if err := it.Item().Value(func(v []byte) error {
			var err error
			ids, err = decodeBlock(ids, first, v)
			return err
		}); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// pendingWith returns, for each of words, the articles (ascending) whose
// pending words have it.
func pendingWith(txn *badger.Txn, words []string) (map[string][]int64, error) {
	want := make(map[string]bool, len(words))
	for _, w := range words {
		want[w] = true
	}
	out := map[string][]int64{}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxListPending, PrefetchValues: true, PrefetchSize: pendingShards})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		if err := it.Item().Value(func(v []byte) error {
			return scanPending(v, func(id int64, w []byte) {
				if w != nil && want[string(w)] {
					out[string(w)] = append(out[string(w)], id)
				}
			})
		}); err != nil {
			return nil, err
		}
	}
	for _, ids := range out {
		slices.Sort(ids)
	}
	return out, nil
}

// has reports whether article id's text holds every word of the search.
func (tq *textQuery) has(id int64) (bool, error) {
	if tq == nil {
		return false, nil
	}
	if tq.cursors != nil {
		for _, c := range tq.cursors {
			if ok, err := c.has(id); err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	}
	_, ok := slices.BinarySearch(tq.ids, id)
	return ok, nil
}

// close closes the iterators the query opened (before its transaction
// ends).
func (tq *textQuery) close() {
	if tq == nil {
		return
	}
	for _, c := range tq.cursors {
		if c.it != nil {
			c.it.Close()
		}
	}
}

// rebuildBatch is how many articles the index build reads between
// progress checks.
var rebuildBatch = 1000

// rebuildCarry bounds the words whose partial block the index build holds
// in memory (about 100 bytes each) before it writes them all: past it, a
// word's later ids start another block.
var rebuildCarry = 1 << 19

// wordBuild builds the posting lists of a store, article by article in
// ascending id order, into a write batch.
type wordBuild struct {
	s     *Store
	wb    *badger.WriteBatch
	carry map[string]*carried
}

// carried is a word's block being filled.
type carried struct {
	first, last int64
	v           []byte
}

func newWordBuild(s *Store, wb *badger.WriteBatch) *wordBuild {
	return &wordBuild{s: s, wb: wb, carry: map[string]*carried{}}
}

// add indexes the words of every version of article a, whose id is above
// every id added before.
func (b *wordBuild) add(txn *badger.Txn, a *article.Article) error {
	seen := map[string]bool{}
	err := b.s.versionWords(txn, a, true, func(words []string) error {
		for _, w := range words {
			if seen[w] {
				continue
			}
			seen[w] = true
			c := b.carry[w]
			if c == nil {
				b.carry[w] = &carried{first: a.ID, last: a.ID}
			} else {
				c.v = binary.AppendUvarint(c.v, uint64(a.ID-c.last))
				c.last = a.ID
				if len(c.v) >= maxBlockBytes {
					if err := b.write(w, c); err != nil {
						return err
					}
					delete(b.carry, w)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(b.carry) >= rebuildCarry {
		return b.flush()
	}
	return nil
}

func (b *wordBuild) write(w string, c *carried) error {
	return b.wb.Set(postingKey(postingPrefix(w), c.first), c.v)
}

// flush writes every word's partial block.
func (b *wordBuild) flush() error {
	for w, c := range b.carry {
		if err := b.write(w, c); err != nil {
			return err
		}
	}
	clear(b.carry)
	return nil
}
