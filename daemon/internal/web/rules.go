package web

import (
	"fmt"
	"sync/atomic"

	"redline/daemon/internal/diff"
	"redline/daemon/internal/store"
)

// settingRules is the store setting that holds the user's diff thresholds.
const settingRules = "diff_rules"

// Rules holds the diff thresholds in force. The daemon's judge reads them
// for every new version; the settings page replaces them.
type Rules struct{ p atomic.Pointer[diff.Rules] }

// NewRules returns a holder of r.
func NewRules(r diff.Rules) *Rules {
	h := &Rules{}
	h.Set(r)
	return h
}

// Get returns the rules in force.
func (h *Rules) Get() diff.Rules { return *h.p.Load() }

// Set puts r in force.
func (h *Rules) Set(r diff.Rules) { h.p.Store(&r) }

// LoadRules returns the thresholds saved in the store's settings, or the
// defaults when none were saved.
func LoadRules(st *store.Store) (diff.Rules, error) {
	r := diff.DefaultRules()
	if _, err := st.Setting(settingRules, &r); err != nil {
		return diff.DefaultRules(), fmt.Errorf("load diff settings: %w", err)
	}
	return r, nil
}
