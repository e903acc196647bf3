package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// DefaultBodyTimeout is how long a request's body may take to arrive. A
// capture at the limits crosses loopback in milliseconds; a client that
// trickles its body (a byte now and then) would otherwise hold its
// connection, and the memory its handler holds, for as long as it likes.
const DefaultBodyTimeout = 30 * time.Second

// DefaultCaptures is how many captures are saved at once. Saving one
// holds its text several times over (decoded, normalised, compressed,
// compared with the previous version); more at once only queue on the
// disk.
const DefaultCaptures = 16

// bodyDeadline gives every request that has a body a read deadline: the
// whole body must arrive within the body timeout, or the read fails, the
// handler answers (408 for a JSON body) and the connection is closed.
// Without a token the handler answers at once without reading the body;
// the server then reads the rest under the same deadline before it
// answers, and closes the connection when it does not come. Once the body
// has been read to its end the deadline is lifted, so that a handler that
// works longer (an export) is not cut short. A request without a body (a
// GET, and so every WebSocket handshake) gets no deadline here: the hub
// sets its own once the connection is upgraded.
func (s *Server) bodyDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(s.bodyTimeout)); err != nil {
			// Only a writer without a connection (a test's recorder)
			// has no deadline to set; on a connection that just closed
			// the body read fails anyway.
			if !errors.Is(err, http.ErrNotSupported) {
				s.log.Debug("set the body's read deadline", "err", err)
			}
			next.ServeHTTP(w, r)
			return
		}
		r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc, timeout: s.bodyTimeout}
		next.ServeHTTP(w, r)
	})
}

// deadlineBody lifts the read deadline when the body has been read, and
// says what the deadline was when it passed.
type deadlineBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	timeout time.Duration
	done    bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF && !b.done:
		b.done = true
		b.rc.SetReadDeadline(time.Time{})
	case errors.Is(err, os.ErrDeadlineExceeded):
		err = &bodyTimeoutError{timeout: b.timeout, err: err}
	}
	return n, err
}

// bodyTimeoutError is a body that did not arrive within its time.
type bodyTimeoutError struct {
	timeout time.Duration
	err     error
}

func (e *bodyTimeoutError) Error() string {
	return fmt.Sprintf("the body did not arrive within %s: %v", e.timeout, e.err)
}

func (e *bodyTimeoutError) Unwrap() error { return e.err }

// holdCapture takes one of the slots of captures being saved, or answers
// 503 with Retry-After when there is none: the extension keeps the capture
// and sends it again later. release gives the slot back.
func (s *Server) holdCapture(w http.ResponseWriter) (release func(), ok bool) {
	select {
	case s.captures <- struct{}{}:
		return func() { <-s.captures }, true
	default:
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, "unavailable",
			fmt.Sprintf("the daemon is saving %d captures already, its limit: send this one again in a moment", cap(s.captures)))
		return nil, false
	}
}
