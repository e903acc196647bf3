// Package daemon wires Redline's parts into the running daemon: the store,
// the token, the HTTP API and the background work, with one owner for every
// goroutine and a clean shutdown.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"redline/daemon/internal/api"
	"redline/daemon/internal/config"
	"redline/daemon/internal/hub"
	"redline/daemon/internal/notify"
	"redline/daemon/internal/store"
	"redline/daemon/internal/web"
)

// Config says where the daemon keeps data and listens.
type Config struct {
	Addr    string // loopback HOST:PORT; port 0 picks a free one
	DataDir string
	Logger  *slog.Logger
	Version string
	// HubTiming overrides the WebSocket deadlines (tests); zero is the
	// default.
	HubTiming hub.Timing
	// AllowPrivate lets the watcher fetch pages on this computer and on
	// private networks (`redline serve --allow-private`).
	AllowPrivate bool
	// Resolve looks up the hosts the watcher fetches (tests map their
	// names to a local site); nil uses the system resolver.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
	// Limits bound what clients may hold of the daemon; a zero field
	// takes its default (tests shorten them).
	Limits Limits
	// Notify tunes the delivery of notifications (tests give a clock and
	// short timeouts); its Logger defaults to Logger.
	Notify notify.Options
}

// Limits bound what clients may hold of the daemon: how long a request may
// take to arrive, how many connections may be open and how many captures
// may be saved at once.
type Limits struct {
	// HeaderTimeout: a request's headers must arrive within this.
	HeaderTimeout time.Duration
	// BodyTimeout: a request's body must arrive within this, counted
	// from when its headers have (see api.Config.BodyTimeout).
	BodyTimeout time.Duration
	// Conns is how many connections may be open at once (the extension's
	// and the dashboard's live-update sockets count); one more is answered
	// 503 and closed.
	Conns int
	// Captures is how many captures are saved at once (api.Config.Captures).
	Captures int
}

// Default limits.
const (
	DefaultHeaderTimeout = 10 * time.Second
	DefaultConns         = 256
)

func (l Limits) withDefaults() Limits {
	if l.HeaderTimeout <= 0 {
		l.HeaderTimeout = DefaultHeaderTimeout
	}
	if l.Conns <= 0 {
		l.Conns = DefaultConns
	}
	return l
}

// Daemon is a running Redline daemon.
type Daemon struct {
	cfg    Config
	log    *slog.Logger
	store  *store.Store
	ln     net.Listener
	srv    *http.Server
	token  string
	cancel context.CancelFunc
	wg     sync.WaitGroup
	done   chan struct{}
	err    error
}

