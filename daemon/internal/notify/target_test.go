package notify

import (
	"strings"
	"testing"
	"time"

	"redline/daemon/internal/article"
)

// What the user sees of a target URL: every secret as ••••, the rest as
// given.
func TestMaskURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ntfy://ntfy.test/topic", "ntfy://ntfy.test/••••"},
		{"ntfy://ntfy.test/redline-news-4711", "ntfy://ntfy.test/red••••"},
		{"ntfy://me:pw123@ntfy.test/topic?scheme=http", "ntfy://me:••••@ntfy.test/••••?scheme=http"},
		{"ntfy://:tk_abcdef@ntfy.test/topic", "ntfy://:••••@ntfy.test/••••"},
		{"gotify://gotify.test/AbCdEf123", "gotify://gotify.test/••••"},
		{"gotify://gotify.test/sub/AbCdEf123?disabletls=yes", "gotify://gotify.test/sub/••••?disabletls=yes"},
		{"telegram://123456:AAbbCC@telegram?chats=@news", "telegram://••••:••••@telegram?chats=%40news"},
		{"telegram://tokenonly@telegram?chats=1", "telegram://••••@telegram?chats=1"},
		{"matrix://bot:secretpw@matrix.test/?rooms=!r:matrix.test", "matrix://bot:••••@matrix.test/?rooms=%21r%3Amatrix.test"},
		{"smtp://mailer:mailpw@mail.test:587/?from=a@mail.test&to=b@mail.test", "smtp://mailer:••••@mail.test:587/?from=a%40mail.test&to=b%40mail.test"},
		{"https://hook.test/in?token=abc123&room=main", "https://hook.test/in?room=main&token=••••"},
		{"https://hook.test/in?api_key=k1&access_token=k2&x=1", "https://hook.test/in?access_token=••••&api_key=••••&x=1"},
		{"https://someone@hook.test/in", "https://••••@hook.test/in"},
		{"https://hook.test/a%3Cb%3E", "https://hook.test/a%3Cb%3E"},
		{"https://hooks.test/services/T0001/B0002/abcDEF123ghiJKL456", "https://hooks.test/services/T0001/B0002/abc••••"},
		{"%%nonsense://x:y@z", "••••"},
	} {
		if got := MaskURL(c.in); got != c.want {
			t.Errorf("MaskURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// An error that quotes a URL, raw or escaped, is scrubbed of its secrets.
func TestScrubRemovesEverySecretForm(t *testing.T) {
	raw := "https://u:p%40ss-word@hook.test/in?token=t%2Fk-99&q=1"
	err := `Post "https://u:p%40ss-word@hook.test/in?token=t%2Fk-99&q=1": pass p@ss-word, token t/k-99`
	got := scrub(err, secretsOf(raw))
	for _, s := range []string{"p@ss-word", "p%40ss-word", "t/k-99", "t%2Fk-99"} {
		if strings.Contains(got, s) {
			t.Errorf("scrubbed error still holds %q: %s", s, got)
		}
	}
	if !strings.Contains(got, "hook.test/in") {
		t.Errorf("scrub took more than the secrets: %s", got)
	}
}

func TestParseDigest(t *testing.T) {
	for in, want := range map[string]int{"": 0, "0": 0, "off": 0, "30m": 30, "1h30m": 90, "24h": 1440, "15": 15, " 2h ": 120} {
		if got, err := parseDigest(in); err != nil || got != want {
			t.Errorf("parseDigest(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"soon", "30s", "90s", "25h", "-5", "-5m", "1440.5", "0.5h1s"} {
		if _, err := parseDigest(in); article.ErrorCode(err) != article.EINVALID {
			t.Errorf("parseDigest(%q) = %v, want an invalid-input error", in, err)
		}
	}
}

// A target wants the changes of the grade it asks for, of its site.
func TestTargetWants(t *testing.T) {
	ev := func(typ string, sig article.Significance, url string) article.Event {
		return article.Event{Type: typ, URL: url, Summary: &article.Summary{Significance: sig}}
	}
	sub, minor := target{}, target{Minor: true}
	site := target{Minor: true, Site: "news.test"}
	for _, c := range []struct {
		t    target
		e    article.Event
		want bool
	}{
		{sub, ev(article.EventChanged, article.Substantive, "https://a.test/x"), true},
		{sub, ev(article.EventChanged, article.Minor, "https://a.test/x"), false},
		{minor, ev(article.EventChanged, article.Minor, "https://a.test/x"), true},
		{minor, ev(article.EventChanged, article.Trivial, "https://a.test/x"), false},
		{minor, ev(article.EventSeen, article.Substantive, "https://a.test/x"), false},
		{site, ev(article.EventChanged, article.Minor, "https://www.news.test/x"), true},
		{site, ev(article.EventChanged, article.Substantive, "https://other.test/x"), false},
	} {
		if got := c.t.wants(c.e); got != c.want {
			t.Errorf("%+v wants %s %s of %s = %v", c.t, c.e.Type, c.e.Summary.Significance, c.e.URL, got)
		}
	}
}

// One change is a message of its own; several are one digest.
func TestCompose(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	e := article.Event{ID: 4, Type: article.EventChanged, ArticleID: 2, URL: "https://news.test/a", Title: "New title", TitleWas: "Old title",
		FromVersion: 1, ToVersion: 3, At: at, Summary: &article.Summary{TitleChanged: true, BlocksChanged: 2, Significance: article.Substantive}}
	c := changeOf(e, "http://dash.test:7710")
	if c.Link != "http://dash.test:7710/articles/2?from=1&to=3" || c.Summary != "Headline changed · 2 paragraphs edited" || c.HeadlineWas != "Old title" {
		t.Errorf("change %+v", c)
	}
	m := compose([]Change{c})
	if m.Title != "Changed: New title" || !strings.Contains(m.Text, "Headline changed · 2 paragraphs edited (substantive)") ||
		!strings.Contains(m.Text, "Was: Old title") || !strings.Contains(m.Text, c.Link) || m.Link != c.Link {
		t.Errorf("message %+v", m)
	}
	if p := m.payload(); p.Digest || p.Change == nil || p.ArticleID != 2 || len(p.Changes) != 1 {
		t.Errorf("payload %+v", p)
	}
	d := compose([]Change{c, c})
	if d.Title != "Redline: 2 changes" || strings.Count(d.Text, c.Link) != 2 || d.Link != "" {
		t.Errorf("digest %+v", d)
	}
	if p := d.payload(); !p.Digest || p.Change != nil || len(p.Changes) != 2 {
		t.Errorf("digest payload %+v", p)
	}
}
