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

// maxAliases bounds how many other URLs of one article are remembered.
const maxAliases = 20

// Ingest is a validated, normalised capture ready to be stored.
type Ingest struct {
	Capture *article.Capture
	// URL is the URL a new article is stored under: the page's declared
	// canonical when it names the same page (canonical.Choose), else the
	// page's own URL. Aliases are the capture's other own URLs, in
	// canonical form: the page's URL when URL is the declared canonical,
	// and the URL the user named when it led elsewhere.
	//
	// A capture joins the article one of its Aliases already belongs to,
	// else the article of URL, else it starts one. Only URLs no article
	// has are added to it: an index entry is never moved from one article
	// to another.
	URL     string
	Aliases []string
	Site    string
	// MarkRead moves the read mark: a browser capture is a read.
	MarkRead bool
	// Now is when the daemon received the capture.
	Now time.Time
}

// Saved says what storing a capture did.
type Saved struct {
	Article article.Article
	Version int
	Status  article.CaptureStatus
	// Previous is the version this one follows in its lineage (0 if none).
	Previous int
	// RevertOf is the earlier version whose content came back (0 if none).
	RevertOf int
	// Summary grades the change from Previous (nil when nothing changed;
	// for the first version of a lineage, from the other lineage's newest,
	// compared across).
	Summary *article.Summary
	// Counted is set when the new version is a change of the article (not
	// the extractors' difference, nor a change the other lineage brought).
	Counted bool
	// Event is the article.changed event this capture appended, if any:
	// a change the user should hear about.
	Event *article.Event
}

