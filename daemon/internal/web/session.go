package web

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Lifetimes of the dashboard's secrets.
const (
	// LoginTTL is how long a one-time login URL (from `redline open` or
	// the extension) works.
	LoginTTL = 2 * time.Minute
	// SessionTTL is how long a session lasts without use.
	SessionTTL = 2 * time.Hour
	// SessionMaxAge is how long a session lasts at most, in use or not;
	// the cookie's Max-Age says the same.
	SessionMaxAge = 12 * time.Hour
	// TicketTTL is how long a live-update ticket may wait to be used.
	TicketTTL = 2 * time.Minute
	// cookieName holds the signed session.
	cookieName = "redline_session"
	// seenEvery is how stale a cookie's last-use time may get before a
	// request writes it anew (SessionTTL counts from it).
	seenEvery = time.Minute
)

// File names beside the token in the data folder.
const (
	// SessionKeyFile holds the key that signs session cookies: 256 random
	// bits as 64 hex digits, readable by the owner only. Replacing it
	// ("Log out everywhere") ends every session.
	SessionKeyFile = "dashboard-key"
	// LoggedOutFile lists the sessions logged out one by one, until they
	// would have expired anyway, so that a copy of such a cookie stays
	// refused after a restart.
	LoggedOutFile = "dashboard-logged-out"
)

// A session is one logged-in browser. It lives in its cookie, signed with
// the key in SessionKeyFile, so it survives a restart of the daemon: the
// cookie says which session (a random id), when it logged in and when it
// was last used; the daemon keeps no list of sessions, only the ones
// logged out before their time.
type session struct {
	id     [16]byte
	issued time.Time // the login; the session ends SessionMaxAge after it
	seen   time.Time // the last use; the session ends SessionTTL after it
}

// name is the session's id as handlers pass it around.
func (s session) name() string { return hex.EncodeToString(s.id[:]) }

// login is a one-time login code waiting to be used.
type login struct {
	expires time.Time
	next    string // the dashboard path to go to once logged in
}

// sessions mints one-time logins, signs and checks session cookies, and
// holds the live-update tickets of the sessions in use. Login codes are
// kept as SHA-256 digests, so a memory dump reveals no usable code.
type sessions struct {
	mu        sync.Mutex
	now       func() time.Time
	dir       string // where SessionKeyFile and LoggedOutFile are
	key       []byte
	logins    map[[32]byte]login
	loggedOut map[[16]byte]time.Time            // until when each stays refused
	tickets   map[[16]byte]map[string]time.Time // per session: ticket → expiry
}

// openSessions loads the signing key from dir, creating it on first start,
// and the sessions logged out before their time.
func openSessions(dir string, now func() time.Time) (*sessions, error) {
	if dir == "" {
		return nil, errors.New("dashboard sessions: no folder for the signing key")
	}
	m := &sessions{now: now, dir: dir, logins: map[[32]byte]login{}, loggedOut: map[[16]byte]time.Time{}, tickets: map[[16]byte]map[string]time.Time{}}
	key, err := loadKey(dir)
	if err != nil {
		return nil, err
	}
	m.key = key
	if err := m.loadLoggedOut(); err != nil {
		return nil, err
	}
	return m, nil
}

// loadKey reads the signing key, creating it (mode 0600) when there is
// none, and making it private again if others could read it.
func loadKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, SessionKeyFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		key, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) != 32 {
			return nil, fmt.Errorf("session key file %s is damaged: delete it to make a new one (every browser must then log in again)", path)
		}
		if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(path, 0o600); err != nil {
				return nil, fmt.Errorf("session key file %s is readable by others and cannot be fixed: %w", path, err)
			}
		}
		return key, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read session key: %w", err)
	}
	key, err := writeKey(dir)
	if err != nil {
		return nil, err
	}
	return key, nil
}

// writeKey makes a new signing key and puts it in place of the old one
// in one step (a private temporary file renamed over it).
func writeKey(dir string) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("random: %w", err)
	}
	if err := writePrivate(dir, SessionKeyFile, []byte(hex.EncodeToString(key)+"\n")); err != nil {
		return nil, fmt.Errorf("write session key: %w", err)
	}
	return key, nil
}

