package store

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// Template furniture learned per site. A short block that recurs across
// different articles of one site ("Supported by", a series kicker, a
// promo line) is the site's template, not an article: the judge treats it
// as noise (article.Pair.Furniture). One record per site holds what was
// learned, read and written once in each capture's transaction that
// stores a new version:
//
//	t:<site> -> furnitureRecord (binary, see marshal)
//
// A block is known by the hash of its canonical words (letters and digits,
// lower-cased, one space apart). A block seen in one article only keeps no
// text, only its hash and that article's id; the text is kept once a
// second article has it, so the dashboard can list it. The user may
// remove an entry: it is then kept as "not furniture" and never learned
// again.
var pfxFurniture = []byte("t:")

const (
	// maxFurnitureWords and maxFurnitureBytes bound a block that may be
	// furniture: template lines are short.
	maxFurnitureWords = 20
	maxFurnitureBytes = 240
	// furnitureArticles is how many different articles must hold a block
	// for it to be furniture.
	furnitureArticles = 2
	// maxFurnitureEntries bounds a site's record: when full, the blocks
	// seen in one article longest ago are forgotten first.
	maxFurnitureEntries = 256
	// maxFurnitureText bounds the text kept of an entry, to show it.
	maxFurnitureText = 120
	// furnitureFormat is the record's first byte.
	furnitureFormat = 1
)

func furnitureKey(site string) []byte { return append(slices.Clip(pfxFurniture), site...) }

// furnitureEntry is one block of a site's record.
type furnitureEntry struct {
	hash uint64
	// articles counts the different articles it was seen in; first and
	// last are the first and the latest of them.
	articles    uint32
	first, last int64
	// seen is the record's clock when it was last seen.
	seen     uint64
	rejected bool
	text     string // kept once it is furniture, or rejected
}

func (e *furnitureEntry) learned() bool { return e.articles >= furnitureArticles && !e.rejected }

// furnitureRecord is a site's learned furniture, entries sorted by hash.
type furnitureRecord struct {
	clock   uint64
	entries []furnitureEntry
}

// furnitureHash returns the hash of a block's canonical words, and false
// when the block cannot be furniture (empty, or too long).
func furnitureHash(text string) (uint64, bool) {
	if len(text) > maxFurnitureBytes {
		return 0, false
	}
	h := fnv.New64a()
	words, inWord := 0, false
	var buf [utf8.UTFMax]byte
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			if !inWord {
				if words > 0 {
					h.Write([]byte{' '})
				}
				words++
				inWord = true
			}
			n := utf8.EncodeRune(buf[:], unicode.ToLower(r))
			h.Write(buf[:n])
			continue
		}
		if r == '\'' || r == '’' {
			continue // "didn't" and "didn’t" are one word
		}
		inWord = false
	}
	if words == 0 || words > maxFurnitureWords {
		return 0, false
	}
	return h.Sum64(), true
}

func (r *furnitureRecord) find(h uint64) (int, bool) {
	return slices.BinarySearchFunc(r.entries, h, func(e furnitureEntry, h uint64) int { return cmp.Compare(e.hash, h) })
}

// Furniture reports whether text is a block the site repeats across its
// articles (article.Furniture).
func (r *furnitureRecord) Furniture(text string) bool {
	if r == nil || len(r.entries) == 0 {
		return false
	}
	h, ok := furnitureHash(text)
	if !ok {
		return false
	}
	i, found := r.find(h)
	return found && r.entries[i].learned()
}

// learn counts the short blocks of one version of article id, the first
// maxFurnitureEntries of them: a page of thousands of short lines costs
// no more than a full record. A block seen again in an article it was
// seen in before counts once.
func (r *furnitureRecord) learn(id int64, blocks []article.Block) {
	r.clock++
	done := make(map[uint64]bool, min(len(blocks), maxFurnitureEntries))
	for _, b := range blocks {
		if len(done) == maxFurnitureEntries {
			break
		}
		h, ok := furnitureHash(b.Text)
		if !ok || done[h] {
			continue
		}
		done[h] = true
		i, found := r.find(h)
		if !found {
			r.entries = slices.Insert(r.entries, i, furnitureEntry{hash: h, articles: 1, first: id, last: id, seen: r.clock})
			continue
		}
		e := &r.entries[i]
		if e.rejected {
			continue
		}
		e.seen = r.clock
		if id != e.first && id != e.last {
			e.articles++
			e.last = id
		}
		if e.learned() && e.text == "" {
			e.text = clipText(b.Text, maxFurnitureText)
		}
	}
	r.trim()
}

