package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// Exported is one article as `redline export` wrote it: the article's line
// and the lines of its versions, in order.
type Exported struct {
	Article  article.Article
	Versions []article.Version
	// Layout holds the numbers of the versions marked as page layout
	// changes (ExportLine.Layout).
	Layout map[int]bool
}

// Check says what is wrong with an exported article, before anything is
// written: every version from 1 to Article.Versions present and in order,
// each content matching its hash, and the article's marks within its
// versions. A file edited by hand or cut in the middle fails here.
func (x *Exported) Check() error {
	a := &x.Article
	switch {
	case a.ID <= 0:
		return errors.New("the article has no id")
	case a.URL == "" || a.Site == "":
		return fmt.Errorf("article %d has no URL or site", a.ID)
	case a.Versions < 1:
		return fmt.Errorf("article %d has no versions", a.ID)
	case len(x.Versions) != a.Versions:
		return fmt.Errorf("article %d has %d versions, its line says %d: the file is cut or edited", a.ID, len(x.Versions), a.Versions)
	case a.Read.Version > a.Versions || a.Seen > a.Versions || a.Read.Version < 0 || a.Seen < 0:
		return fmt.Errorf("article %d marks a version it does not have", a.ID)
	case a.LatestBrowser > a.Versions || a.LatestFetch > a.Versions || a.LatestBrowser < 0 || a.LatestFetch < 0:
		return fmt.Errorf("article %d names a newest version it does not have", a.ID)
	case len(a.Aliases) > maxAliases:
		return fmt.Errorf("article %d has more than %d other addresses", a.ID, maxAliases)
	}
	for _, u := range a.Unseen {
		if u.From < 0 || u.To > a.Versions || u.From >= u.To {
			return fmt.Errorf("article %d lists an unseen change between versions it does not have", a.ID)
		}
	}
	hashes := make(map[string]int, len(x.Versions))
	for i := range x.Versions {
		v := &x.Versions[i]
		switch {
		case v.ArticleID != a.ID:
			return fmt.Errorf("version %d belongs to article %d, not %d", v.Number, v.ArticleID, a.ID)
		case v.Number != i+1:
			return fmt.Errorf("article %d: version %d where %d was due", a.ID, v.Number, i+1)
		case !v.Source.Valid():
			return fmt.Errorf("article %d version %d: unknown source %q", a.ID, v.Number, v.Source)
		case v.CapturedAt.IsZero():
			return fmt.Errorf("article %d version %d has no capture time", a.ID, v.Number)
		}
		if got := hashOf(contentBytes(v.Content)); got != v.Hash {
			return fmt.Errorf("article %d version %d: its text does not match its hash (the file was changed)", a.ID, v.Number)
		}
		first, seen := hashes[v.Hash]
		switch {
		case seen && v.RevertOf != first:
			return fmt.Errorf("article %d version %d repeats version %d but says revert_of %d", a.ID, v.Number, first, v.RevertOf)
		case !seen && v.RevertOf != 0:
			return fmt.Errorf("article %d version %d says revert_of %d, but its text is new", a.ID, v.Number, v.RevertOf)
		case !seen:
			hashes[v.Hash] = v.Number
		}
	}
	return nil
}

// Import adds an exported article with its versions, its read and seen
// marks and its watch, in one transaction: all of it or, on any error,
// nothing. An article whose address the store already has is left as it
// is (added is false), so importing a file twice adds nothing. The
// article keeps its id when the store has no article with it (importing an
// export into an empty store gives the same export back); otherwise it
// takes a new one.
func (s *Store) Import(ctx context.Context, x Exported) (added bool, err error) {
	out, err := s.ImportBatch(ctx, []Exported{x})
	if err != nil {
		return false, err
	}
	return out[0], nil
}

