package reading

import (
	"context"
	"fmt"
	"sync/atomic"

	"redline/daemon/internal/article"
	"redline/daemon/internal/diff"
	"redline/daemon/internal/store"
)

// settingRules is the store setting that holds the user's diff thresholds.
const settingRules = "diff_rules"

// Rules holds the diff thresholds in force. The store's judge reads them
// for every new version (Judge), comparisons for every view; the settings
// page replaces them (Service.SetRules).
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

// Judge is the store's judge (store.Options.Judge): it grades each new
// version with the rules in force at the time.
func (h *Rules) Judge() func(article.Pair) article.Summary { return diff.Judge(h.Get) }

// LoadRules returns the thresholds saved in the store's settings, or the
// defaults when none were saved.
func LoadRules(st *store.Store) (diff.Rules, error) {
	r := diff.DefaultRules()
	if _, err := st.Setting(settingRules, &r); err != nil {
		return diff.DefaultRules(), fmt.Errorf("load diff settings: %w", err)
	}
	return r, nil
}

// Rules returns the diff thresholds in force.
func (s *Service) Rules() diff.Rules { return s.rules.Get() }

// SetRules saves the user's thresholds and puts them in force: new
// versions are judged with them from now on.
func (s *Service) SetRules(ctx context.Context, r diff.Rules) error {
	if err := s.store.SetSetting(ctx, settingRules, r); err != nil {
		return fmt.Errorf("save diff settings: %w", err)
	}
	s.rules.Set(r)
	return nil
}
