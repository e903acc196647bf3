package store

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/ristretto/v2/z"

	"redline/daemon/internal/article"
)

// A damaged store. Badger trusts its directory: it deletes the table files
// its MANIFEST does not list, panics on a table whose end is cut off, and
// reads past blocks that do not decode as if their keys did not exist. A
// store damaged on disk (a copy cut short, a file truncated or garbled)
// would then open with part of its articles or none, and the next
// compaction would make that final. checkDamage looks before Badger
// opens the store and refuses, naming the damage: nothing is lost
// silently, and the user can restore a backup.

// checkDamage refuses a store whose MANIFEST cannot be read, whose tables
// are missing or do not read back, or whose MANIFEST leaves out tables
// that hold data found nowhere else.
func checkDamage(dir string) error {
	f, err := os.Open(filepath.Join(dir, badger.ManifestFilename))
	if errors.Is(err, fs.ErrNotExist) {
		return nil // a new store: checkForeign has refused other folders
	}
	if err != nil {
		return openError(dir, err)
	}
	defer f.Close()
	if inUse(dir) {
		// Its tables are being written: Badger's lock refuses it below.
		return nil
	}
	opt := badgerOptions(dir, slog.New(slog.DiscardHandler), true)
	mf, _, err := badger.ReplayManifestFile(f, opt.ExternalMagicVersion, opt)
	if err != nil {
		return damaged(dir, "its MANIFEST does not read back (%v)", err)
	}
	present, wal, err := tableFiles(dir)
	if err != nil {
		return openError(dir, err)
	}
	for id := range mf.Tables {
		if _, ok := present[id]; !ok {
			return damaged(dir, "its table file %s is missing", table.IDToFilename(id))
		}
	}
	newest, unlisted, err := readTables(dir, opt, mf, present)
	if err != nil {
		return err
	}
	// Badger deletes the tables its MANIFEST does not list. After a crash
	// those are what a compaction or a flush was writing: a compaction's
	// data is still in the tables listed, a flush's in the log (.mem)
	// that is replayed. Tables newer than every listed one, more than one
	// flush's worth or with no log, are data the MANIFEST lost.
	var lost []string
	for _, name := range slices.Sorted(maps.Keys(unlisted)) {
		if unlisted[name] > newest {
			lost = append(lost, name)
		}
	}
	if len(lost) > 1 || len(lost) == 1 && !wal {
		return damaged(dir, "its MANIFEST leaves out table files that hold data (%s): it was cut short or replaced", strings.Join(lost, ", "))
	}
	return nil
}

// tableFiles lists the table files in dir by id, and says whether a log
// (.mem) is there.
func tableFiles(dir string) (present map[uint64]string, wal bool, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, false, err
	}
	present = map[uint64]string{}
	for _, e := range entries {
		if id, ok := table.ParseFileID(e.Name()); ok {
			present[id] = e.Name()
		}
		wal = wal || strings.HasSuffix(e.Name(), ".mem")
	}
	return present, wal, nil
}

// readTables reads every table file back (every block's checksum too when
// they are small) and returns the newest version the tables the MANIFEST
// lists hold, and the newest version of each table it does not list.
func readTables(dir string, opt badger.Options, mf badger.Manifest, present map[uint64]string) (newest uint64, unlisted map[string]uint64, err error) {
	var total int64
	for _, name := range present {
		if info, err := os.Stat(filepath.Join(dir, name)); err == nil {
			total += info.Size()
		}
	}
	verify := total <= verifyBelow
	unlisted = map[string]uint64{}
	for _, id := range slices.Sorted(maps.Keys(present)) {
		name := present[id]
		compression := opt.Compression
		tm, listed := mf.Tables[id]
		if listed {
			compression = tm.Compression
		}
		maxVersion, err := readTable(filepath.Join(dir, name), opt, compression, verify)
		switch {
		case err != nil && listed:
			return 0, nil, damaged(dir, "its table file %s does not read back (%v)", name, err)
		case err != nil:
			// A table the MANIFEST does not list yet and that does not
			// read back is one a flush or a compaction was writing when
			// the process stopped (Badger lists a table only once it is
			// written in full): its data is still in the log or in the
			// tables listed, and Badger deletes it.
			continue
		}
		if listed {
			newest = max(newest, maxVersion)
		} else {
			unlisted[name] = maxVersion
		}
	}
	return newest, unlisted, nil
}

