package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync/atomic"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/diff"
	"redline/daemon/internal/hub"
	"redline/daemon/internal/notify"
	"redline/daemon/internal/reading"
	"redline/daemon/internal/store"
	"redline/daemon/internal/watch"
)

// Parts are a store with the parts that work on it: the reading service
// with the user's diff rules, the event hub and the watcher. Start serves
// them; the command line opens them on the data folder when no daemon
// runs.
type Parts struct {
	Store   *store.Store
	Reading *reading.Service
	Hub     *hub.Hub
	Watcher *watch.Watcher
	// bind forwards the store's calls; Start binds the notifier to it.
	bind *late
}

// PartsConfig says how the parts work.
type PartsConfig struct {
	Logger  *slog.Logger
	Version string
	// AllowPrivate lets the watcher fetch pages on this computer and on
	// private networks.
	AllowPrivate bool
	// Resolve looks up the hosts the watcher fetches; nil uses the
	// system resolver.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
}

// OpenParts opens the store in dir and makes the parts over it.
//
// The store's collaborators are given to store.Open, and two of them are
// made after it, because they read it first: the hub starts after the
// last event of the store's log, the watcher with the schedule saved in
// it. The store calls them through late, which is bound before anything
// writes: no event can be appended between the hub's start and its
// binding, and no capture planned before the watcher is there. The diff
// rules are a holder given to the store's judge at once, and set to the
// user's thresholds once they are read.
func OpenParts(dir string, cfg PartsConfig) (*Parts, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var bind late
	rules := reading.NewRules(diff.DefaultRules())
	st, err := store.Open(dir, store.Options{
		Logger: log, Judge: rules.Judge(), Events: bind.publish, Plan: bind.plan, Wake: bind.wake,
	})
	if err != nil {
		return nil, err
	}
	p, err := makeParts(st, rules, &bind, cfg, log)
	if err != nil {
		st.Close()
		return nil, err
	}
	return p, nil
}

func makeParts(st *store.Store, rules *reading.Rules, bind *late, cfg PartsConfig, log *slog.Logger) (*Parts, error) {
	saved, err := reading.LoadRules(st)
	if err != nil {
		return nil, err
	}
	rules.Set(saved)
	events, err := hub.New(st)
	if err != nil {
		return nil, err
	}
	policy, err := st.AlertPolicy()
	if err != nil {
		return nil, fmt.Errorf("load the alert policy: %w", err)
	}
	events.AlertPolicyChanged(policy)
	bind.hub.Store(events)
	service := reading.New(reading.Config{Store: st, Rules: rules, Hub: events})
	fetcher := watch.NewFetcher(watch.FetcherOptions{Version: cfg.Version, AllowPrivate: cfg.AllowPrivate, Resolve: cfg.Resolve})
	watcher, err := watch.New(st, fetcher, watch.Options{Logger: log, Reading: service, Clock: testClock, WatchChanged: events.WatchChanged})
	if err != nil {
		return nil, err
	}
	bind.watcher.Store(watcher)
	return &Parts{Store: st, Reading: service, Hub: events, Watcher: watcher, bind: bind}, nil
}

// late forwards the store's calls to the hub and the watcher, made after
// the store (see OpenParts).
type late struct {
	hub     atomic.Pointer[hub.Hub]
	watcher atomic.Pointer[watch.Watcher]
	// notifier, bound by Start (the command line has none), follows the
	// log from its own cursor, so an event appended before it is bound
	// is still sent.
	notifier atomic.Pointer[notify.Notifier]
}

func (l *late) publish(e article.Event) {
	if h := l.hub.Load(); h != nil {
		h.Publish(e)
	}
	if n := l.notifier.Load(); n != nil {
		n.Wake()
	}
}

func (l *late) plan(a *article.Article, now time.Time) (time.Time, time.Time, bool) {
	if w := l.watcher.Load(); w != nil {
		return w.Plan(a, now)
	}
	return time.Time{}, time.Time{}, false
}

func (l *late) wake() {
	if w := l.watcher.Load(); w != nil {
		w.Wake()
	}
}
