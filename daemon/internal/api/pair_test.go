package api_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"redline/daemon/internal/api"
	"redline/daemon/internal/store"
)

// pairHarness is a harness whose clock the test moves.
func pairHarness(t *testing.T) (*harness, *atomic.Int64) {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var clock atomic.Int64
	clock.Store(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC).UnixNano())
	srv := httptest.NewUnstartedServer(nil)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	srv.Config.Handler = newHandler(t, api.Config{
		Store: st, Token: token, Port: port, Version: "test",
		Now: func() time.Time { return time.Unix(0, clock.Load()) },
	})
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		st.Close()
	})
	return &harness{t: t, base: srv.URL, store: st}, &clock
}

// newPairing asks for a one-time URL and returns the code in its fragment.
func newPairing(t *testing.T, h *harness) (api.PairingResponse, string) {
	t.Helper()
	resp, b := h.do(req{method: "POST", path: "/api/v1/pair", body: "{}"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create pairing: %d %s", resp.StatusCode, b)
	}
	var p api.PairingResponse
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	page, code, ok := strings.Cut(p.URL, "#")
	if !ok || page != h.base+"/pair" || len(code) != 32 {
		t.Fatalf("pairing URL %q: want %s/pair#<32 hex digits>", p.URL, h.base)
	}
	return p, code
}

// claim claims code the way the extension does: no token, its Origin.
func claim(h *harness, code string) (*http.Response, []byte) {
	return h.do(req{method: "POST", path: "/api/v1/pair/claim", body: `{"code":"` + code + `"}`, header: map[string]string{
		"Authorization": "", "Origin": "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
	}})
}

func TestPairingCodeGivesTheTokenOnce(t *testing.T) {
	h, _ := pairHarness(t)
	_, code := newPairing(t, h)

	resp, b := claim(h, code)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("claim: %d %s", resp.StatusCode, b)
	}
	var got api.ClaimResponse
	if err := json.Unmarshal(b, &got); err != nil || got.Token != token {
		t.Fatalf("claim answered %s, want the token", b)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "chrome-extension://abcdefghijklmnopabcdefghijklmnop" {
		t.Errorf("the extension cannot read the answer: Access-Control-Allow-Origin %q", resp.Header.Get("Access-Control-Allow-Origin"))
	}

	resp, b = claim(h, code)
	if resp.StatusCode != http.StatusForbidden || strings.Contains(string(b), token) {
		t.Fatalf("second claim of the same code: %d %s, want 403 without the token", resp.StatusCode, b)
	}
}

func TestPairingCodeExpiresAfterTenMinutes(t *testing.T) {
	h, clock := pairHarness(t)
	_, code := newPairing(t, h)
	clock.Add(int64(api.PairingTTL))
	if resp, b := claim(h, code); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("claim after 10 minutes: %d %s, want 403", resp.StatusCode, b)
	}

	_, code = newPairing(t, h)
	clock.Add(int64(api.PairingTTL - time.Second))
	if resp, b := claim(h, code); resp.StatusCode != http.StatusOK {
		t.Fatalf("claim within 10 minutes: %d %s, want 200", resp.StatusCode, b)
	}
}

func TestPairingRefusesStrangers(t *testing.T) {
	h, _ := pairHarness(t)
	_, code := newPairing(t, h)

	// Only the token's holder may make codes.
	if resp, _ := h.do(req{method: "POST", path: "/api/v1/pair", body: "{}", header: map[string]string{"Authorization": ""}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("create pairing without token: %d, want 401", resp.StatusCode)
	}
	// A guessed code gets nothing.
	if resp, b := claim(h, strings.Repeat("0", 32)); resp.StatusCode != http.StatusForbidden || strings.Contains(string(b), token) {
		t.Errorf("guessed code: %d %s, want 403", resp.StatusCode, b)
	}
	// A web page holding a valid code is refused by its Origin, and the
	// code still works for the extension afterwards.
	resp, b := h.do(req{method: "POST", path: "/api/v1/pair/claim", body: `{"code":"` + code + `"}`, header: map[string]string{
		"Authorization": "", "Origin": "https://evil.example",
	}})
	if resp.StatusCode != http.StatusForbidden || strings.Contains(string(b), token) {
		t.Errorf("claim from a web page: %d %s, want 403", resp.StatusCode, b)
	}
	// A form post (no JSON) never reaches the handler.
	resp, _ = h.do(req{method: "POST", path: "/api/v1/pair/claim", body: "code=" + code, header: map[string]string{
		"Authorization": "", "Content-Type": "application/x-www-form-urlencoded",
	}})
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("form post: %d, want 415", resp.StatusCode)
	}
	if resp, b := claim(h, code); resp.StatusCode != http.StatusOK {
		t.Errorf("the extension's claim after the refused ones: %d %s", resp.StatusCode, b)
	}
}

func TestPairPageHoldsNoSecretAndNoScript(t *testing.T) {
	h, _ := pairHarness(t)
	resp, b := h.do(req{path: "/pair", header: map[string]string{"Authorization": ""}})
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /pair: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	page := string(b)
	if strings.Contains(page, token) || strings.Contains(page, "<script") {
		t.Errorf("the pairing page must hold neither the token nor a script:\n%s", page)
	}
	if !strings.Contains(page, `id="redline-pair-status"`) {
		t.Errorf("the pairing page has no status line for the extension to fill")
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "img-src data:;") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
	// Its look: one style element, allowed by its digest; its icon is a
	// data: URL, so the browser asks for no /favicon.ico.
	m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllStringSubmatch(page, -1)
	if len(m) != 1 {
		t.Fatalf("the pairing page has %d style elements, want 1", len(m))
	}
	sum := sha256.Sum256([]byte(m[0][1]))
	if !strings.Contains(csp, "style-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
		t.Errorf("the CSP %q does not allow the page's style", csp)
	}
	if !regexp.MustCompile(`<link rel="icon" href="data:`).MatchString(page) || strings.Contains(page, " style=") {
		t.Errorf("the pairing page has no data: icon, or inline style attributes")
	}
}
