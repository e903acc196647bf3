package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sync"
	"time"

	"redline/daemon/internal/article"
)

// Pairing hands the API token to the browser extension without the user
// typing it. `redline pair` asks the daemon for a one-time code (with the
// token, so only the user's own CLI can); the daemon's /pair page carries
// the code in its fragment, which never reaches a server or a Referer; the
// extension's content script on that page reads it and its background
// claims the token with it. A code is 128 random bits, works once, and
// expires after PairingTTL. Only digests of codes are kept.

// PairingTTL is how long a pairing code can be claimed.
const PairingTTL = 10 * time.Minute

// maxPendingPairings caps the codes waiting to be claimed; the oldest is
// dropped first.
const maxPendingPairings = 16

// pairings holds the codes not yet claimed.
type pairings struct {
	mu      sync.Mutex
	pending map[[sha256.Size]byte]time.Time // digest of code → expiry
}

// PairingResponse answers POST /api/v1/pair.
type PairingResponse struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ClaimRequest is the body of POST /api/v1/pair/claim.
type ClaimRequest struct {
	Code string `json:"code"`
}

// ClaimResponse gives the extension the token.
type ClaimResponse struct {
	Token string `json:"token"`
}

// newCode makes a code, remembers its digest and returns it as 32 hex
// digits.
func (p *pairings) newCode(now time.Time) string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand panics instead)
	code := hex.EncodeToString(b[:])
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pending == nil {
		p.pending = map[[sha256.Size]byte]time.Time{}
	}
	p.expire(now)
	for len(p.pending) >= maxPendingPairings {
		var oldest [sha256.Size]byte
		var at time.Time
		for k, exp := range p.pending {
			if at.IsZero() || exp.Before(at) {
				oldest, at = k, exp
			}
		}
		delete(p.pending, oldest)
	}
	p.pending[sha256.Sum256([]byte(code))] = now.Add(PairingTTL)
	return code
}

// claim reports whether code is pending and unexpired, and forgets it
// either way: a code works once.
func (p *pairings) claim(code string, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expire(now)
	k := sha256.Sum256([]byte(code))
	_, ok := p.pending[k]
	delete(p.pending, k)
	return ok
}

func (p *pairings) expire(now time.Time) {
	for k, exp := range p.pending {
		if !now.Before(exp) {
			delete(p.pending, k)
		}
	}
}

// createPairing answers POST /api/v1/pair (token required) with the
// one-time URL to open in the browser.
func (s *Server) createPairing(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	code := s.pair.newCode(now)
	host := r.Host // already checked: 127.0.0.1, localhost or [::1] on our port
	writeJSON(w, http.StatusCreated, PairingResponse{URL: "http://" + host + "/pair#" + code, ExpiresAt: now.Add(PairingTTL).UTC()})
}

// claimPairing answers POST /api/v1/pair/claim. It needs no token (that is
// what it hands out) but a valid code; web pages are already refused by
// their Origin, and cannot learn a code from the daemon's page.
func (s *Server) claimPairing(w http.ResponseWriter, r *http.Request) {
	var req ClaimRequest
	if err := decodeJSON(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(req.Code) != 32 || !s.pair.claim(req.Code, s.now()) {
		s.fail(w, r, article.Errorf(article.EFORBIDDEN, "this pairing link was used already, has expired or is wrong: run `redline pair` again"))
		return
	}
	s.log.Info("extension paired")
	writeJSON(w, http.StatusOK, ClaimResponse{Token: s.token})
}

// pairPage is the page the one-time URL opens. It has no script: the
// extension's content script, which runs only here, reads the code from
// the fragment and writes the outcome into #redline-pair-status.
const pairPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="redline-pair" content="1">
<title>Pair Redline</title>
</head>
<body>
<h1>Pair the Redline extension</h1>
<p id="redline-pair-status">Waiting for the Redline extension… If this message stays, the extension is not installed in this browser: install it and open this link again, or paste the token (<code>redline token</code>) in the extension's options.</p>
</body>
</html>
`

func (s *Server) servePairPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(pairPage))
}
