package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"redline/daemon/internal/config"
	"redline/daemon/internal/daemon"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve")
	addr := fs.String("addr", "", "loopback address to listen on (default "+config.DefaultAddr+", or REDLINE_ADDR)")
	data := fs.String("data", "", "data folder `DIR` (default: REDLINE_DATA or the per-user data folder)")
	verbose := fs.Bool("verbose", false, "log debug lines too")
	logFile := fs.String("log", "", "append the log to `FILE` instead of writing it to stderr")
	allowPrivate := fs.Bool("allow-private", false, "let the watcher fetch pages on this computer and on private networks, where you read a page or named a URL (or REDLINE_ALLOW_PRIVATE=1)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	listen, err := config.ListenAddr(*addr)
	if err != nil {
		return err
	}
	dir, err := config.DataDir(*data)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	var out io.Writer = os.Stderr
	if *logFile != "" {
		f, err := openLog(dir, *logFile)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: level}))
	private := *allowPrivate || envAllowPrivate()
	if private {
		logger.Warn("the watcher may fetch pages on this computer and on private networks where you read a page or named a URL (--allow-private)")
	}
	limit := setMemoryLimit(os.Getenv)
	logger.Debug("memory limit", "bytes", limit)
	d, err := daemon.Start(ctx, daemon.Config{Addr: listen, DataDir: dir, Logger: logger, Version: version, AllowPrivate: private})
	if err == nil {
		err = d.Wait()
	}
	if err != nil && *logFile != "" {
		// Nobody may read stderr (a logon task has no console): the
		// reason the daemon stopped goes to its log too.
		logger.Error("the daemon stopped", "err", err)
	}
	return err
}

// openLog opens the log file for appending, readable by its owner only. Its
// folder is made first when it is the data folder, as a logon task's log
// is, since the daemon would make that one anyway.
func openLog(dataDir, path string) (*os.File, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("log file %q: %w", path, err)
	}
	if filepath.Dir(abs) == dataDir {
		if err := config.EnsureDataDir(dataDir); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(abs, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open log file: %w", err)
	}
	return f, nil
}
