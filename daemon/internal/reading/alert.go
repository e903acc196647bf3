package reading

import (
	"context"
	"fmt"

	"redline/daemon/internal/article"
)

// AlertPolicy returns which changes alert the user (store setting
// alert_on; the default until they chose).
func (s *Service) AlertPolicy() (article.AlertPolicy, error) {
	p, err := s.store.AlertPolicy()
	if err != nil {
		return p, fmt.Errorf("read the alert policy: %w", err)
	}
	return p, nil
}

// SetAlertPolicy saves the user's alert policy and tells every connected
// client (a settings.changed message), which applies it from then on. A
// value that is not a policy is an EINVALID error and changes nothing.
func (s *Service) SetAlertPolicy(ctx context.Context, raw string) (article.AlertPolicy, error) {
	p, err := article.ParseAlertPolicy(raw)
	if err != nil {
		return "", err
	}
	if err := s.store.SetAlertPolicy(ctx, p); err != nil {
		return "", fmt.Errorf("save the alert policy: %w", err)
	}
	if s.hub != nil {
		s.hub.AlertPolicyChanged(p)
	}
	return p, nil
}
