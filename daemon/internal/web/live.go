package web

import (
	"encoding/json"
	"net/http"

	"redline/daemon/internal/hub"
)

// liveTicket gives the page a fresh ticket for the live-update socket
// (for reconnecting after the one in the page was spent or expired). Only
// the dashboard's own pages can read the answer: other origins are refused
// before this handler and the cookie is SameSite=Strict.
func (d *Dashboard) liveTicket(w http.ResponseWriter, r *http.Request, u user) error {
	t, err := d.sessions.newTicket(u.session)
	if err != nil {
		return err
	}
	last, err := d.store.LastEventID()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(map[string]any{"ticket": t, "last_event_id": last})
}

// live is the event stream for the dashboard: the same stream as
// /api/v1/events, authenticated by the session instead of the API token.
// The upgrade must come from the dashboard's own origin with the session
// cookie and a one-use ticket of that session in the URL; the socket's
// hello then carries the same ticket, as the extension's carries the
// token.
func (d *Dashboard) live(w http.ResponseWriter, r *http.Request, u user) error {
	if d.hub == nil {
		return userError(http.StatusNotFound, "Live updates are off.")
	}
	if !d.ownOrigin(r.Header.Get("Origin")) {
		return userError(http.StatusForbidden, "Live updates are for the dashboard's own pages.")
	}
	ticket := r.URL.Query().Get("ticket")
	if !d.sessions.spendTicket(u.session, ticket) {
		return userError(http.StatusForbidden, "This live-update ticket has expired or was used.")
	}
	h := &hub.Handler{Hub: d.hub, Token: ticket, AllowedOrigin: d.ownOrigin, Logger: d.log, Timing: d.timing}
	h.ServeHTTP(w, r)
	return nil
}
