package hub

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
)

// helloMessage is the client's first message.
type helloMessage struct {
	Type        string `json:"type"`
	Token       string `json:"token"`
	LastEventID *int64 `json:"last_event_id"`
	Rechecks    bool   `json:"rechecks"`
}

// clientMessage is what a client sends after its hello: only the type
// matters ("ping" asks for a pong; "recheck.ready", from a client that
// takes re-check jobs, offers it again the jobs it declined; anything
// else is ignored).
type clientMessage struct {
	Type string `json:"type"`
}

// helloRequest is an accepted hello.
type helloRequest struct {
	// Replay is set when the client named the last event it has; After is
	// then the id to replay after, never negative. Without it the client
	// gets live events only.
	Replay bool
	After  int64
	// Rechecks: the client takes re-check jobs.
	Rechecks bool
}

// refusal is why a hello is turned away: the close code, and the error
// code and message the client is told before the socket closes.
type refusal struct {
	Close   int
	Code    string
	Message string
	Err     error // the decoding error, if that was the cause
}

func (r *refusal) Error() string {
	if r.Err != nil {
		return fmt.Sprintf("%s: %s: %v", r.Code, r.Message, r.Err)
	}
	return r.Code + ": " + r.Message
}

func (r *refusal) Unwrap() error { return r.Err }

// decodeHello decodes and checks a client's first message, which must be
// exactly one JSON object {"type":"hello","token":token} with an optional
// integer last_event_id. An empty token accepts nobody. The refusal is nil
// when the hello is accepted.
func decodeHello(b []byte, token string) (helloRequest, *refusal) {
	var m helloMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return helloRequest{}, &refusal{Close: CloseBadHello, Code: "bad_hello",
			Message: `send {"type":"hello","token":…} first`, Err: fmt.Errorf("decode hello: %w", err)}
	}
	if m.Type != "hello" {
		return helloRequest{}, &refusal{Close: CloseBadHello, Code: "bad_hello", Message: "the first message must be a hello"}
	}
	if token == "" || subtle.ConstantTimeCompare([]byte(m.Token), []byte(token)) != 1 {
		return helloRequest{}, &refusal{Close: CloseUnauthorized, Code: "unauthorized", Message: "wrong token: pair again"}
	}
	if m.LastEventID == nil {
		return helloRequest{Rechecks: m.Rechecks}, nil
	}
	return helloRequest{Replay: true, After: max(*m.LastEventID, 0), Rechecks: m.Rechecks}, nil
}

// decodeMessage decodes a message a client sends after its hello: one
// JSON object (or null) whose type, if present, is a string.
func decodeMessage(b []byte) (clientMessage, error) {
	var m clientMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return clientMessage{}, fmt.Errorf("decode client message: %w", err)
	}
	return m, nil
}
