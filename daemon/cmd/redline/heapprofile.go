//go:build heapprofile

package main

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
)

// A measuring build only (go build -tags heapprofile), never a release:
// with REDLINE_HEAPPROFILE set to a path prefix, each SIGUSR1 writes the
// heap profile to <prefix>-<n>.pprof, after a collection so that it shows
// what is live. The bench's -heapprofile flag builds and signals it. The
// goroutine lives as long as the process, which is the profile's owner.
func init() {
	prefix := os.Getenv("REDLINE_HEAPPROFILE")
	if prefix == "" {
		return
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	go func() {
		for n := 1; ; n++ {
			<-sig
			if err := writeHeapProfile(fmt.Sprintf("%s-%d.pprof", prefix, n)); err != nil {
				slog.Error("heap profile", "err", err)
			}
		}
	}()
}

func writeHeapProfile(path string) error {
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create heap profile: %w", err)
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("write heap profile: %w", err)
	}
	return f.Close()
}