// ImportBatch imports articles as Import does, many in one transaction
// (one write to disk), which makes a large import many times faster. A
// batch too large for one transaction is split. added says, for each,
// whether it was added.
func (s *Store) ImportBatch(ctx context.Context, xs []Exported) (added []bool, err error) {
	var top int64
	for i := range xs {
		if err := xs[i].Check(); err != nil {
			return nil, article.Errorf(article.EINVALID, "%v", err)
		}
		top = max(top, xs[i].Article.ID)
	}
	if err := s.raiseArticleSeq(top); err != nil {
		return nil, err
	}
	return s.importBatch(ctx, xs)
}

func (s *Store) importBatch(ctx context.Context, xs []Exported) ([]bool, error) {
	added := make([]bool, len(xs))
	arts := make([]article.Article, len(xs))
	newIDs := make([]int64, len(xs))
	err := s.write(ctx, func(txn *badger.Txn, ap *appending) error {
		for i := range xs {
			a := xs[i].Article
			a.Watch = cloneWatch(a.Watch)
			normalise(a.Watch)
			ok, err := s.importOne(txn, &a, xs[i], &newIDs[i])
			if err != nil {
				return fmt.Errorf("import article %d (%s): %w", xs[i].Article.ID, xs[i].Article.URL, err)
			}
			added[i], arts[i] = ok, a
			if ok {
				if err := ap.reserve(txn, topEvent(&a)); err != nil {
					return err
				}
			}
		}
		return nil
	}, nil)
	// Fold the new words into the posting lists as captures do: pending,
	// they would be copied again with every batch.
	defer s.foldWordsIfDue()
	if errors.Is(err, badger.ErrTxnTooBig) && len(xs) > 1 {
		half := len(xs) / 2
		first, err := s.importBatch(ctx, xs[:half])
		if err != nil {
			return nil, err
		}
		rest, err := s.importBatch(ctx, xs[half:])
		return append(first, rest...), err
	}
	if err != nil {
		return nil, err
	}
	for i := range arts {
		if due := DueAt(arts[i].Watch); added[i] && !due.IsZero() {
			s.due.lower(due.UnixMilli())
			s.wakeWatcher()
		}
	}
	return added, nil
}

// importOne writes one article inside txn; newID keeps the id it took
// when its own was in use, for a transaction run again.
func (s *Store) importOne(txn *badger.Txn, a *article.Article, x Exported, newID *int64) (bool, error) {
	urls := append([]string{a.URL}, a.Aliases...)
	owners, err := s.owners(txn, urls)
	if err != nil {
		return false, err
	}
	if slices.ContainsFunc(owners, func(id int64) bool { return id != 0 }) {
		return false, nil
	}
	if _, err := txn.Get(idKey(pfxArticle, a.ID)); err == nil {
		if *newID == 0 {
			if *newID, err = s.nextArticleID(); err != nil {
				return false, err
			}
		}
		a.ID = *newID
	} else if !errors.Is(err, badger.ErrKeyNotFound) {
		return false, err
	}
	if err := s.importVersions(txn, a, x); err != nil {
		return false, err
	}
	for _, u := range urls {
		if err := txn.Set(append(slices.Clip(pfxURL), u...), idKey(nil, a.ID)); err != nil {
			return false, err
		}
	}
	if err := s.reindex(txn, nil, a); err != nil {
		return false, err
	}
	if err := park(txn, a, parking{}); err != nil {
		return false, err
	}
	if err := moveDue(txn, a.ID, time.Time{}, DueAt(a.Watch)); err != nil {
		return false, err
	}
	if err := setJSON(txn, idKey(pfxArticle, a.ID), a); err != nil {
		return false, err
	}
	return true, addCounts(txn, a.ID, 1, a.Versions)
}

