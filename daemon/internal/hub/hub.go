// Package hub delivers the durable event log to connected clients over
// WebSockets: every event in order, replayed from where a reconnecting
// client left off, live after that. The store's event log is the single
// source of truth; the hub only wakes the connections when it grows, so a
// slow connection never holds events in memory or blocks the others.
package hub

import (
	"context"
	"sync"

	"redline/daemon/internal/article"
)

// Log is the durable event log the hub reads.
type Log interface {
	EventsAfter(after int64, limit int) ([]article.Event, error)
	LastEventID() (int64, error)
}

// Hub wakes the connections when events are appended.
type Hub struct {
	log  Log
	mu   sync.Mutex
	wake chan struct{}
	done chan struct{}
	// closed is set, under mu, when Run stops the hub; no connection may
	// enter after it.
	closed bool
	conns  sync.WaitGroup
}

// New returns a hub over log. Call Run to tie its life to a context.
func New(log Log) *Hub {
	return &Hub{log: log, wake: make(chan struct{}), done: make(chan struct{})}
}

// Publish tells the connections that the log has grown. It never blocks.
// It takes the event only to match the store's sink; the connections read
// the log itself.
func (h *Hub) Publish(article.Event) {
	h.mu.Lock()
	close(h.wake)
	h.wake = make(chan struct{})
	h.mu.Unlock()
}

// waker returns a channel that is closed at the next Publish. Take it
// before reading the log, so that no append can slip between the read and
// the wait.
func (h *Hub) waker() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.wake
}

// Run serves until ctx ends, then closes every connection and waits for
// them to finish.
func (h *Hub) Run(ctx context.Context) {
	<-ctx.Done()
	h.mu.Lock()
	h.closed = true
	close(h.done)
	h.mu.Unlock()
	h.conns.Wait()
}

// enter registers a connection; false once the hub has stopped.
func (h *Hub) enter() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.conns.Add(1)
	return true
}
