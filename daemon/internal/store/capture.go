package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
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
	// MarkRead moves the read mark: a browser capture is a read, and so
	// is the first fetch of a page the user names. A read's result
	// carries the change the reader has not seen (Saved.SinceRead).
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
	// SinceRead grades, for a read (Ingest.MarkRead), the change the
	// reader has not seen: the range ChangeSinceRead compares, graded in
	// the capture's transaction (nil when nothing is unseen). A revisited
	// page shows its banner from it at once.
	SinceRead *article.Summary
}

// SaveCapture stores a capture: a new version when its content differs from
// the previous version of the same source, and a read when asked. It
// returns after the write is on disk.
func (s *Store) SaveCapture(ctx context.Context, in Ingest) (Saved, error) {
	// Deferred first, so it runs last: after the event lock is released.
	defer s.foldWordsIfDue()
	content := in.Capture.Content()
	raw := contentBytes(content)
	c := &capturing{s: s, in: in, content: content, raw: raw, hash: hashOf(raw), judged: judgeMemo{}}
	if text := in.Capture.PageText; text != "" {
		c.page = article.DigestPage(text, content)
		c.pageBytes = c.page.Encode()
	}
	// Captures run concurrently and share syncs. One that appends an
	// event holds eventMu from that event until it committed, so that
	// event ids are handed out one writer at a time, without conflicts,
	// and reach Options.Events in order (commit.go).
	// A new version rewrites its site's learned furniture: after a
	// conflict, captures of one site take turns.
	err := s.write(ctx, func(txn *badger.Txn, ap *appending) error {
		c.ap = ap
		return c.save(txn)
	}, s.siteTurns(in.Site))
	if err != nil {
		return Saved{}, fmt.Errorf("save capture of %s: %w", in.URL, err)
	}
	s.watchSaved(c.out)
	return c.out, nil
}

// capturing is one capture being saved: what stays the same when its
// transaction runs again, and what each run finds and does.
type capturing struct {
	s       *Store
	in      Ingest
	content article.Content
	raw     []byte
	hash    string
	// newID is the id a new article takes, kept for a second run.
	newID  int64
	memo   encodeMemo // compression kept for a second run
	judged judgeMemo
	// page is the digest of the capture's page text (nil: none sent).
	page      *article.PageDigest
	pageBytes []byte

	// Each run's own.
	txn    *badger.Txn
	ap     *appending // the run's events
	urls   []string   // the capture's URLs: Ingest.URL, then its Aliases
	owners []int64    // the article each of urls belongs to (0: none)
	a      article.Article
	isNew  bool
	stored *article.Article // the article as indexed for listings (nil: new)
	out    Saved
	// furn is the site's learned template furniture, read once.
	furn *furnitureRecord
}

// save is one run of the capture's transaction, step by step.
func (c *capturing) save(txn *badger.Txn) error {
	c.txn, c.out, c.furn = txn, Saved{}, nil
	if err := c.join(); err != nil {
		return err
	}
	versionsBefore := c.a.Versions
	pages := pagesKept(&c.a)
	version, err := c.lineage()
	if err != nil {
		return err
	}
	c.titles()
	c.readMark(version)
	if err := c.prunePages(pages); err != nil {
		return err
	}
	if err := c.s.watchOnSave(txn, &c.a, &c.out, c.in); err != nil {
		return err
	}
	if err := c.aliases(); err != nil {
		return err
	}
	if err := c.s.reindex(txn, c.stored, &c.a); err != nil {
		return err
	}
	if err := setJSON(txn, idKey(pfxArticle, c.a.ID), &c.a); err != nil {
		return err
	}
	if err := addCounts(txn, c.a.ID, b2i(c.isNew), c.a.Versions-versionsBefore); err != nil {
		return err
	}
	c.out.Article, c.out.Version = c.a, version
	c.gradeSinceRead()
	return nil
}

// join finds the article the capture belongs to (joins), or starts one,
// and checks that its site may be kept.
func (c *capturing) join() error {
	s, in := c.s, c.in
	c.urls = append([]string{in.URL}, in.Aliases...)
	var err error
	if c.owners, err = s.owners(c.txn, c.urls); err != nil {
		return err
	}
	id := joins(c.owners)
	c.isNew, c.stored, c.a = id == 0, nil, article.Article{}
	if c.isNew {
		if c.newID == 0 {
			if c.newID, err = s.nextArticleID(); err != nil {
				return err
			}
		}
		c.a = article.Article{ID: c.newID, URL: in.URL, Site: in.Site, FirstSeen: in.Now}
	} else if err := getJSON(c.txn, idKey(pfxArticle, id), &c.a); err != nil {
		return fmt.Errorf("read article %d: %w", id, err)
	}
	if err := s.checkSite(c.txn, c.a.Site); err != nil {
		return err
	}
	if a := &c.a; !c.isNew {
		c.stored = &article.Article{ID: a.ID, Site: a.Site, FirstSeen: a.FirstSeen, LastChanged: a.LastChanged, Read: a.Read, Changes: a.Changes}
	}
	return nil
}

