package daemon

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// refuseLinger bounds how long a refused connection is kept to deliver
// its answer: the refusal is written, the sending side closed, and what
// the client still sends is read and dropped for at most this long, so
// that closing does not reset the connection before the client has read
// why (a reset can discard the answer in the client's buffer).
const refuseLinger = 2 * time.Second

// maxRefusing bounds the refused connections being answered at once;
// beyond it a connection is closed without an answer.
const maxRefusing = 64

// capListener accepts at most max connections open at once. One more is
// answered 503 at once, with Retry-After, and closed: the client learns
// why instead of waiting, and the daemon's memory and goroutines stay
// bounded however many connections a local program opens. A connection's
// slot is free again as soon as the daemon closes it, before the client
// sees the connection end.
type capListener struct {
	net.Listener
	max int64
	log *slog.Logger

	open    atomic.Int64
	refusal []byte

	mu       sync.Mutex
	closed   bool
	refusing map[net.Conn]struct{}
	wg       sync.WaitGroup
	warned   time.Time
}

func newCapListener(ln net.Listener, max int, log *slog.Logger) *capListener {
	body := fmt.Sprintf(`{"error":{"code":"unavailable","message":"the daemon has %d connections open, its limit: try again in a moment"}}`, max)
	head := "HTTP/1.1 503 Service Unavailable\r\n" +
		"Content-Type: application/json; charset=utf-8\r\n" +
		"Retry-After: 1\r\n" +
		"X-Content-Type-Options: nosniff\r\n" +
		"X-Frame-Options: DENY\r\n" +
		"Referrer-Policy: no-referrer\r\n" +
		"Cache-Control: no-store\r\n" +
		"Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n" +
		"Connection: close\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body))
	return &capListener{Listener: ln, max: int64(max), log: log, refusal: []byte(head + body), refusing: map[net.Conn]struct{}{}}
}

// Accept returns the next connection within the cap, answering those
// beyond it.
func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.open.Add(1) <= l.max {
			return &capConn{Conn: c, l: l}, nil
		}
		l.open.Add(-1)
		l.refuse(c)
	}
}

// refuse answers a connection beyond the cap and closes it, in a
// goroutine that Close stops and waits for.
func (l *capListener) refuse(c net.Conn) {
	l.mu.Lock()
	if l.closed || len(l.refusing) >= maxRefusing {
		l.mu.Unlock()
		c.Close()
		return
	}
	l.refusing[c] = struct{}{}
	l.wg.Add(1)
	if now := time.Now(); now.Sub(l.warned) > time.Minute {
		l.warned = now
		l.log.Warn("refusing connections: too many open", "limit", l.max)
	}
	l.mu.Unlock()
	go func() {
		defer l.wg.Done()
		defer func() {
			l.mu.Lock()
			delete(l.refusing, c)
			l.mu.Unlock()
			c.Close()
		}()
		c.SetDeadline(time.Now().Add(refuseLinger))
		if _, err := c.Write(l.refusal); err != nil {
			return
		}
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		io.Copy(io.Discard, io.LimitReader(c, 64<<10))
	}()
}

// Close stops accepting, cuts short the refusals under way and waits for
// them.
func (l *capListener) Close() error {
	err := l.Listener.Close()
	l.mu.Lock()
	l.closed = true
	for c := range l.refusing {
		c.SetDeadline(time.Now())
	}
	l.mu.Unlock()
	l.wg.Wait()
	return err
}

// capConn is a connection within the cap; closing it frees its slot.
type capConn struct {
	net.Conn
	l    *capListener
	once sync.Once
}

// Close frees the slot first, so that once the client sees the
// connection end, the next connection is let in.
func (c *capConn) Close() error {
	c.once.Do(func() { c.l.open.Add(-1) })
	return c.Conn.Close()
}

// CloseWrite half-closes the connection, which the HTTP server does before
// closing one whose request body it did not read: the client then reads
// the answer before the connection ends.
func (c *capConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.New("connection cannot be half-closed")
}
