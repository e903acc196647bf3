// Package store keeps articles, their versions, read marks and the event
// log in an embedded Badger database, tuned for a small footprint and for
// durable writes: when a write method returns, its data is on disk.
package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"redline/daemon/internal/article"
)

// SchemaVersion is the layout of keys and values this code reads and writes.
const SchemaVersion = 1

// Key prefixes. Every key starts with one of these.
var (
	keySchema   = []byte("m:schema")
	keyEventSeq = []byte("m:event")
	keySeqArt   = []byte("s:article")
	pfxArticle  = []byte("a:") // a:<id>            -> Article JSON
	pfxURL      = []byte("u:") // u:<canonical url> -> id
	pfxVersion  = []byte("v:") // v:<id><n>         -> versionRecord JSON
	pfxHash     = []byte("h:") // h:<id><hash>      -> version number holding that content
	pfxEvent    = []byte("e:") // e:<event id>      -> Event JSON
)

// migrations[n] upgrades a store from schema n to n+1. Each runs in its own
// transaction; a store is never left between two schema versions.
var migrations = map[int]func(txn *badger.Txn) error{}

// Store is Redline's embedded database.
type Store struct {
	db   *badger.DB
	seq  *badger.Sequence
	dir  string
	log  *slog.Logger
	zstd *codec

	// The collaborators given to Open (see Options).
	judge  Judge
	events func(article.Event)
	plan   Planner
	wake   func()
	// eventMu is held by every write that appends an event, from its
	// first event until its events are queued for the syncer (commit.go).
	eventMu sync.Mutex
	// lastEvent is the id of the newest event committed (under eventMu).
	lastEvent int64
	// sites are the turns captures of one site take after a conflict
	// (siteTurns).
	sites [64]sync.Mutex
	// sync makes committed writes durable, a group at a time (nil when
	// read-only).
	sync *syncer
	// due is the floor of the due index.
	due dueFloor
	// words is the state of the word index (listwords.go).
	words wordIndex

	closeOnce sync.Once
	closeErr  error
	readOnly  bool
}

// Options tune a Store and give it the collaborators it calls back: pure
// functions it calls inside or right after its transactions, never
// anything that calls the store in turn. Every field may be left zero.
type Options struct {
	Logger *slog.Logger
	// ReadOnly opens the store for reading only (used by offline CLI
	// commands that must not change anything).
	ReadOnly bool
	// Judge grades the change between two versions (the diff engine's
	// summary with the rules in force). Without one, every change within
	// a lineage is substantive and none across lineages counts.
	Judge Judge
	// Events receives every event after it is on disk (the event hub's
	// Publish), in id order: the store's syncer calls it (commit.go). It
	// must not block.
	Events func(article.Event)
	// Plan says when an article is checked next (the watcher's
	// schedule): a browser capture that brings a change starts the fast
	// checks again. Without one, a change does not move the next check.
	Plan Planner
	// Wake is called after a write made a check due now (the baseline
	// fetch of a new article, a site resumed). It must not block.
	Wake func()
}

// Open opens (creating if needed) the store in dir.
func Open(dir string, o Options) (*Store, error) {
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := checkForeign(dir); err != nil {
		return nil, err
	}
	if err := checkDamage(dir); err != nil {
		return nil, err
	}
	if err := dropEmptyLogs(dir, o.ReadOnly); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create store directory: %w", err)
	}
	db, err := badger.Open(badgerOptions(dir, logger, o.ReadOnly))
	if err != nil {
		return nil, openError(dir, err)
	}
	s := &Store{
		db: db, dir: dir, log: logger, zstd: newCodec(), readOnly: o.ReadOnly,
		judge: o.Judge, events: o.Events, plan: o.Plan, wake: o.Wake,
	}
	if err := s.migrate(o.ReadOnly); err != nil {
		db.Close()
		return nil, err
	}
	if !o.ReadOnly {
		if err := s.ensureCounts(); err != nil {
			db.Close()
			return nil, err
		}
		s.seq, err = db.GetSequence(keySeqArt, 64)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("open article sequence: %w", err)
		}
		if err := s.startSyncer(); err != nil {
			s.seq.Release()
			db.Close()
			return nil, err
		}
	}
	return s, nil
}

// BadgerOptions are the options the store opens Badger with; measuring
// tools use them to build stores with its table layout.
func BadgerOptions(dir string) badger.Options {
	return badgerOptions(dir, slog.New(slog.DiscardHandler), false)
}

