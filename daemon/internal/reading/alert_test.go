package reading_test

import (
	"slices"
	"testing"

	"redline/daemon/internal/article"
)

// The policy is kept in the store and the hub hears of each change; a
// value that is not a policy is refused, stays unsaved and reaches no
// client.
func TestSetAlertPolicy(t *testing.T) {
	st, svc, h := openWithHub(t)
	if p, err := svc.AlertPolicy(); err != nil || p != article.AlertSubstantive {
		t.Fatalf("default policy = %q, %v; want substantive", p, err)
	}
	if _, err := svc.SetAlertPolicy(t.Context(), "minor"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "all", "trivial", "MINOR", " minor"} {
		if _, err := svc.SetAlertPolicy(t.Context(), bad); article.ErrorCode(err) != article.EINVALID {
			t.Errorf("SetAlertPolicy(%q) = %v, want an invalid error", bad, err)
		}
	}
	if p, err := st.AlertPolicy(); err != nil || p != article.AlertMinor {
		t.Errorf("stored policy = %q, %v; want minor", p, err)
	}
	if !slices.Equal(h.policies, []article.AlertPolicy{article.AlertMinor}) {
		t.Errorf("the hub was told %v, want [minor]", h.policies)
	}
}
