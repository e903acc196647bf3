package article

import "testing"

func TestAlertPolicy(t *testing.T) {
	for _, c := range []struct {
		p    AlertPolicy
		sig  Significance
		want bool
	}{
		{AlertSubstantive, Substantive, true},
		{AlertSubstantive, Minor, false},
		{AlertSubstantive, Trivial, false},
		{AlertMinor, Substantive, true},
		{AlertMinor, Minor, true},
		{AlertMinor, Trivial, false},
		{"", Substantive, true}, // the zero policy is the default
		{"", Minor, false},
	} {
		if got := c.p.Alerts(c.sig); got != c.want {
			t.Errorf("%q.Alerts(%s) = %v, want %v", c.p, c.sig, got, c.want)
		}
	}
	for _, bad := range []string{"", "all", "Minor", "trivial", "substantive "} {
		if _, err := ParseAlertPolicy(bad); ErrorCode(err) != EINVALID {
			t.Errorf("ParseAlertPolicy(%q) = %v, want an invalid error", bad, err)
		}
	}
}

// The newest unseen change covers the whole range since the read: it
// alone decides whether the article alerts.
func TestArticleAlerting(t *testing.T) {
	a := Article{}
	if a.Alerting(AlertMinor) {
		t.Error("an article with nothing unseen alerts")
	}
	a.Unseen = []UnseenChange{{From: 1, To: 2, Significance: Minor}}
	if a.Alerting(AlertSubstantive) || !a.Alerting(AlertMinor) {
		t.Error("a minor unseen change: want an alert only when minor changes alert")
	}
	a.Unseen = append(a.Unseen, UnseenChange{From: 1, To: 3, Significance: Substantive})
	if !a.Alerting(AlertSubstantive) {
		t.Error("a minor then a substantive change since the read does not alert")
	}
}
