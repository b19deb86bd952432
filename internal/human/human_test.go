package human

import (
	"testing"
	"time"
)

func TestDurationsAreRoundedForPeople(t *testing.T) {
	for _, c := range []struct {
		in   time.Duration
		want string
	}{
		{0, "0 ms"},
		{420 * time.Microsecond, "420 µs"},
		{312 * time.Millisecond, "312 ms"},
		{-6139947970 * time.Nanosecond, "-6.1 s"},
		{9990 * time.Millisecond, "9.9 s"},
		{42 * time.Second, "42 s"},
		{4*time.Minute + 5*time.Second, "4 min 05 s"},
		{59 * time.Minute, "59 min"},
		{3*time.Hour + 5*time.Minute, "3 h 05 min"},
		{50 * time.Hour, "2 days 2 h"},
		{72 * time.Hour, "3 days"},
	} {
		if got := Duration(c.in); got != c.want {
			t.Errorf("Duration(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRoughDurationsUseOneUnit(t *testing.T) {
	for in, want := range map[time.Duration]string{12 * time.Second: "12 s", 59 * time.Minute: "59 min", 3 * time.Hour: "3 h", 120 * time.Hour: "5 days", -2 * time.Minute: "-2 min"} {
		if got := Rough(in); got != want {
			t.Errorf("Rough(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestRTTsReadInMillisecondsOrSeconds(t *testing.T) {
	if got := RTT(312 * time.Millisecond); got != "312 ms" {
		t.Errorf("got %q", got)
	}
	if got := RTT(1420 * time.Millisecond); got != "1.4 s" {
		t.Errorf("got %q", got)
	}
}

func TestCountsTakeTheirNoun(t *testing.T) {
	if got := Plural(1, "byte"); got != "1 byte" {
		t.Errorf("got %q", got)
	}
	if got := Plural(1200, "byte"); got != "1 200 bytes" {
		t.Errorf("got %q", got)
	}
	if got := Count(1, "entry", "entries"); got != "1 entry" {
		t.Errorf("got %q", got)
	}
	if got := Thousands(-12345678); got != "-12 345 678" {
		t.Errorf("got %q", got)
	}
}

func TestShortHostKeepsTheFirstLabelButNotOfAnAddress(t *testing.T) {
	if got := ShortHost("SSN001350050005E7D6.sim.starfish.test"); got != "SSN001350050005E7D6" {
		t.Errorf("got %q", got)
	}
	if got := ShortHost("127.0.0.1"); got != "127.0.0.1" {
		t.Errorf("got %q", got)
	}
}

func TestMiddleKeepsTheHeadAndMoreOfTheTail(t *testing.T) {
	if got := Middle("SSN001350050005E7D6", 12); got != "SSN…0005E7D6" {
		t.Errorf("got %q", got)
	}
	if got := Middle("short", 12); got != "short" {
		t.Errorf("got %q", got)
	}
}

func TestEndKeepsTheStart(t *testing.T) {
	if got := End("ended: the device stopped it", 12); got != "ended: the …" {
		t.Errorf("got %q", got)
	}
	if got := End("short", 12); got != "short" {
		t.Errorf("got %q", got)
	}
}
