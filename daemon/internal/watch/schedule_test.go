package watch

import (
	"encoding/json"
	"net/netip"
	"testing"
	"time"

	"redline/daemon/internal/article"
	"redline/daemon/internal/watch/watchtest"
)

const day = 24 * time.Hour

func noJitter() float64 { return 0.5 }

func TestScheduleTiers(t *testing.T) {
	s := DefaultSchedule()
	for _, c := range []struct {
		age, every time.Duration
	}{
		{0, 15 * time.Minute},
		{2*time.Hour + 59*time.Minute, 15 * time.Minute},
		{3 * time.Hour, time.Hour},
		{23 * time.Hour, time.Hour},
		{day, 3 * time.Hour},
		{6 * day, 3 * time.Hour},
		{7 * day, 3 * day},
		{29 * day, 3 * day},
		{30 * day, 30 * day},
		{300 * day, 30 * day},
	} {
		next, until, ok := s.Next(t0, t0.Add(c.age), noJitter)
		if !ok || next.Sub(t0.Add(c.age)) != c.every || !until.Equal(t0.Add(360*day)) {
			t.Errorf("at age %s: next in %s (ok %v), want %s", c.age, next.Sub(t0.Add(c.age)), ok, c.every)
		}
	}
	// The last check falls on the cut-off, and after it there is none.
	if next, _, ok := s.Next(t0, t0.Add(350*day), noJitter); !ok || !next.Equal(t0.Add(360*day)) {
		t.Errorf("at 350 days: next %s, want the cut-off", next)
	}
	for _, age := range []time.Duration{360 * day, 400 * day} {
		if _, _, ok := s.Next(t0, t0.Add(age), noJitter); ok {
			t.Errorf("at %s a check is planned after the cut-off", age)
		}
	}
}

func TestScheduleJitterSpreadsWithinItsBounds(t *testing.T) {
	s := DefaultSchedule()
	for _, r := range []float64{0, 0.25, 0.999} {
		next, _, _ := s.Next(t0, t0, func() float64 { return r })
		d := next.Sub(t0)
		if d < 13*time.Minute+30*time.Second || d > 16*time.Minute+30*time.Second {
			t.Errorf("random %v: interval %s, want 15 min ± 10%%", r, d)
		}
	}
	a, _, _ := s.Next(t0, t0, func() float64 { return 0 })
	b, _, _ := s.Next(t0, t0, func() float64 { return 0.99 })
	if a.Equal(b) {
		t.Error("jitter does not spread checks")
	}
}

