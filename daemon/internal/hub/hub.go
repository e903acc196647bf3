// Package hub delivers the durable event log to connected clients over
// WebSockets: every event in order, replayed from where a reconnecting
// client left off, live after that. The store's event log is the source
// of truth; the hub keeps the most recent events in memory so that live
// delivery to many clients does not read the store once per client, and
// wakes the connections when the log grows. A slow connection holds no
// events of its own and never blocks the others.
package hub

import (
	"context"
	"fmt"
	"sync"

	"redline/daemon/internal/article"
)

// Log is the durable event log the hub reads.
type Log interface {
	EventsAfter(after int64, limit int) ([]article.Event, error)
	LastEventID() (int64, error)
}

// recentCap is how many of the newest events the hub keeps in memory.
const recentCap = 4096

// Hub orders published events and wakes the connections.
type Hub struct {
	log Log

	mu      sync.Mutex
	next    int64                   // id of the next event to enter recent
	pending map[int64]article.Event // published ahead of an earlier id
	recent  []article.Event         // consecutive ids, ending at next-1
	forgot  map[int64]bool          // articles forgotten: their events are not served
	wake    chan struct{}
	done    chan struct{}
	// closed is set when Run stops the hub; no connection may enter after.
	closed bool
	conns  sync.WaitGroup
	// settings are what the daemon tells every client it must apply (the
	// alert policy); settingsGen counts their changes, so that each
	// connection sends a change once.
	settings    Settings
	settingsGen int64
	// watches are the newest notices that an article's watch changed
	// (WatchChanged), numbered by watchGen, for the connections that
	// follow watches.
	watches  []watchNotice
	watchGen int64
}

// watchNotice says that article's watch changed; gen orders the notices.
type watchNotice struct{ gen, article int64 }

// watchCap bounds the notices kept: a connection that fell further
// behind than this gets the newest only (a page reads the watch again;
// nothing is lost that the store does not hold).
const watchCap = 256

// Settings are the daemon's settings every client applies the same way:
// the welcome carries them and a settings.changed message tells each
// connection when they change.
type Settings struct {
	AlertOn article.AlertPolicy `json:"alert_on"`
}

// New returns a hub over log. Call Run to tie its life to a context.
func New(log Log) (*Hub, error) {
	last, err := log.LastEventID()
	if err != nil {
		return nil, fmt.Errorf("start event hub: %w", err)
	}
	return &Hub{
		log: log, next: last + 1, pending: map[int64]article.Event{}, forgot: map[int64]bool{},
		wake: make(chan struct{}), done: make(chan struct{}),
		settings: Settings{AlertOn: article.DefaultAlertPolicy},
	}, nil
}

// AlertPolicyChanged puts a new alert policy in force (the daemon at
// start, the reading service when the user changes it): every connection
// sends it on as a settings.changed message, and later welcomes carry it.
// The policy already in force sends nothing. It never blocks.
func (h *Hub) AlertPolicyChanged(p article.AlertPolicy) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.settings.AlertOn == p {
		return
	}
	h.settings.AlertOn = p
	h.settingsGen++
	close(h.wake)
	h.wake = make(chan struct{})
}

// settingsNow returns the settings in force and their generation.
func (h *Hub) settingsNow() (Settings, int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.settings, h.settingsGen
}

// WatchChanged tells the connections that follow watches (the
// dashboard's, Handler.Watches) that an article's watch changed: a check
// was recorded, or a re-check job through the browser was opened, taken,
// sent back or dropped. The notice is not an event: it is not logged nor
// replayed, and the page that shows the watch reads it again. It never
// blocks.
func (h *Hub) WatchChanged(articleID int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.watchGen++
	h.watches = append(h.watches, watchNotice{gen: h.watchGen, article: articleID})
	if len(h.watches) > watchCap {
		h.watches = append(h.watches[:0:0], h.watches[len(h.watches)-watchCap/2:]...)
	}
	close(h.wake)
	h.wake = make(chan struct{})
}

// watchesAfter returns the articles of the notices after gen, each once,
// in the order of their first notice, and the newest gen.
func (h *Hub) watchesAfter(gen int64) ([]int64, int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var ids []int64
	seen := map[int64]bool{}
	for _, n := range h.watches {
		if n.gen <= gen || seen[n.article] || h.forgot[n.article] {
			continue
		}
		seen[n.article] = true
		ids = append(ids, n.article)
	}
	return ids, h.watchGen
}

// Publish takes an event that is on disk. Writers may publish out of id
// order (ids are consecutive when appended); the hub restores the order.
// It never blocks.
func (h *Hub) Publish(e article.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if e.ID < h.next {
		return
	}
	h.pending[e.ID] = e
	advanced := false
	for {
		ev, ok := h.pending[h.next]
		if !ok {
			break
		}
		delete(h.pending, h.next)
		h.recent = append(h.recent, ev)
		h.next++
		advanced = true
	}
	if len(h.recent) > recentCap {
		h.recent = append(h.recent[:0:0], h.recent[len(h.recent)-recentCap/2:]...)
	}
	if advanced {
		close(h.wake)
		h.wake = make(chan struct{})
	}
}

// Forget stops serving the remembered events of a forgotten article.
func (h *Hub) Forget(articleID int64) {
	h.mu.Lock()
	h.forgot[articleID] = true
	h.mu.Unlock()
}

// eventsAfter returns up to limit events after the given id, from memory
// when it holds them, else from the log; and a channel that is closed when
// more arrive, taken before reading so that nothing slips between.
func (h *Hub) eventsAfter(after int64, limit int) ([]article.Event, <-chan struct{}, error) {
	h.mu.Lock()
	wake := h.wake
	if len(h.recent) > 0 && after+1 >= h.recent[0].ID || len(h.recent) == 0 && after+1 >= h.next {
		var out []article.Event
		if len(h.recent) > 0 {
			for _, e := range h.recent[min(after+1-h.recent[0].ID, int64(len(h.recent))):] {
				if len(out) == limit {
					break
				}
				if !h.forgot[e.ArticleID] {
					out = append(out, e)
				}
			}
		}
		h.mu.Unlock()
		return out, wake, nil
	}
	h.mu.Unlock()
	events, err := h.log.EventsAfter(after, limit)
	return events, wake, err
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
