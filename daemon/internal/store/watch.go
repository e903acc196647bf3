package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// Keys of the watcher. The due index orders every planned check by time,
// so the watcher reads only the checks that are due, never every article.
var (
	pfxDue      = []byte("w:") // w:<unix ms be64><article id be64> -> nothing: the article's next check
	pfxSiteStop = []byte("y:") // y:<site>                          -> nothing: the user paused this site
	pfxParked   = []byte("z:") // z:<site>\x00<article id be64>     -> nothing: paused with its site
	pfxPrivate  = []byte("q:") // q:<article id be64>               -> nothing: waits for --allow-private
	keyWatchAll = []byte("m:watch")
	keyWatchCfg = []byte("m:watch:settings")
	// keyPrivateIndexed: every article waiting for --allow-private is in
	// the q: index (stores from before it get it at the first revival).
	keyPrivateIndexed = []byte("m:watch:private")
)

// ErrForgotten refuses to store a check of an article that was forgotten
// while the check ran: forgetting must not be undone by a fetch.
var ErrForgotten = article.Errorf(article.ENOTFOUND, "the article was forgotten while it was being checked")

// ReasonSitePaused is the watch reason of an article paused with its site.
const ReasonSitePaused = "site_paused"

// Planner says when an article is checked next: ok is false when its
// schedule has ended. until is the schedule's cut-off for it.
type Planner func(a *article.Article, now time.Time) (next, until time.Time, ok bool)

// dueFloor is the floor of the due index: no due key is older than it
// (unix ms). Reads start there, so that the tombstones of checks already
// done are not walked again.
type dueFloor struct {
	mu    sync.Mutex
	floor int64
	gen   uint64
	// scanned counts due-index keys read, for tests of the tick's cost.
	scanned atomic.Int64
}

// lower records that a due key at ms was written (after its commit).
func (w *dueFloor) lower(ms int64) {
	w.mu.Lock()
	if ms < w.floor {
		w.floor = ms
	}
	w.gen++ // a read that began before this write must not raise the floor past it
	w.mu.Unlock()
}

func (w *dueFloor) snapshot() (int64, uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.floor, w.gen
}

func (w *dueFloor) raise(ms int64, gen uint64) {
	w.mu.Lock()
	if w.gen == gen && ms > w.floor {
		w.floor = ms
	}
	w.mu.Unlock()
}

// wakeWatcher tells the watcher that a check is due now.
func (s *Store) wakeWatcher() {
	if s.wake != nil {
		s.wake()
	}
}

func dueKey(ms, id int64) []byte {
	k := make([]byte, 0, len(pfxDue)+16)
	k = append(k, pfxDue...)
	k = binary.BigEndian.AppendUint64(k, uint64(ms))
	return binary.BigEndian.AppendUint64(k, uint64(id))
}

func parkKey(site string, id int64) []byte {
	k := append(append(append([]byte(nil), pfxParked...), site...), 0)
	return binary.BigEndian.AppendUint64(k, uint64(id))
}

func siteStopKey(site string) []byte { return append(append([]byte(nil), pfxSiteStop...), site...) }

// DueAt is when a watch is next checked by the index: its NextCheck for
// states that are checked, else zero (not in the index).
func DueAt(w *article.Watch) time.Time {
	if w == nil || w.NextCheck.IsZero() {
		return time.Time{}
	}
	switch w.State {
	case article.WatchWatching, article.WatchRemoved:
	case article.WatchNotCheckable:
		// Not checkable by fetch, but checked through the browser.
		if w.Via != article.ViaBrowser {
			return time.Time{}
		}
	default:
		return time.Time{}
	}
	return w.NextCheck
}

// normalise keeps watch times to the millisecond, as the index holds them.
func normalise(w *article.Watch) {
	if w == nil {
		return
	}
	if !w.NextCheck.IsZero() {
		w.NextCheck = time.UnixMilli(w.NextCheck.UnixMilli()).UTC()
	}
	if !DueAt(w).IsZero() {
		return
	}
	w.NextCheck = time.Time{}
}

