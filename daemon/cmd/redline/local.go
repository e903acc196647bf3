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
	"strings"

	"redline/daemon/internal/api"
	"redline/daemon/internal/article"
	"redline/daemon/internal/canonical"
	"redline/daemon/internal/config"
	"redline/daemon/internal/daemon"
	"redline/daemon/internal/store"
	"redline/daemon/internal/watch"
)

// localRedline is Redline worked in-process on the data folder, when no
// daemon serves it: the daemon's own parts (daemon.OpenParts), so changes
// are graded with the user's thresholds as the daemon grades them, and
// their events wait in the store's log for the clients. The parts are
// opened on first use.
type localRedline struct {
	dir   string
	parts *daemon.Parts
}

// open opens the parts over the data folder's store, which must exist.
func (l *localRedline) open() (*daemon.Parts, error) {
	if l.parts != nil {
		return l.parts, nil
	}
	dir := filepath.Join(l.dir, config.StoreDir)
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("no Redline data in %s yet: start the daemon with `redline serve`", l.dir)
	}
	p, err := daemon.OpenParts(dir, daemon.PartsConfig{Version: version, AllowPrivate: envAllowPrivate()})
	if err != nil {
		return nil, err
	}
	l.parts = p
	return p, nil
}

func (l *localRedline) Close() error {
	if l.parts == nil {
		return nil
	}
	err := l.parts.Store.Close()
	l.parts = nil
	return err
}

func (l *localRedline) Status(ctx context.Context) (status, error) {
	st := status{Status: api.Status{DataDir: l.dir}}
	if _, err := os.Stat(filepath.Join(l.dir, config.StoreDir)); err != nil {
		st.Empty = true
		return st, nil
	}
	p, err := l.open()
	if err != nil {
		return st, err
	}
	stats, err := p.Store.Stats()
	if err != nil {
		return st, err
	}
	st.Articles, st.Versions, st.BytesOnDisk = stats.Articles, stats.Versions, stats.Bytes
	return st, nil
}

func (l *localRedline) Export(ctx context.Context, w io.Writer) error {
	p, err := l.open()
	if err != nil {
		return err
	}
	return p.Store.Export(w)
}

func (l *localRedline) Backup(ctx context.Context, w io.Writer) error {
	p, err := l.open()
	if err != nil {
		return err
	}
	return p.Store.Backup(w)
}

func (l *localRedline) Restore(open func() (io.ReadCloser, error), replace bool) (string, error) {
	r, err := open()
	if err != nil {
		return "", err
	}
	defer r.Close()
	return l.dir, restoreInto(l.dir, r, replace)
}

func (l *localRedline) Track(ctx context.Context, u string) (api.TrackResponse, error) {
	p, err := l.open()
	if err != nil {
		return api.TrackResponse{}, err
	}
	tr, err := p.Watcher.Track(ctx, u)
	return api.TrackResponse{Created: tr.Created, CheckResponse: api.CheckResponse{Result: tr.Result, Article: tr.Article}}, err
}

func (l *localRedline) Check(ctx context.Context, idOrURL string) (api.CheckResponse, error) {
	var out api.CheckResponse
	p, id, err := l.article(idOrURL)
	if err != nil {
		return out, err
	}
	out.Result, out.Article, err = p.Watcher.CheckNow(ctx, id)
	return out, err
}

func (l *localRedline) SetPaused(ctx context.Context, idOrURL string, paused bool) (article.Article, error) {
	p, id, err := l.article(idOrURL)
	if err != nil {
		return article.Article{}, err
	}
	if paused {
		return p.Watcher.Pause(ctx, id)
	}
	return p.Watcher.Resume(ctx, id)
}

func (l *localRedline) SetSitePaused(ctx context.Context, site string, paused bool) (api.SiteResponse, error) {
	out := api.SiteResponse{Site: watch.SiteOf(site), Paused: paused}
	p, err := l.open()
	if err != nil {
		return out, err
	}
	if paused {
		out.Articles, err = p.Watcher.PauseSite(ctx, site)
	} else {
		out.Articles, err = p.Watcher.ResumeSite(ctx, site)
	}
	return out, err
}

func (l *localRedline) List(ctx context.Context, changed bool, limit int) (articleList, error) {
	p, err := l.open()
	if err != nil {
		return articleList{}, err
	}
	if changed {
		page, err := p.Store.ListArticles(store.ListFilter{Changed: store.FilterChanged, Order: store.OrderChanged, Limit: limit})
		return articleList{Articles: page.Articles, More: page.More}, err
	}
	list, next, err := p.Store.List(store.ListQuery{Limit: limit})
	return articleList{Articles: list, More: next > 0}, err
}

// Link is refused: only a running daemon gives one-time links.
func (l *localRedline) Link(context.Context, string) (string, error) {
	return "", errNoDaemon
}