// lineage files the capture in its lineage (the browser's captures, or
// the daemon's fetches): a new version, graded, when its content differs
// from the lineage's newest; else that version again. It returns the
// version the capture is and sets the capture's status.
func (c *capturing) lineage() (int, error) {
	a := &c.a
	latest, other := a.LatestBrowser, a.LatestFetch
	if c.in.Capture.Source == article.SourceFetch {
		latest, other = other, latest
	}
	c.out.Previous = latest
	j := judging{other: other, known: base(a), readBefore: a.Read.Version > 0}
	unchanged := false
	if latest > 0 {
		var err error
		if j.prev, err = c.s.record(c.txn, a.ID, latest); err != nil {
			return 0, err
		}
		unchanged = j.prev.Hash == c.hash
	}
	c.out.Status = captureStatus(c.isNew, unchanged, latest)
	if unchanged {
		return latest, c.keepPage(latest)
	}
	rec, err := c.writeVersion()
	if err != nil {
		return 0, err
	}
	if err := c.keepPage(rec.Number); err != nil {
		return 0, err
	}
	if err := c.learnFurniture(); err != nil {
		return 0, err
	}
	j.rec = rec
	if latest > 0 || other > 0 {
		if err := c.grade(j); err != nil {
			return 0, err
		}
	}
	return rec.Number, nil
}

func captureStatus(isNew, unchanged bool, latest int) article.CaptureStatus {
	switch {
	case isNew:
		return article.StatusNew
	case unchanged:
		return article.StatusUnchanged
	case latest == 0:
		return article.StatusNew // first capture of this lineage
	}
	return article.StatusChanged
}

// writeVersion stores the capture's content as the article's next version
// (a reference when the article held that content before, else
// compressed against the newest) and indexes its words.
func (c *capturing) writeVersion() (versionRecord, error) {
	a, cp, txn := &c.a, c.in.Capture, c.txn
	rec := versionRecord{
		Number: a.Versions + 1, CapturedAt: cp.CapturedAt.UnixMilli(), Source: cp.Source,
		Extractor: cp.Extractor, Hash: c.hash, Title: cp.Title,
	}
	if err := c.s.putVersion(txn, a.ID, &rec, c.content, c.raw, &c.memo); err != nil {
		return rec, err
	}
	c.out.RevertOf = rec.RevertOf
	a.Versions = rec.Number
	if cp.Source == article.SourceFetch {
		a.LatestFetch = rec.Number
	} else {
		a.LatestBrowser = rec.Number
	}
	if rec.RevertOf > 0 {
		a.Reverts++
	}
	return rec, nil
}

// putVersion writes rec, the article's next version with content (raw
// its canonical bytes): a reference when the article held that content
// before, else compressed against the newest version; a new text's words
// are indexed and its hash remembered. It fills rec's encoding.
func (s *Store) putVersion(txn *badger.Txn, id int64, rec *versionRecord, content article.Content, raw []byte, memo *encodeMemo) error {
	prevRaw, err := s.encode(txn, id, rec, raw, rec.Number-1, memo)
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
	if rec.RevertOf != 0 {
		return nil
	}
	if err := s.addWords(txn, id, content, rec.Number == 1, prevRaw); err != nil {
		return err
	}
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(rec.Number))
	return txn.Set(hashKey(id, rec.Hash), n[:])
}

// titles names the article by its newest headline. A fetch's extractor
// may word the title differently from the browser's, so a fetch renames
// an article the browser has seen only when its headline changed.
// TitleWas keeps the headline the reader read.
func (c *capturing) titles() {
	a, cp := &c.a, c.in.Capture
	headline := c.out.Counted && c.out.Summary.TitleChanged
	if c.in.MarkRead {
		a.TitleWas = ""
	} else if cp.Title != a.Title && (a.LatestBrowser == 0 || headline) {
		switch {
		case a.TitleWas == "":
			a.TitleWas = a.Title
		case a.TitleWas == cp.Title:
			a.TitleWas = ""
		}
	}
	if cp.Source == article.SourceBrowser || a.LatestBrowser == 0 || headline {
		a.Title = cp.Title
		if cp.SiteName != "" {
			a.SiteName = cp.SiteName
		}
		if cp.Lang != "" {
			a.Lang = cp.Lang
		}
		if cp.PublishedTime != "" {
			a.PublishedTime = cp.PublishedTime
		}
	}
}

// readMark counts the capture and, for a read, moves the read mark to the
// version it is. A new article has seen its first version.
func (c *capturing) readMark(version int) {
	a, cp := &c.a, c.in.Capture
	a.Captures++
	if cp.CapturedAt.After(a.LastCaptured) {
		a.LastCaptured = cp.CapturedAt
	}
	if c.in.MarkRead {
		a.Read = article.ReadMark{Version: version, At: cp.CapturedAt}
	}
	if c.isNew {
		a.Seen = version
	}
}

// aliases indexes the capture's URLs that no article has. A URL another
// article has stays that article's, and a URL this article has is indexed
// already: writing it again on every capture would only add superseded
// copies. A URL is indexed only with a place in the article's record (its
// URL or one of maxAliases aliases), so forgetting the article removes
// every entry that leads to it.
func (c *capturing) aliases() error {
	a := &c.a
	for i, u := range c.urls {
		if c.owners[i] != 0 || slices.Contains(c.urls[:i], u) {
			continue
		}
		if u != a.URL {
			if len(a.Aliases) >= maxAliases || slices.Contains(a.Aliases, u) {
				continue
			}
			a.Aliases = append(a.Aliases, u)
		}
		if err := c.txn.Set(append(slices.Clip(pfxURL), u...), idKey(nil, a.ID)); err != nil {
			return err
		}
	}
	return nil
}

// encodeMemo keeps what encode compressed in one attempt of a capture's
// transaction for the next: a capture runs again when a concurrent write
// touched the same article, and a version's content never changes, so the
// same base version gives the same bytes.
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
