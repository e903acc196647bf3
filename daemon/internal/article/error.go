package article

import (
	"errors"
	"fmt"
	"net/http"
)

// Error codes. HTTPStatus maps each to one HTTP status, for the API and
// the dashboard alike; anything without a code is internal, logged, and
// never shown to the client in detail.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ETOOLARGE     = "too_large"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ECONFLICT     = "conflict"
	EUNAVAILABLE  = "unavailable"
	ENOSPACE      = "no_space"
	EINTERNAL     = "internal"
	// ETIMEOUT: the request's body did not arrive in time.
	ETIMEOUT = "timeout"
)

// Error is an error the user can act on: a code for programs and a short
// message for people.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic message that reveals nothing of the internals.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// statuses is the one table from error codes to HTTP statuses: the API
// answers with it in JSON, the dashboard in HTML.
var statuses = map[string]int{
	EINVALID:      http.StatusBadRequest,
	ENOTFOUND:     http.StatusNotFound,
	ETOOLARGE:     http.StatusRequestEntityTooLarge,
	EUNAUTHORIZED: http.StatusUnauthorized,
	EFORBIDDEN:    http.StatusForbidden,
	ECONFLICT:     http.StatusConflict,
	EUNAVAILABLE:  http.StatusServiceUnavailable,
	ETIMEOUT:      http.StatusRequestTimeout,
	ENOSPACE:      http.StatusInsufficientStorage,
	EINTERNAL:     http.StatusInternalServerError,
}

// HTTPStatus returns the HTTP status of an error code; an unknown code is
// internal (500).
func HTTPStatus(code string) int {
	if status, ok := statuses[code]; ok {
		return status
	}
	return http.StatusInternalServerError
}
