package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"redline/daemon/internal/article"
)

// errorBody is the shape of every error response.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	var b errorBody
	b.Error.Code, b.Error.Message = code, msg
	writeJSON(w, status, b)
}

// fail answers with err's code and message; internal errors are logged and
// answered without detail.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := article.ErrorCode(err)
	status := article.HTTPStatus(code)
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeError(w, status, code, article.ErrorMessage(err))
}

// decodeJSON reads a whole JSON body into v: a size cap, valid UTF-8, one
// JSON value and nothing after it.
func decodeJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return article.Errorf(article.ETOOLARGE, "the body is larger than %d bytes", tooBig.Limit)
		}
		var late *bodyTimeoutError
		if errors.As(err, &late) {
			return article.Errorf(article.ETIMEOUT, "the body did not arrive within %s: send it whole, at once", late.timeout)
		}
		return article.Errorf(article.EINVALID, "could not read the body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return article.Errorf(article.EINVALID, "the body is empty: send a JSON object")
	}
	if !utf8.Valid(body) {
		return article.Errorf(article.EINVALID, "the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return article.Errorf(article.EINVALID, "field %q has the wrong type: want %s", typeErr.Field, typeErr.Type)
		}
		var timeErr *time.ParseError
		if errors.As(err, &timeErr) {
			return article.Errorf(article.EINVALID, "captured_at must be an RFC 3339 time such as 2026-11-27T09:00:00Z, not %s", timeErr.Value)
		}
		var syntaxErr *json.SyntaxError
		if errors.As(err, &syntaxErr) {
			return article.Errorf(article.EINVALID, "malformed JSON at byte %d: %v", syntaxErr.Offset, syntaxErr)
		}
		return article.Errorf(article.EINVALID, "malformed JSON: %v", err)
	}
	if dec.More() {
		return article.Errorf(article.EINVALID, "malformed JSON: more than one value in the body")
	}
	return nil
}

// jsonMethodErrors makes the router's own plain-text "404 page not found"
// and "405 Method Not Allowed" JSON errors like every other.
func jsonMethodErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&methodErrorWriter{ResponseWriter: w, method: r.Method, path: r.URL.Path}, r)
	})
}

type methodErrorWriter struct {
	http.ResponseWriter
	method  string
	path    string
	swallow bool
}

func (m *methodErrorWriter) WriteHeader(code int) {
	routerText := strings.HasPrefix(m.Header().Get("Content-Type"), "text/plain")
	if routerText && !m.swallow && (code == http.StatusMethodNotAllowed || code == http.StatusNotFound) {
		m.swallow = true
		if code == http.StatusNotFound {
			writeError(m.ResponseWriter, code, "not_found", "no such API endpoint: "+m.method+" "+m.path)
			return
		}
		writeError(m.ResponseWriter, code, "method_not_allowed", "method "+m.method+" is not allowed here; allowed: "+m.Header().Get("Allow"))
		return
	}
	m.ResponseWriter.WriteHeader(code)
}

func (m *methodErrorWriter) Write(b []byte) (int, error) {
	if m.swallow {
		return len(b), nil
	}
	return m.ResponseWriter.Write(b)
}

func (m *methodErrorWriter) Unwrap() http.ResponseWriter { return m.ResponseWriter }
