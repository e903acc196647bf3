package store

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// The write path. Badger, asked for synchronous writes, syncs its log once
// per transaction, one after another: concurrent captures queue for the
// disk. Instead the store opens Badger without synchronous writes and
// syncs it itself, once for every group of transactions that committed
// while the previous sync ran (group commit):
//
//  1. A write runs its transaction and commits it (into Badger's log and
//     memory; not yet durable).
//  2. It joins the next round of the store's syncer and waits.
//  3. The syncer's goroutine syncs the log once for everything committed
//     before the round began, hands the round's events to Options.Events
//     in id order, then releases every write of the round. A write
//     returns (and the capture is acknowledged) only then.
//
// Event ids: a write that appends an event holds eventMu from its
// transaction until its events are queued for the syncer, so ids are
// committed, queued, made durable and published in order. It no longer
// holds it while the disk syncs, which is most of a write's time. A
// reader following the log by id (EventsAfter, LastEventID) is shown only
// events up to the syncer's watermark, the newest id known to be on disk
// with every id below it: it never sees id N+1 before N, nor an event that
// a power cut could still take back.

// update runs fn in a read-write transaction, retrying when a concurrent
// transaction touched the same keys, and returns once the write is on
// disk. fn appends no event (see write).
func (s *Store) update(ctx context.Context, fn func(txn *badger.Txn) error) error {
	return s.write(ctx, func(txn *badger.Txn, _ *appending) error { return fn(txn) }, nil)
}

// write is update for a transaction that may append events (through
// appending.event). Those reach Options.Events, in id order, once on
// disk, before write returns. When a run conflicts with a concurrent
// write and turns is set, the runs that follow hold it: writes that
// touch the same record each time (a site's learned furniture) take
// turns after a first conflict instead of running again and again.
func (s *Store) write(ctx context.Context, fn func(txn *badger.Txn, ap *appending) error, turns *sync.Mutex) error {
	if err := s.Writable(); err != nil {
		return err // a write on a full disk would kill the process: see space.go
	}
	r, err := s.commit(ctx, fn, turns)
	if err != nil {
		return err
	}
	return r.wait()
}

