package canonical

import (
	"slices"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Choose returns the URL a capture starts its article under: the page's
// declared canonical URL (rel=canonical or og:url) when it names the same
// page (SamePage), and otherwise the page's own URL. Only the page URL can
// make it fail: a declaration that is broken or names another page is
// ignored, because any page can claim any canonical, and an author on a
// shared site must not be able to file a page under another author's
// article.
func Choose(pageURL, declared string) (string, error) {
	page, err := URL(pageURL)
	if err != nil {
		return "", err
	}
	if declared == "" {
		return page, nil
	}
	decl, err := URL(declared)
	if err != nil || !SamePage(page, decl) {
		return page, nil
	}
	return decl, nil
}

// SamePage reports whether a declared canonical URL decl names the page at
// page (both in canonical form): the same origin (scheme, host and port),
// the same path (a trailing slash aside), and the page's query with some
// parameters left out, none of them under a name the declared query keeps.
// So https://news.example/story?amp=1 may declare /story, while
// /attacker/post may not declare /victim/article, ?id=1 may not declare
// ?id=2, and http:// may not declare https://.
func SamePage(page, decl string) bool {
	pOrigin, pPath, pQuery := splitCanonical(page)
	dOrigin, dPath, dQuery := splitCanonical(decl)
	if pOrigin == "" || pOrigin != dOrigin {
		return false
	}
	if strings.TrimSuffix(pPath, "/") != strings.TrimSuffix(dPath, "/") {
		return false
	}
	pParams, dParams := queryParams(pQuery), queryParams(dQuery)
	for _, d := range dParams {
		name := paramName(d)
		if !slices.Equal(withName(pParams, name), withName(dParams, name)) {
			return false
		}
	}
	return true
}

// Origin returns the scheme, host and port of a URL
// ("http://127.0.0.1:8080"), or "" for a URL that URL rejects.
func Origin(rawURL string) string {
	u, err := URL(rawURL)
	if err != nil {
		return ""
	}
	origin, _, _ := splitCanonical(u)
	return origin
}

// splitCanonical splits a canonical URL into its origin, path and query
// (without the '?').
func splitCanonical(u string) (origin, path, query string) {
	i := strings.Index(u, "://")
	if i < 0 {
		return "", "", ""
	}
	rest := u[i+3:]
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return u, "/", ""
	}
	origin, rest = u[:i+3+slash], rest[slash:]
	path, query, _ = strings.Cut(rest, "?")
	return origin, path, query
}

func queryParams(q string) []string {
	if q == "" {
		return nil
	}
	return strings.Split(q, "&")
}

// withName returns the parameters named name, in their order.
func withName(params []string, name string) []string {
	var out []string
	for _, p := range params {
		if paramName(p) == name {
			out = append(out, p)
		}
	}
	return out
}

// Site returns the registrable domain (eTLD+1, private suffixes such as
// github.io included) of a URL's host: www.bbc.co.uk and news.bbc.co.uk
// are both bbc.co.uk. IP addresses, localhost and other single-label hosts
// are their own site, as is a host that is itself a public suffix. It
// returns "" for a URL that URL rejects. Sites group articles (pausing,
// allow and deny lists); they never decide which article a page joins.
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