// verifyBelow bounds the tables whose every block is checked at open: it
// costs about 5 ms a MiB (each block is decompressed), so up to about
// 80 ms. Larger stores get the structural check only (the index, the
// first and last blocks of each table), which finds tables cut short or
// replaced but not a block garbled in the middle of a large one.
const verifyBelow = 16 << 20

// readTable opens a table file read-only and reads its index, and with
// verify checks every block against its checksum. It returns the newest
// version the table holds.
func readTable(path string, opt badger.Options, compression options.CompressionType, verify bool) (maxVersion uint64, err error) {
	fd, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	info, err := fd.Stat()
	if err != nil {
		fd.Close()
		return 0, err
	}
	if info.Size() == 0 {
		fd.Close()
		return 0, errors.New("it is empty")
	}
	data, err := z.Mmap(fd, false, info.Size())
	if err != nil {
		fd.Close()
		return 0, err
	}
	defer func() {
		z.Munmap(data)
		fd.Close()
		// Badger panics on some damage (an index cut off or garbled).
		if recover() != nil {
			maxVersion, err = 0, errors.New("it is cut short or garbled")
		}
	}()
	// The table is never released through Badger (DecrRef deletes the file
	// at zero): the deferred unmap and close above end it.
	t, err := table.OpenTable(&z.MmapFile{Data: data, Fd: fd}, table.Options{
		ReadOnly: true, ChkMode: options.NoVerification, BlockSize: opt.BlockSize,
		Compression: compression, BloomFalsePositive: opt.BloomFalsePositive,
	})
	if err != nil {
		return 0, err
	}
	if !verify {
		return t.MaxVersion(), nil
	}
	if err := t.VerifyChecksum(); err != nil {
		return 0, errors.New("a block does not match its checksum: it is garbled")
	}
	return t.MaxVersion(), nil
}

var vlogFile = regexp.MustCompile(`\d{6}\.vlog`)

// cause is the innermost part of one of Badger's chained messages.
func cause(msg string) string {
	if i := strings.LastIndex(msg, "err: "); i >= 0 {
		msg = msg[i+len("err: "):]
	}
	return strings.TrimSpace(msg)
}

// damaged is the error of a store that cannot be opened without losing
// data: it names the damage and the way out.
func damaged(dir, format string, args ...any) error {
	return article.Errorf(article.EINVALID, "the store in %s is damaged: %s. Redline leaves it as it is; move that folder aside (it still holds your data) and restore your latest backup with `redline restore FILE`", dir, fmt.Sprintf(format, args...))
}

// openError says why Badger could not open the store in dir, in words the
// user can act on.
func openError(dir string, err error) error {
	msg := err.Error()
	switch {
	case isLocked(err):
		return article.Errorf(article.EUNAVAILABLE, "the store in %s is in use by another Redline process", dir)
	case errors.Is(err, syscall.EROFS) || strings.Contains(msg, "read-only file system"):
		return article.Errorf(article.EUNAVAILABLE, "the store in %s is on a read-only file system: Redline needs to write there; make it writable and start again (what is stored is safe)", dir)
	case errors.Is(err, fs.ErrPermission) || strings.Contains(msg, "permission denied") || strings.Contains(msg, "operation not permitted"):
		return article.Errorf(article.EUNAVAILABLE, "Redline may not read and write the store in %s: check the owner and permissions of that folder and its files", dir)
	case errors.Is(err, syscall.ENOSPC) || strings.Contains(msg, "no space left on device"):
		return article.Errorf(article.ENOSPACE, "the disk holding the store in %s is full: free some space and start again (what is stored is safe)", dir)
	case vlogFile.MatchString(msg):
		return damaged(dir, "its value log file %s does not read back (%s)", vlogFile.FindString(msg), cause(msg))
	case strings.Contains(msg, "Encryption key mismatch"), strings.Contains(msg, "key registry"):
		return damaged(dir, "its key registry (%s) does not read back", badger.KeyRegistryFileName)
	case strings.Contains(msg, "manifest"), strings.Contains(msg, "MANIFEST"), strings.Contains(msg, "checksum"):
		return damaged(dir, "%s", cause(msg))
	}
	return fmt.Errorf("open store in %s: %w", dir, err)
}
