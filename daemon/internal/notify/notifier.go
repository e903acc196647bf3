package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"redline/daemon/internal/article"
)

// File is the name of the targets file in the data folder. It holds the
// service URLs with their secrets, so it is readable by its owner only,
// like the token.
const File = "notify.json"

// Log is the durable event log the notifier follows.
type Log interface {
	EventsAfter(after int64, limit int) ([]article.Event, error)
	LastEventID() (int64, error)
}

// Clock tells the time and waits; tests give one they move by hand.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Options tune the notifier; a zero field takes its default.
type Options struct {
	Logger *slog.Logger
	Clock  Clock
	// AttemptTimeout bounds one delivery attempt: a receiver that hangs
	// is given up on after it, and tried again later.
	AttemptTimeout time.Duration
	// Backoff is the wait after a first failure; it doubles with each
	// failure in a row, up to MaxBackoff.
	Backoff    time.Duration
	MaxBackoff time.Duration
}

// Defaults.
const (
	DefaultAttemptTimeout = 15 * time.Second
	DefaultBackoff        = 10 * time.Second
	DefaultMaxBackoff     = 15 * time.Minute
	// MaxTargets bounds how many targets may be set.
	MaxTargets = 50
	// batch is how many events a worker reads at once.
	batch = 256
)

// Notifier keeps the targets and delivers the changes to them.
type Notifier struct {
	log    *slog.Logger
	events Log
	path   string
	origin string
	clock  Clock
	opts   Options
	send   *sender

	mu      sync.Mutex
	state   fileState
	workers map[int64]context.CancelFunc
	// wakeMu guards wake alone, so that Wake (called as the store
	// appends an event, in a capture's path) never waits for a save of
	// the targets file under mu.
	wakeMu sync.Mutex
	wake   chan struct{}
	run    context.Context // set by Run; nil until then and after
	wg     sync.WaitGroup
}

// fileState is the targets file.
type fileState struct {
	NextID  int64    `json:"next_id"`
	Targets []target `json:"targets"`
}

// New reads the targets kept in dataDir. origin is the dashboard's, for
// the links in messages. Call Run to deliver.
func New(events Log, dataDir, origin string, opts Options) (*Notifier, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.AttemptTimeout <= 0 {
		opts.AttemptTimeout = DefaultAttemptTimeout
	}
	if opts.Backoff <= 0 {
		opts.Backoff = DefaultBackoff
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	n := &Notifier{
		log: opts.Logger, events: events, path: filepath.Join(dataDir, File), origin: origin,
		clock: opts.Clock, opts: opts, send: newSender(),
		workers: map[int64]context.CancelFunc{}, wake: make(chan struct{}),
	}
	b, err := os.ReadFile(n.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		n.state.NextID = 1
	case err != nil:
		return nil, fmt.Errorf("read the notification targets: %w", err)
	default:
		if err := json.Unmarshal(b, &n.state); err != nil {
			return nil, fmt.Errorf("the notification targets file %s is damaged (%v): fix or delete it", n.path, err)
		}
		if info, err := os.Stat(n.path); err == nil && info.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(n.path, 0o600); err != nil {
				return nil, fmt.Errorf("the notification targets file %s is readable by others and cannot be fixed: %w", n.path, err)
			}
		}
	}
	return n, nil
}

// Wake tells the workers the event log grew. It never blocks.
func (n *Notifier) Wake() {
	n.wakeMu.Lock()
	close(n.wake)
	n.wake = make(chan struct{})
	n.wakeMu.Unlock()
}

// woken returns the channel the next Wake closes.
func (n *Notifier) woken() <-chan struct{} {
	n.wakeMu.Lock()
	defer n.wakeMu.Unlock()
	return n.wake
}

// Run delivers until ctx ends, then stops every worker and waits for
// them.
func (n *Notifier) Run(ctx context.Context) {
	n.mu.Lock()
	n.run = ctx
	for _, t := range n.state.Targets {
		n.startLocked(t.ID)
	}
	n.mu.Unlock()
	<-ctx.Done()
	n.mu.Lock()
	n.run = nil
	n.mu.Unlock()
	n.wg.Wait()
	n.send.wait()
}

