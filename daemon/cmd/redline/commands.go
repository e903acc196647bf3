package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"redline/daemon/internal/config"
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
	asJSON := jsonFlag(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	return withService(ctx, *data, func(r redlineService) error {
		st, err := r.Status(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(e.stdout, statusAsJSON(st))
		}
		printStatus(e.stdout, st)
		return nil
	})
}

// statusJSON is `redline status --json`. The daemon's fields are there
// only when it runs.
type statusJSON struct {
	Running       bool       `json:"running"`
	Address       string     `json:"address,omitempty"`
	Version       string     `json:"version,omitempty"`
	StartedAt     *time.Time `json:"started_at,omitempty"`
	UptimeSeconds *int64     `json:"uptime_seconds,omitempty"`
	DataDir       string     `json:"data_dir"`
	Articles      int        `json:"articles"`
	Versions      int        `json:"versions"`
	BytesOnDisk   int64      `json:"bytes_on_disk"`
}

func statusAsJSON(st status) statusJSON {
	out := statusJSON{DataDir: st.DataDir, Articles: st.Articles, Versions: st.Versions, BytesOnDisk: st.BytesOnDisk}
	if st.Daemon != "" {
		out.Running, out.Address, out.Version = true, st.Daemon, st.Version
		out.StartedAt, out.UptimeSeconds = &st.StartedAt, &st.UptimeSeconds
	}
	return out
}

// printStatus shows whether the daemon runs and what the data folder
// holds.
func printStatus(w io.Writer, st status) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	defer tw.Flush()
	if st.Daemon != "" {
		fmt.Fprintf(tw, "daemon:\trunning at %s (version %s, up %s)\n", st.Daemon, st.Version, uptime(st.UptimeSeconds))
	} else {
		fmt.Fprintf(tw, "daemon:\tnot running (start it with `redline serve`)\n")
	}
	fmt.Fprintf(tw, "data:\t%s\n", st.DataDir)
	if st.Empty {
		fmt.Fprintf(tw, "articles:\tnone yet\n")
		return
	}
	fmt.Fprintf(tw, "articles:\t%d\n", st.Articles)
	fmt.Fprintf(tw, "versions:\t%d\n", st.Versions)
	fmt.Fprintf(tw, "on disk:\t%s\n", bytesText(st.BytesOnDisk))
}

// withService runs fn with the data folder --data names: the daemon that
// serves it, or the folder opened in-process when none runs.
func withService(ctx context.Context, data string, fn func(redlineService) error) error {
	r, err := connect(ctx, data)
	if err != nil {
		return err
	}
	defer r.Close()
	return fn(r)
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
	return withService(ctx, *data, func(r redlineService) error {
		var m *meter
		if !isTerminal(e.stdout) {
			if st, err := r.Status(ctx); err == nil && !st.Empty {
				m = newMeter(e, "export", meterItems, int64(st.Articles+st.Versions)+1) // and the end line
			}
		}
		err := r.Export(ctx, out(e.stdout, m))
		m.done(err == nil)
		return err
	})
}

// metered is r, counted on m when there is one.
func metered(r io.Reader, m *meter) io.Reader {
	if m == nil {
		return r
	}
	return meteredReader{r: r, m: m}
}

// out is w, counted on m when there is one.
func out(w io.Writer, m *meter) io.Writer {
	if m == nil {
		return w
	}
	return meteredWriter{w: w, m: m}
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
	return withService(ctx, *data, func(r redlineService) error {
		var m *meter
		if fs.Arg(0) != "-" || !isTerminal(e.stdout) {
			m = newMeter(e, "backup", meterBytes, -1)
		}
		err := writeAtomically(fs.Arg(0), e.stdout, func(w io.Writer) error {
			return r.Backup(ctx, out(w, m))
		})
		m.done(err == nil)
		return err
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
	var m *meter
	open := func() (io.ReadCloser, error) {
		if fs.Arg(0) == "-" {
			m = newMeter(e, "restore", meterBytes, -1)
			return io.NopCloser(metered(e.stdin, m)), nil
		}
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return nil, fmt.Errorf("open backup: %w", err)
		}
		size := int64(-1)
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
		m = newMeter(e, "restore", meterBytes, size)
		return struct {
			io.Reader
			io.Closer
		}{metered(f, m), f}, nil
	}
	return withService(ctx, *data, func(r redlineService) error {
		dir, err := r.Restore(open, *replace)
		m.done(err == nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "restored into %s\n", dir)
		return nil
	})
}
