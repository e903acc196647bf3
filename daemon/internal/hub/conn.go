package hub

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// Timing of a connection. The extension sends an application ping every
// 20 s to keep its service worker alive; the server pings too, and drops a
// connection that stops answering.
type Timing struct {
	HelloWait  time.Duration // the first message must arrive within this
	WriteWait  time.Duration // a write that takes longer drops the client
	PongWait   time.Duration // silence longer than this drops the client
	PingPeriod time.Duration // server pings this often (less than PongWait)
}

// DefaultTiming is what the daemon uses.
var DefaultTiming = Timing{HelloWait: 5 * time.Second, WriteWait: 10 * time.Second, PongWait: 60 * time.Second, PingPeriod: 50 * time.Second}

// replayPage is how many events a connection reads from the log at once.
const replayPage = 256

// maxMessage caps what a client may send in one message.
const maxMessage = 4 << 10

// Close codes sent to clients (4000–4999 are for applications).
const (
	CloseUnauthorized = 4401
	CloseBadHello     = 4400
)

// Handler serves GET /api/v1/events.
type Handler struct {
	Hub           *Hub
	Token         string
	AllowedOrigin func(origin string) bool
	Logger        *slog.Logger
	Timing        Timing
	// Jobs hands re-check jobs to clients that take them (their hello
	// says "rechecks": true); nil offers none. Only the API's stream, whose
	// clients hold the token, sets it: never the dashboard's.
	Jobs Jobs
	// Watches sends the connection a WatchNotice each time an article's
	// watch changes (Hub.WatchChanged). Only the dashboard's stream sets
	// it: its article page shows the watch.
	Watches bool
}

// WatchNotice tells a client that follows watches that an article's
// watch changed (a check was recorded, a re-check job through the
// browser moved). It is no event: it has no event_id and is not replayed.
type WatchNotice struct {
	Type      string `json:"type"` // "article.watch"
	ArticleID int64  `json:"article_id"`
}

// Jobs is where connections that take re-check jobs get them.
type Jobs interface {
	// Attach registers a connection: jobs arrive on the channel (each is
	// written as one JSON message) until detach is called. ready is
	// called when the client says its state changed so that it may now do
	// the jobs it declined ({"type":"recheck.ready"}).
	Attach() (jobs <-chan any, ready func(), detach func())
}

// Welcome answers a good hello. It carries the settings in force, which
// the client applies until a settings.changed message says otherwise.
type Welcome struct {
	Type        string   `json:"type"`
	LastEventID int64    `json:"last_event_id"`
	Settings    Settings `json:"settings"`
}

// SettingsChanged tells a connected client the settings it applies now.
type SettingsChanged struct {
	Type     string   `json:"type"` // "settings.changed"
	Settings Settings `json:"settings"`
}

// ErrorMessage is sent before the server closes a connection for cause.
type ErrorMessage struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ServeHTTP upgrades the request, checks the hello, then runs the
// connection's two pumps until either ends: the read pump in its own
// goroutine, the write pump in this one. The client's one close path
// (client.close) closes the socket and waits for the read pump.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.Hub.enter() {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"error":{"code":"unavailable","message":"the daemon is shutting down"}}`))
		return
	}
	defer h.Hub.conns.Done()
	ws, err := h.upgrader().Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	c := &client{ws: ws, hub: h.Hub, t: h.timing(), log: h.logger(), pongs: make(chan struct{}, 1), readerDone: make(chan struct{}), watches: h.Watches}
	defer c.close()
	ws.SetReadLimit(maxMessage)
	after, latest, rechecks, ok := h.hello(ws, c.t, c.log)
	if !ok {
		return
	}
	if rechecks && h.Jobs != nil {
		jobs, ready, detach := h.Jobs.Attach()
		defer detach()
		c.jobs, c.ready = jobs, ready
	}
	c.reading = true
	go c.readPump()
	c.writePump(r.Context(), after, latest)
}

func (h *Handler) upgrader() *websocket.Upgrader {
	return &websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		// Browsers always send Origin on a WebSocket: only the extension
		// and the dashboard may connect. Non-browser clients send none and
		// still need the token in their hello.
		CheckOrigin: func(r *http.Request) bool {
			o := r.Header.Get("Origin")
			return o == "" || (h.AllowedOrigin != nil && h.AllowedOrigin(o))
		},
	}
}

func (h *Handler) timing() Timing {
	if h.Timing.HelloWait == 0 {
		return DefaultTiming
	}
	return h.Timing
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}

// client is one connection after its hello.
type client struct {
	ws         *websocket.Conn
	hub        *Hub
	t          Timing
	log        *slog.Logger
	pongs      chan struct{} // the read pump asks the write pump for a pong
	readerDone chan struct{} // closed when the read pump ends
	reading    bool          // the read pump was started
	jobs       <-chan any    // re-check jobs for this client (nil: none)
	ready      func()        // the client may do the jobs it declined (nil: takes none)
	watches    bool          // send WatchNotices (Handler.Watches)
}

// close is the connection's one close path: closing the socket ends the
// read pump, which close then waits for.
func (c *client) close() {
	c.ws.Close()
	if c.reading {
		<-c.readerDone
	}
}