// trim forgets entries beyond maxFurnitureEntries: blocks seen in one
// article first, then learned ones, then removed ones, longest unseen
// first.
func (r *furnitureRecord) trim() {
	over := len(r.entries) - maxFurnitureEntries
	if over <= 0 {
		return
	}
	rank := func(e *furnitureEntry) int {
		switch {
		case e.rejected:
			return 2
		case e.learned():
			return 1
		}
		return 0
	}
	order := make([]int, len(r.entries))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		ea, eb := &r.entries[a], &r.entries[b]
		if c := cmp.Compare(rank(ea), rank(eb)); c != 0 {
			return c
		}
		return cmp.Compare(ea.seen, eb.seen)
	})
	drop := make([]bool, len(r.entries))
	for _, i := range order[:over] {
		drop[i] = true
	}
	kept := r.entries[:0]
	for i, e := range r.entries {
		if !drop[i] {
			kept = append(kept, e)
		}
	}
	r.entries = kept
}

// forgetArticle drops what only article id taught: the blocks seen in it
// alone.
func (r *furnitureRecord) forgetArticle(id int64) bool {
	n := len(r.entries)
	r.entries = slices.DeleteFunc(r.entries, func(e furnitureEntry) bool {
		return !e.rejected && e.articles < furnitureArticles && e.first == id
	})
	return len(r.entries) != n
}

// marshal encodes the record: a format byte, the clock, the number of
// entries, then each entry as its hash (8 bytes), a flags byte (1:
// removed by the user, 2: text follows), articles, first, last and seen
// as varints, and the text's length and bytes when kept.
func (r *furnitureRecord) marshal() []byte {
	b := make([]byte, 0, 16+len(r.entries)*24)
	b = append(b, furnitureFormat)
	b = binary.AppendUvarint(b, r.clock)
	b = binary.AppendUvarint(b, uint64(len(r.entries)))
	for _, e := range r.entries {
		b = binary.BigEndian.AppendUint64(b, e.hash)
		var flags byte
		if e.rejected {
			flags |= 1
		}
		if e.text != "" {
			flags |= 2
		}
		b = append(b, flags)
		b = binary.AppendUvarint(b, uint64(e.articles))
		b = binary.AppendVarint(b, e.first)
		b = binary.AppendVarint(b, e.last)
		b = binary.AppendUvarint(b, e.seen)
		if e.text != "" {
			b = binary.AppendUvarint(b, uint64(len(e.text)))
			b = append(b, e.text...)
		}
	}
	return b
}

var errFurnitureRecord = errors.New("damaged template furniture record")

func unmarshalFurniture(b []byte) (*furnitureRecord, error) {
	if len(b) == 0 || b[0] != furnitureFormat {
		return nil, errFurnitureRecord
	}
	b = b[1:]
	uv := func() uint64 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			b = nil
			return 0
		}
		b = b[n:]
		return v
	}
	sv := func() int64 {
		v, n := binary.Varint(b)
		if n <= 0 {
			b = nil
			return 0
		}
		b = b[n:]
		return v
	}
	r := &furnitureRecord{clock: uv()}
	count := uv()
	if b == nil || count > maxFurnitureEntries*2 {
		return nil, errFurnitureRecord
	}
	r.entries = make([]furnitureEntry, 0, count)
	for range count {
		if len(b) < 9 {
			return nil, errFurnitureRecord
		}
		e := furnitureEntry{hash: binary.BigEndian.Uint64(b), rejected: b[8]&1 != 0}
		hasText := b[8]&2 != 0
		b = b[9:]
		e.articles, e.first, e.last, e.seen = uint32(uv()), sv(), sv(), uv()
		if hasText {
			n := uv()
			if b == nil || n > uint64(len(b)) {
				return nil, errFurnitureRecord
			}
			e.text, b = string(b[:n]), b[n:]
		}
		if b == nil {
			return nil, errFurnitureRecord
		}
		r.entries = append(r.entries, e)
	}
	return r, nil
}

