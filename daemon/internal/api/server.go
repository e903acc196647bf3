// Package api serves Redline's HTTP API on loopback: captures from the
// extension, articles and versions for the extension, the dashboard and the
// CLI. It guards a private reading history from every web page the user
// opens: Host check, token, JSON-only bodies and extension-only CORS.
package api

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rs/cors"

	"redline/daemon/internal/hub"
	"redline/daemon/internal/reading"
	"redline/daemon/internal/store"
)

// MaxBodyBytes caps every request body.
const MaxBodyBytes = 4 << 20

// Config holds what the API needs.
type Config struct {
	Store   *store.Store
	Token   string
	Port    int // the port the daemon listens on, for the Host check
	DataDir string
	Logger  *slog.Logger
	Version string
	// Hub serves the event stream; nil leaves /api/v1/events out.
	Hub *hub.Hub
	// HubTiming overrides the WebSocket deadlines (tests).
	HubTiming hub.Timing
	// Reading files captures, compares versions with the diff rules in
	// force, marks changes seen and forgets articles; nil makes one over
	// Store with the default rules.
	Reading *reading.Service
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Dashboard serves the pages, feeds and assets outside /api/ and
	// mints the one-time login URLs of `redline open`; nil leaves them out.
	Dashboard Dashboard
	// Watcher re-checks articles (track, check, pause, resume); nil leaves
	// its routes out.
	Watcher Watcher
	// BodyTimeout is how long a request's body may take to arrive, from
	// when its headers have; 0 means DefaultBodyTimeout.
	BodyTimeout time.Duration
	// Captures is how many captures may be saved at once; one more is
	// answered 503 with Retry-After. 0 means DefaultCaptures.
	Captures int
	// Routes are more routes under /api/ ("POST /api/v1/…" patterns),
	// behind the same guards as every other (the token, JSON, Host and
	// Origin). Only a build for the end-to-end tests gives one (its
	// clock); the shipped daemon gives none.
	Routes map[string]http.Handler
	// Notifier keeps the notification targets; nil leaves its routes
	// out.
	Notifier Notifier
}

// Dashboard is the web dashboard the API mounts.
type Dashboard interface {
	http.Handler
	// NewLogin returns the path and query of a one-time login URL that
	// goes on to the dashboard page next ("" for the home page), and when
	// it expires; a next that is not a page of the dashboard is an
	// EINVALID error.
	NewLogin(next string) (string, time.Time, error)
	// Origin is the dashboard's own origin (its host name of its own).
	Origin() string
}

// LoginRequest is the body of POST /api/v1/dashboard/login.
type LoginRequest struct {
	// Next is the dashboard page to open once logged in ("/articles/12");
	// empty means the home page.
	Next string `json:"next,omitempty"`
}

// LoginResponse answers POST /api/v1/dashboard/login.
type LoginResponse struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Server is the HTTP API. Its handlers are methods; routes are listed in
// Handler.
type Server struct {
	store   *store.Store
	token   string
	hosts   map[string]bool
	origins map[string]bool
	dataDir string
	log     *slog.Logger
	version string
	now     func() time.Time
	started time.Time
	hub     *hub.Hub
	timing  hub.Timing
	reading *reading.Service
	dash    Dashboard
	port    int
	pair    pairings
	ext     *extensionOrigins
	watcher Watcher
	// notifier keeps the notification targets (nil: no routes).
	notifier Notifier
	// rechecker serves re-checks through the browser (nil: none).
	rechecker Rechecker
	// bodyTimeout bounds how long a body may take (see bodyDeadline).
	bodyTimeout time.Duration
	// captures holds a token for each capture being saved.
	captures chan struct{}
	// routes are more routes under /api/ (Config.Routes).
	routes map[string]http.Handler
}

