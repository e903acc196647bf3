// Package web is Redline's dashboard: server-rendered pages on the daemon's
// loopback address that show what changed in what the user read, the Atom
// feeds of those changes, and the settings. Templates and assets are
// embedded; assets are served under a checksum path so caches never go
// stale.
//
// The dashboard talks to the store directly, never through the API token:
// a browser gets in only with the one-time URL that `redline open` prints,
// which sets an HttpOnly, SameSite=Strict session cookie. The dashboard
// lives on a host name of its own (Config.Host, a random name under
// .localhost): browsers keep cookies apart by host but not by port, so a
// cookie of 127.0.0.1 would reach every other server on 127.0.0.1. Every form
// carries a CSRF token; every page carries a strict Content-Security-Policy
// without inline script or style; captured text is hostile and is escaped
// by html/template.
package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/hub"
	"redline/daemon/internal/reading"
	"redline/daemon/internal/store"
)

// Config holds what the dashboard needs.
type Config struct {
	Store *store.Store
	// Hub serves live updates; nil turns them off.
	Hub       *hub.Hub
	HubTiming hub.Timing
	// Host is the dashboard's own host name, without the port
	// (config.LoadDashboardHost). Sessions live only there.
	Host string
	// Port is the daemon's port, for the CSP and login URLs.
	Port    int
	DataDir string
	Logger  *slog.Logger
	Version string
	// Watcher re-checks articles by fetching them; nil hides check now,
	// pause and the schedule.
	Watcher Watcher
	// AllowPrivate says whether the watcher may fetch pages on this
	// computer and on private networks (shown in the settings).
	AllowPrivate bool
	// Reading compares versions with the diff rules in force (the
	// settings page changes them), marks changes seen and forgets
	// articles; nil makes one over Store with the default rules.
	Reading *reading.Service
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Notifier keeps the notification targets; nil hides them.
	Notifier Notifier
}

// Dashboard serves the pages, the feeds and the assets.
type Dashboard struct {
	store    *store.Store
	hub      *hub.Hub
	timing   hub.Timing
	host     string
	port     int
	origin   string // http://host:port
	dataDir  string
	log      *slog.Logger
	version  string
	reading  *reading.Service
	watcher  Watcher
	notifier Notifier
	private  bool
	now      func() time.Time
	sessions *sessions
	pages    *pages
	csp      string
	feedMu   sync.RWMutex // guards feedTok, which the settings page can replace
	feedTok  string
	mux      *http.ServeMux
	// grades are the versions' grades the article page has worked out.
	grades gradeCache
}

// New returns the dashboard for cfg.
func New(cfg Config) (*Dashboard, error) {
	d := &Dashboard{
		store: cfg.Store, hub: cfg.Hub, timing: cfg.HubTiming, host: strings.ToLower(cfg.Host), port: cfg.Port, dataDir: cfg.DataDir,
		log: cfg.Logger, version: cfg.Version, reading: cfg.Reading, now: cfg.Now, watcher: cfg.Watcher, notifier: cfg.Notifier,
		private: cfg.AllowPrivate,
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if !strings.HasSuffix(d.host, ".localhost") || strings.ContainsAny(d.host, ":/ ") {
		return nil, fmt.Errorf("dashboard host %q: want a name of its own under .localhost", cfg.Host)
	}
	port := strconv.Itoa(cfg.Port)
	d.origin = "http://" + d.host + ":" + port
	if d.now == nil {
		d.now = time.Now
	}
	if d.reading == nil {
		rc := reading.Config{Store: cfg.Store}
		if cfg.Hub != nil {
			rc.Hub = cfg.Hub
		}
		d.reading = reading.New(rc)
	}
	d.sessions = newSessions(d.now)
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	d.pages = p
	if err := d.loadFeedToken(context.Background()); err != nil {
		return nil, err
	}
	d.csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self' ws://" + d.host + ":" + port + "; " +
		"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
	d.routes()
	return d, nil
}

// NewLogin returns a one-time login URL (path and query, to be put after
// the daemon's address) and when it expires.
func (d *Dashboard) NewLogin() (string, time.Time, error) {
	code, exp, err := d.sessions.newLogin()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("make login URL: %w", err)
	}
	return "/login?code=" + code, exp, nil
}

// Origin is the dashboard's own origin, http://HOST:PORT: login links
// point there, and only there does a session count.
func (d *Dashboard) Origin() string { return d.origin }

// onOwnHost reports whether r was sent to the dashboard's own host name.
func (d *Dashboard) onOwnHost(r *http.Request) bool {
	return strings.EqualFold(r.Host, d.host+":"+strconv.Itoa(d.port))
}