// writePrivate replaces dir/name with data, readable by the owner only.
func writePrivate(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+name+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, name))
}

// loadLoggedOut reads LoggedOutFile: one "ID UNIX-SECONDS" line per
// session logged out before its time.
func (m *sessions) loadLoggedOut() error {
	path := filepath.Join(m.dir, LoggedOutFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read logged-out sessions: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		id, until, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		raw, err := hex.DecodeString(id)
		secs, err2 := strconv.ParseInt(until, 10, 64)
		if !ok || err != nil || len(raw) != 16 || err2 != nil {
			return fmt.Errorf("logged-out sessions file %s is damaged: delete it and use Log out everywhere", path)
		}
		m.loggedOut[[16]byte(raw)] = time.Unix(secs, 0)
	}
	return nil
}

// saveLoggedOut writes LoggedOutFile; called with mu held.
func (m *sessions) saveLoggedOut() error {
	var b strings.Builder
	for id, until := range m.loggedOut {
		fmt.Fprintf(&b, "%x %d\n", id[:], until.Unix())
	}
	if err := writePrivate(m.dir, LoggedOutFile, []byte(b.String())); err != nil {
		return fmt.Errorf("write logged-out sessions: %w", err)
	}
	return nil
}

func secret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

func digest(s string) [32]byte { return sha256.Sum256([]byte(s)) }