// Start opens the store, listens, and serves until ctx ends or Close is
// called.
func Start(ctx context.Context, cfg Config) (*Daemon, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	limits := cfg.Limits.withDefaults()
	if err := config.EnsureDataDir(cfg.DataDir); err != nil {
		return nil, err
	}
	// On a full or read-only disk the daemon does not start: Badger's own
	// work at start (replaying its log, compacting) could not be stopped
	// short of the disk's end, and the extension keeps the captures until
	// the daemon is back. A disk that fills up while it runs only stops
	// writes (see store.Writable).
	storeDir := filepath.Join(cfg.DataDir, config.StoreDir)
	if err := store.CheckWritable(existing(storeDir, cfg.DataDir)); err != nil {
		return nil, fmt.Errorf("not starting: %w", err)
	}
	token, err := config.LoadToken(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	dashHost, err := config.LoadDashboardHost(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	parts, err := OpenParts(storeDir, PartsConfig{Logger: log, Version: cfg.Version, AllowPrivate: cfg.AllowPrivate, Resolve: cfg.Resolve})
	if err != nil {
		return nil, err
	}
	st, events, watcher := parts.Store, parts.Hub, parts.Watcher
	tcp, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("listen on %s: %w (is another Redline running? try `redline status`)", cfg.Addr, err)
	}
	ln := newCapListener(tcp, limits.Conns, log)
	port := ln.Addr().(*net.TCPAddr).Port
	if err := st.EnsureListIndex(); err != nil {
		st.Close()
		ln.Close()
		return nil, err
	}
	nopts := cfg.Notify
	if nopts.Logger == nil {
		nopts.Logger = log
	}
	notifier, err := notify.New(st, cfg.DataDir, "http://"+net.JoinHostPort(dashHost, strconv.Itoa(port)), nopts)
	if err != nil {
		st.Close()
		ln.Close()
		return nil, err
	}
	parts.bind.notifier.Store(notifier)
	dash, err := web.New(web.Config{
		Store: st, Hub: events, HubTiming: cfg.HubTiming, Host: dashHost, Port: port, DataDir: cfg.DataDir, KeyDir: cfg.DataDir,
		Logger: log, Version: cfg.Version, Reading: parts.Reading,
		Watcher: watcher, AllowPrivate: cfg.AllowPrivate, Now: testClock, Notifier: notifier,
	})
	if err != nil {
		st.Close()
		ln.Close()
		return nil, err
	}
	server, err := api.New(api.Config{
		Store: st, Token: token, Port: port, DataDir: cfg.DataDir, Logger: log, Version: cfg.Version,
		Hub: events, HubTiming: cfg.HubTiming, Reading: parts.Reading, Dashboard: dash,
		Watcher: watcher, BodyTimeout: limits.BodyTimeout, Captures: limits.Captures, Notifier: notifier,
		Now: testClock, Routes: routes(watcher.Wake),
	})
	if err != nil {
		st.Close()
		ln.Close()
		return nil, err
	}
	handler := server.Handler()
	ctx, cancel := context.WithCancel(ctx)
	d := &Daemon{
		cfg: cfg, log: log, store: st, ln: ln, token: token, cancel: cancel, done: make(chan struct{}),
		srv: &http.Server{
			Handler:           handler,
			ReadHeaderTimeout: limits.HeaderTimeout,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
			BaseContext:       func(net.Listener) context.Context { return ctx },
		},
	}
	if err := config.WriteRunning(cfg.DataDir, config.Running{Addr: d.Addr(), PID: os.Getpid()}); err != nil {
		ln.Close()
		st.Close()
		cancel()
		return nil, err
	}
	d.wg.Add(3)
	go func() {
		defer d.wg.Done()
		st.RunGC(ctx, 10*time.Minute)
	}()
	go func() {
		defer d.wg.Done()
		events.Run(ctx)
	}()
	d.wg.Add(2)
	go func() {
		defer d.wg.Done()
		watcher.Run(ctx)
	}()
	go func() {
		defer d.wg.Done()
		notifier.Run(ctx)
	}()
	serveErr := make(chan error, 1)
	go func() {
		defer d.wg.Done()
		if err := d.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			serveErr <- err
			cancel()
		}
	}()
	go d.shutdownWhenDone(ctx, serveErr)
	log.Info("listening on http://"+d.Addr(), "data", cfg.DataDir)
	return d, nil
}

func (d *Daemon) shutdownWhenDone(ctx context.Context, serveErr chan error) {
	defer close(d.done)
	<-ctx.Done()
	d.log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var errs []error
	if err := d.srv.Shutdown(shutCtx); err != nil {
		errs = append(errs, fmt.Errorf("stop HTTP server: %w", err))
	}
	d.wg.Wait()
	select {
	case err := <-serveErr:
		errs = append(errs, fmt.Errorf("serve: %w", err))
	default:
	}
	config.RemoveRunning(d.cfg.DataDir)
	if err := d.store.Close(); err != nil {
		errs = append(errs, err)
	}
	d.err = errors.Join(errs...)
	d.log.Info("stopped")
}

// routes are the API routes a build for the end-to-end tests adds (none in
// the shipped build).
func routes(wake func()) map[string]http.Handler {
	if testRoutes == nil {
		return nil
	}
	return testRoutes(wake)
}

// existing returns dir if it exists, else parent.
func existing(dir, parent string) string {
	if _, err := os.Stat(dir); err == nil {
		return dir
	}
	return parent
}

// Addr is the HOST:PORT the daemon listens on.
func (d *Daemon) Addr() string { return d.ln.Addr().String() }

// Token is the API token.
func (d *Daemon) Token() string { return d.token }

// Store is the daemon's store, for tests in this module.
func (d *Daemon) Store() *store.Store { return d.store }

// Done is closed when the daemon has stopped.
func (d *Daemon) Done() <-chan struct{} { return d.done }

// Close stops the daemon and waits for it.
func (d *Daemon) Close() error {
	d.cancel()
	<-d.done
	return d.err
}

// Wait blocks until the daemon has stopped and returns why.
func (d *Daemon) Wait() error {
	<-d.done
	return d.err
}
