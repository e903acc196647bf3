package article

// AlertPolicy says which changes of an article the user read alert them:
// the banner, the badge, the desktop notification, the dashboard's
// "Changed" list and the changes feed. Every change is recorded whatever
// the policy; it only decides what is brought to the user's attention.
// The daemon keeps the one policy (its settings) and tells every client.
type AlertPolicy string

const (
	// AlertSubstantive, the default: only substantive changes alert.
	AlertSubstantive AlertPolicy = "substantive"
	// AlertMinor: minor changes alert too.
	AlertMinor AlertPolicy = "minor"
)

// DefaultAlertPolicy is the policy until the user chooses one.
const DefaultAlertPolicy = AlertSubstantive

// ParseAlertPolicy reads a policy as the wire and the forms spell it. Any
// other value is an EINVALID error that says which values are allowed.
func ParseAlertPolicy(s string) (AlertPolicy, error) {
	switch p := AlertPolicy(s); p {
	case AlertSubstantive, AlertMinor:
		return p, nil
	}
	return "", Errorf(EINVALID, "alert_on must be %q or %q, not %q", AlertSubstantive, AlertMinor, truncate(s, 40))
}

// Alerts reports whether a change of significance sig alerts under p. A
// trivial change never alerts; the zero policy is the default.
func (p AlertPolicy) Alerts(sig Significance) bool {
	switch sig {
	case Substantive:
		return true
	case Minor:
		return p == AlertMinor
	}
	return false
}

// Alerting reports whether the article has an unseen change that alerts
// under p. The newest unseen change is graded over the whole range since
// the read (what the banner and "Show changes" show), so it alone decides.
func (a Article) Alerting(p AlertPolicy) bool {
	if len(a.Unseen) == 0 {
		return false
	}
	return p.Alerts(a.Unseen[len(a.Unseen)-1].Significance)
}

// truncate cuts s to n characters for an error message.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