// newLogin returns a one-time login code that, once used, goes on to the
// dashboard path next (checked by the caller: see dashboardPath).
func (m *sessions) newLogin(next string) (string, time.Time, error) {
	code, err := secret()
	if err != nil {
		return "", time.Time{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	exp := m.now().Add(LoginTTL)
	m.logins[digest(code)] = login{expires: exp, next: next}
	return code, exp, nil
}

// redeem spends a login code and opens a session: it returns the session
// and the path to go to. A code works once, and only before it expires.
func (m *sessions) redeem(code string) (session, string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := digest(code)
	l, ok := m.logins[d]
	delete(m.logins, d)
	if !ok || !m.now().Before(l.expires) {
		return session{}, "", false, nil
	}
	var s session
	if _, err := rand.Read(s.id[:]); err != nil {
		return session{}, "", false, fmt.Errorf("random: %w", err)
	}
	now := m.now().Truncate(time.Second)
	s.issued, s.seen = now, now
	return s, l.next, true, nil
}

// payload is what a cookie's signature covers.
func (s session) payload() []byte {
	b := make([]byte, 0, 32)
	b = append(b, s.id[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(s.issued.Unix()))
	b = binary.BigEndian.AppendUint64(b, uint64(s.seen.Unix()))
	return b
}

func (m *sessions) mac(parts ...[]byte) []byte {
	h := hmac.New(sha256.New, m.key)
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

var b64 = base64.RawURLEncoding

// cookie is the session's signed cookie, for as long as it may last.
func (m *sessions) cookie(s session) *http.Cookie {
	m.mu.Lock()
	p := s.payload()
	value := b64.EncodeToString(p) + "." + b64.EncodeToString(m.mac([]byte("session"), p))
	m.mu.Unlock()
	left := s.issued.Add(SessionMaxAge).Sub(m.now())
	// Host-only (no Domain), the whole dashboard (Path=/), never sent
	// cross-site, out of reach of script, and short-lived: as close to a
	// __Host- cookie as plain HTTP allows.
	return &http.Cookie{
		Name: cookieName, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		MaxAge: max(1, int((left+time.Second-1)/time.Second)), // rounded up: the login's second counts whole
	}
}

// lookup returns the session of a request's cookie: signed with the
// current key, not expired, not logged out.
func (m *sessions) lookup(r *http.Request) (session, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil || len(c.Value) > 200 {
		return session{}, false
	}
	p64, sig64, ok := strings.Cut(c.Value, ".")
	if !ok {
		return session{}, false
	}
	p, err := b64.DecodeString(p64)
	sig, err2 := b64.DecodeString(sig64)
	if err != nil || err2 != nil || len(p) != 32 {
		return session{}, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !hmac.Equal(sig, m.mac([]byte("session"), p)) {
		return session{}, false
	}
	s := session{
		id:     [16]byte(p[:16]),
		issued: time.Unix(int64(binary.BigEndian.Uint64(p[16:24])), 0),
		seen:   time.Unix(int64(binary.BigEndian.Uint64(p[24:32])), 0),
	}
	now := m.now()
	if !now.Before(s.issued.Add(SessionMaxAge)) || !now.Before(s.seen.Add(SessionTTL)) {
		return session{}, false
	}
	if _, out := m.loggedOut[s.id]; out {
		return session{}, false
	}
	return s, true
}

// touch marks the session used: when its cookie's last-use time is more
// than seenEvery old, the answer carries the cookie anew.
func (m *sessions) touch(w http.ResponseWriter, s session) {
	now := m.now().Truncate(time.Second)
	if now.Sub(s.seen) < seenEvery {
		return
	}
	s.seen = now
	http.SetCookie(w, m.cookie(s))
}

// csrfOf is the session's CSRF token: derived from its id with the key,
// so it too survives a restart and dies with the key.
func (m *sessions) csrfOf(s session) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return hex.EncodeToString(m.mac([]byte("csrf"), s.id[:]))
}

// checkCSRF compares a form's token with the session's in constant time.
func (m *sessions) checkCSRF(s session, token string) bool {
	return subtle.ConstantTimeCompare([]byte(m.csrfOf(s)), []byte(token)) == 1
}

// end logs one session out: its cookie stays refused, also after a
// restart, until it would have expired anyway.
func (m *sessions) end(s session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	m.loggedOut[s.id] = s.issued.Add(SessionMaxAge)
	delete(m.tickets, s.id)
	return m.saveLoggedOut()
}

// endAll replaces the signing key: every session cookie signed so far
// stops working, in every browser, also after a restart; login links not
// used yet stop working too.
func (m *sessions) endAll() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	key, err := writeKey(m.dir)
	if err != nil {
		return err
	}
	m.key = key
	clear(m.logins)
	clear(m.tickets)
	clear(m.loggedOut) // none of those cookies passes the new key
	return m.saveLoggedOut()
}

// newTicket mints a short-lived, one-use ticket that lets this session's
// page open the live-update socket. Tickets are not the API token: a page
// that somehow read one could use it only with the session cookie too,
// within minutes, once.
func (m *sessions) newTicket(s session) (string, error) {
	t, err := secret()
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	ts := m.tickets[s.id]
	if ts == nil {
		ts = map[string]time.Time{}
		m.tickets[s.id] = ts
	}
	for k, exp := range ts {
		if !now.Before(exp) {
			delete(ts, k)
		}
	}
	if len(ts) >= 64 {
		clear(ts) // a page minting without using: start over
	}
	if len(m.tickets) > 1024 {
		m.sweepTickets()
	}
	ts[t] = now.Add(TicketTTL)
	return t, nil
}

// spendTicket uses up a ticket of the session.
func (m *sessions) spendTicket(s session, ticket string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	ts := m.tickets[s.id]
	exp, ok := ts[ticket]
	delete(ts, ticket)
	return ok && m.now().Before(exp)
}

// sweep drops expired logins and logged-out sessions that have expired
// anyway; called with mu held.
func (m *sessions) sweep() {
	now := m.now()
	for k, l := range m.logins {
		if !now.Before(l.expires) {
			delete(m.logins, k)
		}
	}
	for k, until := range m.loggedOut {
		if !now.Before(until) {
			delete(m.loggedOut, k)
		}
	}
}

// sweepTickets drops the sessions whose tickets have all expired; called
// with mu held.
func (m *sessions) sweepTickets() {
	now := m.now()
	for id, ts := range m.tickets {
		for k, exp := range ts {
			if !now.Before(exp) {
				delete(ts, k)
			}
		}
		if len(ts) == 0 {
			delete(m.tickets, id)
		}
	}
}
