// Package canonical gives each article one spelling: one URL however the
// reader arrived at it, and one text however the browser or the server
// rendered it. Versions are compared and hashed on these forms only, so a
// tracking parameter or a non-breaking space never looks like a change.
//
// The extension implements the same rules in TypeScript
// (extension/src/core/canonical.ts); both run the vectors in
// shared/vectors, which are the specification.
package canonical

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"redline/daemon/internal/article"
)

// MaxURLLength is the longest URL, in bytes, accepted as input and
// produced as output. Keeping the output under the same cap makes every
// canonical URL a valid input, so URL(URL(x)) == URL(x) always holds.
const MaxURLLength = 8 << 10

var dropTabNewline = strings.NewReplacer("\t", "", "\n", "", "\r", "")

func invalid(format string, args ...any) error {
	return article.Errorf(article.EINVALID, format, args...)
}

// URL returns the canonical form of an absolute http or https URL, or an
// EINVALID error that says what is wrong with it.
//
// Parsing follows the WHATWG URL standard (what browsers do) wherever it
// decides what a URL means: surrounding spaces and controls are trimmed,
// tabs and newlines dropped, backslashes before the query read as slashes,
// any number of slashes accepted after the scheme, numeric hosts such as
// 0x7f.1 read as IPv4. The result is then normalised: see the vectors'
// README for the full list of rules.
func URL(raw string) (string, error) {
	if len(raw) > MaxURLLength {
		return "", invalid("URL is longer than 8 KB")
	}
	if !utf8.ValidString(raw) {
		return "", invalid("URL is not valid UTF-8")
	}
	s := strings.TrimFunc(raw, func(r rune) bool { return r <= ' ' })
	if strings.ContainsAny(s, "\t\n\r") {
		s = dropTabNewline.Replace(s)
	}
	if s == "" {
		return "", invalid("URL is empty")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c == 0x7f {
			return "", invalid("URL contains control characters")
		}
	}

	scheme, rest, ok := splitScheme(s)
	if !ok {
		return "", invalid("URL is not absolute: it must start with http:// or https://")
	}
	if scheme != "http" && scheme != "https" {
		if len(scheme) > 20 {
			scheme = scheme[:20] + "…"
		}
		return "", invalid("only http and https URLs can be tracked, not %s:", scheme)
	}

	// Split authority, path and query. A backslash before the query is a
	// slash in http(s) URLs, and any run of slashes may follow the scheme.
	end := strings.IndexAny(rest, "?#")
	if end < 0 {
		end = len(rest)
	}
	head := strings.TrimLeft(strings.ReplaceAll(rest[:end], `\`, "/"), "/")
	tail := rest[end:]
	authority, path := head, ""
	if i := strings.IndexByte(head, '/'); i >= 0 {
		authority, path = head[:i], head[i:]
	}
	query, hasQuery := "", false
	if strings.HasPrefix(tail, "?") {
		query, hasQuery = tail[1:], true
		if i := strings.IndexByte(query, '#'); i >= 0 {
			query = query[:i]
		}
	}

	// Credentials never belong in a stored or fetched URL.
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		authority = authority[i+1:]
	}
	hostPart, port := authority, ""
	if strings.HasPrefix(authority, "[") {
		i := strings.IndexByte(authority, ']')
		if i < 0 {
			return "", invalid("URL has an invalid IPv6 host")
		}
		hostPart = authority[:i+1]
		if after := authority[i+1:]; after != "" {
			if after[0] != ':' {
				return "", invalid("URL has an invalid host")
			}
			port = after[1:]
		}
	} else if i := strings.IndexByte(authority, ':'); i >= 0 {
		hostPart, port = authority[:i], authority[i+1:]
	}
	host, err := parseHost(hostPart)
	if err != nil {
		return "", err
	}
	port, err = normalizePort(scheme, port)
	if err != nil {
		return "", err
	}

	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(scheme)
	b.WriteString("://")
	b.WriteString(host)
	if port != "" {
		b.WriteByte(':')
		b.WriteString(port)
	}
	if path == "" {
		b.WriteByte('/')
	} else {
		b.WriteString(removeDotSegments(normalizeEscapes(path, &pathAllowed)))
	}
	if hasQuery {
		if q := cleanQuery(normalizeEscapes(query, &queryAllowed)); q != "" {
			b.WriteByte('?')
			b.WriteString(q)
		}
	}
	if b.Len() > MaxURLLength {
		return "", invalid("URL is longer than 8 KB")
	}
	return b.String(), nil
}

// splitScheme returns the lower-cased scheme of s and what follows its
// colon, or false when s does not start with a scheme (a relative URL or a
// bare host name).
func splitScheme(s string) (scheme, rest string, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return strings.ToLower(s[:i]), s[i+1:], true
		default:
			return "", "", false
		}
	}
	return "", "", false
}

func normalizePort(scheme, port string) (string, error) {
	if port == "" {
		return "", nil
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return "", invalid("URL has an invalid port")
		}
	}
	n, err := strconv.ParseUint(port, 10, 32)
	if err != nil || n > 65535 {
		return "", invalid("URL has an invalid port")
	}
	if scheme == "http" && n == 80 || scheme == "https" && n == 443 {
		return "", nil
	}
	return strconv.FormatUint(n, 10), nil
}

// removeDotSegments resolves "." and ".." in an absolute path the way
// browsers do: ".." never climbs above the root, and a path that ends in a
// dot segment keeps its trailing slash.
func removeDotSegments(p string) string {
	if !strings.Contains(p, ".") {
		return p
	}
	segs := strings.Split(p[1:], "/")
	out := make([]string, 0, len(segs))
	for i, seg := range segs {
		last := i == len(segs)-1
		switch seg {
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		case ".":
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, seg)
		}
	}
	return "/" + strings.Join(out, "/")
}

// Bytes that may stand unescaped in a canonical path or query: RFC 3986's
// unreserved characters, sub-delimiters, ':' '@' '/' and, in the query, '?'.
// The apostrophe is escaped in queries because browsers escape it there, so
// a URL from the extension and the same URL typed into the CLI agree.
var pathAllowed, queryAllowed [256]bool

func init() {
	for c := 0; c < 256; c++ {
		pathAllowed[c] = isUnreserved(byte(c)) || strings.IndexByte("!$&'()*+,;=:@/", byte(c)) >= 0
		queryAllowed[c] = pathAllowed[c] && c != '\'' || c == '?'
	}
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

const upperHex = "0123456789ABCDEF"

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// normalizeEscapes gives s one percent-encoding: escapes of unreserved
// characters are decoded, other escapes get upper-case hex, bytes not in
// allowed are escaped, and a '%' that starts no valid escape becomes %25.
// Escapes of reserved characters stay escaped: %2F is not '/'.
func normalizeEscapes(s string, allowed *[256]bool) string {
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		clean = s[i] != '%' && allowed[s[i]]
	}
	if clean {
		return s
	}
	b := make([]byte, 0, len(s)+len(s)/2)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				if d := hi<<4 | lo; isUnreserved(d) {
					b = append(b, d)
				} else {
					b = append(b, '%', upperHex[hi], upperHex[lo])
				}
				i += 2
				continue
			}
		}
		if c != '%' && allowed[c] {
			b = append(b, c)
		} else {
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return string(b)
}

// percentDecode decodes every valid escape in s and leaves the rest.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b = append(b, hi<<4|lo)
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}

// cleanQuery drops empty and tracking parameters from a normalised query
// and sorts the rest by name. The sort is stable so repeated names (a=1&a=2)
// keep the order the site gave them, which some sites depend on.
func cleanQuery(q string) string {
	if q == "" {
		return ""
	}
	params := strings.Split(q, "&")
	kept := params[:0]
	for _, p := range params {
		if p != "" && !isTracking(paramName(p)) {
			kept = append(kept, p)
		}
	}
	slices.SortStableFunc(kept, func(a, b string) int {
		return strings.Compare(paramName(a), paramName(b))
	})
	return strings.Join(kept, "&")
}

func paramName(p string) string {
	if i := strings.IndexByte(p, '='); i >= 0 {
		return p[:i]
	}
	return p
}

// Query parameters that only say how the reader got to a page, never which
// page it is. Prefixes end in '_'.
var (
	trackingNames = map[string]bool{
		"fbclid": true, "gclid": true, "dclid": true, "gbraid": true,
		"wbraid": true, "msclkid": true, "igshid": true, "yclid": true,
		"_ga": true, "_gl": true, "_hsenc": true, "_hsmi": true,
		"mkt_tok": true,
	}
	trackingPrefixes = []string{"utm_", "mc_"}
)

func isTracking(name string) bool {
	// ASCII-only lower-casing: full Unicode case mapping differs between
	// languages (U+0130 lower-cases to "i" here, to "i̇" in JavaScript).
	name = strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, percentDecode(name))
	if trackingNames[name] {
		return true
	}
	for _, p := range trackingPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