// moveDue keeps the index in step with a watch whose due time went from
// old to new (zero: not due).
func moveDue(txn *badger.Txn, id int64, old, new time.Time) error {
	if old.Equal(new) {
		return nil
	}
	if !old.IsZero() {
		if err := txn.Delete(dueKey(old.UnixMilli(), id)); err != nil {
			return err
		}
	}
	if !new.IsZero() {
		return txn.Set(dueKey(new.UnixMilli(), id), nil)
	}
	return nil
}

// parking says which of the indexes of stopped watches hold an article:
// paused with its site, or not checkable only because the daemon may not
// fetch private addresses.
type parking struct{ site, private bool }

func parkingOf(w *article.Watch) parking {
	return parking{site: isParked(w), private: waitsForPrivate(w)}
}

// park keeps the indexes of stopped watches in step with a's watch.
func park(txn *badger.Txn, a *article.Article, was parking) error {
	now := parkingOf(a.Watch)
	for _, k := range []struct {
		was, now bool
		key      []byte
	}{{was.site, now.site, parkKey(a.Site, a.ID)}, {was.private, now.private, privateKey(a.ID)}} {
		switch {
		case k.now && !k.was:
			if err := txn.Set(k.key, nil); err != nil {
				return err
			}
		case !k.now && k.was:
			if err := txn.Delete(k.key); err != nil {
				return err
			}
		}
	}
	return nil
}

func isParked(w *article.Watch) bool {
	return w != nil && w.State == article.WatchPaused && w.Reason == ReasonSitePaused
}

// waitsForPrivate: the page is on this computer or a private network,
// which this daemon was not allowed to fetch when it checked. That is
// about the daemon, not the page: a daemon started with --allow-private
// checks such articles again (ReviveForPrivate).
func waitsForPrivate(w *article.Watch) bool {
	return w != nil && w.State == article.WatchNotCheckable && w.Reason == article.ReasonPrivateNetwork
}

func privateKey(id int64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(nil), pfxPrivate...), uint64(id))
}

func sitePaused(txn *badger.Txn, site string) (bool, error) {
	_, err := txn.Get(siteStopKey(site))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, badger.ErrKeyNotFound):
		return false, nil
	}
	return false, err
}

func pauseForSite(w *article.Watch) {
	w.State = article.WatchPaused
	w.NextCheck = time.Time{}
	w.Reason = ReasonSitePaused
	w.Message = "checks of this site are paused"
}

// watchOnSave runs inside SaveCapture's transaction: a new article gets a
// watch whose first check (the baseline fetch) is due at once; a change
// seen in the browser brings the next check forward to the schedule's
// fastest tier, and revives a finished or removed watch.
func (s *Store) watchOnSave(txn *badger.Txn, a *article.Article, out *Saved, in Ingest) error {
	if a.Captures == 1 && in.Capture.Source == article.SourceFetch && !in.MarkRead {
		// Only a page the user names may start with a fetch; any other
		// fetch is of an article that was forgotten while it ran.
		return ErrForgotten
	}
	old := DueAt(a.Watch)
	was := parkingOf(a.Watch)
	w := a.Watch
	plan := s.plan
	switch {
	case w == nil:
		w = &article.Watch{State: article.WatchWatching, NextCheck: in.Now}
		if in.Capture.Source == article.SourceFetch {
			// The watcher records this check and plans the next itself.
			w.Named = in.MarkRead
			if plan != nil {
				if next, until, ok := plan(a, in.Now); ok {
					w.NextCheck, w.Until = next, until
				}
			}
		}
		paused, err := sitePaused(txn, a.Site)
		if err != nil {
			return err
		}
		if paused {
			pauseForSite(w)
		}
	case out.Status == article.StatusChanged && in.Capture.Source == article.SourceBrowser && plan != nil:
		next, until, ok := plan(a, in.Now)
		if !ok {
			break
		}
		switch w.State {
		case article.WatchWatching:
			if next.Before(w.NextCheck) || w.NextCheck.IsZero() {
				w.NextCheck = next
			}
			w.Until = until
		case article.WatchFinished:
			w.State, w.NextCheck, w.Until = article.WatchWatching, next, until
		case article.WatchRemoved:
			// The page the site said was gone was just read in the browser.
			w.State, w.NextCheck, w.Until, w.RemovedAt = article.WatchWatching, next, until, time.Time{}
		}
	}
	normalise(w)
	a.Watch = w
	if err := park(txn, a, was); err != nil {
		return err
	}
	return moveDue(txn, a.ID, old, DueAt(w))
}