// SaveCapture stores a capture: a new version when its content differs from
// the previous version of the same source, and a read when asked. It
// returns after the write is on disk.
func (s *Store) SaveCapture(ctx context.Context, in Ingest) (Saved, error) {
	c := in.Capture
	content := c.Content()
	raw := contentBytes(content)
	hash := hashOf(raw)
	var newID int64
	var out Saved
	// Most captures append no event and run concurrently, sharing fsyncs.
	// One that must append an event is run again holding eventMu, so that
	// event ids are handed out one writer at a time, without conflicts,
	// and reach the sink in order.
	locked := false
	var memo encodeMemo // compression kept for a second attempt
	judged := judgeMemo{}
	save := func(txn *badger.Txn) error {
		out = Saved{}
		urls := append([]string{in.URL}, in.Aliases...)
		owners, err := s.owners(txn, urls)
		if err != nil {
			return err
		}
		id := joins(owners)
		var a article.Article
		isNew := id == 0
		if isNew {
			if newID == 0 {
				if newID, err = s.nextArticleID(); err != nil {
					return err
				}
			}
			id = newID
			a = article.Article{ID: id, URL: in.URL, Site: in.Site, FirstSeen: in.Now}
		} else if err := getJSON(txn, idKey(pfxArticle, id), &a); err != nil {
			return fmt.Errorf("read article %d: %w", id, err)
		}
		if err := s.checkSite(txn, a.Site); err != nil {
			return err
		}
		var stored *article.Article // as indexed for listings
		if !isNew {
			stored = &article.Article{ID: a.ID, Site: a.Site, FirstSeen: a.FirstSeen, LastChanged: a.LastChanged, Read: a.Read, Changes: a.Changes}
		}

		latest, other := a.LatestBrowser, a.LatestFetch
		if c.Source == article.SourceFetch {
			latest, other = other, latest
		}
		out.Previous = latest
		version := latest
		unchanged := false
		readBefore := a.Read.Version > 0
		known := base(&a) // what the reader knew before this capture
		var prev versionRecord
		if latest > 0 {
			if prev, err = s.record(txn, id, latest); err != nil {
				return err
			}
			unchanged = prev.Hash == hash
		}
		if !unchanged {
			rec := versionRecord{
				Number: a.Versions + 1, CapturedAt: c.CapturedAt.UnixMilli(), Source: c.Source,
				Extractor: c.Extractor, Hash: hash, Title: c.Title,
			}
			prevRaw, err := s.encode(txn, id, &rec, raw, a.Versions, &memo)
			if err != nil {
				return err
			}
			b, err := rec.marshal()
			if err != nil {
				return err
			}
			if err := txn.Set(versionKey(id, rec.Number), b); err != nil {
				return err
			}
			if rec.RevertOf == 0 {
				if err := s.addWords(txn, id, content, a.Versions == 0, prevRaw); err != nil {
					return err
				}
				var n [4]byte
				binary.BigEndian.PutUint32(n[:], uint32(rec.Number))
				if err := txn.Set(hashKey(id, hash), n[:]); err != nil {
					return err
				}
			}
			version = rec.Number
			out.RevertOf = rec.RevertOf
			a.Versions = rec.Number
			if c.Source == article.SourceFetch {
				a.LatestFetch = rec.Number
			} else {
				a.LatestBrowser = rec.Number
			}
			if rec.RevertOf > 0 {
				a.Reverts++
			}
			if latest > 0 || other > 0 {
				j := judging{prev: prev, other: other, rec: rec, content: content, known: known, readBefore: readBefore, locked: locked, now: in.Now, capturedAt: c.CapturedAt, memo: judged}
				if err := s.judgeChange(txn, &a, &out, j); err != nil {
					return err
				}
			}
		}
		switch {
		case isNew:
			out.Status = article.StatusNew
		case unchanged:
			out.Status = article.StatusUnchanged
		case latest == 0:
			out.Status = article.StatusNew // first capture of this lineage
		default:
			out.Status = article.StatusChanged
		}

		// The article is named by its newest headline. A fetch's extractor
		// may word the title differently from the browser's, so a fetch
		// renames an article the browser has seen only when its headline
		// changed. TitleWas keeps the headline the reader read.
		if in.MarkRead {
			a.TitleWas = ""
		} else if c.Title != a.Title && (a.LatestBrowser == 0 || out.Counted && out.Summary.TitleChanged) {
			switch {
			case a.TitleWas == "":
				a.TitleWas = a.Title
			case a.TitleWas == c.Title:
				a.TitleWas = ""
			}
		}
		if c.Source == article.SourceBrowser || a.LatestBrowser == 0 || out.Counted && out.Summary.TitleChanged {
			a.Title = c.Title
			if c.SiteName != "" {
				a.SiteName = c.SiteName
			}
			if c.Lang != "" {
				a.Lang = c.Lang
			}
			if c.PublishedTime != "" {
				a.PublishedTime = c.PublishedTime
			}
		}
		a.Captures++
		if c.CapturedAt.After(a.LastCaptured) {
			a.LastCaptured = c.CapturedAt
		}
		if in.MarkRead {
			a.Read = article.ReadMark{Version: version, At: c.CapturedAt}
		}
		if isNew {
			a.Seen = version
		}
		if err := s.watchOnSave(txn, &a, &out, in); err != nil {
			return err
		}
		for i, u := range urls {
			// A URL another article has stays that article's, and a URL this
			// article has is indexed already: writing it again on every
			// capture would only add superseded copies. A URL is indexed
			// only with a place in the article's record, so forgetting the
			// article removes every entry that leads to it.
			if owners[i] != 0 || slices.Contains(urls[:i], u) {
				continue
			}
			if u != a.URL {
				if len(a.Aliases) >= maxAliases || slices.Contains(a.Aliases, u) {
					continue
				}
				a.Aliases = append(a.Aliases, u)
			}
			if err := txn.Set(append(slices.Clip(pfxURL), u...), idKey(nil, id)); err != nil {
				return err
			}
		}
		if err := s.reindex(txn, stored, &a); err != nil {
			return err
		}
		if err := setJSON(txn, idKey(pfxArticle, id), &a); err != nil {
			return err
		}
		out.Article = a
		out.Version = version
		return nil
	}
	err := s.update(ctx, save)
	if errors.Is(err, errNeedsEventLock) {
		s.eventMu.Lock()
		defer s.eventMu.Unlock()
		locked = true
		err = s.update(ctx, save)
	}
	if err != nil {
		return Saved{}, fmt.Errorf("save capture of %s: %w", in.URL, err)
	}
	if out.Event != nil && s.sink != nil {
		s.sink(*out.Event)
	}
	s.watchSaved(out)
	return out, nil
}

// errNeedsEventLock makes SaveCapture run its transaction again holding
// the event lock.
var errNeedsEventLock = errors.New("this write appends an event")

// judging is what judgeChange needs to know of a new version.
type judging struct {
	// prev is the previous version of the new version's lineage (zero
	// when this is the first); other is the newest version of the other
	// lineage before this one (0: none).
	prev  versionRecord
	other int
	rec   versionRecord
	// content is the new version's.
	content    article.Content
	known      int // the version the reader knew
	readBefore bool
	locked     bool
	now        time.Time
	capturedAt time.Time
	memo       judgeMemo
}

// judgeMemo keeps the summaries judged while saving one capture, by the
// hashes of the two contents compared: the change since the read is most
// often the change just judged (the reader knew the previous version),
// and a capture that appends an event runs its transaction twice. One
// comparison of a capture at the limits costs tens of MB.
type judgeMemo map[judgeKey]article.Summary