// badgerOptions are tuned for a desktop daemon: about 15 MB of memory
// instead of ~90 MB, and synchronous writes so that an acknowledged capture
// survives a crash or a power cut. Concurrent commits share one fsync.
func badgerOptions(dir string, logger *slog.Logger, readOnly bool) badger.Options {
	return badger.DefaultOptions(dir).
		WithLogger(badgerLogger{logger}).
		WithSyncWrites(false). // the store syncs, once per group of commits: commit.go
		WithReadOnly(readOnly).
		WithMemTableSize(8 << 20).
		WithNumMemtables(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(8).
		WithBlockCacheSize(8 << 20).
		WithIndexCacheSize(4 << 20).
		WithNumCompactors(2).
		WithValueLogFileSize(64 << 20).
		WithBaseTableSize(1 << 20).
		WithValueThreshold(64 << 10).
		WithCompression(options.ZSTD).
		WithDetectConflicts(true).
		WithNumGoroutines(2).
		WithMetricsEnabled(false)
}

// checkForeign refuses a directory that holds files but no Badger store:
// pointing Redline at the wrong folder must never touch its contents.
func checkForeign(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read store directory: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST")); err == nil {
		return nil
	}
	return article.Errorf(article.EINVALID, "%s is not a Redline store (it holds other files); choose an empty or Redline data directory", dir)
}

// Close flushes and closes the store. Calling it again does nothing.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.sync != nil {
			s.sync.close()
		}
		if s.seq != nil {
			errs = append(errs, s.seq.Release())
		}
		small := false
		if lsm, vlog := s.db.Size(); !s.readOnly && lsm+vlog < flattenBelow && s.Writable() == nil {
			small = true
		}
		errs = append(errs, s.db.Close())
		if small && errors.Join(errs...) == nil {
			errs = append(errs, s.compactSmall())
		}
		s.zstd.close()
		if err := errors.Join(errs...); err != nil {
			s.closeErr = fmt.Errorf("close store: %w", err)
		}
	})
	return s.closeErr
}

// flattenBelow is the LSM size under which Close compacts the whole tree.
const flattenBelow = 64 << 20

// keyCompacted records when Close last compacted a small store.
var keyCompacted = []byte("m:compacted")

// compactSmall drops the superseded versions of keys (every capture
// rewrites its article's record) from a small store after it closed.
// Badger drops them only when it compacts tables, which a small store
// rarely needs, so without this they can outweigh the articles
// themselves; on a large store Badger's own compactions do it as it goes.
// Badger compacts level 0 once it holds more tables than allowed: the
// store is reopened allowing one, given a second (a one-key write, flushed
// on close), and reopened to compact. Tens of milliseconds.
func (s *Store) compactSmall() error {
	opts := badgerOptions(s.dir, s.log, false).WithNumLevelZeroTables(1)
	db, err := badger.Open(opts)
	if err != nil {
		return fmt.Errorf("compact store: %w", err)
	}
	werr := db.Update(func(txn *badger.Txn) error {
		return txn.Set(keyCompacted, []byte(strconv.FormatInt(time.Now().Unix(), 10)))
	})
	if err := errors.Join(werr, db.Close()); err != nil {
		return fmt.Errorf("compact store: %w", err)
	}
	if db, err = badger.Open(opts); err != nil {
		return fmt.Errorf("compact store: %w", err)
	}
	ferr := db.Flatten(2)
	if err := errors.Join(ferr, db.Close()); err != nil {
		return fmt.Errorf("compact store: %w", err)
	}
	return nil
}

// Dir returns the directory the store lives in.
func (s *Store) Dir() string { return s.dir }

