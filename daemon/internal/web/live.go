package web

import (
	"encoding/json"
	"net/http"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/diff"
	"redline/daemon/internal/hub"
)

// goLive readies a page to follow changes live (app.js): a ticket for the
// live-update socket and the last event it has seen. Without a hub the
// page is not live.
func (d *Dashboard) goLive(v *view, u user) error {
	v.Live = d.hub != nil
	if !v.Live {
		return nil
	}
	var err error
	if v.Ticket, err = d.sessions.newTicket(u.session); err != nil {
		return err
	}
	v.LastEventID, err = d.store.LastEventID()
	return err
}

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
		return userError(article.ENOTFOUND, "Live updates are off.")
	}
	if !d.ownOrigin(r.Header.Get("Origin")) {
		return userError(article.EFORBIDDEN, "Live updates are for the dashboard's own pages.")
	}
	ticket := r.URL.Query().Get("ticket")
	if !d.sessions.spendTicket(u.session, ticket) {
		return userError(article.EFORBIDDEN, "This live-update ticket has expired or was used.")
	}
	h := &hub.Handler{Hub: d.hub, Token: ticket, AllowedOrigin: d.ownOrigin, Logger: d.log, Timing: d.timing, Watches: true}
	h.ServeHTTP(w, r)
	return nil
}

// liveCard is a change of the home page as data: the live list builds
// from it the same card the server renders (template "change"), with
// textContent. Times come in words already, as the server says them.
type liveCard struct {
	ArticleID int64 `json:"article_id"`
	// Unseen says the change alerts under the user's policy: the live
	// list shows only such cards.
	Unseen       bool         `json:"unseen"`
	Significance string       `json:"significance,omitempty"`
	Site         string       `json:"site"`
	Title        string       `json:"title"`
	From         int          `json:"from"`
	To           int          `json:"to"`
	Changed      liveTime     `json:"changed"`
	ReadVersion  int          `json:"read_version,omitempty"`
	Read         liveTime     `json:"read"`
	Words        []string     `json:"words,omitempty"`
	Preview      *livePreview `json:"preview,omitempty"`
	// Versions is the version Mark seen marks seen up to.
	Versions int `json:"versions"`
}

// liveTime is a time as a <time> element shows it.
type liveTime struct {
	ISO   string `json:"iso"`
	Title string `json:"title"`
	Words string `json:"words"`
}

type livePreview struct {
	Label string      `json:"label"`
	Spans []diff.Span `json:"spans"`
}

func liveTimeOf(t time.Time) liveTime {
	return liveTime{ISO: t.UTC().Format(time.RFC3339), Title: absTime(t), Words: ago(t)}
}

// liveChange answers GET /live/changes/{id}: the article's change as the
// home page shows it, for the live list. Session only; no other origin
// can read it.
func (d *Dashboard) liveChange(w http.ResponseWriter, r *http.Request, u user) error {
	a, err := d.articleOf(r)
	if err != nil {
		return err
	}
	policy, err := d.reading.AlertPolicy()
	if err != nil {
		return err
	}
	c, err := d.changeOf(a, policy)
	if err != nil {
		return err
	}
	card := liveCard{
		ArticleID: a.ID, Unseen: c.Unseen, Significance: string(c.Significance), Site: a.Site, Title: a.Title,
		From: c.From, To: c.To, Changed: liveTimeOf(a.LastChanged),
		ReadVersion: a.Read.Version, Read: liveTimeOf(a.Read.At), Words: c.Words, Versions: a.Versions,
	}
	if c.Preview != nil {
		card.Preview = &livePreview{Label: c.Preview.Label, Spans: c.Preview.Spans}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(card)
}

// liveWatch is what the article page says of an article's checks, for
// the page to follow them live: the same words and detail the server
// renders (watchOf).
type liveWatch struct {
	State  string `json:"state"`
	Words  string `json:"words"`
	Detail string `json:"detail"`
}

// liveWatchOf answers GET /live/articles/{id}/watch: the article's checks
// as its page says them, when an article.watch notice (or a change) came
// on the live socket. Session only; no other origin can read it.
func (d *Dashboard) liveWatchOf(w http.ResponseWriter, r *http.Request, u user) error {
	a, err := d.articleOf(r)
	if err != nil {
		return err
	}
	v := d.watchOf(a)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(liveWatch{State: string(v.State), Words: v.Words, Detail: v.Detail})
}

// articleOf returns the article the request's path names.
func (d *Dashboard) articleOf(r *http.Request) (article.Article, error) {
	id, err := pathID(r)
	if err != nil {
		return article.Article{}, err
	}
	return d.store.Article(id)
}