// New returns a Server for cfg.
func New(cfg Config) (*Server, error) {
	s := &Server{
		store: cfg.Store, token: cfg.Token, dataDir: cfg.DataDir, log: cfg.Logger,
		version: cfg.Version, now: cfg.Now, hub: cfg.Hub, timing: cfg.HubTiming, reading: cfg.Reading,
		dash: cfg.Dashboard, port: cfg.Port, routes: cfg.Routes,
	}
	s.watcher = cfg.Watcher
	s.notifier = cfg.Notifier
	if rc, ok := cfg.Watcher.(Rechecker); ok {
		s.rechecker = rc
	}
	s.bodyTimeout = cfg.BodyTimeout
	if s.bodyTimeout <= 0 {
		s.bodyTimeout = DefaultBodyTimeout
	}
	n := cfg.Captures
	if n <= 0 {
		n = DefaultCaptures
	}
	s.captures = make(chan struct{}, n)
	if s.reading == nil {
		rc := reading.Config{Store: cfg.Store}
		if cfg.Hub != nil {
			rc.Hub = cfg.Hub
		}
		s.reading = reading.New(rc)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.started = s.now()
	ext, err := loadExtensionOrigins(cfg.Store)
	if err != nil {
		return nil, err
	}
	s.ext = ext
	port := strconv.Itoa(cfg.Port)
	s.hosts = map[string]bool{}
	s.origins = map[string]bool{}
	for _, h := range []string{"127.0.0.1", "localhost", "[::1]"} {
		s.hosts[h+":"+port] = true
		s.origins["http://"+h+":"+port] = true
	}
	if s.dash != nil {
		// The dashboard's own host name: its pages post forms and
		// open the live-update socket from there.
		o := s.dash.Origin()
		s.hosts[strings.TrimPrefix(o, "http://")] = true
		s.origins[o] = true
	}
	return s, nil
}

// Handler returns the API with every route and guard.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)

	api := http.NewServeMux()
	api.HandleFunc("POST /api/v1/captures", s.createCapture)
	api.HandleFunc("GET /api/v1/articles", s.listArticles)
	api.HandleFunc("GET /api/v1/articles/{id}", s.getArticle)
	api.HandleFunc("DELETE /api/v1/articles/{id}", s.deleteArticle)
	api.HandleFunc("GET /api/v1/articles/{id}/versions/{n}", s.getVersion)
	api.HandleFunc("GET /api/v1/articles/{id}/diff", s.getDiff)
	api.HandleFunc("POST /api/v1/articles/{id}/seen", s.markSeen)
	api.HandleFunc("GET /api/v1/status", s.status)
	api.HandleFunc("POST /api/v1/pair", s.createPairing)
	api.HandleFunc("GET /api/v1/export", s.export)
	api.HandleFunc("GET /api/v1/backup", s.backup)
	api.HandleFunc("GET /api/v1/settings/sites", s.getSiteRules)
	api.HandleFunc("POST /api/v1/settings/sites", s.setSiteRules)
	api.HandleFunc("GET /api/v1/sites/{site}/furniture", s.getFurniture)
	api.HandleFunc("DELETE /api/v1/sites/{site}/furniture/{id}", s.removeFurniture)
	api.HandleFunc("GET /api/v1/settings/alerts", s.getAlertSettings)
	api.HandleFunc("POST /api/v1/settings/alerts", s.setAlertSettings)
	if s.notifier != nil {
		api.HandleFunc("GET /api/v1/notify/targets", s.listNotifyTargets)
		api.HandleFunc("POST /api/v1/notify/targets", s.addNotifyTarget)
		api.HandleFunc("DELETE /api/v1/notify/targets/{id}", s.removeNotifyTarget)
		api.HandleFunc("POST /api/v1/notify/test", s.testNotifyTargets)
	}
	if s.watcher != nil {
		api.HandleFunc("POST /api/v1/watches", s.track)
		api.HandleFunc("GET /api/v1/watches", s.listWatches)
		api.HandleFunc("POST /api/v1/watches/schedule", s.setSchedule)
		api.HandleFunc("POST /api/v1/articles/{id}/check", s.checkArticle)
		api.HandleFunc("POST /api/v1/articles/{id}/pause", s.pauseArticle)
		api.HandleFunc("POST /api/v1/articles/{id}/resume", s.resumeArticle)
		api.HandleFunc("POST /api/v1/sites/{site}/pause", s.pauseSite)
		api.HandleFunc("POST /api/v1/sites/{site}/resume", s.resumeSite)
	}
	if s.rechecker != nil {
		api.HandleFunc("GET /api/v1/settings/recheck", s.getRecheckSettings)
		api.HandleFunc("POST /api/v1/settings/recheck", s.setRecheckSettings)
		api.HandleFunc("POST /api/v1/rechecks/{job}", s.answerRecheck)
	}
	for pattern, h := range s.routes {
		if !strings.Contains(pattern, " /api/") {
			panic("api: an extra route must be under /api/: " + pattern)
		}
		api.Handle(pattern, h)
	}
	if s.hub != nil {
		// The WebSocket authenticates with its first message (browsers
		// cannot set headers on it); Host and Origin are checked below.
		events := &hub.Handler{
			Hub: s.hub, Token: s.token, Logger: s.log, Timing: s.timing,
			AllowedOrigin: func(o string) bool { return s.ext.allowed(o) || s.origins[o] },
		}
		if s.rechecker != nil {
			events.Jobs = s.rechecker
		}
		mux.Handle("GET /api/v1/events", events)
	}
	// Pairing: the one-time page, and the claim that trades its code for
	// the token (so it cannot itself need the token).
	mux.HandleFunc("GET /pair", s.servePairPage)
	mux.Handle("POST "+claimPath, s.extensionCORS(IsExtensionOrigin).Handler(s.requireJSON(http.HandlerFunc(s.claimPairing))))
	mux.Handle("/api/", s.extensionCORS(s.ext.allowed).Handler(s.requireToken(s.requireJSON(jsonMethodErrors(api)))))
	if s.dash != nil {
		// The dashboard's own session, CSRF and CSP guard its pages; the
		// Host and Origin checks below still apply.
		api.HandleFunc("POST /api/v1/dashboard/login", s.dashboardLogin)
		mux.Handle("/", s.dash)
	} else {
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			writeError(w, http.StatusNotFound, "not_found", "not found")
		})
	}
	return s.bodyDeadline(s.securityHeaders(s.checkHost(s.checkOrigin(mux))))
}

// extensionCORS lets the extension's pages read responses; no web origin
// is ever allowed, and credentials (cookies) are never part of it.
func (s *Server) extensionCORS(allow func(origin string) bool) *cors.Cors {
	return cors.New(cors.Options{
		AllowOriginFunc:  allow,
		AllowedMethods:   []string{http.MethodGet, http.MethodPost, http.MethodDelete},
		AllowedHeaders:   []string{"Authorization", "Content-Type"},
		AllowCredentials: false,
		MaxAge:           600,
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// dashboardLogin mints a one-time dashboard login URL for `redline open`
// and the extension's background; only a holder of the API token can, and
// never from a web page (checkOrigin refuses every web origin, the
// dashboard's own included).
func (s *Server) dashboardLogin(w http.ResponseWriter, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" && o != "null" && !s.ext.allowed(o) {
		writeError(w, http.StatusForbidden, "forbidden", "login links are made only for Redline's extension and `redline open`, not for web pages")
		return
	}
	var req LoginRequest
	if err := decodeJSON(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	path, exp, err := s.dash.NewLogin(req.Next)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, LoginResponse{URL: s.dash.Origin() + path, ExpiresAt: exp})
}