type judgeKey struct {
	from, to string
	across   bool
}

// judge grades p, whose contents have the hashes from and to, once per
// capture. A pair with a counterpart is graded each time.
func (m judgeMemo) judge(judge func(article.Pair) article.Summary, p article.Pair, from, to string) article.Summary {
	if p.Counterpart != nil || m == nil {
		return judge(p)
	}
	k := judgeKey{from, to, p.Across}
	if sum, ok := m[k]; ok {
		return sum
	}
	sum := judge(p)
	m[k] = sum
	return sum
}

// judgeChange grades a new version against the previous one of its
// lineage; the first of a lineage is compared across with the other
// lineage's newest, so that an edit made before the daemon's first fetch
// is found. A change the other lineage already brought (the same new
// content reached by fetch and by browser) is not counted again. A
// counted change the reader has not read alerts when the change since
// they read it, the range "Show changes" shows, is not trivial: it
// appends an article.changed event, graded by that range, and records it
// as unseen. A flip between two contents that already alerted once (a
// headline A/B test) does not alert again.
func (s *Store) judgeChange(txn *badger.Txn, a *article.Article, out *Saved, j judging) error {
	judge := s.judge
	if judge == nil {
		// Without the diff engine, no extractors' difference can be told
		// from an edit: only a change within a lineage counts.
		judge = func(p article.Pair) article.Summary {
			if p.Across {
				return article.Summary{Significance: article.Trivial}
			}
			return article.Summary{Significance: article.Substantive}
		}
	}
	var p article.Pair
	fromHash := j.prev.Hash
	if j.prev.Number > 0 {
		old, err := s.contentOf(txn, a.ID, j.prev)
		if err != nil {
			return err
		}
		p = article.Pair{Old: old, New: j.content}
	} else {
		r, err := s.record(txn, a.ID, j.other)
		if err != nil {
			return err
		}
		old, err := s.contentOf(txn, a.ID, r)
		if err != nil {
			return err
		}
		p = article.Pair{Old: old, New: j.content, Across: true}
		fromHash = r.Hash
	}
	sum := j.memo.judge(judge, p, fromHash, j.rec.Hash)
	out.Summary = &sum
	if p.Across && sum.Significance == article.Trivial {
		return nil // the two extractors' difference, not a change
	}
	if !p.Across && j.other > j.prev.Number {
		// The other lineage has a newer version than this one's previous:
		// when it already holds this content, the change was counted there.
		r, err := s.record(txn, a.ID, j.other)
		if err != nil {
			return err
		}
		seen, err := s.contentOf(txn, a.ID, r)
		if err != nil {
			return err
		}
		if judge(article.Pair{Old: seen, New: j.content, Across: true, Counterpart: &p.Old}).Significance == article.Trivial {
			return nil
		}
	}
	out.Counted = true
	a.Changes++
	a.LastChanged = j.capturedAt
	if !j.readBefore || sum.Significance == article.Trivial {
		return nil
	}
	var ch Change
	if !p.Across && j.known == j.prev.Number {
		// The reader knew the previous version: the change since the read
		// is the one just judged, whose contents are at hand.
		ch = Change{From: j.prev.version(a.ID), To: j.rec.version(a.ID), Pair: p}
		ch.From.Content, ch.To.Content = p.Old, p.New
	} else {
		var err error
		if ch, err = s.pairIn(txn, a.ID, j.known, j.rec.Number); err != nil {
			return err
		}
	}
	since := j.memo.judge(judge, ch.Pair, ch.From.Hash, ch.To.Hash)
	if since.Significance == article.Trivial {
		return nil // back to what the reader read
	}
	flip := flipKey(a.ID, fromHash, j.rec.Hash)
	switch _, err := txn.Get(flip); {
	case err == nil:
		return nil // this pair of contents alerted before
	case !errors.Is(err, badger.ErrKeyNotFound):
		return err
	}
	if !j.locked {
		return errNeedsEventLock
	}
	if err := txn.Set(flip, nil); err != nil {
		return err
	}
	ev := &article.Event{
		Type: article.EventChanged, ArticleID: a.ID, URL: a.URL, Title: j.content.Title, TitleWas: titleWas(ch, since),
		FromVersion: j.known, ToVersion: j.rec.Number, Summary: &since, RevertOf: j.rec.RevertOf, At: j.now.UTC(),
	}
	if err := s.appendEvent(txn, ev); err != nil {
		return err
	}
	a.Unseen = append(a.Unseen, article.UnseenChange{
		EventID: ev.ID, From: j.known, To: j.rec.Number, At: ev.At, Significance: since.Significance,
	})
	out.Event = ev
	return nil
}

