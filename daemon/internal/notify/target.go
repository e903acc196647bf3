// Package notify sends the changes of the articles a user read to the
// places they name: a phone through ntfy, Gotify, Matrix, Telegram, email
// (SMTP) or any program that takes a JSON POST (a plain http:// or
// https:// URL). Each target has its own worker, owned by the Notifier,
// that follows the daemon's durable event log from where it last
// delivered: a change is sent once the target takes it, retried with
// backoff while it does not, and a failure stays shown (last error, time
// and pending count) until it is delivered. Nothing here blocks a capture.
package notify

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/canonical"
)

// Mask replaces a secret in what the user sees of a target URL.
const Mask = "••••"

// The services a target URL may name, by scheme; http and https are the
// JSON webhook.
var services = []string{"ntfy", "gotify", "matrix", "telegram", "smtp"}

// Spec is what the user gives to add a target.
type Spec struct {
	// URL is the service URL: ntfy://, gotify://, matrix://, telegram://,
	// smtp://, or an http(s):// webhook.
	URL string `json:"url"`
	// Minor: minor changes are sent too, not only substantive ones.
	Minor bool `json:"minor,omitempty"`
	// Site limits the target to the articles of one site ("" for all).
	Site string `json:"site,omitempty"`
	// Digest is "" or "0" to send each change as it comes, or a whole
	// number of minutes ("30m", "2h") from 1m to 24h: at most one message
	// per that time, summarising every change since the last.
	Digest string `json:"digest,omitempty"`
}

// MaxDigest is the longest digest period.
const MaxDigest = 24 * time.Hour

// target is a stored target: what the user set, and how far its delivery
// got. URL holds the secrets; it never leaves this package unmasked except
// to the service it names.
type target struct {
	ID            int64  `json:"id"`
	URL           string `json:"url"`
	Minor         bool   `json:"minor,omitempty"`
	Site          string `json:"site,omitempty"`
	DigestMinutes int    `json:"digest_minutes,omitempty"`
	// Cursor is the last event of the log this target is done with:
	// delivered, or not for it.
	Cursor    int64     `json:"cursor"`
	LastSent  time.Time `json:"last_sent,omitzero"`
	LastError string    `json:"last_error,omitempty"`
	ErrorAt   time.Time `json:"error_at,omitzero"`
	Failures  int       `json:"failures,omitempty"`
	// RetryAt is when a failed delivery is tried again.
	RetryAt time.Time `json:"retry_at,omitzero"`
}

// Status is a target as the API, the command line and the dashboard show
// it: the URL masked, and how its delivery stands.
type Status struct {
	ID      int64  `json:"id"`
	URL     string `json:"url"`
	Service string `json:"service"`
	Minor   bool   `json:"minor"`
	Site    string `json:"site,omitempty"`
	// DigestMinutes is 0 when each change is sent as it comes.
	DigestMinutes int `json:"digest_minutes"`
	// Pending is how many changes wait to be sent.
	Pending    int        `json:"pending"`
	LastSentAt *time.Time `json:"last_sent_at,omitempty"`
	// LastError is why the last attempt failed, kept until one succeeds.
	LastError   string     `json:"last_error,omitempty"`
	LastErrorAt *time.Time `json:"last_error_at,omitempty"`
	// Failures counts the attempts that failed in a row.
	Failures int `json:"failures,omitempty"`
}

// invalidf is a bad-input error, which the API answers 400.
func invalidf(format string, args ...any) error {
	return article.Errorf(article.EINVALID, format, args...)
}

// parseSpec checks a spec and makes the target it describes (without id
// or cursor). Errors never hold the URL's secrets.
func parseSpec(s Spec) (target, error) {
	raw := strings.TrimSpace(s.URL)
	if raw == "" {
		return target{}, invalidf("the target URL is missing: give a service URL such as ntfy://ntfy.sh/your-topic or an https:// webhook")
	}
	if len(raw) > 2048 {
		return target{}, invalidf("the target URL is longer than 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return target{}, invalidf("%q is not a URL: give a service URL such as ntfy://ntfy.sh/your-topic or an https:// webhook", maskRaw(raw))
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme == "http" || scheme == "https":
		if u.Host == "" || u.Hostname() == "" {
			return target{}, invalidf("the webhook URL %s has no host", MaskURL(raw))
		}
	case slices.Contains(services, scheme):
		if err := checkService(scheme, u); err != nil {
			return target{}, invalidf("the %s URL %s is not valid: %s", scheme, MaskURL(raw), scrub(err.Error(), secretsOf(raw)))
		}
	default:
		return target{}, invalidf("unknown scheme %q: use ntfy://, gotify://, matrix://, telegram://, smtp://, or an http(s):// webhook", truncate(u.Scheme, 20))
	}
	t := target{URL: raw, Minor: s.Minor}
	if site := strings.TrimSpace(s.Site); site != "" {
		t.Site = siteOf(site)
		if t.Site == "" {
			return target{}, invalidf("%q is not a site name such as example.com", truncate(site, 60))
		}
	}
	if t.DigestMinutes, err = parseDigest(s.Digest); err != nil {
		return target{}, err
	}
	return t, nil
}

// parseDigest reads a digest period: "", "0" or "off" for none, else a
// duration of whole minutes ("30m", "1h30m", or a bare number of
// minutes) from 1m to 24h.
func parseDigest(s string) (int, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "", "0", "off", "none":
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if n, nerr := strconv.Atoi(s); nerr == nil {
		d, err = time.Duration(n)*time.Minute, nil
	}
	if err != nil || d < time.Minute || d > MaxDigest || d%time.Minute != 0 {
		return 0, invalidf("the digest %q must be a whole number of minutes from 1m to 24h (such as 30m or 2h), or 0 for none", truncate(s, 30))
	}
	return int(d / time.Minute), nil
}

// siteOf returns the site (registrable domain) of a host name or URL.
func siteOf(s string) string {
	if !strings.Contains(s, "://") {
		s = "https://" + s + "/"
	}
	return canonical.Site(s)
}

// serviceName is what a target is, for the user: "webhook" or the scheme.
func serviceName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	switch s := strings.ToLower(u.Scheme); s {
	case "http", "https":
		return "webhook"
	default:
		return s
	}
}

