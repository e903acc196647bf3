package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// Settings are small JSON values under m:setting:<name>. They are part of
// the store, so a backup carries them.
var pfxSetting = []byte("m:setting:")

// Names of settings the store itself reads.
const (
	SettingSites = "sites"
)

func settingKey(name string) []byte { return append(append([]byte(nil), pfxSetting...), name...) }

// Setting reads the setting name into v. It reports false when the setting
// was never set (v is then untouched).
func (s *Store) Setting(name string, v any) (bool, error) {
	var found bool
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		found, err = getOptional(txn, settingKey(name), func(b []byte) error { return json.Unmarshal(b, v) })
		return err
	})
	if err != nil {
		return false, fmt.Errorf("read setting %s: %w", name, err)
	}
	return found, nil
}

// SetSetting stores v as the setting name, durably.
func (s *Store) SetSetting(ctx context.Context, name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode setting %s: %w", name, err)
	}
	err = s.update(ctx, func(txn *badger.Txn) error { return txn.Set(settingKey(name), b) })
	if err != nil {
		return fmt.Errorf("save setting %s: %w", name, err)
	}
	return nil
}

// SiteRules say which sites Redline keeps. With Allow empty every site not
// in Deny is kept; otherwise only the sites in Allow (and not in Deny).
// Sites are registrable domains ("example.co.uk").
type SiteRules struct {
	Allow []string `json:"allow"`
	Deny  []string `json:"deny"`
}

// Keeps reports whether captures of site are kept.
func (r SiteRules) Keeps(site string) bool {
	site = strings.ToLower(site)
	if slices.Contains(r.Deny, site) {
		return false
	}
	return len(r.Allow) == 0 || slices.Contains(r.Allow, site)
}

// checkSite refuses a capture of a site the user's allow and deny lists
// exclude, inside the transaction that would store it.
func (s *Store) checkSite(txn *badger.Txn, site string) error {
	var r SiteRules
	err := getJSON(txn, settingKey(SettingSites), &r)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read site rules: %w", err)
	}
	if !r.Keeps(site) {
		return article.Errorf(article.EFORBIDDEN, "%s is excluded in Redline's settings (allow and deny lists): nothing was stored", site)
	}
	return nil
}
