package hub

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

const fuzzToken = "3f9c1e0b7a5d4c2e8f6a1b3d5e7c9a0b2d4f6e8a1c3b5d7f9e0a2c4b6d8f1e3a"

// The seeds: what the extension and the dashboard send, and what a
// hostile or broken client might.
var helloSeeds = []string{
	`{"type":"hello","token":"` + fuzzToken + `","last_event_id":0}`,
	`{"type":"hello","token":"` + fuzzToken + `","last_event_id":42}`,
	`{"type":"hello","token":"` + fuzzToken + `"}`,
	`{"type":"hello","token":"` + fuzzToken + `","last_event_id":null}`,
	`{"type":"hello","token":"` + fuzzToken + `","last_event_id":-7}`,
	`{"type":"hello","token":"` + fuzzToken + `","last_event_id":9223372036854775807}`,
	`{"type":"hello","token":"` + fuzzToken + `","last_event_id":-9223372036854775808}`,
	`{"type":"hello","token":"` + fuzzToken + `","last_event_id":9223372036854775808}`,
	`{"type":"hello","token":"` + fuzzToken + `","last_event_id":1e3}`,
	`{"type":"hello","token":"` + fuzzToken + `","last_event_id":1.0}`,
	`{"type":"hello","token":"` + fuzzToken + `","last_event_id":"5"}`,
	`{"type":"hello","token":"` + strings.Repeat("0", 64) + `","last_event_id":0}`,
	`{"type":"hello","token":"","last_event_id":0}`,
	`{"type":"hello","last_event_id":0}`,
	`{"type":"ping"}`,
	`{"type":"HELLO","token":"` + fuzzToken + `"}`,
	`{"TYPE":"hello","Token":"` + fuzzToken + `"}`,
	`{"type":"hello","token":"` + fuzzToken + `","token":"wrong"}`,
	`{"type":"hello","token":"wrong","token":"` + fuzzToken + `"}`,
	`{"type":5,"type":"hello","token":"` + fuzzToken + `"}`,
	`{"type":"hello","token":"` + fuzzToken + `","token":null}`,
	`{"type":"hello","token":"` + fuzzToken + `","last_event_id":3,"last_event_id":null}`,
	`{"type":"hello","token":"` + fuzzToken + `","extra":{"a":[1,{"b":[[[[null]]]]}]}}`,
	`{"type":"hello","token":{"nested":"` + fuzzToken + `"}}`,
	`{"type":"hello","token":"` + fuzzToken + `"} trailing`,
	`{"type":"hello","token":"` + fuzzToken + `"}{"type":"hello"}`,
	`{"type":"hello","token":"` + fuzzToken + `"`,
	`{"type":"\u0068ello","\u0074oken":"` + fuzzToken + `"}`,
	`{"type":"hello","to\u212aen":"` + fuzzToken + `"}`,
	"{\"type\":\"hello\",\"token\":\"" + fuzzToken + "\xff\"}",
	` {"type":"hello","token":"` + fuzzToken + `"} `,
	`[{"type":"hello","token":"` + fuzzToken + `"}]`,
	`"hello"`,
	`null`,
	`{}`,
	``,
	strings.Repeat("[", 2000) + strings.Repeat("]", 2000),
}