// commit runs fn until it commits, or fails, and joins the syncer's next
// round with the events it appended.
func (s *Store) commit(ctx context.Context, fn func(txn *badger.Txn, ap *appending) error, turns *sync.Mutex) (*syncRound, error) {
	for attempt := 0; ; attempt++ {
		if attempt == 1 && turns != nil {
			turns.Lock()
			defer turns.Unlock()
		}
		ap := &appending{s: s}
		err := s.db.Update(func(txn *badger.Txn) error { return fn(txn, ap) })
		if err == nil {
			r, err := s.sync.join(ap.committed())
			ap.release()
			return r, err
		}
		ap.release()
		if !errors.Is(err, badger.ErrConflict) || attempt >= 50 {
			return nil, mapStoreErr(err)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
}

// appending is one run of a write's transaction as it appends events.
// The first event takes eventMu; the write holds it until its events are
// queued for the syncer, or the run failed: ids are handed out, committed
// and queued one writer at a time, in order, and no writer reads the
// event counter, so none conflicts with another over it.
type appending struct {
	s      *Store
	held   bool
	events []*article.Event
	// skip is how many ids reserve set aside.
	skip int64
}

// event writes e with the next event id inside txn.
func (ap *appending) event(txn *badger.Txn, e *article.Event) error {
	if !ap.held {
		ap.s.eventMu.Lock()
		ap.held = true
	}
	e.ID = ap.s.lastEvent + ap.skip + int64(len(ap.events)) + 1
	if err := txn.Set(keyEventSeq, idKey(nil, e.ID)); err != nil {
		return err
	}
	if err := setJSON(txn, idKey(pfxEvent, e.ID), e); err != nil {
		return err
	}
	if err := txn.Set(binary.BigEndian.AppendUint64(idKey(pfxArticleEvent, e.ArticleID), uint64(e.ID)), nil); err != nil {
		return err
	}
	ap.events = append(ap.events, e)
	return nil
}

// reserve moves the event counter to top at least, so that the events
// that follow take higher ids: an import brings articles whose unseen
// changes name events by id. Like event, it holds eventMu until the write
// is queued.
func (ap *appending) reserve(txn *badger.Txn, top int64) error {
	if !ap.held {
		ap.s.eventMu.Lock()
		ap.held = true
	}
	next := ap.s.lastEvent + ap.skip + int64(len(ap.events))
	if top <= next {
		return nil
	}
	ap.skip += top - next
	return txn.Set(keyEventSeq, idKey(nil, top))
}

// committed counts the run's events as handed out (its transaction
// committed) and returns them.
func (ap *appending) committed() []article.Event {
	if !ap.held {
		return nil
	}
	ap.s.lastEvent += ap.skip + int64(len(ap.events))
	out := make([]article.Event, len(ap.events))
	for i, e := range ap.events {
		out[i] = *e
	}
	return out
}

// release gives up eventMu if the run took it.
func (ap *appending) release() {
	if ap.held {
		ap.held = false
		ap.s.eventMu.Unlock()
	}
}

// syncer makes committed writes durable in groups: one sync of Badger's
// logs per round, however many writes committed before it began. The
// store owns its goroutine (run); close stops it after a last round.
type syncer struct {
	// disk syncs everything committed so far.
	disk func() error
	// publish hands an event that is on disk to Options.Events.
	publish func(article.Event)

	mu      sync.Mutex
	next    *syncRound      // the round a write joining now waits for
	joined  int             // writes that joined next
	pending []article.Event // events committed since the last round began, in id order
	closed  bool

	// durable is the newest event id on disk with every id below it.
	durable atomic.Int64

	wake chan struct{} // a round is waiting (capacity 1)
	stop chan struct{} // closed by close
	done chan struct{} // closed when run returns
}

// syncRound is one sync: every write that joined it waits for done.
type syncRound struct {
	done chan struct{}
	err  error
}

func newSyncer(disk func() error, publish func(article.Event), lastEvent int64) *syncer {
	sy := &syncer{
		disk: disk, publish: publish, next: newRound(),
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}
	sy.durable.Store(lastEvent)
	return sy
}

func newRound() *syncRound { return &syncRound{done: make(chan struct{})} }

// wait returns once the round's sync is done: nil when the writes that
// joined it are on disk.
func (r *syncRound) wait() error {
	<-r.done
	return r.err
}

// join adds a committed write, and the events it appended, to the next
// round. A write that appends events calls it holding eventMu.
func (sy *syncer) join(evs []article.Event) (*syncRound, error) {
	sy.mu.Lock()
	if sy.closed {
		sy.mu.Unlock()
		return nil, article.Errorf(article.EUNAVAILABLE, "the store is closing")
	}
	r := sy.next
	sy.joined++
	sy.pending = append(sy.pending, evs...)
	sy.mu.Unlock()
	select {
	case sy.wake <- struct{}{}:
	default: // a wake-up is pending already
	}
	return r, nil
}

// run syncs a round each time writes are waiting, until close; then a
// last round for writes that joined meanwhile.
func (sy *syncer) run() {
	defer close(sy.done)
	for {
		select {
		case <-sy.wake:
			sy.round()
		case <-sy.stop:
			sy.round()
			return
		}
	}
}

// round starts a new round for writes joining from now on, syncs what
// committed before it, and releases the writes that joined it. Events
// are published in id order after the sync; when it fails they stay
// queued for the next round, which syncs them too. A wake-up that finds
// no write waiting (the writes it announced joined the previous round)
// does nothing.
func (sy *syncer) round() {
	sy.mu.Lock()
	if sy.joined == 0 {
		sy.mu.Unlock()
		return
	}
	r, evs := sy.next, sy.pending
	sy.next, sy.pending, sy.joined = newRound(), nil, 0
	sy.mu.Unlock()
	if err := sy.disk(); err != nil {
		r.err = fmt.Errorf("write to disk: %w", mapStoreErr(err))
		sy.mu.Lock()
		sy.pending = append(evs, sy.pending...)
		sy.mu.Unlock()
		close(r.done)
		return
	}
	for _, e := range evs {
		sy.durable.Store(e.ID)
		if sy.publish != nil {
			sy.publish(e)
		}
	}
	close(r.done)
}

// close refuses new writes, runs a last round, and stops the goroutine.
func (sy *syncer) close() {
	sy.mu.Lock()
	if sy.closed {
		sy.mu.Unlock()
		return
	}
	sy.closed = true
	sy.mu.Unlock()
	close(sy.stop)
	<-sy.done
}

// syncDisk makes every committed write durable: Badger syncs its value
// log and the log of its current memtable; a memtable Badger replaced
// since (it is full and waits to be written out as a table) keeps its log
// file until then, and that file is synced here too.
func (s *Store) syncDisk() error {
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("sync the store's log: %w", err)
	}
	logs, err := filepath.Glob(filepath.Join(s.dir, "*.mem"))
	if err != nil {
		return fmt.Errorf("list the store's logs: %w", err)
	}
	// Log files are numbered in order (a longer name is a larger number):
	// the newest is the current memtable's, synced above.
	slices.SortFunc(logs, func(a, b string) int { return cmp.Or(cmp.Compare(len(a), len(b)), cmp.Compare(a, b)) })
	for _, name := range logs[:max(len(logs)-1, 0)] {
		if err := syncFile(name); err != nil {
			return err
		}
	}
	return nil
}

// syncFile syncs one of Badger's log files. One that is gone was written
// out as a table, itself synced, and needs nothing more.
func syncFile(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open the store's log %s: %w", filepath.Base(name), err)
	}
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(serr, cerr); err != nil {
		return fmt.Errorf("sync the store's log %s: %w", filepath.Base(name), err)
	}
	return nil
}

