package watch

import (
	"net/netip"
	"strings"
)

// nonPublicV4 are IPv4 ranges that are not on the public internet beyond
// what netip's own predicates cover.
var nonPublicV4 = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("192.88.99.0/24"),  // former 6to4 relay anycast
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
}

// IPv6 is allowed, not denied: only global unicast (2000::/3) is public,
// minus the special ranges inside it. Every other form (IPv4-compatible
// ::a.b.c.d, IPv4-translated ::ffff:0:a.b.c.d, site-local fec0::/10,
// unique-local, link-local, local-use NAT64 64:ff9b:1::/48) is refused.
var (
	globalUnicast = netip.MustParsePrefix("2000::/3")
	nonPublicV6   = []netip.Prefix{
		netip.MustParsePrefix("2001::/23"),     // IETF protocol assignments: Teredo, benchmarking, ORCHID
		netip.MustParsePrefix("2001:db8::/32"), // documentation
		netip.MustParsePrefix("3fff::/20"),     // documentation
	}
)

// embeddedV4 are IPv6 ranges that carry an IPv4 address whose policy
// applies: the well-known NAT64 prefix in the last 32 bits, 6to4 in bits
// 16 to 48.
var (
	nat64 = netip.MustParsePrefix("64:ff9b::/96")
	sixTo = netip.MustParsePrefix("2002::/16")
)

// Public reports whether ip is an address on the public internet. An IPv4
// address (also when mapped into IPv6) is public unless it is loopback,
// private, link-local, multicast, unspecified, carrier-grade NAT,
// documentation or reserved. An IPv6 address is public only when it is
// global unicast outside the special ranges; one that carries an IPv4
// address (NAT64, 6to4) is judged by that address.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return false
	case ip.Is4():
		if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsMulticast() || ip.IsUnspecified() {
			return false
		}
		for _, p := range nonPublicV4 {
			if p.Contains(ip) {
				return false
			}
		}
		return true
	}
	b := ip.As16()
	switch {
	case nat64.Contains(ip):
		return Public(netip.AddrFrom4([4]byte(b[12:16])))
	case sixTo.Contains(ip):
		return Public(netip.AddrFrom4([4]byte(b[2:6])))
	case !globalUnicast.Contains(ip):
		return false
	}
	for _, p := range nonPublicV6 {
		if p.Contains(ip) {
			return false
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
