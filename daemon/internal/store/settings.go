package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
	"redline/daemon/internal/canonical"
)

// Settings are small JSON values under m:setting:<name>. They are part of
// the store, so a backup carries them, except the secret ones.
var pfxSetting = []byte("m:setting:")

// Names of settings the store itself reads, or treats apart.
const (
	SettingSites = "sites"
	// SettingFeedToken holds the feeds' read-only token. It is a secret:
	// backups leave it out, so a backup shared for debugging opens no
	// feeds, and the daemon makes a new one when it starts on a restored
	// store.
	SettingFeedToken = "feed_token"
)

// secretSettings are the settings a backup leaves out.
var secretSettings = [][]byte{settingKey(SettingFeedToken)}

func settingKey(name string) []byte { return append(append([]byte(nil), pfxSetting...), name...) }

// secretKey reports whether key holds a secret setting.
func secretKey(key []byte) bool {
	return slices.ContainsFunc(secretSettings, func(k []byte) bool { return bytes.Equal(k, key) })
}

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

// Limits of the site lists: each list holds at most MaxSites sites, and
// each entry as given (a site, a host name or a URL) is at most
// MaxSiteEntryBytes long.
const (
	MaxSites          = 1000
	MaxSiteEntryBytes = 2048
)

// maxHostBytes is the longest host name DNS allows.
const maxHostBytes = 253

// NormalizeSites reduces each entry (a site, a host name or a URL) to its
// site, drops blanks and repeats, and keeps the order. An entry that names
// no site, one too long, or too many sites is an EINVALID error that names
// the entry.
func NormalizeSites(entries []string) ([]string, error) {
	out := []string{}
	for _, e := range entries {
		t := strings.ToLower(strings.TrimSpace(e))
		if t == "" {
			continue
		}
		if len(t) > MaxSiteEntryBytes {
			return nil, article.Errorf(article.EINVALID, "a site is at most %d bytes long; %q… is longer", MaxSiteEntryBytes, t[:40])
		}
		raw := t
		if !strings.Contains(raw, "://") {
			raw = "https://" + raw
		}
		u, err := canonical.URL(raw)
		site := ""
		if err == nil {
			site = canonical.Site(u)
		}
		if site == "" || len(site) > maxHostBytes || strings.ContainsAny(site, " /\\@") {
			return nil, article.Errorf(article.EINVALID, "%q is not a site: name sites like example.com", strings.TrimSpace(e))
		}
		if !slices.Contains(out, site) {
			out = append(out, site)
		}
		if len(out) > MaxSites {
			return nil, article.Errorf(article.EINVALID, "a site list holds at most %d sites", MaxSites)
		}
	}
	return out, nil
}

// SiteRules returns the user's allow and deny lists (both empty when never
// set).
func (s *Store) SiteRules() (SiteRules, error) {
	var r SiteRules
	if _, err := s.Setting(SettingSites, &r); err != nil {
		return SiteRules{}, err
	}
	return r.orEmpty(), nil
}

// UpdateSiteRules changes the allow and deny lists in one transaction:
// edit gets the current lists and changes them in place. Nothing is
// written when edit fails.
func (s *Store) UpdateSiteRules(ctx context.Context, edit func(*SiteRules) error) (SiteRules, error) {
	var out SiteRules
	err := s.update(ctx, func(txn *badger.Txn) error {
		var r SiteRules
		if err := getJSON(txn, settingKey(SettingSites), &r); err != nil && !errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("read site rules: %w", err)
		}
		r = r.orEmpty()
		if err := edit(&r); err != nil {
			return err
		}
		out = r.orEmpty()
		return setJSON(txn, settingKey(SettingSites), out)
	})
	if err != nil {
		return SiteRules{}, fmt.Errorf("save site rules: %w", err)
	}
	return out, nil
}

// orEmpty returns r with empty lists in place of nil ones (JSON [] rather
// than null).
func (r SiteRules) orEmpty() SiteRules {
	if r.Allow == nil {
		r.Allow = []string{}
	}
	if r.Deny == nil {
		r.Deny = []string{}
	}
	return r
}

// SettingAlertOn holds the alert policy (article.AlertPolicy).
const SettingAlertOn = "alert_on"

// AlertPolicy returns the user's alert policy: which changes alert them
// (article.DefaultAlertPolicy until they chose one). A stored value the
// daemon does not know counts as the default.
func (s *Store) AlertPolicy() (article.AlertPolicy, error) {
	var v string
	found, err := s.Setting(SettingAlertOn, &v)
	if err != nil {
		return article.DefaultAlertPolicy, err
	}
	p, perr := article.ParseAlertPolicy(v)
	if !found || perr != nil {
		return article.DefaultAlertPolicy, nil
	}
	return p, nil
}

// SetAlertPolicy stores the user's alert policy, durably. A value that is
// not a policy is an EINVALID error and changes nothing.
func (s *Store) SetAlertPolicy(ctx context.Context, p article.AlertPolicy) error {
	if _, err := article.ParseAlertPolicy(string(p)); err != nil {
		return err
	}
	return s.SetSetting(ctx, SettingAlertOn, string(p))
}
