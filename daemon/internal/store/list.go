package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// The list index keeps articles in the orders the dashboard shows them, as
// keys alone, so that a page of 100,000 articles costs the keys it skips
// and the articles it shows, never a decode of every article:
//
//	l:r<read ms><id>            every article, by when the user read it; the
//	                            value is the text a search looks in
//	l:f<first seen ms><id>      every article, by when Redline first saw it
//	l:c<last changed ms><id>    changed articles, by their last change
//	l:s<site>\x00<read ms><id>  per site, by read time; the value holds the
//	                            article's changes and the delay from first
//	                            seen to its first change (for site figures),
//	                            then the text a search looks in
//
// It is maintained in the same transaction as the article record
// (reindex), and built once for stores written before it existed
// (EnsureListIndex).
var (
	pfxList       = []byte("l:")
	pfxListRead   = []byte("l:r")
	pfxListFirst  = []byte("l:f")
	pfxListChange = []byte("l:c")
	pfxListSite   = []byte("l:s")
	keyListIndex  = []byte("m:listindex")
)

// listIndexVersion changes when the layout of l: keys changes; a store with
// another version rebuilds its index on open.
const listIndexVersion = "4"

// Orders of a listing.
const (
	OrderRead      = "read"       // when the user read it, newest first
	OrderFirstSeen = "first_seen" // when Redline first saw it
	OrderChanged   = "changed"    // when it last changed (changed articles only)
)

// Changed filters of a listing.
const (
	FilterChanged   = "changed"   // changed at least once
	FilterUnchanged = "unchanged" // never changed
	FilterUnseen    = "unseen"    // has unseen changes that alert under ListFilter.AlertOn
)

// ListFilter selects and orders a page of articles.
type ListFilter struct {
	// Q keeps articles whose title, URL, site or site name contains it
	// (any case), or whose text, in any version, holds all its words.
	Q string
	// Site keeps one site's articles (its registrable domain).
	Site string
	// Changed is "", FilterChanged, FilterUnchanged or FilterUnseen.
	Changed string
	// AlertOn is the user's alert policy, which FilterUnseen follows (the
	// zero value is the default policy).
	AlertOn article.AlertPolicy
	// ReadFrom and ReadTo keep articles read in [ReadFrom, ReadTo); zero
	// leaves that end open.
	ReadFrom, ReadTo time.Time
	// Match is an extra test (for example the watch state), or nil.
	Match func(a *article.Article) bool
	// Order is OrderRead (default), OrderFirstSeen or OrderChanged;
	// Oldest reverses it.
	Order  string
	Oldest bool
	// Offset skips that many matching articles; Limit is the page size.
	Offset, Limit int
}

// ListPage is one page of a listing.
type ListPage struct {
	Articles []article.Article
	// More is true when articles follow this page.
	More bool
}

func readTime(a *article.Article) time.Time {
	if !a.Read.At.IsZero() {
		return a.Read.At
	}
	return a.FirstSeen
}

func listKey(prefix []byte, t time.Time, id int64) []byte {
	k := make([]byte, 0, len(prefix)+16)
	k = append(k, prefix...)
	k = binary.BigEndian.AppendUint64(k, uint64(max(t.UnixMilli(), 0)))
	return binary.BigEndian.AppendUint64(k, uint64(id))
}

func siteListPrefix(site string) []byte {
	k := make([]byte, 0, len(pfxListSite)+len(site)+1)
	k = append(k, pfxListSite...)
	k = append(k, site...)
	return append(k, 0)
}

// siteEntry is the value of an l:s key.
type siteEntry struct {
	changes     uint32
	firstChange time.Duration // 0 when the article never changed
}

func (e siteEntry) bytes() []byte {
	b := binary.BigEndian.AppendUint32(nil, e.changes)
	return binary.BigEndian.AppendUint64(b, uint64(e.firstChange/time.Second))
}

func parseSiteEntry(b []byte) siteEntry {
	if len(b) < 12 {
		return siteEntry{}
	}
	return siteEntry{
		changes:     binary.BigEndian.Uint32(b),
		firstChange: time.Duration(binary.BigEndian.Uint64(b[4:])) * time.Second,
	}
}

// searchText is what a search looks in: title, URL, site name and site,
// lower-cased. Kept in the index, a search that matches little reads
// index entries, not article records.
func searchText(a *article.Article) []byte {
	return []byte(strings.ToLower(a.Title + "\x00" + a.URL + "\x00" + a.SiteName + "\x00" + a.Site))
}