// routes lists every route of the dashboard in one place.
func (d *Dashboard) routes() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", d.login)
	mux.HandleFunc("GET /assets/{sum}/{name}", d.asset)
	mux.HandleFunc("GET /feeds/changes.atom", d.changesFeed)
	mux.HandleFunc("GET /feeds/articles/{id}", d.articleFeed)

	mux.HandleFunc("GET /{$}", d.page(d.home))
	mux.HandleFunc("GET /articles", d.page(d.articles))
	mux.HandleFunc("GET /articles/{id}", d.page(d.articlePage))
	mux.HandleFunc("GET /sites", d.page(d.sites))
	mux.HandleFunc("GET /sites/{site}", d.page(d.sitePage))
	mux.HandleFunc("GET /settings", d.page(d.settings))
	mux.HandleFunc("GET /export", d.authed(d.export))
	mux.HandleFunc("GET /backup", d.authed(d.backup))
	mux.HandleFunc("GET /live", d.authed(d.live))
	mux.HandleFunc("GET /live/ticket", d.authed(d.liveTicket))
	mux.HandleFunc("GET /live/changes/{id}", d.authed(d.liveChange))

	mux.HandleFunc("POST /articles/{id}/seen", d.form(d.markSeen))
	mux.HandleFunc("POST /articles/{id}/forget", d.form(d.forgetArticle))
	mux.HandleFunc("POST /articles/{id}/check", d.form(d.checkArticle))
	mux.HandleFunc("POST /articles/{id}/pause", d.form(d.pauseArticle))
	mux.HandleFunc("POST /articles/{id}/resume", d.form(d.resumeArticle))
	mux.HandleFunc("POST /settings/schedule", d.form(d.saveSchedule))
	mux.HandleFunc("POST /settings/recheck", d.form(d.saveRecheck))
	mux.HandleFunc("POST /seen", d.form(d.markAllSeen))
	mux.HandleFunc("POST /settings/rules", d.form(d.saveRules))
	mux.HandleFunc("POST /settings/sites", d.form(d.saveSites))
	mux.HandleFunc("POST /settings/alerts", d.form(d.saveAlerts))
	mux.HandleFunc("POST /settings/forget-site", d.form(d.forgetSite))
	mux.HandleFunc("POST /sites/{site}/furniture/remove", d.form(d.removeFurniture))
	mux.HandleFunc("POST /settings/feed-token", d.form(d.newFeedToken))
	mux.HandleFunc("POST /settings/notify/add", d.form(d.addTarget))
	mux.HandleFunc("POST /settings/notify/remove", d.form(d.removeTarget))
	mux.HandleFunc("POST /settings/notify/test", d.form(d.testTarget))
	mux.HandleFunc("POST /logout", d.form(d.logout))
	mux.HandleFunc("/", d.notFound)
	d.mux = mux
}

// ServeHTTP serves the dashboard with its security headers.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", d.csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	// same-origin: the dashboard's own form posts carry its Origin (with
	// no-referrer, browsers send Origin: null); links out send nothing.
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	d.mux.ServeHTTP(w, r)
}

// user is what a handler knows about the logged-in browser.
type user struct {
	session string
	csrf    string
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, u user) error

// authed lets only a logged-in session through.
func (d *Dashboard) authed(fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, csrf, ok := "", "", false
		if d.onOwnHost(r) {
			id, csrf, ok = d.sessions.lookup(r)
		}
		if !ok {
			d.loginNeeded(w, r)
			return
		}
		if err := fn(w, r, user{session: id, csrf: csrf}); err != nil {
			d.fail(w, r, err)
		}
	}
}

// page is authed for GET pages; they vary with the session.
func (d *Dashboard) page(fn handlerFunc) http.HandlerFunc {
	return d.authed(func(w http.ResponseWriter, r *http.Request, u user) error {
		w.Header().Set("Cache-Control", "no-store")
		return fn(w, r, u)
	})
}

// form is authed and checks that a POSTed form came from the dashboard's
// own pages (formFrom) and carries the session's CSRF token. Each refusal
// is logged once, with the path and the reason.
func (d *Dashboard) form(fn handlerFunc) http.HandlerFunc {
	return d.authed(func(w http.ResponseWriter, r *http.Request, u user) error {
		if reason := d.formFrom(r); reason != "" {
			d.log.Warn("dashboard form refused", "path", r.URL.Path, "reason", reason)
			return userError(article.EFORBIDDEN, "This form did not come from the dashboard.")
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			d.log.Warn("dashboard form refused", "path", r.URL.Path, "reason", "the form could not be read")
			return userError(article.EINVALID, "The form could not be read.")
		}
		if !d.sessions.checkCSRF(u.session, r.PostForm.Get("csrf")) {
			reason := "wrong CSRF token"
			if r.PostForm.Get("csrf") == "" {
				reason = "no CSRF token"
			}
			d.log.Warn("dashboard form refused", "path", r.URL.Path, "reason", reason)
			return userError(article.EFORBIDDEN, "This form has expired or did not come from the dashboard. Reload the page and try again.")
		}
		return fn(w, r, u)
	})
}