// watchSaved runs after SaveCapture committed: the floor of the index and
// the watcher learn about a check that became due.
func (s *Store) watchSaved(out Saved) {
	due := DueAt(out.Article.Watch)
	if due.IsZero() {
		return
	}
	s.due.lower(due.UnixMilli())
	if out.Status == article.StatusNew {
		s.wakeWatcher()
	}
}

// deleteWatch removes an article's entries in the watcher's indexes.
func deleteWatch(txn *badger.Txn, a *article.Article) error {
	if due := DueAt(a.Watch); !due.IsZero() {
		if err := txn.Delete(dueKey(due.UnixMilli(), a.ID)); err != nil {
			return err
		}
	}
	if isParked(a.Watch) {
		if err := txn.Delete(parkKey(a.Site, a.ID)); err != nil {
			return err
		}
	}
	if waitsForPrivate(a.Watch) {
		if err := txn.Delete(privateKey(a.ID)); err != nil {
			return err
		}
	}
	return txn.Delete(recheckKey(a.ID))
}

// ReviveForPrivate plans a check now for every article that was found not
// checkable only because the daemon then could not fetch private
// addresses. A daemon started with --allow-private calls it once; it
// reads only those articles. It returns how many it revived.
func (s *Store) ReviveForPrivate(ctx context.Context, now time.Time) (int, error) {
	var ids []int64
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxPrivate})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			ids = append(ids, int64(binary.BigEndian.Uint64(k[len(pfxPrivate):])))
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("find articles waiting for --allow-private: %w", err)
	}
	// Stores written before the index have such articles outside it:
	// the first revival reads every article once.
	var indexed bool
	err = s.db.View(func(txn *badger.Txn) error {
		var err error
		indexed, err = getOptional(txn, keyPrivateIndexed, func([]byte) error { return nil })
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("read the private-address index mark: %w", err)
	}
	if !indexed {
		older, err := s.articleIDs(func(a *article.Article) bool { return waitsForPrivate(a.Watch) })
		if err != nil {
			return 0, fmt.Errorf("find articles waiting for --allow-private: %w", err)
		}
		ids = append(ids, older...)
		slices.Sort(ids)
		ids = slices.Compact(ids)
	}
	n := 0
	err = s.updateWatches(ctx, ids, func(_ *badger.Txn, a *article.Article) error {
		if waitsForPrivate(a.Watch) {
			a.Watch.State, a.Watch.NextCheck = article.WatchWatching, now
			a.Watch.Reason, a.Watch.Message = "", ""
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("check again the articles waiting for --allow-private: %w", err)
	}
	if !indexed {
		if err := s.update(ctx, func(txn *badger.Txn) error { return txn.Set(keyPrivateIndexed, []byte("1")) }); err != nil {
			return n, fmt.Errorf("mark the private-address index built: %w", err)
		}
	}
	return n, nil
}

// DueWatch is one planned check.
type DueWatch struct {
	ID int64
	At time.Time
}

// DueWatches returns up to limit checks due at or before now, oldest
// first. It reads the due index from its floor and stops at the first key
// that is not due: its cost is the number of due checks, not the number
// of watched articles.
func (s *Store) DueWatches(now time.Time, limit int) ([]DueWatch, error) {
	h := &s.due
	floor, gen := h.snapshot()
	cut := now.UnixMilli()
	var out []DueWatch
	first := int64(math.MaxInt64)
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxDue})
		defer it.Close()
		for it.Seek(dueKey(floor, 0)); it.Valid(); it.Next() {
			k := it.Item().Key()
			h.scanned.Add(1)
			if len(k) != len(pfxDue)+16 {
				continue
			}
			ms := int64(binary.BigEndian.Uint64(k[len(pfxDue):]))
			first = min(first, ms)
			if ms > cut || len(out) >= limit {
				break
			}
			out = append(out, DueWatch{ID: int64(binary.BigEndian.Uint64(k[len(pfxDue)+8:])), At: time.UnixMilli(ms).UTC()})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read due checks: %w", err)
	}
	h.raise(first, gen)
	return out, nil
}