// FuzzHello checks the decoder of a client's first message: it never
// panics, accepts only a hello with the exact token and never returns a
// negative replay point, and agrees with a decoding written out by hand
// from the top-level object's members.
func FuzzHello(f *testing.F) {
	for _, s := range helloSeeds {
		f.Add([]byte(s), fuzzToken)
	}
	f.Add([]byte(`{"type":"hello","token":"","last_event_id":0}`), "")
	f.Add([]byte(`{"type":"hello","token":"t\u00e9","last_event_id":1}`), "té")
	f.Fuzz(func(t *testing.T, b []byte, token string) {
		got, no := decodeHello(b, token)
		if no != nil {
			if got != (helloRequest{}) {
				t.Fatalf("refused hello returned %+v", got)
			}
			switch {
			case no.Close == CloseBadHello && no.Code == "bad_hello":
			case no.Close == CloseUnauthorized && no.Code == "unauthorized":
			default:
				t.Fatalf("refusal %d %q", no.Close, no.Code)
			}
			if no.Message == "" || no.Error() == "" {
				t.Fatalf("refusal without a message: %#v", no)
			}
		} else {
			if token == "" {
				t.Fatalf("accepted %q with an empty token", b)
			}
			if got.After < 0 || (!got.Replay && got.After != 0) {
				t.Fatalf("accepted %q as %+v", b, got)
			}
			if !json.Valid(b) {
				t.Fatalf("accepted invalid JSON %q", b)
			}
			// Whatever was accepted carries the token under some
			// spelling of "token", and re-encodes to the same hello.
			if !hasMember(t, b, "token", token) || !hasMember(t, b, "type", "hello") {
				t.Fatalf("accepted %q without the token and the type", b)
			}
			again, no := decodeHello(encodeHello(t, token, got), token)
			if no != nil || again != got {
				t.Fatalf("accepted %q as %+v; re-encoded it is %+v, %v", b, got, again, no)
			}
		}
		if want, wantNo, ok := modelHello(b, token); ok {
			if (no == nil) != (wantNo == nil) || got != want || (no != nil && no.Code != wantNo.Code) {
				t.Fatalf("decodeHello(%q) = %+v, %v; want %+v, %v", b, got, no, want, wantNo)
			}
		}

		// A hello made from the token always passes and round-trips,
		// negative ids clamped to 0.
		if token == "" || !utf8.ValidString(token) {
			return
		}
		var id int64
		if len(b) >= 8 {
			id = int64(binary.LittleEndian.Uint64(b))
		}
		made, no := decodeHello(encodeHello(t, token, helloRequest{Replay: true, After: id}), token)
		if no != nil || made != (helloRequest{Replay: true, After: max(id, 0)}) {
			t.Fatalf("hello with id %d: %+v, %v", id, made, no)
		}
		if made, no := decodeHello(encodeHello(t, token, helloRequest{}), token); no != nil || made != (helloRequest{}) {
			t.Fatalf("hello without an id: %+v, %v", made, no)
		}
	})
}

