package main

import (
	"context"
	"log/slog"
	"os"

	"redline/daemon/internal/config"
	"redline/daemon/internal/daemon"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve")
	addr := fs.String("addr", "", "loopback address to listen on (default "+config.DefaultAddr+", or REDLINE_ADDR)")
	data := fs.String("data", "", "data directory (default: REDLINE_DATA or the per-user data folder)")
	verbose := fs.Bool("verbose", false, "log debug lines too")
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
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	private := *allowPrivate || envAllowPrivate()
	if private {
		logger.Warn("the watcher may fetch pages on this computer and on private networks where you read a page or named a URL (--allow-private)")
	}
	d, err := daemon.Start(ctx, daemon.Config{Addr: listen, DataDir: dir, Logger: logger, Version: version, AllowPrivate: private})
	if err != nil {
		return err
	}
	return d.Wait()
}