func (s *Store) migrate(readOnly bool) error {
	var have int
	err := s.db.View(func(txn *badger.Txn) error {
		_, err := getOptional(txn, keySchema, func(v []byte) error {
			n, err := strconv.Atoi(string(v))
			if err != nil {
				return fmt.Errorf("schema key %q is damaged", v)
			}
			have = n
			return nil
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if have > SchemaVersion {
		return article.Errorf(article.EINVALID, "this store was written by a newer Redline (schema %d, this one knows %d): upgrade Redline", have, SchemaVersion)
	}
	if have == SchemaVersion {
		return nil
	}
	if have == 0 {
		empty, err := s.isEmpty()
		if err != nil {
			return err
		}
		if !empty {
			return article.Errorf(article.EINVALID, "the store in %s has data but no schema version: it is not a Redline store", s.dir)
		}
		if readOnly {
			return nil
		}
		// A new store keeps its indexes from the first write on: mark them
		// built, so that opening it never rebuilds what was maintained.
		return s.db.Update(func(txn *badger.Txn) error {
			for k, v := range map[string]string{
				string(keySchema): strconv.Itoa(SchemaVersion), string(keyListIndex): listIndexVersion, string(keyWatchAll): "1",
				string(keyCounts): countsVersion,
			} {
				if err := txn.Set([]byte(k), []byte(v)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if readOnly {
		return article.Errorf(article.EUNAVAILABLE, "the store needs an upgrade from schema %d: start the daemon once", have)
	}
	for v := have; v < SchemaVersion; v++ {
		m, ok := migrations[v]
		if !ok {
			return fmt.Errorf("no migration from schema %d", v)
		}
		err := s.db.Update(func(txn *badger.Txn) error {
			if err := m(txn); err != nil {
				return err
			}
			return txn.Set(keySchema, []byte(strconv.Itoa(v+1)))
		})
		if err != nil {
			return fmt.Errorf("migrate store from schema %d: %w", v, err)
		}
		s.log.Info("store migrated", "from", v, "to", v+1)
	}
	return nil
}

func (s *Store) isEmpty() (bool, error) {
	empty := true
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		it.Rewind()
		if it.Valid() {
			empty = false
		}
		return nil
	})
	return empty, err
}

// RunGC reclaims value-log space until ctx ends. The caller owns the
// goroutine that runs it.
func (s *Store) RunGC(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for ctx.Err() == nil && s.Writable() == nil {
				if err := s.db.RunValueLogGC(0.5); err != nil {
					if !errors.Is(err, badger.ErrNoRewrite) && !errors.Is(err, badger.ErrRejected) {
						s.log.Warn("value log GC", "err", err)
					}
					break
				}
			}
		}
	}
}

// Size returns the bytes the store's files take on disk. Badger
// preallocates sparse files, so this counts allocated blocks where the OS
// tells them.
func (s *Store) Size() int64 {
	var total int64
	_ = filepath.WalkDir(s.dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				total += allocated(info)
			}
		}
		return nil
	})
	return total
}

func idKey(prefix []byte, id int64) []byte {
	k := make([]byte, len(prefix)+8)
	copy(k, prefix)
	binary.BigEndian.PutUint64(k[len(prefix):], uint64(id))
	return k
}

func versionKey(id int64, n int) []byte {
	k := idKey(pfxVersion, id)
	return binary.BigEndian.AppendUint32(k, uint32(n))
}

func hashKey(id int64, hash string) []byte {
	return append(idKey(pfxHash, id), hash...)
}

// getOptional reads a key that may be missing: found is false when it is,
// otherwise read sees its value.
func getOptional(txn *badger.Txn, key []byte, read func(v []byte) error) (found bool, err error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, item.Value(read)
}

func getJSON(txn *badger.Txn, key []byte, v any) error {
	item, err := txn.Get(key)
	if err != nil {
		return err
	}
	return item.Value(func(b []byte) error { return json.Unmarshal(b, v) })
}

func setJSON(txn *badger.Txn, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return txn.Set(key, b)
}

// mapStoreErr turns disk failures into errors the user can act on.
func mapStoreErr(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "no space left on device"), strings.Contains(msg, "disk quota exceeded"):
		return fmt.Errorf("%w: %w", article.Errorf(article.ENOSPACE, "the disk holding Redline's data is full: free some space and try again"), err)
	case strings.Contains(msg, "read-only file system"), strings.Contains(msg, "permission denied"), strings.Contains(msg, "operation not permitted"):
		return fmt.Errorf("%w: %w", article.Errorf(article.EUNAVAILABLE, "Redline's data directory cannot be written: check its permissions"), err)
	case errors.Is(err, badger.ErrBlockedWrites), errors.Is(err, badger.ErrDBClosed):
		return fmt.Errorf("%w: %w", article.Errorf(article.EUNAVAILABLE, "the store is closing"), err)
	}
	return err
}

// badgerLogger sends Badger's log through slog; its chatty info lines
// become debug lines.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	b.l.Error(strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "badger")
}
func (b badgerLogger) Warningf(f string, a ...any) {
	b.l.Warn(strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "badger")
}
func (b badgerLogger) Infof(f string, a ...any) {
	b.l.Debug(strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "badger")
}
func (b badgerLogger) Debugf(f string, a ...any) {
	b.l.Debug(strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "badger")
}
