package watch

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"redline/daemon/internal/article"
)

// Duration is a time.Duration written for people in settings: "15m",
// "3h", "3d", "30d" (a day is 24 hours).
type Duration time.Duration

// MarshalText writes the shortest form: whole days as "Nd".
func (d Duration) MarshalText() ([]byte, error) {
	td := time.Duration(d)
	if td > 0 && td%(24*time.Hour) == 0 {
		return []byte(strconv.FormatInt(int64(td/(24*time.Hour)), 10) + "d"), nil
	}
	s := td.String() // "3h0m0s"
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return []byte(s), nil
}

// UnmarshalText reads Go durations ("90m", "1h30m") and days ("3d").
func (d *Duration) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a duration such as 15m, 3h or 30d", s)
		}
		*d = Duration(n * float64(24*time.Hour))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 15m, 3h or 30d", s)
	}
	*d = Duration(v)
	return nil
}

// Tier is one step of the schedule: while the time since the article last
// changed is under Within, it is checked every Every.
type Tier struct {
	Within Duration `json:"within"`
	Every  Duration `json:"every"`
}

// Schedule decays with the time since an article last changed (or was
// first seen): fresh articles change most, so they are checked most.
type Schedule struct {
	Tiers []Tier `json:"tiers"`
	// CutOff: an article unchanged for this long is not checked again
	// (until a browser capture finds it changed).
	CutOff Duration `json:"cut_off"`
	// Jitter stretches or shrinks each interval by up to this fraction at
	// random, so that articles read together are not checked together.
	Jitter float64 `json:"jitter"`
}

// DefaultSchedule: under 3 h every 15 min; under a day every hour; under
// 7 days every 3 h; under 30 days every 3 days; under 360 days every 30
// days; then never. Most edits come in the first hours.
func DefaultSchedule() Schedule {
	day := 24 * time.Hour
	return Schedule{
		Tiers: []Tier{
			{Duration(3 * time.Hour), Duration(15 * time.Minute)},
			{Duration(day), Duration(time.Hour)},
			{Duration(7 * day), Duration(3 * time.Hour)},
			{Duration(30 * day), Duration(3 * day)},
			{Duration(360 * day), Duration(30 * day)},
		},
		CutOff: Duration(360 * day),
		Jitter: 0.1,
	}
}

// MinInterval is the shortest interval a tier may have: a site is not
// asked for one page more often than this.
const MinInterval = time.Minute

// Validate checks that the tiers grow, that no interval is under
// MinInterval, and that the cut-off leaves every tier reachable.
func (s Schedule) Validate() error {
	if len(s.Tiers) == 0 {
		return article.Errorf(article.EINVALID, "the schedule needs at least one tier")
	}
	var prev Duration
	for i, t := range s.Tiers {
		if t.Within <= prev {
			return article.Errorf(article.EINVALID, "tier %d: within must be longer than the tier before it", i+1)
		}
		if time.Duration(t.Every) < MinInterval {
			return article.Errorf(article.EINVALID, "tier %d: every must be at least %s", i+1, MinInterval)
		}
		prev = t.Within
	}
	if s.CutOff < s.Tiers[len(s.Tiers)-1].Within {
		return article.Errorf(article.EINVALID, "cut_off must be at least the last tier's within")
	}
	if s.Jitter < 0 || s.Jitter > 0.5 {
		return article.Errorf(article.EINVALID, "jitter must be between 0 and 0.5")
	}
	return nil
}

// Next plans the check after one at now, for an article last changed at
// since: ok is false once the cut-off has passed. until is the cut-off;
// the last check falls on it. random returns a number in [0, 1) for the
// jitter.
func (s Schedule) Next(since, now time.Time, random func() float64) (next, until time.Time, ok bool) {
	until = since.Add(time.Duration(s.CutOff))
	age := max(now.Sub(since), 0)
	if age >= time.Duration(s.CutOff) {
		return time.Time{}, until, false
	}
	every := s.Tiers[len(s.Tiers)-1].Every
	for _, t := range s.Tiers {
		if age < time.Duration(t.Within) {
			every = t.Every
			break
		}
	}
	if random == nil {
		random = rand.Float64
	}
	d := float64(every) * (1 + s.Jitter*(2*random()-1))
	next = now.Add(time.Duration(d))
	if next.After(until) {
		next = until
	}
	return next, until, true
}

// Since is the moment an article's schedule counts from: its last change,
// its disappearance, or when it was first seen, whichever is latest.
func Since(a *article.Article) time.Time {
	t := a.FirstSeen
	if a.LastChanged.After(t) {
		t = a.LastChanged
	}
	if a.Watch != nil && a.Watch.RemovedAt.After(t) {
		t = a.Watch.RemovedAt
	}
	return t
}
