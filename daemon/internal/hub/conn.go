package hub

import (
	"encoding/json"
	"log/slog"
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
}

// Welcome answers a good hello.
type Welcome struct {
	Type        string `json:"type"`
	LastEventID int64  `json:"last_event_id"`
}

// ErrorMessage is sent before the server closes a connection for cause.
type ErrorMessage struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	log := h.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	up := websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		// Browsers always send Origin on a WebSocket: only the extension
		// and the dashboard may connect. Non-browser clients send none and
		// still need the token in their hello.
		CheckOrigin: func(r *http.Request) bool {
			o := r.Header.Get("Origin")
			return o == "" || (h.AllowedOrigin != nil && h.AllowedOrigin(o))
		},
	}
	if !h.Hub.enter() {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"error":{"code":"unavailable","message":"the daemon is shutting down"}}`))
		return
	}
	defer h.Hub.conns.Done()
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	defer ws.Close()
	ws.SetReadLimit(maxMessage)
	t := h.Timing
	if t.HelloWait == 0 {
		t = DefaultTiming
	}
	after, latest, ok := h.hello(ws, t, log)
	if !ok {
		return
	}

	// One reader: answers application pings through the writer and keeps
	// the read deadline moving while the client is alive. It ends when the
	// socket is closed, which the deferred calls below do first.
	pongs := make(chan struct{}, 1)
	readerDone := make(chan struct{})
	defer func() { <-readerDone }()
	defer ws.Close()
	go func() {
		defer close(readerDone)
		ws.SetReadDeadline(time.Now().Add(t.PongWait))
		ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(t.PongWait)) })
		for {
			_, b, err := ws.ReadMessage()
			if err != nil {
				return
			}
			m, err := decodeMessage(b)
			if err != nil {
				log.Debug("websocket: dropping client", "err", err)
				return
			}
			ws.SetReadDeadline(time.Now().Add(t.PongWait))
			if m.Type == "ping" {
				select {
				case pongs <- struct{}{}:
				default: // a pong is already on its way
				}
			}
		}
	}()

	// One writer: this goroutine.
	write := func(v any) error {
		ws.SetWriteDeadline(time.Now().Add(t.WriteWait))
		return ws.WriteJSON(v)
	}
	if err := write(Welcome{Type: "welcome", LastEventID: latest}); err != nil {
		return
	}
	ping := time.NewTicker(t.PingPeriod)
	defer ping.Stop()
	for {
		events, wake, err := h.Hub.eventsAfter(after, replayPage)
		if err != nil {
			log.Error("websocket: read event log", "err", err)
			refuse(ws, t, websocket.CloseInternalServerErr, "internal", "internal error")
			return
		}
		for _, e := range events {
			if err := write(e); err != nil {
				log.Debug("websocket: client dropped", "err", err)
				return
			}
			after = e.ID
		}
		if len(events) > 0 {
			continue // there may be more
		}
		select {
		case <-wake:
		case <-pongs:
			if err := write(map[string]string{"type": "pong"}); err != nil {
				return
			}
		case <-ping.C:
			if err := ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(t.WriteWait)); err != nil {
				return
			}
		case <-readerDone:
			return // the client left or went silent past PongWait
		case <-h.Hub.done:
			ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "daemon shutting down"), time.Now().Add(time.Second))
			return
		case <-r.Context().Done():
			return
		}
	}
}

// hello reads and checks the first message, within HelloWait. It returns
// the id after which to replay and the newest id in the log.
func (h *Handler) hello(ws *websocket.Conn, t Timing, log *slog.Logger) (after, latest int64, ok bool) {
	ws.SetReadDeadline(time.Now().Add(t.HelloWait))
	_, b, err := ws.ReadMessage()
	if err != nil {
		refuse(ws, t, CloseBadHello, "bad_hello", "send {\"type\":\"hello\",\"token\":…} first, within "+t.HelloWait.String())
		return 0, 0, false
	}
	req, no := decodeHello(b, h.Token)
	if no != nil {
		log.Debug("websocket: hello refused", "err", no)
		refuse(ws, t, no.Close, no.Code, no.Message)
		return 0, 0, false
	}
	latest, err = h.Hub.log.LastEventID()
	if err != nil {
		log.Error("websocket: read event log", "err", err)
		refuse(ws, t, websocket.CloseInternalServerErr, "internal", "internal error")
		return 0, 0, false
	}
	after = latest // no last_event_id: live events only
	if req.Replay {
		after = req.After
	}
	return after, latest, true
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
