package store

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

func jsonUnmarshal(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("stored record is damaged: %w", err)
	}
	return nil
}

// Stats counts what the store holds.
type Stats struct {
	Articles int   `json:"articles"`
	Versions int   `json:"versions"`
	Bytes    int64 `json:"bytes_on_disk"`
}

// Stats counts articles and versions. It reads the store's counters
// (countShards keys, whatever the store holds); only a store opened
// read-only before it had counters is counted record by record.
func (s *Store) Stats() (Stats, error) {
	var st Stats
	err := s.db.View(func(txn *badger.Txn) error {
		total, ok, err := readCounts(txn)
		if err != nil || ok {
			st.Articles, st.Versions = int(total.articles), int(total.versions)
			return err
		}
		shards, err := countByScan(txn)
		for _, c := range shards {
			st.Articles += int(c.articles)
			st.Versions += int(c.versions)
		}
		return err
	})
	if err != nil {
		return Stats{}, fmt.Errorf("count articles: %w", err)
	}
	st.Bytes = s.Size()
	return st, nil
}

// ExportLine is one line of `redline export`: an article, or one of its
// versions with full content, so that nothing is locked in.
type ExportLine struct {
	Type    string           `json:"type"` // "article" or "version"
	Article *article.Article `json:"article,omitempty"`
	Version *article.Version `json:"version,omitempty"`
	// Layout marks a version that only changed the page's layout.
	Layout bool `json:"layout,omitempty"`
	// Articles and Versions are on the last line ("end"): what the export
	// holds, so that a file cut between two articles is known as cut.
	Articles *int `json:"articles,omitempty"`
	Versions *int `json:"versions,omitempty"`
}

// Export writes every article followed by its versions as JSON lines.
func (s *Store) Export(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	var ids []int64
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pfxArticle})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			ids = append(ids, int64(beUint64(k[len(pfxArticle):])))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	var articles, versions int
	for _, id := range ids {
		a, err := s.Article(id)
		if article.ErrorCode(err) == article.ENOTFOUND {
			continue // forgotten meanwhile
		}
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := enc.Encode(ExportLine{Type: "article", Article: &a}); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		articles++
		infos, err := s.Versions(id)
		if article.ErrorCode(err) == article.ENOTFOUND {
			continue
		}
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		layout := make(map[int]bool)
		for _, vi := range infos {
			layout[vi.Number] = vi.Layout
		}
		for n := 1; n <= a.Versions; n++ {
			v, err := s.Version(id, n)
			if article.ErrorCode(err) == article.ENOTFOUND {
				continue
			}
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			if err := enc.Encode(ExportLine{Type: "version", Version: &v, Layout: layout[n]}); err != nil {
				return fmt.Errorf("export: %w", err)
			}
			versions++
		}
	}
	if err := enc.Encode(ExportLine{Type: "end", Articles: &articles, Versions: &versions}); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

func beUint64(b []byte) uint64 {
	if len(b) < 8 {
		return 0
	}
	return uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 |
		uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7])
}

// backupMagic starts every backup file, so that restoring the wrong file
// is refused before anything is touched.
const backupMagic = "REDLINE-BACKUP 1\n"

// Backup writes a full, consistent backup of the store to w, without its
// secret settings (the feed token).
func (s *Store) Backup(w io.Writer) error {
	if _, err := io.WriteString(w, backupMagic); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	stream := s.db.NewStream()
	stream.LogPrefix = "backup"
	stream.ChooseKey = func(item *badger.Item) bool { return !secretKey(item.Key()) }
	if _, err := stream.Backup(w, 0); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// Restore loads a backup made by Backup into the store in dir. The store
// must not be open elsewhere; unless replace is set it must hold no
// articles. The backup is loaded into a fresh directory beside dir and
// swapped in only when it loaded whole, so a damaged backup changes
// nothing.
func Restore(dir string, r io.Reader, replace bool, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	br := bufio.NewReader(r)
	head, _ := br.Peek(len(backupMagic))
	if string(head) != backupMagic {
		return article.Errorf(article.EINVALID, "the file is not a Redline backup")
	}
	br.Discard(len(backupMagic))

	// Check the current store: ours, not in use, empty unless replacing.
	current, err := Open(dir, Options{Logger: logger})
	if err != nil {
		return err
	}
	st, err := current.Stats()
	current.Close()
	if err != nil {
		return err
	}
	if st.Articles > 0 && !replace {
		return article.Errorf(article.ECONFLICT, "the store already holds %d articles: restore with --replace to drop them", st.Articles)
	}

	tmp := dir + ".restoring"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("clear %s: %w", tmp, err)
	}
	defer os.RemoveAll(tmp)
	db, err := badger.Open(badgerOptions(tmp, logger, false))
	if err != nil {
		return fmt.Errorf("open restore directory: %w", err)
	}
	if err := load(db, br); err != nil {
		db.Close()
		return article.Errorf(article.EINVALID, "the backup is damaged, nothing was changed: %v", err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("close restored store: %w", err)
	}
	restored, err := Open(tmp, Options{Logger: logger})
	if err != nil {
		return fmt.Errorf("the backup does not open as a store, nothing was changed: %w", err)
	}
	restored.Close()

	old := dir + ".replaced"
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("clear %s: %w", old, err)
	}
	if err := os.Rename(dir, old); err != nil {
		return fmt.Errorf("move old store aside: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		_ = os.Rename(old, dir)
		return fmt.Errorf("move restored store in place: %w", err)
	}
	if err := os.RemoveAll(old); err != nil {
		logger.Warn("could not remove the replaced store", "dir", old, "err", err)
	}
	return nil
}

// isLocked reports whether Badger refused to open because another process
// holds the store.
func isLocked(err error) bool {
	return err != nil && strings.Contains(err.Error(), "Cannot acquire directory lock")
}

// load runs Badger's loader, which panics on some damaged input, and turns
// such a panic into an error.
func load(db *badger.DB, r io.Reader) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("unreadable backup stream (%v)", p)
		}
	}()
	return db.Load(r, 256)
}