// secretKeys are query parameters whose values are secrets.
var secretKeys = []string{"token", "password", "pass", "secret", "key", "apikey", "api_key", "access_token", "sig", "signature"}

func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range secretKeys {
		if k == s || strings.HasSuffix(k, "_"+s) || strings.HasSuffix(k, "token") {
			return true
		}
	}
	return false
}

// secretsOf lists the secret parts of a target URL: the password, a user
// name that is itself the token (telegram, or a user name without a
// password on a service that authenticates with it), a Gotify token
// (the path), and query values named like secrets. Their escaped forms
// are listed too, so that an error quoting the URL can be scrubbed.
func secretsOf(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	var out []string
	add := func(s string) {
		if len(s) >= 3 {
			out = append(out, s, url.QueryEscape(s), url.PathEscape(s))
		}
	}
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			add(p)
		}
		if name := u.User.Username(); strings.ToLower(u.Scheme) == "telegram" || !hasPassword(u) && strings.ToLower(u.Scheme) != "smtp" {
			add(name)
		}
	}
	scheme := strings.ToLower(u.Scheme)
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i, seg := range segs {
		if scheme == "gotify" && i == len(segs)-1 || secretSegment(scheme, seg) {
			add(seg)
		}
	}
	for k, vs := range u.Query() {
		if isSecretKey(k) {
			for _, v := range vs {
				add(v)
			}
		}
	}
	return out
}

// secretSegment reports whether a path segment of a target URL is a
// secret: an ntfy topic (on a public server the topic is what lets one
// read the messages), or a webhook's segment that looks like a token (16
// characters or more with letters and digits, or 32 or more).
func secretSegment(scheme, seg string) bool {
	switch scheme {
	case "ntfy":
		return seg != ""
	case "http", "https":
		letters, digits := false, false
		for _, r := range seg {
			switch {
			case r >= '0' && r <= '9':
				digits = true
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
				letters = true
			}
		}
		n := len([]rune(seg))
		return n >= 16 && letters && digits || n >= 32
	}
	return false
}

// partial is what is shown of a secret that names something, before the
// mask, so that the user can tell targets apart: its first 3 characters,
// or nothing of a short one.
func partial(s string) string {
	if r := []rune(s); len(r) >= 8 {
		return string(r[:3])
	}
	return ""
}

func hasPassword(u *url.URL) bool {
	_, ok := u.User.Password()
	return ok
}

// MaskURL is a target URL as the user sees it: its secrets replaced by
// ••••. Something that is not a URL is masked whole but for its scheme.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return maskRaw(raw)
	}
	scheme := strings.ToLower(u.Scheme)
	out := scheme + "://"
	if u.User != nil {
		name := u.User.Username()
		if scheme == "telegram" || !hasPassword(u) && scheme != "smtp" {
			name = Mask
		}
		out += name
		if hasPassword(u) {
			out += ":" + Mask
		}
		out += "@"
	}
	out += u.Host
	segs := strings.Split(u.EscapedPath(), "/")
	last := len(segs) - 1
	for last > 0 && segs[last] == "" {
		last--
	}
	for i, seg := range segs {
		plain, err := url.PathUnescape(seg)
		if err != nil {
			plain = seg
		}
		switch {
		case seg == "":
		case scheme == "gotify" && i == last:
			segs[i] = Mask
		case secretSegment(scheme, plain):
			segs[i] = url.PathEscape(partial(plain)) + Mask
		}
	}
	out += strings.Join(segs, "/")
	if u.RawQuery != "" {
		q := u.Query()
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var parts []string
		for _, k := range keys {
			for _, v := range q[k] {
				if isSecretKey(k) {
					v = Mask
				} else {
					v = url.QueryEscape(v)
				}
				parts = append(parts, url.QueryEscape(k)+"="+v)
			}
		}
		out += "?" + strings.Join(parts, "&")
	}
	return out
}

// maskRaw masks all of something that is not a URL but a scheme.
func maskRaw(raw string) string {
	if i := strings.Index(raw, "://"); i > 0 && i < 20 && isScheme(raw[:i]) {
		return raw[:i+3] + Mask
	}
	return Mask
}

// isScheme reports whether s is spelled like a URL scheme.
func isScheme(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// scrub replaces every secret in s with the mask.
func scrub(s string, secrets []string) string {
	// Longer first, so that a secret holding another is masked whole.
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, Mask)
		}
	}
	return s
}

// truncate cuts s to n characters for a message.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// describe is a target's one-line description for logs and errors.
func (t target) describe() string {
	return fmt.Sprintf("target %d (%s)", t.ID, MaskURL(t.URL))
}
