package web

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"redline/daemon/internal/article"
	"redline/daemon/internal/diff"
	"redline/daemon/internal/notify"
	"redline/daemon/internal/store"
	"redline/daemon/internal/watch"
)

type settingsData struct {
	Rules    diff.Rules
	Defaults diff.Rules
	Noise    string
	Allow    string
	Deny     string
	FeedURL  string
	DataDir  string
	Saved    string
	// AlertOn is the alert policy: which changes alert the user.
	AlertOn article.AlertPolicy
	// Schedule is shown when the daemon re-checks articles.
	Watching bool
	Tiers    string
	CutOff   string
	Private  bool
	// Recheck: re-checks through the reader's browser.
	Recheck      watch.RecheckSettings
	RecheckSites string
	// Notify: the notification targets are shown (a notifier is set).
	Notify  bool
	Targets []notify.Status
}

// savedMessages are what Settings says after a form of it was saved, by
// the saved= of its redirect.
var savedMessages = map[string]string{
	"rules":              "Change rules saved. New versions are judged with them from now on.",
	"sites":              "Site lists saved.",
	"alerts":             "Alerts saved. The extension applies the same choice as soon as it is connected.",
	"token":              "New feed address made. Update it in your feed reader: the old one no longer works.",
	"schedule":           "Schedule saved. Each article's next check follows it from its next check on.",
	"recheck":            "Re-checks through your browser saved.",
	"notify":             "Notification target added. Use Send test to check that it arrives.",
	"notify-removed":     "Notification target removed.",
	"notify-test-ok":     "Test notification sent: the target took it.",
	"notify-test-failed": "The test notification failed: see the target's last error below.",
	"forgot":             "The site's articles were forgotten.",
}

func (d *Dashboard) settings(w http.ResponseWriter, r *http.Request, u user) error {
	var sites store.SiteRules
	if _, err := d.store.Setting(store.SettingSites, &sites); err != nil {
		return err
	}
	rules := d.reading.Rules()
	alertOn, err := d.reading.AlertPolicy()
	if err != nil {
		return err
	}
	data := settingsData{AlertOn: alertOn,
		Rules: rules, Defaults: diff.DefaultRules(), Noise: strings.Join(rules.NoisePhrases, "\n"),
		Allow: strings.Join(sites.Allow, "\n"), Deny: strings.Join(sites.Deny, "\n"), DataDir: d.dataDir,
	}
	if d.watcher != nil {
		s := d.watcher.Schedule()
		data.Watching, data.Tiers, data.CutOff = true, scheduleText(s), durationValue(s.CutOff)
		data.Private = d.private
		data.Recheck = d.watcher.RecheckSettings()
		data.RecheckSites = strings.Join(data.Recheck.Sites, "\n")
	}
	if d.notifier != nil {
		data.Notify = true
		if data.Targets, err = d.notifier.List(); err != nil {
			return err
		}
	}
	data.Saved = savedMessages[r.URL.Query().Get("saved")]
	v, err := d.base(r, u, "Settings", "settings")
	if err != nil {
		return err
	}
	data.FeedURL = d.feedOrigin() + v.Feed
	v.Data = data
	d.render(w, r, http.StatusOK, "settings", v)
	return nil
}

func (d *Dashboard) saveRules(w http.ResponseWriter, r *http.Request, u user) error {
	f := r.PostForm
	num := func(name string, lo, hi float64) (float64, error) {
		v, err := strconv.ParseFloat(strings.TrimSpace(f.Get(name)), 64)
		if err != nil || v < lo || v > hi {
			return 0, userError(article.EINVALID, fmt.Sprintf("%s must be a number from %g to %g.", strings.ReplaceAll(name, "_", " "), lo, hi))
		}
		return v, nil
	}
	var rules diff.Rules
	var err error
	if rules.PairSimilarity, err = num("pair_similarity", 0.05, 1); err != nil {
		return err
	}
	if rules.MoveSimilarity, err = num("move_similarity", 0.05, 1); err != nil {
		return err
	}
	if rules.SubstantiveFraction, err = num("substantive_fraction", 0.001, 1); err != nil {
		return err
	}
	n, err := num("substantive_block_words", 1, 10000)
	if err != nil {
		return err
	}
	rules.SubstantiveBlockWords = int(n)
	if n, err = num("substantive_words", 1, 100000); err != nil {
		return err
	}
	rules.SubstantiveWords = int(n)
	for line := range strings.Lines(f.Get("noise_phrases")) {
		if p := strings.TrimSpace(line); p != "" && len(rules.NoisePhrases) < 200 {
			rules.NoisePhrases = append(rules.NoisePhrases, p)
		}
	}
	if err := d.reading.SetRules(r.Context(), rules); err != nil {
		return err
	}
	d.log.Info("diff rules changed from the dashboard")
	http.Redirect(w, r, "/settings?saved=rules", http.StatusSeeOther)
	return nil
}

