package watch

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// Backoff after a site failed or asked to slow down: the first wait, and
// the longest it doubles to.
const (
	backoffBase = time.Minute
	backoffMax  = time.Hour
)

// hosts paces requests to each host: one at a time, a spacing between the
// end of one and the start of the next, and a backoff when the host
// answered 429 or 5xx or did not answer (Retry-After decides its length
// when the site sent one).
type hosts struct {
	spacing time.Duration
	// queued, if set, is told when a request starts waiting for a busy
	// host (tests).
	queued func(name string)

	mu sync.Mutex
	m  map[string]*host
}

type host struct {
	busy bool
	// free is closed when the host stops being busy; made by a waiter.
	free chan struct{}
	// ready: no scheduled request starts before it (spacing).
	ready time.Time
	// wait: the host failed or asked to slow down; nothing scheduled
	// starts before it. asked: the site said so itself (429 or
	// Retry-After), which binds checks the user asked for too.
	wait    time.Time
	asked   bool
	strikes int
}

func newHosts(spacing time.Duration) *hosts {
	return &hosts{spacing: spacing, m: map[string]*host{}}
}

func (hs *hosts) get(name string) *host {
	h := hs.m[name]
	if h == nil {
		h = &host{}
		hs.m[name] = h
	}
	return h
}

// tryAcquire takes the host for a scheduled request at now. When it
// cannot, it says when the host may be ready.
func (hs *hosts) tryAcquire(name string, now time.Time) (bool, time.Time) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	h := hs.get(name)
	switch {
	case h.busy:
		return false, now.Add(hs.spacing)
	case now.Before(h.wait):
		return false, h.wait
	case now.Before(h.ready):
		return false, h.ready
	}
	h.busy = true
	return true, now
}

// waitedOut is returned when a site asked us to wait and the wait is on.
type waitedOut struct{ until time.Time }

// acquire takes the host for a request the user asked for: it waits while
// another request to the host runs, but not for the spacing or for a
// backoff of our own making. A wait the site asked for is honoured: it
// returns the time it ends instead.
func (hs *hosts) acquire(ctx context.Context, name string, now func() time.Time) (*waitedOut, error) {
	for {
		hs.mu.Lock()
		h := hs.get(name)
		if h.asked && now().Before(h.wait) {
			until := h.wait
			hs.mu.Unlock()
			return &waitedOut{until: until}, nil
		}
		if !h.busy {
			h.busy = true
			hs.mu.Unlock()
			return nil, nil
		}
		if h.free == nil {
			h.free = make(chan struct{})
		}
		free, queued := h.free, hs.queued
		hs.mu.Unlock()
		if queued != nil {
			queued(name)
		}
		select {
		case <-free:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// release ends a request to the host at now. status is the answer's HTTP
// status (0 when there was none: a timeout or a network failure);
// retryAfter is the wait the site asked for.
func (hs *hosts) release(name string, now time.Time, status int, retryAfter time.Duration) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	h := hs.get(name)
	h.busy = false
	if h.free != nil {
		close(h.free)
		h.free = nil
	}
	h.ready = now.Add(hs.spacing)
	slow := status == 0 || status == http.StatusTooManyRequests || status >= 500
	if !slow {
		h.strikes, h.asked = 0, false
		hs.prune(now)
		return
	}
	h.strikes++
	wait := min(backoffBase<<min(h.strikes-1, 10), backoffMax)
	if retryAfter > 0 {
		wait = retryAfter
	}
	h.wait = now.Add(wait)
	h.asked = status == http.StatusTooManyRequests || retryAfter > 0
}

// waitUntil says until when scheduled requests to the host wait (zero if
// they do not).
func (hs *hosts) waitUntil(name string, now time.Time) time.Time {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if h := hs.m[name]; h != nil && now.Before(h.wait) {
		return h.wait
	}
	return time.Time{}
}

// prune forgets idle hosts with nothing to remember once the table grows.
func (hs *hosts) prune(now time.Time) {
	if len(hs.m) < 1024 {
		return
	}
	for name, h := range hs.m {
		if !h.busy && h.free == nil && now.After(h.ready) && now.After(h.wait) {
			delete(hs.m, name)
		}
	}
}

// tryAcquireAsked takes the host, without waiting, for a request the user
// asked for: as acquire, it passes over the spacing and a backoff of our
// own making, not a request that is running nor a wait the site asked for.
func (hs *hosts) tryAcquireAsked(name string, now time.Time) (bool, time.Time) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	h := hs.get(name)
	switch {
	case h.asked && now.Before(h.wait):
		return false, h.wait
	case h.busy:
		return false, now.Add(hs.spacing)
	}
	h.busy = true
	return true, now
}

// cancel gives the host back without a request having been made: no
// spacing, no backoff.
func (hs *hosts) cancel(name string) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	h := hs.get(name)
	h.busy = false
	if h.free != nil {
		close(h.free)
		h.free = nil
	}
}