// NextDue returns the time of the earliest planned check; false when none
// is planned.
func (s *Store) NextDue() (time.Time, bool, error) {
	floor, _ := s.due.snapshot()
	var at time.Time
	found := false
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxDue})
		defer it.Close()
		for it.Seek(dueKey(floor, 0)); it.Valid(); it.Next() {
			k := it.Item().Key()
			if len(k) == len(pfxDue)+16 {
				at, found = time.UnixMilli(int64(binary.BigEndian.Uint64(k[len(pfxDue):]))).UTC(), true
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read next check: %w", err)
	}
	return at, found, nil
}

// WatchUpdate changes an article's watch. It may return an event to append
// (its id, article id, URL and title are filled in). It can run more than
// once when a concurrent write touched the article.
type WatchUpdate func(a *article.Article) (*article.Event, error)

// UpdateWatch applies fn to an article in one transaction and keeps the
// watcher's indexes in step with the watch it leaves. An event fn returns
// is appended to the log and handed to the event sink after the commit;
// the result's EventID names it.
func (s *Store) UpdateWatch(ctx context.Context, id int64, fn WatchUpdate) (article.Article, error) {
	return s.updateWatch(ctx, id, fn, nil)
}

// updateWatch is UpdateWatch; also, when set, runs in the same
// transaction after fn.
func (s *Store) updateWatch(ctx context.Context, id int64, fn WatchUpdate, also func(txn *badger.Txn, a *article.Article) error) (article.Article, error) {
	var a article.Article
	var ev *article.Event
	err := s.write(ctx, func(txn *badger.Txn, ap *appending) error {
		ev = nil
		a = article.Article{}
		err := getJSON(txn, idKey(pfxArticle, id), &a)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return notFound(id)
		}
		if err != nil {
			return err
		}
		old := DueAt(a.Watch)
		was := parkingOf(a.Watch)
		if ev, err = fn(&a); err != nil {
			return err
		}
		if also != nil {
			if err := also(txn, &a); err != nil {
				return err
			}
		}
		normalise(a.Watch)
		if err := moveDue(txn, id, old, DueAt(a.Watch)); err != nil {
			return err
		}
		if err := park(txn, &a, was); err != nil {
			return err
		}
		if ev != nil {
			ev.ArticleID, ev.URL = id, a.URL
			if ev.Title == "" {
				ev.Title = a.Title
			}
			if err := ap.event(txn, ev); err != nil {
				return err
			}
			if a.Watch != nil && a.Watch.LastResult != nil {
				a.Watch.LastResult.EventID = ev.ID
			}
		}
		return setJSON(txn, idKey(pfxArticle, id), &a)
	}, nil)
	if err != nil {
		return a, fmt.Errorf("update watch of article %d: %w", id, err)
	}
	if due := DueAt(a.Watch); !due.IsZero() {
		s.due.lower(due.UnixMilli())
	}
	return a, nil
}

// watchBatch is how many articles one transaction of a bulk watch change
// touches (Badger bounds a transaction's size).
const watchBatch = 256