// importVersions writes an exported article's versions as captures write
// them: compressed against the newest before, a repeat as a reference,
// each new text's words indexed.
func (s *Store) importVersions(txn *badger.Txn, a *article.Article, x Exported) error {
	var memo encodeMemo
	for _, v := range x.Versions {
		rec := versionRecord{
			Number: v.Number, CapturedAt: v.CapturedAt.UnixMilli(), Source: v.Source,
			Extractor: v.Extractor, Hash: v.Hash, Title: v.Title, Layout: x.Layout[v.Number],
		}
		if err := s.putVersion(txn, a.ID, &rec, v.Content, contentBytes(v.Content), &memo); err != nil {
			return err
		}
	}
	return nil
}

// raiseArticleSeq moves the article id sequence past id, so that no
// article made later takes an imported article's id.
func (s *Store) raiseArticleSeq(id int64) error {
	for {
		next, err := s.nextArticleID()
		if err != nil {
			return err
		}
		if next >= id {
			return nil
		}
	}
}

// topEvent is the newest event an article's unseen changes name.
func topEvent(a *article.Article) int64 {
	var top int64
	for _, u := range a.Unseen {
		top = max(top, u.EventID)
	}
	return top
}

func cloneWatch(w *article.Watch) *article.Watch {
	if w == nil {
		return nil
	}
	c := *w
	return &c
}

// maxExportLine bounds one line of an export: a version with the longest
// text a capture may hold, as JSON, fits many times over.
const maxExportLine = 64 << 20

// ReadExport reads a file `redline export` wrote and calls fn with each
// article and its versions, in the file's order, with the number of the
// article's line. It stops at the first mistake, naming its line: a line
// that is not JSON, of an unknown type, a version without its article, an
// article whose versions are missing, or a file without its end line (cut
// short).
func ReadExport(r io.Reader, fn func(line int, x Exported) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	var (
		cur       *Exported
		curLine   int
		n         int
		articles  int
		versions  int
		ended     bool
		flushCurr = func() error {
			if cur == nil {
				return nil
			}
			if err := cur.Check(); err != nil {
				return fmt.Errorf("line %d: %w", curLine, err)
			}
			articles++
			versions += len(cur.Versions)
			if err := fn(curLine, *cur); err != nil {
				return err
			}
			cur = nil
			return nil
		}
	)
	for {
		b, err := readLine(br)
		if err == io.EOF {
			break
		}
		n++
		if err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		if ended {
			return fmt.Errorf("line %d: more after the end line", n)
		}
		var l ExportLine
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			return fmt.Errorf("line %d: not a line of a Redline export: %v", n, err)
		}
		switch {
		case l.Type == "article" && l.Article != nil && l.Version == nil:
			if err := flushCurr(); err != nil {
				return err
			}
			cur, curLine = &Exported{Article: *l.Article, Layout: map[int]bool{}}, n
		case l.Type == "version" && l.Version != nil && l.Article == nil:
			if cur == nil {
				return fmt.Errorf("line %d: a version before any article", n)
			}
			if l.Layout {
				cur.Layout[l.Version.Number] = true
			}
			cur.Versions = append(cur.Versions, *l.Version)
		case l.Type == "end" && l.Articles != nil && l.Versions != nil:
			if err := flushCurr(); err != nil {
				return err
			}
			if *l.Articles != articles || *l.Versions != versions {
				return fmt.Errorf("line %d: the file holds %d articles and %d versions, its end line says %d and %d", n, articles, versions, *l.Articles, *l.Versions)
			}
			ended = true
		default:
			return fmt.Errorf("line %d: not a line of a Redline export (type %q)", n, l.Type)
		}
	}
	if !ended {
		return fmt.Errorf("line %d: the file ends without its end line: it was cut short", n)
	}
	return nil
}

// readLine reads one line without its newline, refusing one longer than
// maxExportLine.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		part, err := br.ReadSlice('\n')
		line = append(line, part...)
		if len(line) > maxExportLine {
			return nil, fmt.Errorf("a line longer than %d MiB", maxExportLine>>20)
		}
		switch {
		case err == nil:
			return bytes.TrimSuffix(line, []byte("\n")), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && len(line) > 0:
			return line, nil
		default:
			return nil, err
		}
	}
}
