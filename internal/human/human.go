// Package human writes durations, counts and names the way people read them: "312 ms",
// "−6.1 s", "59 min", "1 200 exchanges", "SSN001350050005E7D6". Every screen and command of
// the workbench uses it, so that one quantity reads the same everywhere.
package human

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Duration rounds d for a person: milliseconds below a second ("850 ms"), a tenth of a
// second below a minute ("6.1 s"), then minutes and seconds ("4 min 05 s"), hours and
// minutes ("3 h 05 min") and days ("2 days 4 h"). A negative duration keeps its sign
// ("-6.1 s"): a clock behind is not a clock ahead.
func Duration(d time.Duration) string {
	if d < 0 {
		if d == math.MinInt64 {
			d++
		}
		return "-" + Duration(-d)
	}
	switch {
	case d < time.Millisecond && d > 0:
		return fmt.Sprintf("%d µs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < 10*time.Second:
		return fmt.Sprintf("%.1f s", math.Floor(d.Seconds()*10)/10)
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		m, s := int(d.Minutes()), int(d.Seconds())%60
		if s == 0 {
			return fmt.Sprintf("%d min", m)
		}
		return fmt.Sprintf("%d min %02d s", m, s)
	case d < 48*time.Hour:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %02d min", h, m)
	}
	days, h := int(d.Hours()/24), int(d.Hours())%24
	if h == 0 {
		return fmt.Sprintf("%d days", days)
	}
	return fmt.Sprintf("%d days %d h", days, h)
}

// Rough is a duration in one unit, coarse enough for a line that is read at a glance and
// should not change every second: "12 s", "59 min", "3 h", "5 days".
func Rough(d time.Duration) string {
	if d < 0 {
		return "-" + Rough(-d)
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// RTT writes a round-trip time: whole milliseconds below a second ("312 ms"), else seconds
// with one decimal ("1.4 s").
func RTT(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// Plural is n with its noun, made plural by an s when n is not 1: "1 byte", "48 bytes".
func Plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return Thousands(n) + " " + what + "s"
}

// Count is n with the noun that fits it: "1 entry", "1 200 entries".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Thousands(n) + " " + many
}

// Thousands writes n with its thousands set apart by a space: "1 200", "-12 345 678".
func Thousands(n int) string {
	s := fmt.Sprint(n)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return sign + b.String()
}

// ShortHost is a host name's first label, the part that tells devices apart:
// "SSN001350050005E7D6" of "SSN001350050005E7D6.sim.starfish.test". An IP address is kept
// whole.
func ShortHost(host string) string {
	if strings.Count(host, ".") == 3 && strings.Trim(host, "0123456789.") == "" {
		return host
	}
	first, _, _ := strings.Cut(host, ".")
	return first
}

// Middle cuts s to at most n runes by taking out its middle, keeping more of the tail (the
// part of a MAC or a path that differs between rows): "SSN0013…0005E7D6".
func Middle(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n < 2 {
		return "…"
	}
	keep := n - 1
	head := keep / 3
	tail := keep - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// End cuts s to at most n runes by dropping its end, for a sentence whose start matters most:
// "ended: the device did…".
func End(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n < 2 {
		return "…"
	}
	return string(r[:n-1]) + "…"
}
