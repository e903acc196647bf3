package extract

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Wall kinds: why a fetched page may not be the article the reader saw.
const (
	WallBotCheck = "bot_challenge"
	WallPaywall  = "paywall"
	WallLogin    = "login"
	WallConsent  = "consent"
)

// Wall is a sign that a page stands between the reader and the article.
// Signs alone decide nothing: free articles often mention subscriptions.
// The watcher weighs them with how much of the article the page holds.
type Wall struct {
	Kind string // "" when no sign was found
	// Evidence is the phrase or marker that was found.
	Evidence string
}

// wallSigns are lower-case phrases of the page's visible text, by kind,
// strongest kind first.
var wallSigns = []struct {
	kind    string
	phrases []string
}{
	{WallBotCheck, []string{
		"checking your browser", "verify you are human", "verifying you are human",
		"are you a robot", "are you a human", "press & hold", "press and hold to confirm",
		"attention required!", "please enable js and disable any ad blocker",
		"pardon our interruption", "request unsuccessful.", "complete the security check",
		"just a moment...",
	}},
	{WallPaywall, []string{
		"subscribe to continue reading", "subscribe to read", "subscribe now to continue",
		"subscribers only", "for subscribers", "this article is for subscribers",
		"this content is for subscribers", "already a subscriber", "continue reading with a subscription",
		"you've reached your limit", "you have reached your limit", "free articles remaining",
		"unlock this article", "become a subscriber to", "réservé aux abonnés", "abonnez-vous pour lire",
		"article réservé", "nur für abonnenten", "jetzt abonnieren und weiterlesen", "solo para suscriptores",
	}},
	{WallLogin, []string{
		"sign in to continue", "log in to continue", "sign in to read", "log in to read",
		"please log in to", "please sign in to", "create a free account to continue",
		"register to continue reading", "you must be logged in",
	}},
	{WallConsent, []string{
		"before you continue to", "we value your privacy", "consent to the use of cookies",
		"accept all cookies", "cookie consent", "manage consent preferences",
	}},
}

// markupSigns are markers of bot-check pages in their markup. Captcha
// widgets alone are not among them: ordinary comment forms carry them.
var markupSigns = []string{
	"cf-challenge", "challenge-platform", "_cf_chl_", `id="challenge-form"`, `id="challenge-running"`, `id="px-captcha"`,
}

// notFree is how a page declares in its structured data that its content
// is not free to read.
var notFree = regexp.MustCompile(`(?i)"isAccessibleForFree"\s*:\s*"?false"?`)

// maxSignText bounds how much of a page's text is searched for signs.
const maxSignText = 256 << 10

// findWall looks for the signs of a wall in the parsed page (before
// extraction changes it) and its raw bytes.
func findWall(doc *html.Node, raw []byte) Wall {
	rawText := strings.ToLower(string(raw[:min(len(raw), 2*maxSignText)]))
	for _, m := range markupSigns {
		if strings.Contains(rawText, m) {
			return Wall{Kind: WallBotCheck, Evidence: m}
		}
	}
	text := visibleText(doc)
	for _, sign := range wallSigns {
		for _, p := range sign.phrases {
			if strings.Contains(text, p) {
				return Wall{Kind: sign.kind, Evidence: p}
			}
		}
	}
	if m := notFree.FindString(rawText); m != "" {
		return Wall{Kind: WallPaywall, Evidence: m}
	}
	return Wall{}
}

// visibleText returns the lower-case text of the page's title and body,
// one space between pieces, at most maxSignText bytes.
func visibleText(doc *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil && b.Len() < maxSignText; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode:
				if t := strings.Join(strings.Fields(c.Data), " "); t != "" {
					b.WriteString(strings.ToLower(t))
					b.WriteByte(' ')
				}
			case c.Type == html.ElementNode && c.DataAtom == atom.Title:
				walk(c)
			case c.Type == html.ElementNode && silent[c.DataAtom] && c.DataAtom != atom.Head:
			default:
				walk(c)
			}
		}
	}
	walk(doc)
	return b.String()
}
