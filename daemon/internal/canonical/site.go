package canonical

import (
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Choose returns the URL an article is stored under: the page's declared
// canonical URL (rel=canonical or og:url) when it is a valid http(s) URL
// on the same site as the page, and otherwise the page's own URL. Only the
// page URL can make it fail: a declaration that is broken or points to
// another site is ignored, because any page can claim any canonical and
// must not be able to file itself under someone else's article.
func Choose(pageURL, declared string) (string, error) {
	page, err := URL(pageURL)
	if err != nil {
		return "", err
	}
	if declared == "" {
		return page, nil
	}
	decl, err := URL(declared)
	if err != nil {
		return page, nil
	}
	if Site(decl) != Site(page) {
		return page, nil
	}
	return decl, nil
}

// Site returns the registrable domain (eTLD+1, private suffixes such as
// github.io included) of a URL's host: www.bbc.co.uk and news.bbc.co.uk
// are both bbc.co.uk. IP addresses, localhost and other single-label hosts
// are their own site, as is a host that is itself a public suffix. It
// returns "" for a URL that URL rejects.
func Site(canonicalURL string) string {
	u, err := URL(canonicalURL)
	if err != nil {
		return ""
	}
	host := u[strings.Index(u, "://")+3:]
	if i := strings.IndexByte(host, '/'); i >= 0 {
		host = host[:i]
	}
	if strings.HasPrefix(host, "[") {
		return host[1:strings.IndexByte(host, ']')]
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	if !strings.Contains(host, ".") || endsInNumber(host) {
		return host
	}
	site, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return host
	}
	return site
}