// article opens the parts and finds the article an argument names: an
// id, or any form of its URL.
func (l *localRedline) article(arg string) (*daemon.Parts, int64, error) {
	p, err := l.open()
	if err != nil {
		return nil, 0, err
	}
	if id, ok := parseID(arg); ok {
		return p, id, nil
	}
	u, err := canonical.URL(arg)
	if err != nil {
		return nil, 0, err
	}
	a, err := p.Store.ArticleByURL(u)
	if err != nil {
		return nil, 0, notWatched(arg, err)
	}
	return p, a.ID, nil
}

// restoreInto restores a backup into the store of the data folder dir. A
// restore that is refused changes nothing: over an existing store, the
// store package sees to that; where there is no store yet, see
// intoNewStore.
func restoreInto(dir string, r io.Reader, replace bool) error {
	storeDir := filepath.Join(dir, config.StoreDir)
	if _, err := os.Lstat(storeDir); !errors.Is(err, fs.ErrNotExist) {
		return store.Restore(storeDir, r, replace, nil)
	}
	return intoNewStore(dir, func(storeDir string) error {
		return store.Restore(storeDir, r, false, nil)
	})
}

// intoNewStore makes the store of the data folder dir, which has none, with
// fill: into a folder of its own inside dir, moved into place only once
// fill succeeded. When it fails, the folders made for it are removed.
func intoNewStore(dir string, fill func(storeDir string) error) error {
	storeDir := filepath.Join(dir, config.StoreDir)
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
		return fmt.Errorf("create a folder for the new store: %w", err)
	}
	err = fill(filepath.Join(stage, config.StoreDir))
	if err == nil {
		if err = os.Rename(filepath.Join(stage, config.StoreDir), storeDir); err != nil {
			err = fmt.Errorf("move the new store in place: %w", err)
		}
	}
	if rmErr := os.RemoveAll(stage); rmErr != nil && err == nil {
		err = fmt.Errorf("remove the new store's folder: %w", rmErr)
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

// envAllowPrivate reports whether REDLINE_ALLOW_PRIVATE asks the watcher to
// fetch pages on this computer and on private networks.
func envAllowPrivate() bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(config.EnvAllowPrivate))) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

func (l *localRedline) Known(ctx context.Context, u string) (bool, error) {
	p, err := l.open()
	if err != nil {
		return false, err
	}
	c, err := canonical.URL(u)
	if err != nil {
		return false, err
	}
	_, err = p.Store.ArticleByURL(c)
	if article.ErrorCode(err) == article.ENOTFOUND {
		return false, nil
	}
	return err == nil, err
}

// An import writes at most this many articles, or this much text, in one
// transaction (a larger one is split by the store).
const (
	importBatchArticles = 16
	importBatchText     = 512 << 10
)

// ImportExport reads the export twice: first whole, to check every line,
// so that a damaged or cut file changes nothing; then to write each
// article in a transaction of its own. Into a data folder without a store
// the articles go into a store of their own, moved into place once whole.
// Into a store that exists, an import stopped halfway keeps the articles
// written so far, and importing the file again adds the rest.
func (l *localRedline) ImportExport(ctx context.Context, path string, newMeter func(total int64) *meter) (importReport, error) {
	var rep importReport
	fi, err := os.Stat(path)
	if err != nil {
		return rep, err
	}
	m := newMeter(2 * fi.Size())
	pass := func(fn func(x store.Exported) error) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return store.ReadExport(metered(f, m), func(_ int, x store.Exported) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return fn(x)
		})
	}
	if err := pass(func(store.Exported) error { return nil }); err != nil {
		m.done(false)
		return rep, fmt.Errorf("%s: %w; nothing was imported", filepath.Base(path), err)
	}
	into := func(s *store.Store) error {
		// Articles go in batches, each one write to disk.
		var batch []store.Exported
		var text int
		flush := func() error {
			added, err := s.ImportBatch(ctx, batch)
			if err != nil {
				return err
			}
			for i, ok := range added {
				if ok {
					rep.Added++
					rep.Versions += len(batch[i].Versions)
				} else {
					rep.Existing++
				}
			}
			batch, text = batch[:0], 0
			return nil
		}
		err := pass(func(x store.Exported) error {
			batch = append(batch, x)
			for _, v := range x.Versions {
				for _, b := range v.Blocks {
					text += len(b.Text)
				}
			}
			if len(batch) >= importBatchArticles || text >= importBatchText {
				return flush()
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			err = flush()
		}
		return err
	}
	storeDir := filepath.Join(l.dir, config.StoreDir)
	if _, err := os.Lstat(storeDir); err == nil {
		p, err := l.open()
		if err == nil {
			err = into(p.Store)
		}
		m.done(err == nil)
		return rep, err
	}
	err = intoNewStore(l.dir, func(dir string) error {
		s, err := store.Open(dir, store.Options{})
		if err != nil {
			return err
		}
		err = into(s)
		if cerr := s.Close(); err == nil {
			err = cerr
		}
		return err
	})
	m.done(err == nil)
	return rep, err
}
