// Package reading is what Redline does with what the user reads, written
// once for every front end: it files captures (the browser's reads, the
// watcher's fetches, the pages the user names), tells the change since the
// read, compares versions with the diff rules in force, marks changes seen
// and forgets articles. The API, the dashboard, the watcher and the
// command line call it; it calls the store, which keeps the data, and the
// diff engine, which grades it.
package reading

import (
	"redline/daemon/internal/article"
	"redline/daemon/internal/diff"
	"redline/daemon/internal/store"
)

// Hub is told when an article is forgotten, so that the events of it it
// keeps in memory are served no more, and when the alert policy changes,
// so that every connected client applies the new one (hub.Hub).
type Hub interface {
	Forget(articleID int64)
	AlertPolicyChanged(p article.AlertPolicy)
}

// Config holds what the service needs.
type Config struct {
	Store *store.Store
	// Rules are the diff thresholds in force, shared with the store's
	// judge; nil holds the defaults.
	Rules *Rules
	// Hub hears of forgotten articles; nil when nothing serves events.
	Hub Hub
}

// Service is the reading service. Its methods are safe for concurrent use.
type Service struct {
	store *store.Store
	rules *Rules
	hub   Hub
}

// New returns the service for cfg.
func New(cfg Config) *Service {
	s := &Service{store: cfg.Store, rules: cfg.Rules, hub: cfg.Hub}
	if s.rules == nil {
		s.rules = NewRules(diff.DefaultRules())
	}
	return s
}
