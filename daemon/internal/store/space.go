package store

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"redline/daemon/internal/article"
)

// A full or read-only disk. Badger writes its log and its tables through
// memory-mapped files that it sizes without allocating them: when the disk
// fills up under such a write the process is killed (SIGBUS) instead of
// getting an error. So the store stops writing first. Below MinFree bytes
// free on its disk, or when its directory cannot be written, every write
// fails with an error the user can act on (no_space, unavailable), reads go
// on, and Badger keeps the reserve for its own work in flight (flushing a
// memtable, compacting tables). Writes resume by themselves once the disk
// has room again.

// MinFree is the free space below which the store stops writing: room for
// Badger to flush its two 8 MB memtables and compact what they become,
// with a margin.
const MinFree = 64 << 20

// Writable reports whether the store may write now: nil, or an error with
// the code no_space or unavailable that says why not.
func (s *Store) Writable() error {
	if s.readOnly {
		return article.Errorf(article.EUNAVAILABLE, "the store is open for reading only")
	}
	return CheckWritable(s.dir)
}

// CheckWritable reports whether a store in dir (or its parent, before the
// store exists) may be written now.
func CheckWritable(dir string) error {
	free, err := diskRoom(dir)
	switch {
	case err == nil && free >= MinFree:
		return nil
	case err == nil:
		return article.Errorf(article.ENOSPACE, "the disk holding Redline's data (%s) is full: %s left, less than the %d MiB Redline keeps free so that nothing it holds is damaged; free some space and try again (nothing already stored is lost)", dir, mib(free), MinFree>>20)
	case errors.Is(err, syscall.EROFS):
		return article.Errorf(article.EUNAVAILABLE, "Redline's data directory (%s) is on a read-only file system: nothing new can be saved until it is writable again; what is stored is safe", dir)
	case errors.Is(err, fs.ErrPermission):
		return article.Errorf(article.EUNAVAILABLE, "Redline may not write to its data directory (%s): check its owner and permissions; what is stored is safe", dir)
	case errors.Is(err, fs.ErrNotExist):
		return article.Errorf(article.EUNAVAILABLE, "Redline's data directory (%s) was removed or moved while Redline ran: restart Redline", dir)
	}
	return article.Errorf(article.EUNAVAILABLE, "Redline cannot check the disk holding its data (%s): %v", dir, err)
}

// mib says n in MiB, rounded down: never "64.0" for a little less.
func mib(n uint64) string {
	return fmt.Sprintf("%d.%d MiB", n>>20, (n&(1<<20-1))*10>>20)
}
