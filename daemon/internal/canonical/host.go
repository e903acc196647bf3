package canonical

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// hostProfile maps host names the way browsers do (UTS #46 as the WHATWG
// URL standard configures it): non-transitional, joiners and bidi checked,
// but hyphen placement and the STD3 character rules not enforced there.
// Which ASCII characters a host may hold is checked afterwards, by
// validDomain, with one rule for both this package and the extension.
var hostProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.Transitional(false),
	idna.StrictDomainName(false),
	idna.CheckHyphens(false),
	idna.VerifyDNSLength(false),
)

// parseHost returns the canonical form of the host part of a URL's
// authority: a lower-case ASCII domain without a trailing dot, a dotted
// IPv4 address, or a bracketed IPv6 address.
func parseHost(h string) (string, error) {
	if h == "" {
		return "", invalid("URL has no host")
	}
	if strings.HasPrefix(h, "[") {
		if !strings.HasSuffix(h, "]") {
			return "", invalid("URL has an invalid IPv6 host")
		}
		a, ok := parseIPv6(h[1 : len(h)-1])
		if !ok {
			return "", invalid("URL has an invalid IPv6 host")
		}
		return "[" + a + "]", nil
	}
	d := percentDecode(h)
	if !utf8.ValidString(d) {
		return "", invalid("URL has an invalid host")
	}
	a, err := hostProfile.ToASCII(d)
	if err != nil {
		return "", invalid("URL has an invalid host name")
	}
	a = strings.ToLower(a)
	if endsInNumber(a) {
		ip, ok := parseIPv4(a)
		if !ok {
			return "", invalid("URL has an invalid IPv4 host")
		}
		return ip, nil
	}
	a = strings.TrimSuffix(a, ".")
	if a == "" {
		return "", invalid("URL has no host")
	}
	if !validDomain(a) {
		return "", invalid("URL has an invalid host name")
	}
	return a, nil
}

// validDomain reports whether d is a name DNS can resolve: labels of 1 to
// 63 letters, digits, '-' and '_', 253 bytes in all. Browsers accept a few
// more characters (such as '!' or '$') and longer names; no reachable web
// server has such a name, and refusing them keeps the Go and TypeScript
// sides equal (and punycode labels short enough to decode again).
func validDomain(d string) bool {
	if len(d) > 253 {
		return false
	}
	label := 0
	for i := 0; i < len(d); i++ {
		switch c := d[i]; {
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
			if label++; label > 63 {
				return false
			}
		default:
			return false
		}
	}
	return label > 0
}

// endsInNumber reports whether the last label of a host (ignoring one
// trailing dot) is a number, in which case browsers require the whole host
// to be an IPv4 address.
func endsInNumber(h string) bool {
	parts := strings.Split(h, ".")
	if parts[len(parts)-1] == "" {
		if len(parts) == 1 {
			return false
		}
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if last == "" {
		return false
	}
	digits := true
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			digits = false
			break
		}
	}
	if digits {
		return true
	}
	_, ok := parseIPv4Number(last)
	return ok
}

// parseIPv4 reads the IPv4 forms browsers accept (1.2.3.4, 0x7f.1,
// 2130706433, 0177.0.0.1) and returns the address in dotted decimal.
func parseIPv4(h string) (string, bool) {
	parts := strings.Split(h, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return "", false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := parseIPv4Number(p)
		if !ok || n > 255 && i < len(parts)-1 {
			return "", false
		}
		nums[i] = n
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return "", false
	}
	v := last
	for i, n := range nums[:len(nums)-1] {
		v += n << (8 * (3 - i))
	}
	return strconv.FormatUint(v>>24, 10) + "." + strconv.FormatUint(v>>16&255, 10) + "." +
		strconv.FormatUint(v>>8&255, 10) + "." + strconv.FormatUint(v&255, 10), true
}

// parseIPv4Number reads one part of an IPv4 host: decimal, 0x-prefixed hex
// or 0-prefixed octal. Values above 2^32 are reported as 2^32: too large
// for any position.
func parseIPv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := uint64(10)
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		base, s = 16, s[2:]
	case len(s) >= 2 && s[0] == '0':
		base, s = 8, s[1:]
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		d, ok := unhex(s[i])
		if !ok || uint64(d) >= base {
			return 0, false
		}
		if n < 1<<32 {
			n = n*base + uint64(d)
		}
	}
	return min(n, 1<<32), true
}

// parseIPv6 reads an IPv6 address (without brackets) and writes it the
// way browsers do: lower-case hex, the longest run of two or more zero
// pieces shortened to "::", an embedded IPv4 address written as hex.
func parseIPv6(s string) (string, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() || strings.Contains(s, "%") { // no zones
		return "", false
	}
	b := a.As16()
	var pieces [8]uint16
	for i := range pieces {
		pieces[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	start, length := -1, 1
	for i := 0; i < 8; {
		if pieces[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && pieces[j] == 0 {
			j++
		}
		if j-i > length {
			start, length = i, j-i
		}
		i = j
	}
	var out strings.Builder
	for i := 0; i < 8; i++ {
		if i == start {
			out.WriteString("::")
			i += length - 1
			continue
		}
		if out.Len() > 0 && !strings.HasSuffix(out.String(), ":") {
			out.WriteByte(':')
		}
		out.WriteString(strconv.FormatUint(uint64(pieces[i]), 16))
	}
	return out.String(), true
}
