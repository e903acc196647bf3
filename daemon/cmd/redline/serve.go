package main

import (
	"context"
	"fmt"
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
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
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
	d, err := daemon.Start(ctx, daemon.Config{Addr: listen, DataDir: dir, Logger: logger, Version: version})
	if err != nil {
		return err
	}
	return d.Wait()
}
