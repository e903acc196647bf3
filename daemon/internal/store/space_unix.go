//go:build linux || darwin || freebsd

package store

import (
	"errors"
	"os"
	"syscall"
)

// diskRoom returns the bytes free for Redline on dir's disk, or why dir
// cannot be written (read-only file system, permissions, gone).
func diskRoom(dir string) (uint64, error) {
	const writeOK = 2 // W_OK
	if err := syscall.Access(dir, writeOK); err != nil {
		return 0, &os.PathError{Op: "access", Path: dir, Err: err}
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, &os.PathError{Op: "statfs", Path: dir, Err: err}
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}

// inUse reports whether a Badger process holds the store in dir: Badger
// locks the directory itself for as long as it has the store open.
func inUse(dir string) bool {
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	if err == nil {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	}
	return errors.Is(err, syscall.EWOULDBLOCK)
}