// FuzzClientMessage checks the decoder of the messages a client sends
// after its hello: it never panics, and agrees with the hand decoding.
func FuzzClientMessage(f *testing.F) {
	for _, s := range helloSeeds {
		f.Add([]byte(s))
	}
	for _, s := range []string{`{"type":"ping"}`, `{"type":"pong"}`, `{"type":null}`, `{"type":["ping"]}`, `{"Type":"ping","type":"x"}`, `{"type":"ping"}x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeMessage(b)
		if err != nil {
			if got != (clientMessage{}) {
				t.Fatalf("failed decoding returned %+v", got)
			}
		} else if !json.Valid(b) {
			t.Fatalf("accepted invalid JSON %q", b)
		}
		if err == nil && got.Type == "ping" && !hasMember(t, b, "type", "ping") {
			t.Fatalf("%q decoded as a ping", b)
		}
		m, notObject, ok := members(b, "type")
		if !ok {
			return
		}
		want, fails := stringMember(m, "type")
		fails = fails || notObject
		if (err != nil) != fails || (err == nil && got.Type != want) {
			t.Fatalf("decodeMessage(%q) = %+v, %v; want %q, failing %v", b, got, err, want, fails)
		}
	})
}

// modelHello decodes b member by member. ok is false when b spells one of
// the hello's names in another case, which the model leaves to the
// decoder.
func modelHello(b []byte, token string) (helloRequest, *refusal, bool) {
	bad := &refusal{Code: "bad_hello"}
	m, notObject, ok := members(b, "type", "token", "last_event_id")
	if !ok {
		return helloRequest{}, nil, false
	}
	if notObject || m == nil {
		return helloRequest{}, bad, true
	}
	typ, badType := stringMember(m, "type")
	tok, badToken := stringMember(m, "token")
	var after *int64
	badID := false
	for _, raw := range m["last_event_id"] {
		if string(raw) == "null" {
			after = nil
			continue
		}
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			badID = true
			continue
		}
		after = &n
	}
	switch {
	case badType || badToken || badID || typ != "hello":
		return helloRequest{}, bad, true
	case token == "" || tok != token:
		return helloRequest{}, &refusal{Code: "unauthorized"}, true
	case after == nil:
		return helloRequest{}, nil, true
	}
	return helloRequest{Replay: true, After: max(*after, 0)}, nil, true
}

// members reads b as one JSON value and, when it is an object, returns
// every value of the named members in order. For a top-level null m is
// nil; for any other value that is not an object, or for something that
// is not JSON at all, notObject is set. ok is false when b has a member
// whose name matches one of names only when case is ignored.
func members(b []byte, names ...string) (m map[string][]json.RawMessage, notObject, ok bool) {
	if !json.Valid(b) {
		return nil, true, true
	}
	if string(bytes.TrimSpace(b)) == "null" {
		return nil, false, true
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, true, true
	}
	m = map[string][]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			panic(fmt.Sprintf("valid JSON %q: %v", b, err))
		}
		key := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			panic(fmt.Sprintf("valid JSON %q: %v", b, err))
		}
		for _, n := range names {
			if key != n && strings.EqualFold(key, n) {
				return nil, false, false
			}
		}
		m[key] = append(m[key], bytes.TrimSpace(raw))
	}
	if _, err := dec.Token(); err != nil {
		panic(fmt.Sprintf("valid JSON %q: %v", b, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		panic(fmt.Sprintf("valid JSON %q has more after its value: %v", b, err))
	}
	return m, false, true
}

// stringMember is the value a string field takes from the member's
// values: null leaves it as it was, anything but a string fails.
func stringMember(m map[string][]json.RawMessage, name string) (s string, fails bool) {
	for _, raw := range m[name] {
		if string(raw) == "null" {
			continue
		}
		if raw[0] != '"' {
			fails = true
			continue
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			fails = true
		}
	}
	return s, fails
}

// hasMember reports whether the JSON object b has a member whose name is
// name in any case and whose value is the string want.
func hasMember(t *testing.T, b []byte, name, want string) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("valid JSON %q: %v", b, err)
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("valid JSON %q: %v", b, err)
		}
		if s, ok := v.(string); ok && s == want && strings.EqualFold(tok.(string), name) {
			return true
		}
	}
	return false
}

// encodeHello is the hello a client sends for r.
func encodeHello(t *testing.T, token string, r helloRequest) []byte {
	m := helloMessage{Type: "hello", Token: token}
	if r.Replay {
		m.LastEventID = &r.After
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("encode hello: %v", err)
	}
	return b
}

func TestDecodeHello(t *testing.T) {
	hello := func(rest string) []byte {
		return []byte(`{"type":"hello","token":"` + fuzzToken + `"` + rest + `}`)
	}
	for _, c := range []struct {
		in   []byte
		want helloRequest
		code string
	}{
		{in: hello(`,"last_event_id":0`), want: helloRequest{Replay: true}},
		{in: hello(`,"last_event_id":42`), want: helloRequest{Replay: true, After: 42}},
		{in: hello(`,"last_event_id":-7`), want: helloRequest{Replay: true}},
		{in: hello(``), want: helloRequest{}},
		{in: hello(`,"last_event_id":null`), want: helloRequest{}},
		{in: hello(`,"last_event_id":9223372036854775808`), code: "bad_hello"},
		{in: hello(`,"last_event_id":1.5`), code: "bad_hello"},
		{in: hello(`,"last_event_id":"3"`), code: "bad_hello"},
		{in: append(hello(``), " trailing"...), code: "bad_hello"},
		{in: []byte(`{"type":"ping"}`), code: "bad_hello"},
		{in: []byte(`{"type":"hello","token":"wrong"}`), code: "unauthorized"},
		{in: hello(`,"token":"wrong"`), code: "unauthorized"},
		{in: []byte(`null`), code: "bad_hello"},
		{in: nil, code: "bad_hello"},
	} {
		got, no := decodeHello(c.in, fuzzToken)
		code := ""
		if no != nil {
			code = no.Code
		}
		if got != c.want || code != c.code {
			t.Errorf("decodeHello(%s) = %+v, %q; want %+v, %q", c.in, got, code, c.want, c.code)
		}
	}
	if _, no := decodeHello([]byte(`{"type":"hello","token":""}`), ""); no == nil || no.Code != "unauthorized" {
		t.Errorf("an empty token accepted: %v", no)
	}
	_, no := decodeHello([]byte(`{"type":`), fuzzToken)
	var syntax *json.SyntaxError
	if no == nil || !errors.As(no, &syntax) {
		t.Errorf("cut-off hello: %v does not carry the decoding error", no)
	}
}
