package article

import (
	"fmt"
	"net/http"
	"testing"
)

// The API and the dashboard answer a code with the same status: a refusal
// is 403 on both, a code nobody mapped is an internal error.
func TestHTTPStatus(t *testing.T) {
	for code, want := range map[string]int{
		EINVALID: http.StatusBadRequest, ENOTFOUND: http.StatusNotFound, EFORBIDDEN: http.StatusForbidden,
		ENOSPACE: http.StatusInsufficientStorage, EUNAVAILABLE: http.StatusServiceUnavailable,
		EINTERNAL: http.StatusInternalServerError, "no_such_code": http.StatusInternalServerError,
	} {
		if got := HTTPStatus(code); got != want {
			t.Errorf("HTTPStatus(%q) = %d, want %d", code, got, want)
		}
	}
	err := fmt.Errorf("save: %w", Errorf(EFORBIDDEN, "excluded"))
	if got := HTTPStatus(ErrorCode(err)); got != http.StatusForbidden {
		t.Errorf("a wrapped refusal: %d, want 403", got)
	}
}