// listIndexReady reports whether the list index is built, in its current
// form.
func listIndexReady(txn *badger.Txn) (bool, error) {
	have := false
	_, err := getOptional(txn, keyListIndex, func(v []byte) error { have = string(v) == listIndexVersion; return nil })
	return have, err
}

// listValue is the value of an index key.
func listValue(k []byte, a *article.Article, e siteEntry) []byte {
	switch {
	case bytes.HasPrefix(k, pfxListSite):
		return append(e.bytes(), searchText(a)...)
	case bytes.HasPrefix(k, pfxListRead):
		return searchText(a)
	}
	return nil
}

// siteEntrySize is the length of a siteEntry at the start of an l:s value.
const siteEntrySize = 12

// listKeys are the index keys of an article in its current state.
func listKeys(a *article.Article) [][]byte {
	read := readTime(a)
	keys := [][]byte{
		listKey(pfxListRead, read, a.ID),
		listKey(pfxListFirst, a.FirstSeen, a.ID),
		listKey(siteListPrefix(a.Site), read, a.ID),
	}
	if a.Changes > 0 {
		keys = append(keys, listKey(pfxListChange, a.LastChanged, a.ID))
	}
	return keys
}

// reindex moves an article's index keys from its stored state (before; nil
// for a new article) to its new state, inside the transaction that writes
// the article.
func (s *Store) reindex(txn *badger.Txn, before, after *article.Article) error {
	var entry siteEntry
	if before != nil {
		if item, err := txn.Get(listKey(siteListPrefix(before.Site), readTime(before), before.ID)); err == nil {
			if err := item.Value(func(v []byte) error { entry = parseSiteEntry(v); return nil }); err != nil {
				return err
			}
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		for _, k := range listKeys(before) {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
	}
	if entry.firstChange == 0 && after.Changes > 0 {
		entry.firstChange = max(s.firstChangeDelay(txn, after), time.Second)
	}
	entry.changes = uint32(after.Changes)
	for _, k := range listKeys(after) {
		if err := txn.Set(k, listValue(k, after, entry)); err != nil {
			return err
		}
	}
	return nil
}

// unindex removes an article's index keys, its words included; the
// article is being forgotten (its versions are still there).
func (s *Store) unindex(txn *badger.Txn, a *article.Article) error {
	if err := s.removeWords(txn, a); err != nil {
		return err
	}
	for _, k := range listKeys(a) {
		if err := txn.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// EnsureListIndex builds the list index when the store has none, or has
// it in another form (a store written before the index or its current
// layout existed, or restored from such a backup), and folds the words
// left pending. The daemon calls it once at start, before serving. The
// version is written only once the whole index is: a build cut short
// (the process killed) is done again at the next start.
func (s *Store) EnsureListIndex() error {
	var have bool
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		have, err = listIndexReady(txn)
		return err
	})
	if err != nil {
		return fmt.Errorf("read list index version: %w", err)
	}
	if have {
		s.words.fold.Lock()
		defer s.words.fold.Unlock()
		return s.foldPending()
	}
	start := time.Now()
	s.log.Info("building the list index", "version", listIndexVersion)
	if err := s.dropPrefix(pfxList); err != nil {
		return fmt.Errorf("clear list index: %w", err)
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	words := newWordBuild(s, wb)
	n := 0
	err = s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxArticle, PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var a article.Article
			if err := it.Item().Value(func(b []byte) error { return jsonUnmarshal(b, &a) }); err != nil {
				return err
			}
			entry := siteEntry{changes: uint32(a.Changes)}
			if a.Changes > 0 {
				entry.firstChange = max(s.firstChangeDelay(txn, &a), time.Second)
			}
			if err := words.add(txn, &a); err != nil {
				return err
			}
			for _, k := range listKeys(&a) {
				if err := wb.Set(k, listValue(k, &a, entry)); err != nil {
					return err
				}
			}
			n++
			if n%rebuildBatch == 0 {
				if err := afterRebuildBatch(n); err != nil {
					return err
				}
				if n%(10*rebuildBatch) == 0 {
					s.log.Info("building the list index", "articles", n, "took", time.Since(start).Round(time.Millisecond))
				}
			}
		}
		return words.flush()
	})
	if ferr := wb.Flush(); err == nil {
		err = ferr
	}
	if err == nil {
		err = s.db.Update(func(txn *badger.Txn) error { return txn.Set(keyListIndex, []byte(listIndexVersion)) })
	}
	if err != nil {
		return fmt.Errorf("build list index: %w", err)
	}
	s.log.Info("list index built", "articles", n, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// afterRebuildBatch runs between batches of an index build; a test stops
// the build there, as a killed process would.
var afterRebuildBatch = func(articles int) error { return nil }

// firstChangeDelay is how long after its first version an article first
// changed: the capture time of the first version that followed another of
// the same source, less that of version 1 (both by the same clock).
func (s *Store) firstChangeDelay(txn *badger.Txn, a *article.Article) time.Duration {
	seen := map[article.Source]bool{}
	var first int64
	for n := 1; n <= a.Versions; n++ {
		r, err := s.record(txn, a.ID, n)
		if err != nil {
			break
		}
		if n == 1 {
			first = r.CapturedAt
		}
		if seen[r.Source] {
			return time.Duration(r.CapturedAt-first) * time.Millisecond
		}
		seen[r.Source] = true
	}
	return a.LastChanged.Sub(a.FirstSeen)
}

func (s *Store) dropPrefix(prefix []byte) error {
	for {
		var keys [][]byte
		err := s.db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
			defer it.Close()
			for it.Rewind(); it.Valid() && len(keys) < 10000; it.Next() {
				keys = append(keys, it.Item().KeyCopy(nil))
			}
			return nil
		})
		if err != nil || len(keys) == 0 {
			return err
		}
		wb := s.db.NewWriteBatch()
		for _, k := range keys {
			if err := wb.Delete(k); err != nil {
				wb.Cancel()
				return err
			}
		}
		if err := wb.Flush(); err != nil {
			return err
		}
	}
}

