package notify

import (
	"fmt"
	"strings"
	"time"

	"redline/daemon/internal/article"
)

// Change is one change of an article in a message, and in the webhook's
// JSON.
type Change struct {
	EventID   int64  `json:"event_id"`
	ArticleID int64  `json:"article_id"`
	URL       string `json:"url"`
	Headline  string `json:"headline"`
	// HeadlineWas is the headline the reader read, when the change
	// replaced it.
	HeadlineWas string `json:"headline_was,omitempty"`
	// Summary says what changed in words: "Headline changed · 2
	// paragraphs edited".
	Summary      string               `json:"summary"`
	Significance article.Significance `json:"significance"`
	// Link opens the change in the dashboard.
	Link string    `json:"link"`
	At   time.Time `json:"at"`
}

// message is what one delivery sends: a title, a text for the services
// that take text, and the changes it holds.
type message struct {
	Title   string
	Text    string
	Link    string // what a click opens, when one change
	Changes []Change
	Test    bool
}

// Payload is the webhook's JSON body. A message of one change carries
// that change's fields at the top as well as in Changes.
type Payload struct {
	Type    string   `json:"type"` // "changes" or "test"
	Title   string   `json:"title"`
	Text    string   `json:"text"`
	Digest  bool     `json:"digest"`
	Changes []Change `json:"changes"`
	*Change
}

func (m message) payload() Payload {
	p := Payload{Type: "changes", Title: m.Title, Text: m.Text, Digest: len(m.Changes) > 1, Changes: m.Changes}
	if m.Test {
		p.Type = "test"
	}
	if p.Changes == nil {
		p.Changes = []Change{}
	}
	if len(m.Changes) == 1 {
		c := m.Changes[0]
		p.Change = &c
	}
	return p
}

// changeOf is the change an article.changed event tells; origin is the
// dashboard's, for the link.
func changeOf(e article.Event, origin string) Change {
	c := Change{
		EventID: e.ID, ArticleID: e.ArticleID, URL: e.URL, Headline: e.Title, HeadlineWas: e.TitleWas,
		Summary: "Content changed", At: e.At,
		Link: fmt.Sprintf("%s/articles/%d?from=%d&to=%d", origin, e.ArticleID, e.FromVersion, e.ToVersion),
	}
	if c.Headline == "" {
		c.Headline = e.URL
	}
	if e.Summary != nil {
		c.Significance = e.Summary.Significance
		if s := e.Summary.Sentence(); s != "" {
			c.Summary = s
		}
	}
	return c
}

// compose makes the message of some changes: one change is its headline
// and what changed; several are a digest, one line each.
func compose(changes []Change) message {
	m := message{Changes: changes}
	if len(changes) == 1 {
		c := changes[0]
		m.Title = "Changed: " + c.Headline
		m.Link = c.Link
		var b strings.Builder
		fmt.Fprintf(&b, "%s (%s)\n", c.Summary, c.Significance)
		if c.HeadlineWas != "" {
			fmt.Fprintf(&b, "Was: %s\n", c.HeadlineWas)
		}
		fmt.Fprintf(&b, "%s\nSee the change: %s", c.URL, c.Link)
		m.Text = b.String()
		return m
	}
	m.Title = fmt.Sprintf("Redline: %d changes", len(changes))
	var b strings.Builder
	for i, c := range changes {
		if i > 0 {
			b.WriteString("\n\n")
		}
		fmt.Fprintf(&b, "%s\n%s (%s)\nSee the change: %s", c.Headline, c.Summary, c.Significance, c.Link)
	}
	m.Text = b.String()
	return m
}

// sample is the message "Send test" sends.
func sample(origin string) message {
	return message{
		Title: "Redline test notification", Link: origin + "/settings", Test: true,
		Text: "This target works: Redline will tell you here when an article you read changes.\nSettings: " + origin + "/settings",
	}
}