// readPump reads the client's messages: it answers application pings
// through the write pump and keeps the read deadline moving while the
// client is alive. It ends when the socket is closed or the client goes
// silent past PongWait or sends a bad message.
func (c *client) readPump() {
	defer close(c.readerDone)
	c.ws.SetReadDeadline(time.Now().Add(c.t.PongWait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(c.t.PongWait)) })
	for {
		_, b, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		m, err := decodeMessage(b)
		if err != nil {
			c.log.Debug("websocket: dropping client", "err", err)
			return
		}
		c.ws.SetReadDeadline(time.Now().Add(c.t.PongWait))
		switch {
		case m.Type == "ping":
			select {
			case c.pongs <- struct{}{}:
			default: // a pong is already on its way
			}
		case m.Type == "recheck.ready" && c.ready != nil:
			c.ready()
		}
	}
}

// writePump is the connection's one writer: the welcome, then the events
// after the given id, live, with pongs and server pings between them, and
// the settings each time they change. It returns when the client leaves,
// a write fails, the request ends or the hub shuts down.
func (c *client) writePump(ctx context.Context, after, latest int64) {
	settings, sent := c.hub.settingsNow()
	// Notices from before the hello are not sent: the page was rendered
	// after them.
	_, watchesSent := c.hub.watchesAfter(math.MaxInt64)
	if err := c.write(Welcome{Type: "welcome", LastEventID: latest, Settings: settings}); err != nil {
		return
	}
	ping := time.NewTicker(c.t.PingPeriod)
	defer ping.Stop()
	for {
		next, wake, err := c.sendPage(after)
		if err != nil {
			return
		}
		if next != after {
			after = next
			continue // there may be more
		}
		// The wake channel was taken first: a change after this look
		// closes it.
		if now, gen := c.hub.settingsNow(); gen != sent {
			if err := c.write(SettingsChanged{Type: "settings.changed", Settings: now}); err != nil {
				return
			}
			sent = gen
		}
		if c.watches {
			ids, gen := c.hub.watchesAfter(watchesSent)
			for _, id := range ids {
				if err := c.write(WatchNotice{Type: "article.watch", ArticleID: id}); err != nil {
					return
				}
			}
			watchesSent = gen
		}
		select {
		case <-wake:
		case j := <-c.jobs:
			if err := c.write(j); err != nil {
				return
			}
		case <-c.pongs:
			if err := c.write(map[string]string{"type": "pong"}); err != nil {
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.t.WriteWait)); err != nil {
				return
			}
		case <-c.readerDone:
			return // the client left or went silent past PongWait
		case <-c.hub.done:
			c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "daemon shutting down"), time.Now().Add(time.Second))
			return
		case <-ctx.Done():
			return
		}
	}
}

// sendPage writes the next page of events after the given id. It returns
// the id of the last event written (after itself when there was none) and
// the channel that wakes when a new event is logged.
func (c *client) sendPage(after int64) (int64, <-chan struct{}, error) {
	events, wake, err := c.hub.eventsAfter(after, replayPage)
	if err != nil {
		c.log.Error("websocket: read event log", "err", err)
		refuse(c.ws, c.t, websocket.CloseInternalServerErr, "internal", "internal error")
		return after, nil, err
	}
	for _, e := range events {
		if err := c.write(e); err != nil {
			c.log.Debug("websocket: client dropped", "err", err)
			return after, nil, err
		}
		after = e.ID
	}
	return after, wake, nil
}

// write sends one JSON message within WriteWait.
func (c *client) write(v any) error {
	c.ws.SetWriteDeadline(time.Now().Add(c.t.WriteWait))
	return c.ws.WriteJSON(v)
}

// hello reads and checks the first message, within HelloWait. It returns
// the id after which to replay and the newest id in the log.
func (h *Handler) hello(ws *websocket.Conn, t Timing, log *slog.Logger) (after, latest int64, rechecks, ok bool) {
	ws.SetReadDeadline(time.Now().Add(t.HelloWait))
	_, b, err := ws.ReadMessage()
	if err != nil {
		refuse(ws, t, CloseBadHello, "bad_hello", "send {\"type\":\"hello\",\"token\":…} first, within "+t.HelloWait.String())
		return 0, 0, false, false
	}
	req, no := decodeHello(b, h.Token)
	if no != nil {
		log.Debug("websocket: hello refused", "err", no)
		refuse(ws, t, no.Close, no.Code, no.Message)
		return 0, 0, false, false
	}
	latest, err = h.Hub.log.LastEventID()
	if err != nil {
		log.Error("websocket: read event log", "err", err)
		refuse(ws, t, websocket.CloseInternalServerErr, "internal", "internal error")
		return 0, 0, false, false
	}
	after = latest // no last_event_id: live events only
	if req.Replay {
		after = req.After
	}
	return after, latest, req.Rechecks, true
}

// refuse tells the client why and closes.
func refuse(ws *websocket.Conn, t Timing, code int, errCode, msg string) {
	deadline := time.Now().Add(t.WriteWait)
	ws.SetWriteDeadline(deadline)
	if b, err := json.Marshal(ErrorMessage{Type: "error", Code: errCode, Message: msg}); err == nil {
		ws.WriteMessage(websocket.TextMessage, b)
	}
	ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, msg), deadline)
}