// ListArticles returns one page of articles in the filter's order. It walks
// the narrowest index (a site's, the changed articles', or all) from the
// right end, seeks straight to the read-time bounds when the index is
// ordered by read time, and reads an article record only for the articles
// it shows or must test against the filter.
func (s *Store) ListArticles(f ListFilter) (ListPage, error) {
	l := newListScan(f)
	err := s.db.View(func(txn *badger.Txn) error { return l.run(s, txn) })
	if err != nil {
		return ListPage{}, fmt.Errorf("list articles: %w", err)
	}
	return l.page, nil
}

// listScan is one walk of ListArticles: the index it walks, between which
// keys, what it must test, and the page it fills.
type listScan struct {
	f           ListFilter
	limit       int
	prefix      []byte
	byRead      bool // the index is ordered by read time
	needle      string
	needleBytes []byte
	// needRecord: the filter must look at the article itself.
	needRecord bool
	// textInValue: the index values hold the text a search looks in
	// (title, address, site): reading and searching them is far cheaper
	// than reading the records, so a search tests them first.
	textInValue bool
	inText      *textQuery // articles whose text holds every word of Q
	skipped     int
	page        ListPage
}

func newListScan(f ListFilter) *listScan {
	l := &listScan{f: f, limit: f.Limit, prefix: pfxListRead, byRead: true}
	if l.limit <= 0 {
		l.limit = 50
	}
	switch {
	case f.Order == OrderChanged:
		l.prefix, l.byRead = pfxListChange, false
	case f.Order == OrderFirstSeen:
		l.prefix, l.byRead = pfxListFirst, false
	case f.Site != "":
		l.prefix = siteListPrefix(f.Site)
	}
	l.needle = strings.ToLower(strings.TrimSpace(f.Q))
	l.needleBytes = []byte(l.needle)
	siteInKey := bytes.Equal(l.prefix, siteListPrefix(f.Site)) && f.Site != ""
	onlyChanged := bytes.Equal(l.prefix, pfxListChange)
	l.needRecord = l.needle != "" || f.Match != nil || (f.Site != "" && !siteInKey) ||
		(f.Changed != "" && !(f.Changed == FilterChanged && onlyChanged)) ||
		(!l.byRead && (!f.ReadFrom.IsZero() || !f.ReadTo.IsZero()))
	l.textInValue = l.needle != "" && (bytes.Equal(l.prefix, pfxListRead) || bytes.HasPrefix(l.prefix, pfxListSite))
	return l
}

// bounds are the keys the walk stays in: [lo, hi).
func (l *listScan) bounds() (lo, hi []byte) {
	lo, hi = slices.Clone(l.prefix), append(slices.Clone(l.prefix), 0xff)
	if l.byRead && !l.f.ReadFrom.IsZero() {
		lo = binary.BigEndian.AppendUint64(slices.Clone(l.prefix), uint64(max(l.f.ReadFrom.UnixMilli(), 0)))
	}
	if l.byRead && !l.f.ReadTo.IsZero() {
		hi = binary.BigEndian.AppendUint64(slices.Clone(l.prefix), uint64(max(l.f.ReadTo.UnixMilli(), 0)))
	}
	return lo, hi
}

