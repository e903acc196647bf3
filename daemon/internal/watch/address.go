package watch

import (
	"net/netip"
	"strings"
)

// nonPublic are address ranges that are not on the public internet beyond
// what netip's own predicates cover.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("100::/64"),        // discard
}

// embeddedV4 are IPv6 ranges that carry an IPv4 address whose policy
// applies: NAT64 in the last 32 bits, 6to4 in bits 16 to 48.
var (
	nat64 = netip.MustParsePrefix("64:ff9b::/96")
	sixTo = netip.MustParsePrefix("2002::/16")
)

// Public reports whether ip is an address on the public internet: not
// loopback, private, link-local, multicast, unspecified, carrier-grade
// NAT, documentation or reserved, also when wrapped in IPv6.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip):
			return Public(netip.AddrFrom4([4]byte(b[12:16])))
		case sixTo.Contains(ip):
			return Public(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	return true
}

// localNames are special-use names that never mean a public site
// (RFC 6761, 6762, 8375, 9476): they are refused without asking DNS, so
// that no lookup of them leaves the machine.
var localNames = []string{"localhost", "local", "test", "example", "invalid", "internal", "home.arpa", "lan", "onion", "alt"}

// neverPublic are special-use names that are never on the internet, nor
// on a network Redline may be allowed into: they are refused always.
var neverPublic = []string{"example", "invalid"}

// ReservedName reports whether host is a name reserved for documentation
// or made to fail ("news.example", "x.invalid").
func ReservedName(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	for _, n := range neverPublic {
		if h == n || strings.HasSuffix(h, "."+n) {
			return true
		}
	}
	return false
}

// LocalName reports whether host is a special-use name such as
// "localhost", "printer.local" or "news.example".
func LocalName(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if !strings.Contains(h, ".") {
		return true // a single label resolves through local search domains
	}
	for _, n := range localNames {
		if h == n || strings.HasSuffix(h, "."+n) {
			return true
		}
	}
	return false
}
