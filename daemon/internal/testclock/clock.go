// Package testclock is the daemon's clock in a build for the end-to-end
// tests (`go build -tags e2e`, see daemon/internal/daemon/testbuild_e2e.go):
// the real time plus an offset that a test moves forward through an
// authenticated API route, so that a check the schedule planned minutes
// away comes due at once. Only that tagged file imports this package: the
// shipped binary (`make daemon`) contains neither the clock nor its route.
package testclock

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Path is the route that moves the clock: POST {"advance": "20m"}.
const Path = "/api/v1/test/clock"

// MaxAdvance bounds one move, so that a typo cannot throw the daemon
// years ahead.
const MaxAdvance = 400 * 24 * time.Hour

// Clock is the real time plus an offset that only grows.
type Clock struct {
	real   func() time.Time
	mu     sync.Mutex
	offset time.Duration
}

// New returns a clock at the real time (real; nil is time.Now).
func New(real func() time.Time) *Clock {
	if real == nil {
		real = time.Now
	}
	return &Clock{real: real}
}

// Now is the real time plus the offset.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.real().Add(c.offset)
}

// Offset is how far ahead of the real time the clock is.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// Advance moves the clock forward by d, more than zero and at most
// MaxAdvance; anything else is an error and moves nothing.
func (c *Clock) Advance(d time.Duration) (time.Time, error) {
	if d <= 0 {
		return time.Time{}, fmt.Errorf("advance must be more than zero: the clock only moves forward")
	}
	if d > MaxAdvance {
		return time.Time{}, fmt.Errorf("advance must be at most %s", MaxAdvance)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
	return c.real().Add(c.offset), nil
}

// Moved is the answer of the route: the clock's time and offset after the
// move.
type Moved struct {
	Now    time.Time `json:"now"`
	Offset string    `json:"offset"`
}

// Handler serves POST {"advance": "20m"} (a Go duration), moves the clock
// and calls wake (the watcher looks at what came due); it answers 200
// with Moved. A body that is not that object, or an advance that is not a
// duration within (0, MaxAdvance], is 400 invalid and moves nothing. The
// caller mounts it behind the API's guards (the token).
func (c *Clock) Handler(wake func()) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := readAdvance(r.Body)
		if err == nil {
			_, err = c.Advance(d)
		}
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]string{"code": "invalid", "message": err.Error()}})
			return
		}
		if wake != nil {
			wake()
		}
		writeJSON(w, http.StatusOK, Moved{Now: c.Now().UTC(), Offset: c.Offset().String()})
	})
}

func readAdvance(body io.Reader) (time.Duration, error) {
	var req struct {
		Advance *string `json:"advance"`
	}
	dec := json.NewDecoder(io.LimitReader(body, 1<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return 0, fmt.Errorf("the body must be {\"advance\": \"20m\"}: %v", err)
	}
	if dec.More() {
		return 0, errors.New("the body must be one JSON object")
	}
	if req.Advance == nil {
		return 0, errors.New("advance is missing: send {\"advance\": \"20m\"}")
	}
	d, err := time.ParseDuration(strings.TrimSpace(*req.Advance))
	if err != nil {
		return 0, fmt.Errorf("advance %q is not a duration such as 90s, 20m or 3h", *req.Advance)
	}
	return d, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