// run walks the index from the end the order starts at, until the page
// is full or the bounds are passed.
func (l *listScan) run(s *Store, txn *badger.Txn) error {
	if l.needle != "" {
		var err error
		if l.inText, err = s.newTextQuery(txn, l.needle); err != nil {
			return err
		}
		defer l.inText.close()
	}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: l.prefix, Reverse: !l.f.Oldest, PrefetchValues: l.textInValue, PrefetchSize: 256})
	defer it.Close()
	lo, hi := l.bounds()
	seek := lo
	if !l.f.Oldest {
		seek = hi
	}
	for it.Seek(seek); it.Valid(); it.Next() {
		k := it.Item().Key()
		if bytes.Compare(k, lo) < 0 {
			break // walking down, below the lower bound
		}
		if bytes.Compare(k, hi) >= 0 {
			if l.f.Oldest {
				break // walking up, past the upper bound
			}
			continue
		}
		full, err := l.take(s, txn, it.Item(), int64(binary.BigEndian.Uint64(k[len(k)-8:])))
		if err != nil || full {
			return err
		}
	}
	return nil
}

// take adds article id, whose index entry is item, to the page when the
// filter keeps it; full is true once the page has more than it shows.
func (l *listScan) take(s *Store, txn *badger.Txn, item *badger.Item, id int64) (full bool, err error) {
	if l.textInValue {
		if hit, err := l.valueHolds(item, id); err != nil || !hit {
			return false, err
		}
	}
	if !l.needRecord && l.skipped < l.f.Offset {
		l.skipped++
		return false, nil
	}
	var a article.Article
	if err := getJSON(txn, idKey(pfxArticle, id), &a); err != nil {
		if errors.Is(err, badger.ErrKeyNotFound) {
			return false, nil
		}
		return false, fmt.Errorf("read article %d: %w", id, err)
	}
	inTextA := l.textInValue // tested already: title, address or text matched
	if l.needle != "" && !l.textInValue {
		if inTextA, err = l.inText.has(id); err != nil {
			return false, err
		}
	}
	if l.needRecord && !l.f.keep(&a, l.needle, inTextA) {
		return false, nil
	}
	if l.needRecord && l.skipped < l.f.Offset {
		l.skipped++
		return false, nil
	}
	if len(l.page.Articles) == l.limit {
		l.page.More = true
		return true, nil
	}
	l.page.Articles = append(l.page.Articles, a)
	return false, nil
}

// valueHolds reports whether a search finds article id by its index
// entry's value (title, address, site) or else by its text.
func (l *listScan) valueHolds(item *badger.Item, id int64) (bool, error) {
	hit := false
	if err := item.Value(func(v []byte) error {
		if bytes.HasPrefix(l.prefix, pfxListSite) && len(v) >= siteEntrySize {
			v = v[siteEntrySize:]
		}
		hit = bytes.Contains(v, l.needleBytes)
		return nil
	}); err != nil {
		return false, err
	}
	if hit {
		return true, nil
	}
	return l.inText.has(id)
}

func (f *ListFilter) keep(a *article.Article, needle string, inText bool) bool {
	if f.Site != "" && a.Site != f.Site {
		return false
	}
	switch f.Changed {
	case FilterChanged:
		if a.Changes == 0 {
			return false
		}
	case FilterUnchanged:
		if a.Changes > 0 {
			return false
		}
	case FilterUnseen:
		if !a.Alerting(f.AlertOn) {
			return false
		}
	}
	read := readTime(a)
	if !f.ReadFrom.IsZero() && read.Before(f.ReadFrom) {
		return false
	}
	if !f.ReadTo.IsZero() && !read.Before(f.ReadTo) {
		return false
	}
	if needle != "" && !inText && !matches(*a, needle) && !strings.Contains(strings.ToLower(a.SiteName), needle) {
		return false
	}
	return f.Match == nil || f.Match(a)
}

// SiteFigures describes the articles the user read on one site.
type SiteFigures struct {
	Site     string
	Articles int
	Changed  int // articles that changed at least once
	Changes  int // changes of all its articles
	// FirstChange holds, for each changed article, how long after it was
	// first seen it first changed, shortest first.
	FirstChange []time.Duration
}

