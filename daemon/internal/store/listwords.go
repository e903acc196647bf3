package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// The word index lets a search find articles by their text, in any version
// the user or Redline ever saw (a sentence that was removed still finds
// the article). Keys alone, word first:
//
//	l:t<word>\x00<id be64>
//
// Words are lower-cased runs of letters and digits, 2 to 40 bytes long
// (single digits count: "7" is a search people make).
var pfxListWord = []byte("l:t")

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

func wordKey(word string, id int64) []byte {
	k := make([]byte, 0, len(pfxListWord)+len(word)+9)
	k = append(k, pfxListWord...)
	k = append(k, word...)
	k = append(k, 0)
	return binary.BigEndian.AppendUint64(k, uint64(id))
}

// addWords indexes the words of a new content of an article. Only words
// the article did not have yet are written: a new version mostly repeats
// the last, and rewriting every word would make each capture hundreds of
// writes (and as many superseded keys until Badger compacts). fresh says
// the article has no version yet, so no word is indexed; newestRaw, when
// known, is the stored content of its newest version, whose words are
// indexed already: only the others need a look in the index, a handful
// for a typical edit instead of hundreds.
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
	for _, w := range contentWords(c) {
		if had[w] {
			continue
		}
		k := wordKey(w, id)
		if fresh {
			if err := txn.Set(k, nil); err != nil {
				return err
			}
			continue
		}
		switch _, err := txn.Get(k); {
		case err == nil:
			continue
		case !errors.Is(err, badger.ErrKeyNotFound):
			return err
		}
		if err := txn.Set(k, nil); err != nil {
			return err
		}
	}
	return nil
}

// removeWords drops an article's words: those of every version it has.
// Call it before the versions are deleted.
func (s *Store) removeWords(txn *badger.Txn, a *article.Article) error {
	seen := map[string]bool{}
	for n := 1; n <= a.Versions; n++ {
		r, err := s.record(txn, a.ID, n)
		if article.ErrorCode(err) == article.ENOTFOUND {
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
		for _, w := range words {
			if seen[w] {
				continue
			}
			seen[w] = true
			if err := txn.Delete(wordKey(w, a.ID)); err != nil {
				return err
			}
		}
	}
	return nil
}

// collectLimit: when the rarest word of a search is in at most this many
// articles, the matches are collected at once; otherwise each candidate of
// the listing is tested word by word, which fills a page of common words
// quickly without collecting them all.
const collectLimit = 5000

// textQuery answers whether an article's text holds every word of a search.
type textQuery struct {
	txn   *badger.Txn
	words []string
	set   map[int64]bool // the matches, when collected
}

// newTextQuery prepares a text search for q, or returns nil when q has no
// indexable word.
func (s *Store) newTextQuery(txn *badger.Txn, q string) (*textQuery, error) {
	words := indexWords(q)
	if len(words) == 0 {
		return nil, nil
	}
	tq := &textQuery{txn: txn, words: words}
	rarest, least := "", -1
	for _, w := range words {
		n := 0
		it := txn.NewIterator(badger.IteratorOptions{Prefix: wordPrefix(w)})
		for it.Rewind(); it.Valid() && n <= collectLimit && (least < 0 || n < least); it.Next() {
			n++
		}
		it.Close()
		if least < 0 || n < least {
			rarest, least = w, n
		}
	}
	if least > collectLimit {
		return tq, nil // common words: test candidates one by one
	}
	tq.set = map[int64]bool{}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: wordPrefix(rarest)})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		k := it.Item().Key()
		id := int64(binary.BigEndian.Uint64(k[len(k)-8:]))
		ok, err := tq.lookup(id, rarest)
		if err != nil {
			return nil, err
		}
		if ok {
			tq.set[id] = true
		}
	}
	return tq, nil
}

func wordPrefix(w string) []byte {
	return append(append(slices.Clone(pfxListWord), w...), 0)
}

// lookup reports whether article id has every word but skip.
func (tq *textQuery) lookup(id int64, skip string) (bool, error) {
	for _, w := range tq.words {
		if w == skip {
			continue
		}
		_, err := tq.txn.Get(wordKey(w, id))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
	return true, nil
}

// has reports whether article id's text holds every word of the search.
func (tq *textQuery) has(id int64) (bool, error) {
	if tq == nil {
		return false, nil
	}
	if tq.set != nil {
		return tq.set[id], nil
	}
	return tq.lookup(id, "")
}

// rebuildWords indexes the words of every version of an article into wb
// (building the index of an older store).
func (s *Store) rebuildWords(txn *badger.Txn, wb *badger.WriteBatch, a *article.Article) error {
	for n := 1; n <= a.Versions; n++ {
		r, err := s.record(txn, a.ID, n)
		if err != nil || r.RevertOf > 0 {
			continue // a missing or repeated version adds no words
		}
		raw, err := s.content(txn, a.ID, r)
		if err != nil {
			return err
		}
		words, err := rawWords(raw)
		if err != nil {
			return err
		}
		for _, w := range words {
			if err := wb.Set(wordKey(w, a.ID), nil); err != nil {
				return err
			}
		}
	}
	return nil
}
