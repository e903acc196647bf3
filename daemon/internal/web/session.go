package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Lifetimes of the dashboard's secrets.
const (
	// LoginTTL is how long a one-time login URL from `redline open` works.
	LoginTTL = 2 * time.Minute
	// SessionTTL is how long a session lasts without use.
	SessionTTL = 2 * time.Hour
	// SessionMaxAge is how long a session lasts at most, in use or not;
	// the cookie's Max-Age says the same.
	SessionMaxAge = 12 * time.Hour
	// TicketTTL is how long a live-update ticket may wait to be used.
	TicketTTL = 2 * time.Minute
	// cookieName holds the session id.
	cookieName = "redline_session"
)

// session is one logged-in browser. Sessions live in memory: restarting
// the daemon logs everyone out, and `redline open` logs in again.
type session struct {
	csrf    string
	expires time.Time            // SessionTTL after the last use, never after until
	until   time.Time            // SessionMaxAge after the login
	tickets map[string]time.Time // live-update tickets and their expiry
}

// sessions holds one-time logins, sessions and their tickets. Secrets are
// kept as SHA-256 digests, so a memory dump reveals no usable cookie.
type sessions struct {
	mu       sync.Mutex
	now      func() time.Time
	logins   map[[32]byte]time.Time
	sessions map[[32]byte]*session
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{now: now, logins: map[[32]byte]time.Time{}, sessions: map[[32]byte]*session{}}
}

func secret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

func digest(s string) [32]byte { return sha256.Sum256([]byte(s)) }

// newLogin returns a one-time login code.
func (m *sessions) newLogin() (string, time.Time, error) {
	code, err := secret()
	if err != nil {
		return "", time.Time{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	exp := m.now().Add(LoginTTL)
	m.logins[digest(code)] = exp
	return code, exp, nil
}

// redeem spends a login code and opens a session: it returns the session
// id for the cookie. A code works once, and only before it expires.
func (m *sessions) redeem(code string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := digest(code)
	exp, ok := m.logins[d]
	delete(m.logins, d)
	if !ok || !m.now().Before(exp) {
		return "", false, nil
	}
	id, err := secret()
	if err != nil {
		return "", false, err
	}
	csrf, err := secret()
	if err != nil {
		return "", false, err
	}
	now := m.now()
	m.sessions[digest(id)] = &session{csrf: csrf, expires: now.Add(SessionTTL), until: now.Add(SessionMaxAge), tickets: map[string]time.Time{}}
	return id, true, nil
}

// lookup returns the session of a request's cookie, extending it.
func (m *sessions) lookup(r *http.Request) (id string, csrf string, ok bool) {
	c, err := r.Cookie(cookieName)
	if err != nil || len(c.Value) != 64 {
		return "", "", false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[digest(c.Value)]
	if !ok || !m.now().Before(s.expires) {
		delete(m.sessions, digest(c.Value))
		return "", "", false
	}
	s.expires = m.now().Add(SessionTTL)
	if s.expires.After(s.until) {
		s.expires = s.until
	}
	return c.Value, s.csrf, true
}

// checkCSRF compares a form's token with the session's in constant time.
func (m *sessions) checkCSRF(id, token string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[digest(id)]
	if !ok {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(s.csrf), []byte(token)) == 1
}

// end logs a session out.
func (m *sessions) end(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, digest(id))
}

// newTicket mints a short-lived, one-use ticket that lets this session's
// page open the live-update socket. Tickets are not the API token: a page
// that somehow read one could use it only with the session cookie too,
// within minutes, once.
func (m *sessions) newTicket(id string) (string, error) {
	t, err := secret()
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[digest(id)]
	if !ok {
		return "", fmt.Errorf("session ended")
	}
	now := m.now()
	for k, exp := range s.tickets {
		if !now.Before(exp) {
			delete(s.tickets, k)
		}
	}
	if len(s.tickets) >= 64 {
		clear(s.tickets) // a page minting without using: start over
	}
	s.tickets[t] = now.Add(TicketTTL)
	return t, nil
}

// spendTicket uses up a ticket of the session.
func (m *sessions) spendTicket(id, ticket string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[digest(id)]
	if !ok {
		return false
	}
	exp, ok := s.tickets[ticket]
	delete(s.tickets, ticket)
	return ok && m.now().Before(exp)
}

// sweep drops expired logins and sessions; called with mu held.
func (m *sessions) sweep() {
	now := m.now()
	for k, exp := range m.logins {
		if !now.Before(exp) {
			delete(m.logins, k)
		}
	}
	for k, s := range m.sessions {
		if !now.Before(s.expires) {
			delete(m.sessions, k)
		}
	}
}