// MedianFirstChange is the median delay to a first change (0 when none
// changed).
func (f SiteFigures) MedianFirstChange() time.Duration {
	n := len(f.FirstChange)
	switch {
	case n == 0:
		return 0
	case n%2 == 1:
		return f.FirstChange[n/2]
	}
	return (f.FirstChange[n/2-1] + f.FirstChange[n/2]) / 2
}

// Sites returns figures for every site, most articles first. It reads only
// the site index.
func (s *Store) Sites() ([]SiteFigures, error) {
	var out []SiteFigures
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxListSite, PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		var cur *SiteFigures
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()[len(pfxListSite):]
			end := bytes.IndexByte(k, 0)
			if end < 0 {
				continue
			}
			site := string(k[:end])
			if cur == nil || cur.Site != site {
				out = append(out, SiteFigures{Site: site})
				cur = &out[len(out)-1]
			}
			var e siteEntry
			if err := it.Item().Value(func(v []byte) error { e = parseSiteEntry(v); return nil }); err != nil {
				return err
			}
			cur.Articles++
			if e.changes > 0 {
				cur.Changed++
				cur.Changes += int(e.changes)
				cur.FirstChange = append(cur.FirstChange, e.firstChange)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("site figures: %w", err)
	}
	for i := range out {
		slices.Sort(out[i].FirstChange)
	}
	slices.SortStableFunc(out, func(a, b SiteFigures) int { return b.Articles - a.Articles })
	return out, nil
}

// SiteArticles returns the ids of one site's articles.
func (s *Store) SiteArticles(site string) ([]int64, error) {
	var ids []int64
	prefix := siteListPrefix(site)
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			ids = append(ids, int64(binary.BigEndian.Uint64(k[len(k)-8:])))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list articles of %s: %w", site, err)
	}
	return ids, nil
}

// RecentlyChanged returns the articles with article.changed or
// article.removed events, most recent event first, looking at no more than
// scan events back.
func (s *Store) RecentlyChanged(limit, scan int) ([]article.Article, error) {
	var out []article.Article
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxEvent, Reverse: true, PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		seen := map[int64]bool{}
		n := 0
		for it.Seek(idKey(pfxEvent, 1<<62)); it.Valid() && n < scan && len(out) < limit; it.Next() {
			n++
			var e struct {
				Type      string `json:"type"`
				ArticleID int64  `json:"article_id"`
			}
			if err := it.Item().Value(func(b []byte) error { return jsonUnmarshal(b, &e) }); err != nil {
				return err
			}
			if e.Type != article.EventChanged && e.Type != article.EventRemoved || seen[e.ArticleID] {
				continue
			}
			seen[e.ArticleID] = true
			var a article.Article
			if err := getJSON(txn, idKey(pfxArticle, e.ArticleID), &a); err != nil {
				if errors.Is(err, badger.ErrKeyNotFound) {
					continue
				}
				return err
			}
			out = append(out, a)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("recent changes: %w", err)
	}
	return out, nil
}

// ChangeEvents returns up to limit article.changed events that alert
// under policy, and article.removed events, newest first; with id > 0
// only that article's.
func (s *Store) ChangeEvents(id int64, limit int, policy article.AlertPolicy) ([]article.Event, error) {
	alerts := func(e *article.Event) bool {
		switch e.Type {
		case article.EventRemoved:
			return true
		case article.EventChanged:
			return e.Summary != nil && policy.Alerts(e.Summary.Significance)
		}
		return false
	}
	var out []article.Event
	err := s.db.View(func(txn *badger.Txn) error {
		if id > 0 {
			prefix := idKey(pfxArticleEvent, id)
			it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, Reverse: true})
			defer it.Close()
			for it.Seek(append(slices.Clone(prefix), 0xff)); it.Valid() && len(out) < limit; it.Next() {
				k := it.Item().Key()
				var e article.Event
				if err := getJSON(txn, idKey(pfxEvent, int64(binary.BigEndian.Uint64(k[len(prefix):]))), &e); err != nil {
					if errors.Is(err, badger.ErrKeyNotFound) {
						continue
					}
					return err
				}
				if alerts(&e) {
					out = append(out, e)
				}
			}
			return nil
		}
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxEvent, Reverse: true, PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		for it.Seek(idKey(pfxEvent, 1<<62)); it.Valid() && len(out) < limit; it.Next() {
			var e article.Event
			if err := it.Item().Value(func(b []byte) error { return jsonUnmarshal(b, &e) }); err != nil {
				return err
			}
			if alerts(&e) {
				out = append(out, e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read change events: %w", err)
	}
	return out, nil
}
