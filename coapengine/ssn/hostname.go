package ssn

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// MAC is a NIC's 8-byte EUI-64 hardware address, e.g. 00:13:50:05:00:05:E7:D6.
type MAC [8]byte

// HostPrefix starts every device host name.
const HostPrefix = "SSN"

// String returns the MAC in the host-name form: upper-case hex without separators.
func (m MAC) String() string { return strings.ToUpper(hex.EncodeToString(m[:])) }

// Colons returns the MAC with colons, e.g. "00:13:50:05:00:05:E7:D6".
func (m MAC) Colons() string {
	s := m.String()
	parts := make([]string, 0, 8)
	for i := 0; i < len(s); i += 2 {
		parts = append(parts, s[i:i+2])
	}
	return strings.Join(parts, ":")
}

// HostName returns the device's name in domain, e.g. "SSN001350050005E7D6.sim.starfish.test".
func (m MAC) HostName(domain string) string {
	return HostPrefix + m.String() + "." + domain
}

// ParseMAC reads a MAC in any common form: with colons, dashes, dots or nothing between the
// bytes, any case, with or without the "SSN" prefix, or a whole host name (the first label is
// used).
func ParseMAC(s string) (MAC, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return MAC{}, fmt.Errorf("empty MAC address")
	}
	if label, _, found := strings.Cut(in, "."); found && len(label) > len(HostPrefix) && strings.EqualFold(label[:len(HostPrefix)], HostPrefix) {
		in = label
	}
	if len(in) > len(HostPrefix) && strings.EqualFold(in[:len(HostPrefix)], HostPrefix) {
		in = in[len(HostPrefix):]
	}
	digits := strings.NewReplacer(":", "", "-", "", ".", "", " ", "").Replace(in)
	if len(digits) != 16 {
		return MAC{}, fmt.Errorf("%q is not a NIC MAC address: want 16 hex digits (8 bytes, e.g. 00:13:50:05:00:05:E7:D6), got %d", s, len(digits))
	}
	var mac MAC
	if _, err := hex.Decode(mac[:], []byte(digits)); err != nil {
		return MAC{}, fmt.Errorf("%q is not a NIC MAC address: %w", s, err)
	}
	return mac, nil
}

// ParseHostName splits a device host name into its MAC and domain. The comparison is
// case-insensitive; the domain is returned lower-case.
func ParseHostName(host string) (MAC, string, error) {
	label, domain, found := strings.Cut(host, ".")
	if !found || domain == "" {
		return MAC{}, "", fmt.Errorf("%q is not a device host name: want SSN<MAC>.<domain>", host)
	}
	if len(label) <= len(HostPrefix) || !strings.EqualFold(label[:len(HostPrefix)], HostPrefix) {
		return MAC{}, "", fmt.Errorf("%q is not a device host name: it must start with %q", host, HostPrefix)
	}
	mac, err := ParseMAC(label[len(HostPrefix):])
	if err != nil {
		return MAC{}, "", err
	}
	return mac, strings.ToLower(domain), nil
}