// formFrom says why a form post did not come from the dashboard's own
// pages, or "" when nothing says it did not. The dashboard's pages send
// Referrer-Policy: same-origin, so a browser posts their forms with the
// dashboard's Origin; a browser that still says Origin: null (a stricter
// policy of its own) is believed only when Sec-Fetch-Site says the post
// is same-origin. Another port on 127.0.0.1 is the same site but another
// origin: refused. A request with neither header (not a browser) goes on
// to the CSRF check, which every post must pass anyway.
func (d *Dashboard) formFrom(r *http.Request) string {
	site := r.Header.Get("Sec-Fetch-Site")
	if site != "" && site != "same-origin" {
		return "Sec-Fetch-Site is " + strconv.Quote(site)
	}
	switch o := r.Header.Get("Origin"); {
	case o == "":
		return ""
	case o == "null":
		if site != "same-origin" {
			return "Origin is null and Sec-Fetch-Site is not same-origin"
		}
		return ""
	case !d.ownOrigin(o):
		return "Origin is " + strconv.Quote(o)
	}
	return ""
}

func (d *Dashboard) ownOrigin(o string) bool {
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(o)), []byte(d.origin)) == 1
}

// login spends a one-time code from `redline open` and sets the session
// cookie. The answer is a page that moves on to the dashboard by itself:
// a navigation the dashboard starts is same-site, so the Strict cookie
// goes with it whatever opened the login URL.
func (d *Dashboard) login(w http.ResponseWriter, r *http.Request) {
	if !d.onOwnHost(r) {
		// Login links name the dashboard's own host; this one was
		// changed. The code is not spent, and the name not told.
		d.log.Warn("dashboard login refused: not on the dashboard's own host name", "host", r.Host)
		d.loginNeeded(w, r)
		return
	}
	id, ok, err := d.sessions.redeem(r.URL.Query().Get("code"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if !ok {
		d.log.Warn("dashboard login refused: unknown, expired or used code")
		d.render(w, r, http.StatusForbidden, "message", view{Title: "Login link expired", Message: &message{
			Heading: "This login link does not work",
			Text:    "Login links work once, for two minutes. Run `redline open` for a new one.",
		}})
		return
	}
	// Host-only (no Domain), the whole dashboard (Path=/), never sent
	// cross-site, out of reach of script, and short-lived: as close to a
	// __Host- cookie as plain HTTP allows.
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		MaxAge: int(SessionMaxAge / time.Second),
	})
	w.Header().Set("Cache-Control", "no-store")
	d.render(w, r, http.StatusOK, "loggedin", view{Title: "Logged in", Refresh: true})
}

func (d *Dashboard) logout(w http.ResponseWriter, r *http.Request, u user) error {
	d.sessions.end(u.session)
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	d.render(w, r, http.StatusOK, "message", view{Title: "Logged out", Message: &message{
		Heading: "You are logged out", Text: "Run `redline open` to open the dashboard again.",
	}})
	return nil
}

func (d *Dashboard) loginNeeded(w http.ResponseWriter, r *http.Request) {
	d.render(w, r, http.StatusUnauthorized, "message", view{Title: "Log in", Message: &message{
		Heading: "Open the dashboard from your terminal",
		Text:    "Your reading history is private: the dashboard opens only through a one-time link. Run `redline open` (or `redline open --print` to copy the link).",
	}})
}

func (d *Dashboard) notFound(w http.ResponseWriter, r *http.Request) {
	d.render(w, r, http.StatusNotFound, "message", view{Title: "Not found", Message: &message{
		Heading: "Nothing here", Text: "This page does not exist.",
	}})
}

// errUser is an error the dashboard words itself, shown as it is; its code
// gives the status, from the one table of article.HTTPStatus.
type errUser struct{ err *article.Error }

func (e *errUser) Error() string { return e.err.Message }
func (e *errUser) Unwrap() error { return e.err }

func userError(code, text string) error {
	return &errUser{err: &article.Error{Code: code, Message: text}}
}

// fail answers with the status of err's code (article.HTTPStatus, as the
// API does) and a page that says what went wrong; internal errors are
// logged and shown without detail.
func (d *Dashboard) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := article.ErrorCode(err)
	status, text := article.HTTPStatus(code), article.ErrorMessage(err)
	var ue *errUser
	switch {
	case errors.As(err, &ue):
	case code == article.ENOTFOUND:
		text = "There is no such article (it may have been forgotten)."
	case code == article.EINTERNAL:
		text = "Something went wrong; the daemon's log has the details."
		if !errorsIsContext(err) {
			d.log.Error("dashboard request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
	}
	d.render(w, r, status, "message", view{Title: "Error", Message: &message{Heading: http.StatusText(status), Text: text}})
}

func errorsIsContext(err error) bool {
	return err == context.Canceled || strings.Contains(err.Error(), context.Canceled.Error())
}
