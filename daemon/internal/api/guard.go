package api

import (
	"crypto/subtle"
	"mime"
	"net/http"
	"strings"
)

// ChromeExtensionOrigin is Redline's extension in Chrome: the id is fixed
// by the key in extension/manifest.chrome.json.
const ChromeExtensionOrigin = "chrome-extension://pefbhbjklgdhmmiknnjkgangfknghlip"

// IsExtensionOrigin reports whether origin is well formed for a browser
// extension: chrome-extension:// (Chrome, Edge) or moz-extension://
// (Firefox). Being one is not enough to be let in: see extensionOrigins.
func IsExtensionOrigin(origin string) bool {
	for _, p := range []string{"chrome-extension://", "moz-extension://"} {
		if rest, ok := strings.CutPrefix(origin, p); ok {
			return rest != "" && !strings.ContainsAny(rest, "/:@?#")
		}
	}
	return false
}

// securityHeaders are set on every response: nothing here may be framed,
// sniffed, cached, or leak a referrer.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}

// checkHost rejects requests whose Host is not the daemon's own loopback
// address, which defeats DNS rebinding: a page on evil.example that
// resolves its name to 127.0.0.1 still sends Host: evil.example.
func (s *Server) checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hosts[strings.ToLower(r.Host)] {
			writeError(w, http.StatusMisdirectedRequest, "misdirected", "this daemon answers only to 127.0.0.1, localhost or [::1] on its own port")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkOrigin rejects requests that a web page or another extension made:
// any Origin other than Redline's own extension's (allowedExtension) or
// the daemon's own pages. Requests without Origin (the CLI) and "null"
// (some extension fetches) go on to the token check. A pairing claim may
// come from any well-formed extension origin: that is how a Firefox
// extension's per-install origin becomes known, and the claim needs a
// one-time code anyway.
func (s *Server) checkOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o := r.Header.Get("Origin")
		switch {
		case o == "" || o == "null" || s.origins[o] || s.ext.allowed(o):
		case IsExtensionOrigin(o) && r.URL.Path == claimPath:
		case IsExtensionOrigin(o):
			writeError(w, http.StatusForbidden, "forbidden", "this extension is not paired with Redline: pair it with `redline pair`")
			return
		default:
			writeError(w, http.StatusForbidden, "forbidden", "requests from web pages are not allowed")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requireToken checks the Bearer token in constant time.
func (s *Server) requireToken(next http.Handler) http.Handler {
	want := []byte("Bearer " + s.token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="redline"`)
			msg := "missing token: send Authorization: Bearer TOKEN (see `redline token`)"
			if len(got) > 0 {
				msg = "wrong token: pair again or check `redline token`"
			}
			writeError(w, http.StatusUnauthorized, "unauthorized", msg)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requireJSON accepts request bodies only as application/json, so that no
// HTML form or "simple" cross-site request can write anything.
func (s *Server) requireJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send the body as application/json")
				return
			}
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}