// readFurniture reads a site's record in txn (empty when there is none).
func readFurniture(txn *badger.Txn, site string) (*furnitureRecord, error) {
	r := &furnitureRecord{}
	if site == "" {
		return r, nil
	}
	_, err := getOptional(txn, furnitureKey(site), func(v []byte) error {
		got, err := unmarshalFurniture(v)
		if err != nil {
			return err
		}
		r = got
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the template furniture of %s: %w", site, err)
	}
	return r, nil
}

func writeFurniture(txn *badger.Txn, site string, r *furnitureRecord) error {
	if len(r.entries) == 0 {
		return txn.Delete(furnitureKey(site))
	}
	return txn.Set(furnitureKey(site), r.marshal())
}

// FurnitureEntry is one block Redline learned as a site's template
// furniture.
type FurnitureEntry struct {
	// ID names the entry for its removal.
	ID string `json:"id"`
	// Text is the block as first seen furnishing a second article. It is
	// captured text: escape it wherever it is shown.
	Text string `json:"text"`
	// Articles is how many different articles it was seen in.
	Articles int `json:"articles"`
}

// Furniture lists the blocks learned as the site's template furniture,
// most seen first.
func (s *Store) Furniture(site string) ([]FurnitureEntry, error) {
	out := []FurnitureEntry{}
	err := s.db.View(func(txn *badger.Txn) error {
		r, err := readFurniture(txn, site)
		if err != nil {
			return err
		}
		for _, e := range r.entries {
			if e.learned() {
				out = append(out, FurnitureEntry{ID: furnitureID(e.hash), Text: e.text, Articles: int(e.articles)})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b FurnitureEntry) int {
		if c := cmp.Compare(b.Articles, a.Articles); c != 0 {
			return c
		}
		return cmp.Compare(a.Text, b.Text)
	})
	return out, nil
}

func furnitureID(h uint64) string { return fmt.Sprintf("%016x", h) }

// RemoveFurniture marks a learned entry as not furniture: it counts again
// as the article's text, and is never learned again. An id that names no
// learned entry of the site is an error and changes nothing.
func (s *Store) RemoveFurniture(ctx context.Context, site, id string) error {
	h, err := strconv.ParseUint(id, 16, 64)
	if err != nil || len(id) != 16 || strings.ToLower(id) != id {
		return article.Errorf(article.EINVALID, "%q is not a template furniture entry: an entry is named by 16 hexadecimal digits", id)
	}
	err = s.update(ctx, func(txn *badger.Txn) error {
		r, err := readFurniture(txn, site)
		if err != nil {
			return err
		}
		i, found := r.find(h)
		if !found || !r.entries[i].learned() {
			return article.Errorf(article.ENOTFOUND, "%s has no template furniture entry %s", site, id)
		}
		r.entries[i].rejected = true
		return writeFurniture(txn, site, r)
	})
	if err != nil {
		return fmt.Errorf("remove template furniture %s of %s: %w", id, site, err)
	}
	return nil
}

// ForgetFurniture drops everything learned of a site's template,
// removals included.
func (s *Store) ForgetFurniture(ctx context.Context, site string) error {
	err := s.update(ctx, func(txn *badger.Txn) error { return txn.Delete(furnitureKey(site)) })
	if err != nil {
		return fmt.Errorf("forget the template furniture of %s: %w", site, err)
	}
	return nil
}

// FurnitureBytes is the size of a site's stored record (0: none).
func (s *Store) FurnitureBytes(site string) (int, error) {
	n := 0
	err := s.db.View(func(txn *badger.Txn) error {
		_, err := getOptional(txn, furnitureKey(site), func(v []byte) error { n = len(v); return nil })
		return err
	})
	return n, err
}

// learnFurniture counts the capture's blocks in its site's record and
// keeps the record for grading. It runs once per new version, in the
// capture's transaction: one read and one write of one key.
func (c *capturing) learnFurniture() error {
	site := c.a.Site
	if site == "" {
		return nil
	}
	r, err := readFurniture(c.txn, site)
	if err != nil {
		return err
	}
	r.learn(c.a.ID, c.content.Blocks)
	c.furn = r
	return writeFurniture(c.txn, site, r)
}

// furniture is the site's learned furniture for the pairs this capture
// grades.
func (c *capturing) furniture() (article.Furniture, error) {
	if c.furn == nil {
		r, err := readFurniture(c.txn, c.a.Site)
		if err != nil {
			return nil, err
		}
		c.furn = r
	}
	return c.furn, nil
}

// clipText cuts text to at most n bytes, at a character's start, marking
// the cut with "…".
func clipText(text string, n int) string {
	if len(text) <= n {
		return text
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut] + "…"
}