// updateWatches applies fn to the watches of ids, in batches.
func (s *Store) updateWatches(ctx context.Context, ids []int64, fn func(txn *badger.Txn, a *article.Article) error) error {
	for start := 0; start < len(ids); start += watchBatch {
		batch := ids[start:min(start+watchBatch, len(ids))]
		lowest := int64(math.MaxInt64)
		err := s.update(ctx, func(txn *badger.Txn) error {
			lowest = math.MaxInt64
			for _, id := range batch {
				var a article.Article
				err := getJSON(txn, idKey(pfxArticle, id), &a)
				if errors.Is(err, badger.ErrKeyNotFound) {
					continue // forgotten meanwhile
				}
				if err != nil {
					return err
				}
				old := DueAt(a.Watch)
				was := parkingOf(a.Watch)
				if err := fn(txn, &a); err != nil {
					return err
				}
				normalise(a.Watch)
				due := DueAt(a.Watch)
				if !due.IsZero() {
					lowest = min(lowest, due.UnixMilli())
				}
				if err := moveDue(txn, id, old, due); err != nil {
					return err
				}
				if err := park(txn, &a, was); err != nil {
					return err
				}
				if err := setJSON(txn, idKey(pfxArticle, id), &a); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if lowest != math.MaxInt64 {
			s.due.lower(lowest)
		}
	}
	return nil
}

// Reschedule moves the next check of watched articles to new times without
// counting a check (the watcher defers checks of a host that must wait).
func (s *Store) Reschedule(ctx context.Context, at map[int64]time.Time) error {
	ids := make([]int64, 0, len(at))
	for id := range at {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	err := s.updateWatches(ctx, ids, func(_ *badger.Txn, a *article.Article) error {
		if a.Watch != nil && !DueAt(a.Watch).IsZero() {
			a.Watch.NextCheck = at[a.ID]
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reschedule checks: %w", err)
	}
	return nil
}

// articleIDs returns the ids of the articles keep selects, reading every
// article record: for rare, user-driven changes only.
func (s *Store) articleIDs(keep func(a *article.Article) bool) ([]int64, error) {
	var ids []int64
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxArticle, PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var a article.Article
			if err := it.Item().Value(func(b []byte) error { return jsonUnmarshal(b, &a) }); err != nil {
				return err
			}
			if keep(&a) {
				ids = append(ids, a.ID)
			}
		}
		return nil
	})
	return ids, err
}

// PauseSite stops checks of every article of a site, and of those
// captured later, until ResumeSite. It returns how many were paused.
func (s *Store) PauseSite(ctx context.Context, site string) (int, error) {
	if site == "" {
		return 0, article.Errorf(article.EINVALID, "name the site to pause, e.g. example.com")
	}
	if err := s.update(ctx, func(txn *badger.Txn) error { return txn.Set(siteStopKey(site), nil) }); err != nil {
		return 0, fmt.Errorf("pause %s: %w", site, err)
	}
	ids, err := s.articleIDs(func(a *article.Article) bool {
		return a.Site == site && a.Watch != nil && !isParked(a.Watch)
	})
	if err != nil {
		return 0, fmt.Errorf("pause %s: %w", site, err)
	}
	n := 0
	err = s.updateWatches(ctx, ids, func(_ *badger.Txn, a *article.Article) error {
		switch a.Watch.State {
		case article.WatchWatching, article.WatchRemoved:
			pauseForSite(a.Watch)
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("pause %s: %w", site, err)
	}
	return n, nil
}

// ResumeSite checks a paused site again: its articles paused with it are
// due at now. It returns how many were resumed.
func (s *Store) ResumeSite(ctx context.Context, site string, now time.Time) (int, error) {
	var ids []int64
	err := s.update(ctx, func(txn *badger.Txn) error {
		ids = ids[:0]
		if err := txn.Delete(siteStopKey(site)); err != nil {
			return err
		}
		prefix := append(append(append([]byte(nil), pfxParked...), site...), 0)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			ids = append(ids, int64(binary.BigEndian.Uint64(it.Item().Key()[len(prefix):])))
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("resume %s: %w", site, err)
	}
	n := 0
	err = s.updateWatches(ctx, ids, func(_ *badger.Txn, a *article.Article) error {
		if !isParked(a.Watch) {
			return nil
		}
		resume(a.Watch, now)
		n++
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("resume %s: %w", site, err)
	}
	if n > 0 {
		s.wakeWatcher()
	}
	return n, nil
}

// resume makes a paused watch due at now; a page found gone before stays
// marked removed until a check finds it again.
func resume(w *article.Watch, now time.Time) {
	w.State = article.WatchWatching
	if !w.RemovedAt.IsZero() {
		w.State = article.WatchRemoved
	}
	w.Reason, w.Message = "", ""
	w.NextCheck = now
}

// PausedSites lists the sites whose checks are paused.
func (s *Store) PausedSites() ([]string, error) {
	sites := []string{}
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxSiteStop})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			sites = append(sites, string(it.Item().Key()[len(pfxSiteStop):]))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list paused sites: %w", err)
	}
	return sites, nil
}

// SitePaused reports whether checks of site are paused.
func (s *Store) SitePaused(site string) (bool, error) {
	var paused bool
	err := s.db.View(func(txn *badger.Txn) (err error) {
		paused, err = sitePaused(txn, site)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("read pause of %s: %w", site, err)
	}
	return paused, nil
}

// BackfillWatches gives a watch to every article that has none (stores
// written before the watcher existed, or restored from such a backup):
// those never fetched are due at now for their baseline, the others by
// the planner. It reads every article once, then never again.
func (s *Store) BackfillWatches(ctx context.Context, now time.Time, plan Planner) error {
	var done bool
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		done, err = getOptional(txn, keyWatchAll, func([]byte) error { return nil })
		return err
	})
	if err != nil || done {
		return err
	}
	ids, err := s.articleIDs(func(a *article.Article) bool { return a.Watch == nil })
	if err != nil {
		return fmt.Errorf("find unwatched articles: %w", err)
	}
	err = s.updateWatches(ctx, ids, func(txn *badger.Txn, a *article.Article) error {
		if a.Watch != nil {
			return nil
		}
		w := &article.Watch{State: article.WatchWatching, NextCheck: now}
		if a.LatestFetch > 0 && plan != nil {
			if next, until, ok := plan(a, now); ok {
				w.NextCheck, w.Until = next, until
			} else {
				w.State, w.NextCheck, w.Until = article.WatchFinished, time.Time{}, until
			}
		}
		paused, err := sitePaused(txn, a.Site)
		if err != nil {
			return err
		}
		if paused {
			pauseForSite(w)
		}
		a.Watch = w
		return nil
	})
	if err != nil {
		return fmt.Errorf("give articles a watch: %w", err)
	}
	if err := s.update(ctx, func(txn *badger.Txn) error { return txn.Set(keyWatchAll, []byte("1")) }); err != nil {
		return fmt.Errorf("give articles a watch: %w", err)
	}
	return nil
}

// WatchSettings reads the watcher's settings into v; false when they were
// never saved.
func (s *Store) WatchSettings(v any) (bool, error) {
	var found bool
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		found, err = getOptional(txn, keyWatchCfg, func(b []byte) error { return jsonUnmarshal(b, v) })
		return err
	})
	if err != nil {
		return false, fmt.Errorf("read watch settings: %w", err)
	}
	return found, nil
}

// SetWatchSettings saves the watcher's settings durably.
func (s *Store) SetWatchSettings(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode watch settings: %w", err)
	}
	if err := s.update(ctx, func(txn *badger.Txn) error { return txn.Set(keyWatchCfg, b) }); err != nil {
		return fmt.Errorf("save watch settings: %w", err)
	}
	return nil
}