func TestScheduleSettings(t *testing.T) {
	var s Schedule
	in := `{"tiers":[{"within":"2h","every":"10m"},{"within":"7d","every":"6h"}],"cut_off":"30d","jitter":0}`
	if err := json.Unmarshal([]byte(in), &s); err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(s)
	if string(out) != in {
		t.Errorf("settings round trip:\n got %s\nwant %s", out, in)
	}
	if b, _ := json.Marshal(DefaultSchedule()); string(b) != `{"tiers":[{"within":"3h","every":"15m"},{"within":"1d","every":"1h"},{"within":"7d","every":"3h"},{"within":"30d","every":"3d"},{"within":"360d","every":"30d"}],"cut_off":"360d","jitter":0.1}` {
		t.Errorf("default schedule reads %s", b)
	}
	for name, bad := range map[string]Schedule{
		"no tiers":         {CutOff: Duration(day)},
		"tiers shrink":     {Tiers: []Tier{{Duration(day), Duration(time.Hour)}, {Duration(time.Hour), Duration(time.Hour)}}, CutOff: Duration(day)},
		"too often":        {Tiers: []Tier{{Duration(day), Duration(time.Second)}}, CutOff: Duration(day)},
		"cut-off too soon": {Tiers: []Tier{{Duration(day), Duration(time.Hour)}}, CutOff: Duration(time.Hour)},
		"wild jitter":      {Tiers: []Tier{{Duration(day), Duration(time.Hour)}}, CutOff: Duration(day), Jitter: 2},
	} {
		if err := bad.Validate(); article.ErrorCode(err) != article.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
}

// On the fake clock, an article that never changes is checked by every
// tier in turn, once more at the cut-off, and never again.
func TestScheduleFromCaptureToCutOff(t *testing.T) {
	h := newHarness(t, nil)
	r := watchtest.Article("story")
	r.ETag = `"same"`
	h.site.Set("/a", r)
	a := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story"))
	h.tick() // the baseline
	tiers := DefaultSchedule().Tiers
	counts := make([]int, len(tiers))
	last := h.clock.Now()
	for i := 0; ; i++ {
		if i > 200 {
			t.Fatal("the schedule never ends")
		}
		w := h.article(a.ID).Watch
		if w.State == article.WatchFinished {
			break
		}
		if w.NextCheck.After(t0.Add(360 * day)) {
			t.Fatalf("check planned at %s, after the cut-off", w.NextCheck)
		}
		age := last.Sub(t0)
		for k, tier := range tiers {
			if age < time.Duration(tier.Within) {
				if got := w.NextCheck.Sub(last); got != time.Duration(tier.Every) && !w.NextCheck.Equal(t0.Add(360*day)) {
					t.Fatalf("at age %s the next check is %s later, want %s", age, got, time.Duration(tier.Every))
				}
				counts[k]++
				break
			}
		}
		last = w.NextCheck
		if r := h.untilNext(a.ID); r.Checked != 1 {
			t.Fatalf("tick at %s checked %d", h.clock.Now(), r.Checked)
		}
	}
	// Checks planned at each age: under 3 h every 15 min, 12 (the
	// baseline's plan included); under a day every hour, 21; under 7 days
	// every 3 h, 48; under 30 days every 3 days, 8 (the last lands past 30
	// days); under 360 days every 30 days, 11, the last cut short to fall
	// on the cut-off. 101 checks in all, the baseline included.
	want := []int{12, 21, 48, 8, 11}
	for k := range want {
		if counts[k] != want[k] {
			t.Errorf("tier %d (under %s): %d checks, want %d", k+1, time.Duration(tiers[k].Within), counts[k], want[k])
		}
	}
	w := h.article(a.ID).Watch
	if !w.NextCheck.IsZero() || !w.Until.Equal(t0.Add(360*day)) || w.LastChecked.Before(t0.Add(360*day)) {
		t.Fatalf("finished watch = %+v", w)
	}
	hits := h.site.Hits("/a")
	h.clock.Add(400 * day)
	if r := h.tick(); r.Checked != 0 || h.site.Hits("/a") != hits {
		t.Fatal("a finished article was checked")
	}
	if w.Checks != 101 || hits != 101 {
		t.Errorf("%d checks counted, the site saw %d requests, want 101", w.Checks, hits)
	}
	// A change seen in the browser starts the fast tiers again.
	b := h.capture(h.site.URL("news.test", "/a"), watchtest.Page("story-edited"))
	if b.Watch.State != article.WatchWatching || !b.Watch.NextCheck.Equal(h.clock.Now().Add(15*time.Minute)) {
		t.Fatalf("after a change seen in the browser: %+v", b.Watch)
	}
}

func TestPublicAddresses(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.215.14": true, "2606:2800:21f:cb07:6820:80da:af6b:8b2c": true, "1.1.1.1": true,
		"127.0.0.1": false, "127.1.2.3": false, "::1": false, "10.0.0.1": false, "172.16.5.4": false,
		"192.168.1.1": false, "169.254.169.254": false, "100.64.0.1": false, "0.0.0.0": false,
		"::": false, "fc00::1": false, "fe80::1": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false,
		"64:ff9b::a00:1": false, "64:ff9b::5db8:d70e": true, "2002:a00:1::": false, "224.0.0.1": false,
		"255.255.255.255": false, "198.18.0.1": false, "192.0.2.1": false,
		// Non-public IPv6 forms: IPv4-compatible, IPv4-translated, local
		// NAT64, site-local, Teredo, the former 6to4 relay, documentation.
		"::7f00:1": false, "::a9fe:a9fe": false, "::ffff:0:7f00:1": false, "64:ff9b:1::a00:1": false,
		"64:ff9b:1::5db8:d70e": false, "fec0::1": false, "2001::1": false, "2001:0:4136:e378::1": false,
		"192.88.99.1": false, "2001:db8::1": false, "3fff::1": false, "ff02::1": false, "2001:4860:4860::8888": true,
		"2a00:1450:4001:82b::200e": true, "2002:5db8:d70e::1": true,
	} {
		if got := Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
	for host, want := range map[string]bool{
		"localhost": true, "app.localhost": true, "printer.local": true, "news.test": true,
		"news.example": true, "x.invalid": true, "nas.home.arpa": true, "intranet": true,
		"corp.internal": true, "news.example.com": false, "www.bbc.co.uk": false, "example.com.": false,
	} {
		if got := LocalName(host); got != want {
			t.Errorf("LocalName(%s) = %v, want %v", host, got, want)
		}
	}
	for host, want := range map[string]bool{"news.example": true, "x.invalid": true, "news.test": false, "example.com": false} {
		if got := ReservedName(host); got != want {
			t.Errorf("ReservedName(%s) = %v, want %v", host, got, want)
		}
	}
}
