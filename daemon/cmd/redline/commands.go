package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"

	"redline/daemon/internal/api"
	"redline/daemon/internal/config"
	"redline/daemon/internal/store"
)

func runToken(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "token")
	data := dataFlag(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	dir, err := config.DataDir(*data)
	if err != nil {
		return err
	}
	tok, err := config.LoadToken(dir)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, tok)
	return nil
}

func runStatus(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "status")
	data := dataFlag(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	t, err := connect(ctx, *data)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	defer tw.Flush()
	if t.client != nil {
		var st api.Status
		if err := t.client.do(ctx, "GET", "/api/v1/status", nil, &st); err != nil {
			return err
		}
		fmt.Fprintf(tw, "daemon:\trunning at %s (version %s, up %s)\n", t.client.base, st.Version, uptime(st.UptimeSeconds))
		fmt.Fprintf(tw, "data:\t%s\n", st.DataDir)
		fmt.Fprintf(tw, "articles:\t%d\n", st.Articles)
		fmt.Fprintf(tw, "versions:\t%d\n", st.Versions)
		fmt.Fprintf(tw, "on disk:\t%s\n", bytesText(st.BytesOnDisk))
		return nil
	}
	fmt.Fprintf(tw, "daemon:\tnot running (start it with `redline serve`)\n")
	fmt.Fprintf(tw, "data:\t%s\n", t.dir)
	if _, err := os.Stat(filepath.Join(t.dir, config.StoreDir)); err != nil {
		fmt.Fprintf(tw, "articles:\tnone yet\n")
		return nil
	}
	s, err := t.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	st, err := s.Stats()
	if err != nil {
		return err
	}
	fmt.Fprintf(tw, "articles:\t%d\n", st.Articles)
	fmt.Fprintf(tw, "versions:\t%d\n", st.Versions)
	fmt.Fprintf(tw, "on disk:\t%s\n", bytesText(st.Bytes))
	return nil
}

func uptime(sec int64) string {
	switch {
	case sec < 120:
		return fmt.Sprintf("%ds", sec)
	case sec < 7200:
		return fmt.Sprintf("%dm", sec/60)
	case sec < 172800:
		return fmt.Sprintf("%dh", sec/3600)
	}
	return fmt.Sprintf("%dd", sec/86400)
}

func bytesText(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}

func runExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "export")
	data := dataFlag(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	t, err := connect(ctx, *data)
	if err != nil {
		return err
	}
	if t.client != nil {
		return t.client.stream(ctx, "/api/v1/export", e.stdout)
	}
	s, err := t.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Export(e.stdout)
}

func runBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "backup")
	data := dataFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: name the backup FILE (or - for stdout)", errUsage)
	}
	t, err := connect(ctx, *data)
	if err != nil {
		return err
	}
	return writeAtomically(fs.Arg(0), e.stdout, func(w io.Writer) error {
		if t.client != nil {
			return t.client.stream(ctx, "/api/v1/backup", w)
		}
		s, err := t.openStore()
		if err != nil {
			return err
		}
		defer s.Close()
		return s.Backup(w)
	})
}

// writeAtomically writes to path through a temporary file that replaces it
// only when write succeeded: a failed backup never leaves a half file
// that looks whole.
func writeAtomically(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" {
		return write(stdout)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(f.Name(), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func runRestore(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "restore")
	data := dataFlag(fs)
	replace := fs.Bool("replace", false, "drop the articles the store holds now and restore the backup in their place")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: name the backup FILE (or - for stdin)", errUsage)
	}
	t, err := connect(ctx, *data)
	if err != nil {
		return err
	}
	if t.client != nil {
		return fmt.Errorf("the daemon is running at %s: stop it before restoring", t.client.base)
	}
	var r io.Reader = e.stdin
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("open backup: %w", err)
		}
		defer f.Close()
		r = f
	}
	if err := restoreInto(t.dir, r, *replace); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restored into %s\n", t.dir)
	return nil
}

// restoreInto restores a backup into the store of the data folder dir. A
// restore that is refused changes nothing: over an existing store, the
// store package sees to that; where there is no store yet, the backup is
// restored into a folder of its own inside dir and moved into place only
// once whole, and the folders made for it are removed when it fails.
func restoreInto(dir string, r io.Reader, replace bool) error {
	storeDir := filepath.Join(dir, config.StoreDir)
	if _, err := os.Lstat(storeDir); !errors.Is(err, fs.ErrNotExist) {
		return store.Restore(storeDir, r, replace, nil)
	}
	made, err := mkdirAll(dir)
	if err != nil {
		return err
	}
	undo := func() {
		for i := len(made) - 1; i >= 0; i-- {
			_ = os.Remove(made[i]) // only while empty: never what another program put there
		}
	}
	stage, err := os.MkdirTemp(dir, ".restoring-")
	if err != nil {
		undo()
		return fmt.Errorf("create restore folder: %w", err)
	}
	err = store.Restore(filepath.Join(stage, config.StoreDir), r, false, nil)
	if err == nil {
		if err = os.Rename(filepath.Join(stage, config.StoreDir), storeDir); err != nil {
			err = fmt.Errorf("move restored store in place: %w", err)
		}
	}
	if rmErr := os.RemoveAll(stage); rmErr != nil && err == nil {
		err = fmt.Errorf("remove restore folder: %w", rmErr)
	}
	if err != nil {
		undo()
	}
	return err
}

// mkdirAll creates dir and any missing parents, as the data folder is
// created (mode 0700), and returns the folders it created, outermost first.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	slices.Reverse(missing)
	if err := config.EnsureDataDir(dir); err != nil {
		return nil, err
	}
	return missing, nil
}