// startLocked starts the worker of target id, when running.
func (n *Notifier) startLocked(id int64) {
	if n.run == nil {
		return
	}
	ctx, cancel := context.WithCancel(n.run)
	n.workers[id] = cancel
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		n.work(ctx, id)
	}()
}

// Add stores a new target. Its delivery starts with the changes after
// now. Bad input is an EINVALID error and stores nothing.
func (n *Notifier) Add(spec Spec) (Status, error) {
	t, err := parseSpec(spec)
	if err != nil {
		return Status{}, err
	}
	last, err := n.events.LastEventID()
	if err != nil {
		return Status{}, fmt.Errorf("read the event log: %w", err)
	}
	t.Cursor = last
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.state.Targets) >= MaxTargets {
		return Status{}, invalidf("there are already %d notification targets; remove one first", MaxTargets)
	}
	for _, o := range n.state.Targets {
		if o.URL == t.URL && o.Minor == t.Minor && o.Site == t.Site && o.DigestMinutes == t.DigestMinutes {
			return Status{}, article.Errorf(article.ECONFLICT, "target %d already sends the same to this URL", o.ID)
		}
	}
	next := n.state
	next.Targets = append(slices.Clone(n.state.Targets), t)
	t.ID = next.NextID
	next.Targets[len(next.Targets)-1].ID = t.ID
	next.NextID++
	if err := n.saveLocked(next); err != nil {
		return Status{}, err
	}
	n.log.Info("notification target added", "target", t.ID, "service", serviceName(t.URL), "url", MaskURL(t.URL))
	n.startLocked(t.ID)
	return n.statusLocked(t, 0), nil
}

// Remove deletes a target; an unknown id is an ENOTFOUND error.
func (n *Notifier) Remove(id int64) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	i := n.indexLocked(id)
	if i < 0 {
		return unknown(id)
	}
	next := n.state
	next.Targets = slices.Delete(slices.Clone(n.state.Targets), i, i+1)
	if err := n.saveLocked(next); err != nil {
		return err
	}
	if cancel, ok := n.workers[id]; ok {
		cancel()
		delete(n.workers, id)
	}
	n.log.Info("notification target removed", "target", id)
	return nil
}

func unknown(id int64) error {
	return article.Errorf(article.ENOTFOUND, "there is no notification target %d (see the list of targets)", id)
}

// List returns every target as the user sees it, in the order added.
func (n *Notifier) List() ([]Status, error) {
	n.mu.Lock()
	targets := slices.Clone(n.state.Targets)
	n.mu.Unlock()
	out := make([]Status, 0, len(targets))
	for _, t := range targets {
		pending, err := n.pending(t)
		if err != nil {
			return nil, err
		}
		out = append(out, n.statusLocked(t, len(pending)))
	}
	return out, nil
}

