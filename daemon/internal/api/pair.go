package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
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

// claimPath is where the extension trades a code for the token.
const claimPath = "/api/v1/pair/claim"

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
	if err := s.ext.learn(r.Context(), r.Header.Get("Origin")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("extension paired", "origin", r.Header.Get("Origin"))
	writeJSON(w, http.StatusOK, ClaimResponse{Token: s.token})
}

// pairPage is the page the one-time URL opens. It has no script: the
// extension's content script, which runs only here, reads the code from
// the fragment and writes the outcome into #redline-pair-status. It has
// the dashboard's look from a style sheet of its own (pairStyle), allowed
// by its digest in the page's CSP, and its icon as a data: URL, so the
// browser asks for no favicon.
const pairPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="redline-pair" content="1">
<title>Pair Redline</title>
<link rel="icon" href="` + pairIcon + `" type="image/svg+xml">
<style>` + pairStyle + `</style>
</head>
<body>
<header class="top"><span class="brand"><img src="` + pairIcon + `" alt="" width="22" height="22"> Redline</span></header>
<main>
<section class="message">
<h1>Pair the Redline extension</h1>
<p id="redline-pair-status">Waiting for the Redline extension… If this message stays, the extension is not installed in this browser: install it and open this link again, or paste the token (<code>redline token</code>) in the extension's options.</p>
</section>
</main>
</body>
</html>
`

// pairIcon is the dashboard's icon (web/assets/icon.svg) as a data: URL.
const pairIcon = `data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='7' fill='%23b3261e'/%3E%3Cpath d='M8 10h16M8 16h10M8 22h16' stroke='%23fff' stroke-width='3' stroke-linecap='round'/%3E%3Cpath d='M20 14l6 4' stroke='%23fff' stroke-width='2.5' stroke-linecap='round'/%3E%3C/svg%3E`

// pairStyle is the part of the dashboard's style sheet (web/assets/app.css)
// the pairing page uses.
const pairStyle = `
:root { --bg: #fbfaf8; --fg: #1d1b19; --dim: #6b665f; --line: #e4e0da; --card: #fff; --triv-bg: #ecebe8;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5; color-scheme: light dark; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #161514; --fg: #ebe8e3; --dim: #a19b92; --line: #34312d; --card: #1f1d1b; --triv-bg: #34312d; }
}
body { margin: 0; background: var(--bg); color: var(--fg); }
.top { display: flex; align-items: center; padding: 10px 24px; border-bottom: 1px solid var(--line); background: var(--card); }
.brand { display: flex; align-items: center; gap: 8px; font-weight: 700; font-size: 1.1rem; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 40px; }
.message { max-width: 560px; margin: 60px auto; padding: 28px; background: var(--card); border: 1px solid var(--line); border-radius: 10px; }
h1 { font-size: 1.6rem; margin: 0 0 8px; line-height: 1.25; }
code { font-family: ui-monospace, monospace; font-size: .88em; background: var(--triv-bg); padding: 1px 4px; border-radius: 4px; font-variant-ligatures: none; white-space: nowrap; }
`

// pairCSP lets the pairing page use its own style sheet and data: images,
// nothing else.
var pairCSP = func() string {
	sum := sha256.Sum256([]byte(pairStyle))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; img-src data:; " +
		"frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
}()

func (s *Server) servePairPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", pairCSP)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(pairPage))
}