// titleWas is the headline the reader read when the change replaced it.
func titleWas(ch Change, since article.Summary) string {
	if !since.TitleChanged {
		return ""
	}
	return ch.From.Title
}

// encodeMemo keeps what encode compressed in one attempt of a capture's
// transaction for the next: a capture that appends an event runs twice
// (the second time holding the event lock, where time is shared by every
// such capture), and a version's content never changes, so the same base
// version gives the same bytes.
type encodeMemo struct {
	id         int64
	base       int
	dict, data []byte
}

// encode fills rec's encoding: a reference when the same content was stored
// before, otherwise zstd against the newest version as dictionary. It
// returns the newest version's content when it read it.
func (s *Store) encode(txn *badger.Txn, id int64, rec *versionRecord, raw []byte, newest int, memo *encodeMemo) (newestRaw []byte, err error) {
	item, err := txn.Get(hashKey(id, rec.Hash))
	switch {
	case err == nil:
		return nil, item.Value(func(v []byte) error {
			rec.Enc, rec.Base, rec.RevertOf = encRef, int(binary.BigEndian.Uint32(v)), int(binary.BigEndian.Uint32(v))
			return nil
		})
	case !errors.Is(err, badger.ErrKeyNotFound):
		return nil, err
	}
	if newest > 0 {
		base, err := s.record(txn, id, newest)
		if err != nil {
			return nil, err
		}
		if base.Enc == encRef {
			if base, err = s.record(txn, id, base.Base); err != nil {
				return nil, err
			}
		}
		if base.Depth+1 < maxChain {
			if memo.id == id && memo.base == base.Number && memo.data != nil {
				rec.Enc, rec.Base, rec.Depth, rec.data = encDict, base.Number, base.Depth+1, memo.data
				return memo.dict, nil
			}
			dict, err := s.content(txn, id, base)
			if err != nil {
				return nil, err
			}
			data, err := s.zstd.compress(raw, dict)
			if err != nil {
				return nil, err
			}
			*memo = encodeMemo{id: id, base: base.Number, dict: dict, data: data}
			rec.Enc, rec.Base, rec.Depth, rec.data = encDict, base.Number, base.Depth+1, data
			return dict, nil
		}
	}
	data, err := s.zstd.compress(raw, nil)
	if err != nil {
		return nil, err
	}
	rec.Enc, rec.data = encZstd, data
	return nil, nil
}

func (s *Store) nextArticleID() (int64, error) {
	n, err := s.seq.Next()
	if err != nil {
		return 0, fmt.Errorf("allocate article id: %w", err)
	}
	// Sequences start at 0; article ids start at 1.
	return int64(n) + 1, nil
}

// owners returns the article each URL belongs to (0: none). An index
// entry whose article is gone (left by an older Redline that indexed more
// addresses than it listed, so forgetting the article missed some) owns
// nothing: the capture takes the address, as if it were new.
func (s *Store) owners(txn *badger.Txn, urls []string) ([]int64, error) {
	out := make([]int64, len(urls))
	for i, u := range urls {
		id, err := s.findID(txn, []string{u})
		if err != nil {
			return nil, err
		}
		if id != 0 {
			if _, err := txn.Get(idKey(pfxArticle, id)); errors.Is(err, badger.ErrKeyNotFound) {
				id = 0
			} else if err != nil {
				return nil, fmt.Errorf("read article %d: %w", id, err)
			}
		}
		out[i] = id
	}
	return out, nil
}

// joins returns the article a capture with these URL owners joins (0: a
// new one): the article of one of its own URLs (owners[1:], the Ingest's
// Aliases) before the article of the URL it would start one under
// (owners[0]), so that a canonical a page declares never takes the page
// away from the article it belongs to.
func joins(owners []int64) int64 {
	for _, id := range owners[1:] {
		if id != 0 {
			return id
		}
	}
	return owners[0]
}

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
				Extractor: v.Extractor, Title: r.Title, Hash: v.Hash, RevertOf: v.RevertOf})
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
// URLs and its read mark.
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
		for _, prefix := range [][]byte{idKey(pfxVersion, id), idKey(pfxHash, id), idKey(pfxFlip, id)} {
			if err := deletePrefix(txn, prefix); err != nil {
				return err
			}
		}
		if err := deleteEventsOf(txn, id); err != nil {
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