// TestResult is how sending the sample to one target went.
type TestResult struct {
	ID    int64  `json:"id"`
	URL   string `json:"url"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// Test sends a sample message to target id, or to every target when id
// is 0, and says how each went. An unknown id is an ENOTFOUND error.
func (n *Notifier) Test(ctx context.Context, id int64) ([]TestResult, error) {
	n.mu.Lock()
	var targets []target
	for _, t := range n.state.Targets {
		if id == 0 || t.ID == id {
			targets = append(targets, t)
		}
	}
	n.mu.Unlock()
	if id != 0 && len(targets) == 0 {
		return nil, unknown(id)
	}
	out := make([]TestResult, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() {
			res := TestResult{ID: t.ID, URL: MaskURL(t.URL), OK: true}
			// The outcome shows as the target's last error, as a
			// delivery's would; a test that works clears a test's
			// error, never a delivery's (whose retry is still due).
			if err := n.attempt(ctx, t, sample(n.origin)); err != nil {
				res.OK, res.Error = false, err.Error()
				at := n.clock.Now()
				n.update(t.ID, func(s *target) { s.LastError, s.ErrorAt = "test: "+res.Error, at })
				n.log.Warn("test notification failed", "target", t.ID, "url", res.URL, "err", res.Error)
			} else {
				// A target that works again is tried at once, not
				// at the end of its backoff.
				n.update(t.ID, func(s *target) {
					if s.Failures == 0 {
						s.LastError, s.ErrorAt = "", time.Time{}
					}
					s.RetryAt = time.Time{}
				})
				n.Wake()
				n.log.Info("test notification sent", "target", t.ID, "url", res.URL)
			}
			out[i] = res
		})
	}
	wg.Wait()
	return out, nil
}

// attempt sends m to t once, within the attempt timeout; the error it
// returns holds none of t's secrets.
func (n *Notifier) attempt(ctx context.Context, t target, m message) error {
	ctx, cancel := context.WithTimeout(ctx, n.opts.AttemptTimeout)
	defer cancel()
	err := n.send.send(ctx, t.URL, m)
	if err == nil {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("no answer within %s", n.opts.AttemptTimeout)
	}
	// Scrubbed whole, then cut: a cut could leave part of a secret.
	return errors.New(truncate(scrub(err.Error(), secretsOf(t.URL)), 500))
}

// pending returns the changes target t still has to send, oldest first,
// and the last event it has looked at.
func (n *Notifier) pending(t target) ([]Change, error) {
	changes, _, err := n.scan(t)
	return changes, err
}

// scan reads the events after t's cursor: the changes for t, and the id
// of the last event read.
func (n *Notifier) scan(t target) ([]Change, int64, error) {
	var out []Change
	after := t.Cursor
	for {
		events, err := n.events.EventsAfter(after, batch)
		if err != nil {
			return nil, 0, fmt.Errorf("read the event log: %w", err)
		}
		for _, e := range events {
			after = e.ID
			if t.wants(e) {
				out = append(out, changeOf(e, n.origin))
			}
		}
		if len(events) < batch {
			return out, after, nil
		}
	}
}

// wants reports whether t sends event e: a change of the significance it
// asks for, on its site.
func (t target) wants(e article.Event) bool {
	if e.Type != article.EventChanged || e.Summary == nil {
		return false
	}
	policy := article.AlertSubstantive
	if t.Minor {
		policy = article.AlertMinor
	}
	if !policy.Alerts(e.Summary.Significance) {
		return false
	}
	return t.Site == "" || siteOf(e.URL) == t.Site
}

// work is target id's worker: it sends what is pending, waits for the
// digest period or a retry when it must, and sleeps until the log grows.
func (n *Notifier) work(ctx context.Context, id int64) {
	for {
		wake := n.woken()
		n.mu.Lock()
		i := n.indexLocked(id)
		if i < 0 {
			n.mu.Unlock()
			return
		}
		t := n.state.Targets[i]
		n.mu.Unlock()

		var wait <-chan time.Time
		var changes []Change
		var last int64
		var err error
		// While it waits to try again, the log is not read, however many
		// captures wake the worker.
		retrying := n.clock.Now().Before(t.RetryAt)
		if !retrying {
			changes, last, err = n.scan(t)
		}
		switch {
		case retrying:
			wait = n.clock.After(t.RetryAt.Sub(n.clock.Now()))
		case err != nil:
			n.log.Error("notifications: "+err.Error(), "target", id)
			wait = n.clock.After(n.backoff(t.Failures + 1))
		case len(changes) == 0:
			if last != t.Cursor {
				n.update(id, func(s *target) { s.Cursor = max(s.Cursor, last) })
			}
		case t.DigestMinutes > 0 && !t.LastSent.IsZero() && n.clock.Now().Before(t.LastSent.Add(t.digest())):
			wait = n.clock.After(t.LastSent.Add(t.digest()).Sub(n.clock.Now()))
		default:
			n.deliver(ctx, t, changes, last)
			if ctx.Err() != nil {
				return // stopped or removed during the attempt
			}
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-wait:
		}
	}
}

func (t target) digest() time.Duration { return time.Duration(t.DigestMinutes) * time.Minute }

// deliver sends the pending changes: all in one message for a digest,
// or for a target whose receiver was away (what it missed comes as one
// message, not a message per change); else the oldest alone (the next
// goes on the next turn).
func (n *Notifier) deliver(ctx context.Context, t target, changes []Change, last int64) {
	upto := last
	if t.DigestMinutes == 0 && t.Failures == 0 && len(changes) > 1 {
		changes = changes[:1]
		upto = changes[0].EventID
	}
	err := n.attempt(ctx, t, compose(changes))
	if ctx.Err() != nil {
		return // stopping, or removed: nothing was decided
	}
	now := n.clock.Now()
	if err != nil {
		var failures int
		n.update(t.ID, func(s *target) {
			s.Failures++
			s.LastError, s.ErrorAt = err.Error(), now
			s.RetryAt = now.Add(n.backoff(s.Failures))
			failures = s.Failures
		})
		n.log.Warn("notification failed; will try again", "target", t.ID, "url", MaskURL(t.URL),
			"changes", len(changes), "failures", failures, "retry_in", n.backoff(failures).String(), "err", err.Error())
		return
	}
	n.update(t.ID, func(s *target) {
		s.Cursor = max(s.Cursor, upto)
		s.LastSent, s.Failures, s.LastError, s.ErrorAt, s.RetryAt = now, 0, "", time.Time{}, time.Time{}
	})
	n.log.Info("notification sent", "target", t.ID, "url", MaskURL(t.URL), "changes", len(changes))
}

// backoff is the wait after failures failures in a row.
func (n *Notifier) backoff(failures int) time.Duration {
	d := n.opts.Backoff
	for i := 1; i < failures && d < n.opts.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, n.opts.MaxBackoff)
}

// update changes target id's delivery state and saves it. A target
// removed meanwhile is left alone.
func (n *Notifier) update(id int64, f func(*target)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	i := n.indexLocked(id)
	if i < 0 {
		return
	}
	next := n.state
	next.Targets = slices.Clone(n.state.Targets)
	f(&next.Targets[i])
	if err := n.saveLocked(next); err != nil {
		// Kept in memory: the state is shown and used until the disk
		// takes it; at worst a change is sent again after a restart.
		n.state = next
		n.log.Error("notifications: "+err.Error(), "target", id)
	}
}

func (n *Notifier) indexLocked(id int64) int {
	return slices.IndexFunc(n.state.Targets, func(t target) bool { return t.ID == id })
}

// saveLocked writes next to the targets file, readable by its owner
// only, and puts it in force. On error nothing changes.
func (n *Notifier) saveLocked(next fileState) error {
	b, err := json.MarshalIndent(next, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the notification targets: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(n.path), ".notify-*.json")
	if err != nil {
		return fmt.Errorf("save the notification targets: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("save the notification targets: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("save the notification targets: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save the notification targets: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save the notification targets: %w", err)
	}
	if err := os.Rename(tmp.Name(), n.path); err != nil {
		return fmt.Errorf("save the notification targets: %w", err)
	}
	n.state = next
	return nil
}

// statusLocked is t as the user sees it.
func (n *Notifier) statusLocked(t target, pending int) Status {
	s := Status{
		ID: t.ID, URL: MaskURL(t.URL), Service: serviceName(t.URL), Minor: t.Minor, Site: t.Site,
		DigestMinutes: t.DigestMinutes, Pending: pending, LastError: t.LastError, Failures: t.Failures,
	}
	if !t.LastSent.IsZero() {
		at := t.LastSent
		s.LastSentAt = &at
	}
	if !t.ErrorAt.IsZero() {
		at := t.ErrorAt
		s.LastErrorAt = &at
	}
	return s
}
