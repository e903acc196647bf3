// Package web is Redline's dashboard: server-rendered pages on the daemon's
// loopback address that show what changed in what the user read, the Atom
// feeds of those changes, and the settings. Templates and assets are
// embedded; assets are served under a checksum path so caches never go
// stale.
//
// The dashboard talks to the store directly, never through the API token:
// a browser gets in only with a one-time URL that a holder of the token
// (`redline open`, the extension's background) asks for, which sets an
// HttpOnly, SameSite=Strict session cookie signed with a key kept beside
// the token, so sessions survive a restart of the daemon. The dashboard
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
	"net/url"
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
	// KeyDir is the folder of the key that signs session cookies
	// (SessionKeyFile, made on first start, mode 0600) and of the list of
	// sessions logged out (LoggedOutFile): the data folder, beside the
	// token. Required.
	KeyDir  string
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
	// pageRoutes are the patterns of the pages a login may go on to.
	pageRoutes map[string]bool
	pages      *pages
	csp        string
	feedMu     sync.RWMutex // guards feedTok, which the settings page can replace
	feedTok    string
	mux        *http.ServeMux
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
	sessions, err := openSessions(cfg.KeyDir, d.now)
	if err != nil {
		return nil, err
	}
	d.sessions = sessions
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
// the dashboard's origin) and when it expires. Once used, the login goes
// on to next, a page of the dashboard ("" is the home page); anything else
// is refused with an EINVALID error, so a login link never leads off the
// dashboard.
func (d *Dashboard) NewLogin(next string) (string, time.Time, error) {
	if next == "" {
		next = "/"
	}
	if !d.isPage(next) {
		return "", time.Time{}, article.Errorf(article.EINVALID, "next must be a page of the dashboard, a path such as \"/\" or \"/articles/12\", not %q", truncate(next, 100))
	}
	code, exp, err := d.sessions.newLogin(next)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("make login URL: %w", err)
	}
	return "/login?code=" + code, exp, nil
}

// isPage reports whether next is a path of one of the dashboard's pages
// (with its query, if any): a dashboard path (see dashboardPath) that the
// dashboard serves as a page, not a login, an asset, a feed or a form.
func (d *Dashboard) isPage(next string) bool {
	if len(next) > 2048 || !dashboardPath(next) {
		return false
	}
	u, err := url.Parse(next)
	if err != nil || u.Fragment != "" {
		return false
	}
	r, err := http.NewRequest(http.MethodGet, d.origin+u.RequestURI(), nil)
	if err != nil {
		return false
	}
	_, pattern := d.mux.Handler(r)
	return d.pageRoutes[pattern]
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
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

	d.pageRoutes = map[string]bool{}
	page := func(pattern string, fn handlerFunc) {
		d.pageRoutes[pattern] = true
		mux.HandleFunc(pattern, d.page(fn))
	}
	page("GET /{$}", d.home)
	page("GET /articles", d.articles)
	page("GET /articles/{id}", d.articlePage)
	page("GET /sites", d.sites)
	page("GET /sites/{site}", d.sitePage)
	page("GET /settings", d.settings)
	mux.HandleFunc("GET /articles/{id}/share.html", d.authed(d.shareHTML))
	mux.HandleFunc("GET /articles/{id}/card.png", d.authed(d.shareCard))
	mux.HandleFunc("GET /articles/{id}/share.md", d.authed(d.shareMarkdown))
	mux.HandleFunc("GET /export", d.authed(d.export))
	mux.HandleFunc("GET /backup", d.authed(d.backup))
	mux.HandleFunc("GET /live", d.authed(d.live))
	mux.HandleFunc("GET /live/ticket", d.authed(d.liveTicket))
	mux.HandleFunc("GET /live/changes/{id}", d.authed(d.liveChange))
	mux.HandleFunc("GET /live/articles/{id}/watch", d.authed(d.liveWatchOf))

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
	mux.HandleFunc("POST /logout-everywhere", d.form(d.logoutEverywhere))
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
	session session
	csrf    string
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, u user) error

// authed lets only a logged-in session through.
func (d *Dashboard) authed(fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var s session
		ok := false
		if d.onOwnHost(r) {
			s, ok = d.sessions.lookup(r)
		}
		if !ok {
			d.loginNeeded(w, r)
			return
		}
		d.sessions.touch(w, s)
		if err := fn(w, r, user{session: s, csrf: d.sessions.csrfOf(s)}); err != nil {
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

// login spends a one-time code (from `redline open` or the extension) and
// sets the session cookie. The answer is a page that moves on by itself to
// the page the login was made for: a navigation the dashboard starts is
// same-site, so the Strict cookie goes with it whatever opened the login
// URL.
func (d *Dashboard) login(w http.ResponseWriter, r *http.Request) {
	if !d.onOwnHost(r) {
		// Login links name the dashboard's own host; this one was
		// changed. The code is not spent, and the name not told.
		d.log.Warn("dashboard login refused: not on the dashboard's own host name", "host", r.Host)
		d.loginNeeded(w, r)
		return
	}
	s, next, ok, err := d.sessions.redeem(r.URL.Query().Get("code"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if !ok {
		d.log.Warn("dashboard login refused: unknown, expired or used code")
		d.render(w, r, http.StatusForbidden, "message", view{Title: "Login link expired", Message: &message{
			Heading: "This login link does not work",
			Text:    "Login links work once, for two minutes. Open the dashboard again from the Redline button in your browser's toolbar, or run `redline open`.",
		}})
		return
	}
	http.SetCookie(w, d.sessions.cookie(s))
	w.Header().Set("Cache-Control", "no-store")
	d.render(w, r, http.StatusOK, "loggedin", view{Title: "Logged in", Refresh: d.origin + next})
}

func (d *Dashboard) logout(w http.ResponseWriter, r *http.Request, u user) error {
	if err := d.sessions.end(u.session); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	d.render(w, r, http.StatusOK, "message", view{Title: "Logged out", Message: &message{
		Heading: "You are logged out", Text: "Open the dashboard again from the Redline button in your browser's toolbar, or run `redline open`.",
	}})
	return nil
}

// logoutEverywhere replaces the key that signs session cookies: every
// browser that was logged in, this one included, is logged out, also
// after a restart.
func (d *Dashboard) logoutEverywhere(w http.ResponseWriter, r *http.Request, u user) error {
	if err := d.sessions.endAll(); err != nil {
		return err
	}
	d.log.Info("dashboard: logged out everywhere (session key replaced)")
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	d.render(w, r, http.StatusOK, "message", view{Title: "Logged out everywhere", Message: &message{
		Heading: "You are logged out everywhere",
		Text:    "Every browser that had the dashboard open must log in again. Open it again from the Redline button in your browser's toolbar, or run `redline open`.",
	}})
	return nil
}

func (d *Dashboard) loginNeeded(w http.ResponseWriter, r *http.Request) {
	d.render(w, r, http.StatusUnauthorized, "message", view{Title: "Log in", Message: &message{
		Heading: "Open the dashboard from Redline",
		Text:    "Your reading history is private: the dashboard opens only through a one-time link. Click the Redline button in your browser's toolbar and choose Open dashboard, or run `redline open` (or `redline open --print` to copy the link).",
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