// saveAlerts changes the alert policy. A value that is not a policy is a
// clear error and changes nothing.
func (d *Dashboard) saveAlerts(w http.ResponseWriter, r *http.Request, u user) error {
	raw, ok := r.PostForm["alert_on"]
	if !ok || len(raw) != 1 {
		return userError(article.EINVALID, "Choose which changes alert you: substantive changes only, or minor changes too.")
	}
	p, err := d.reading.SetAlertPolicy(r.Context(), raw[0])
	if err != nil {
		if article.ErrorCode(err) == article.EINVALID {
			return userError(article.EINVALID, "Choose which changes alert you: substantive changes only, or minor changes too ("+errMessage(err)+").")
		}
		return err
	}
	d.log.Info("alert policy changed from the dashboard", "alert_on", p)
	http.Redirect(w, r, "/settings?saved=alerts", http.StatusSeeOther)
	return nil
}

// siteList reads one site a line (URLs or host names are reduced to their
// site), with the same checks as the API's.
func siteList(text string) ([]string, error) {
	var lines []string
	for line := range strings.Lines(text) {
		lines = append(lines, line)
	}
	sites, err := store.NormalizeSites(lines)
	if err != nil {
		return nil, userError(article.EINVALID, errMessage(err)+".")
	}
	return sites, nil
}

func (d *Dashboard) saveSites(w http.ResponseWriter, r *http.Request, u user) error {
	allow, err := siteList(r.PostForm.Get("allow"))
	if err != nil {
		return err
	}
	deny, err := siteList(r.PostForm.Get("deny"))
	if err != nil {
		return err
	}
	if _, err := d.store.UpdateSiteRules(r.Context(), func(sr *store.SiteRules) error {
		sr.Allow, sr.Deny = allow, deny
		return nil
	}); err != nil {
		return err
	}
	http.Redirect(w, r, "/settings?saved=sites", http.StatusSeeOther)
	return nil
}

func (d *Dashboard) forgetSite(w http.ResponseWriter, r *http.Request, u user) error {
	sites, err := siteList(r.PostForm.Get("site"))
	if err != nil {
		return err
	}
	if len(sites) != 1 {
		return userError(article.EINVALID, "Name one site to forget, like example.com.")
	}
	n, err := d.reading.ForgetSite(r.Context(), sites[0])
	if err != nil {
		return err
	}
	d.log.Info("site forgotten from the dashboard", "articles", n)
	http.Redirect(w, r, "/settings?saved=forgot", http.StatusSeeOther)
	return nil
}

// loadFeedToken reads the feeds' read-only token, making it if the store
// has none. The dashboard does this once, when it starts: its pages then
// only read it, and show on a disk Redline may not write.
func (d *Dashboard) loadFeedToken(ctx context.Context) error {
	var tok string
	found, err := d.store.Setting(store.SettingFeedToken, &tok)
	if err != nil {
		return err
	}
	if !found || len(tok) != 64 {
		if tok, err = secret(); err != nil {
			return err
		}
		if err := d.store.SetSetting(ctx, store.SettingFeedToken, tok); err != nil {
			return fmt.Errorf("make the feeds' token: %w", err)
		}
	}
	d.feedTok = tok
	return nil
}

// feedToken returns the feeds' read-only token.
func (d *Dashboard) feedToken() string {
	d.feedMu.RLock()
	defer d.feedMu.RUnlock()
	return d.feedTok
}

// feedTokenOK compares a feed request's token in constant time.
func (d *Dashboard) feedTokenOK(r *http.Request) bool {
	got := r.URL.Query().Get("token")
	return subtle.ConstantTimeCompare([]byte(got), []byte(d.feedToken())) == 1
}

func (d *Dashboard) newFeedToken(w http.ResponseWriter, r *http.Request, u user) error {
	tok, err := secret()
	if err != nil {
		return err
	}
	d.feedMu.Lock()
	err = d.store.SetSetting(r.Context(), store.SettingFeedToken, tok)
	if err == nil {
		d.feedTok = tok
	}
	d.feedMu.Unlock()
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/settings?saved=token", http.StatusSeeOther)
	return nil
}