// startSyncer makes durable what opening the store wrote (an upgrade,
// counters rebuilt) and starts the syncer's goroutine, which Close stops.
func (s *Store) startSyncer() error {
	if err := s.syncDisk(); err != nil {
		return err
	}
	last, err := s.storedLastEventID()
	if err != nil {
		return err
	}
	// The counter is written with every event; should it read back
	// damaged, the newest event in the log still says where ids go on.
	newest, err := s.newestEventID()
	if err != nil {
		return err
	}
	last = max(last, newest)
	s.lastEvent = last
	s.sync = newSyncer(s.syncDisk, s.events, last)
	go s.sync.run()
	return nil
}

// siteTurns is the lock captures of site take turns on after a conflict
// (sites share the store's 64 locks).
func (s *Store) siteTurns(site string) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(site))
	return &s.sites[h.Sum32()%uint32(len(s.sites))]
}

// dropEmptyLogs removes the memtable log files (.mem) that are empty: a
// process killed while Badger created one (before it sized it) or
// deleted one (its memtable was written out as a table: it cut the file
// to nothing before removing it) leaves a file that holds no write, and
// Badger would refuse to open the store because of it. A store open
// elsewhere is left alone (Badger's lock refuses it), and so is a store
// opened for reading only.
func dropEmptyLogs(dir string, readOnly bool) error {
	if readOnly || inUse(dir) {
		return nil
	}
	logs, err := filepath.Glob(filepath.Join(dir, "*.mem"))
	if err != nil {
		return fmt.Errorf("list the store's logs: %w", err)
	}
	for _, name := range logs {
		info, err := os.Stat(name)
		if err != nil || info.Size() != 0 {
			continue
		}
		if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove the empty log %s: %w", filepath.Base(name), err)
		}
	}
	return nil
}

// newestEventID is the id of the newest event in the log (0: none).
func (s *Store) newestEventID() (int64, error) {
	var id int64
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxEvent, Reverse: true})
		defer it.Close()
		it.Seek(idKey(pfxEvent, math.MaxInt64))
		if it.Valid() {
			if k := it.Item().Key(); len(k) == len(pfxEvent)+8 {
				id = int64(binary.BigEndian.Uint64(k[len(pfxEvent):]))
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("read the newest event: %w", err)
	}
	return id, nil
}
