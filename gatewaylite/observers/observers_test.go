package observers

import (
	"net/netip"
	"testing"
	"time"

	"github.com/plgd-dev/go-coap/v3/message"
)

func TestSetBookkeeping(t *testing.T) {
	emptied := 0
	s := New(nil, func() { emptied++ })
	a := netip.MustParseAddrPort("127.0.0.1:1000")
	b := netip.MustParseAddrPort("127.0.0.1:2000")
	first := s.Add(a, []byte{1})
	again := s.Add(a, []byte{1}) // a refresh keeps one registration, with a newer sequence
	if again <= first || s.Len() != 1 {
		t.Fatalf("refresh: seq %d → %d, len %d", first, again, s.Len())
	}
	s.Add(a, []byte{2})
	s.Add(b, []byte{1})
	if s.Len() != 3 || !s.Has(a, []byte{2}) {
		t.Fatalf("len %d", s.Len())
	}
	c := netip.MustParseAddrPort("127.0.0.1:3000")
	if moved := s.MovePeer(a, c); moved != 2 || s.Has(a, []byte{1}) || !s.Has(c, []byte{1}) {
		t.Fatalf("moved %d", moved)
	}
	if s.Remove(b, []byte{9}) {
		t.Fatal("removed a registration that does not exist")
	}
	if !s.Remove(b, []byte{1}) || emptied != 0 {
		t.Fatal("remove b")
	}
	if n := s.RemovePeer(c); n != 2 || emptied != 1 || s.Len() != 0 {
		t.Fatalf("remove peer: %d, emptied %d", n, emptied)
	}
}

func TestSequenceWrapsAt24Bits(t *testing.T) {
	if nextSeq(0xFFFFFF) != 0 || nextSeq(5) != 6 {
		t.Fatal("sequence numbers are 24-bit (RFC 7641 §3.4)")
	}
}

func TestAgedSnapshotCarriesTheRemainingMaxAge(t *testing.T) {
	now := time.Now()
	maxAge := func(s Snapshot) uint32 {
		v, err := s.Options.GetUint32(message.MaxAge)
		if err != nil {
			t.Fatalf("no Max-Age: %v", err)
		}
		return v
	}
	ten := Snapshot{Options: message.Options{{ID: message.MaxAge, Value: []byte{10}}}, At: now.Add(-3 * time.Second)}
	if got := maxAge(ten.aged(now)); got != 7 {
		t.Fatalf("10 s fresh, kept 3 s: Max-Age %d, want 7", got)
	}
	if got := maxAge(ten); got != 10 {
		t.Fatal("aging must not change the cached snapshot")
	}
	implicit := Snapshot{At: now.Add(-5 * time.Second)}
	if got := maxAge(implicit.aged(now)); got != 55 {
		t.Fatalf("default 60 s, kept 5 s: Max-Age %d, want 55", got)
	}
	expired := Snapshot{Options: message.Options{{ID: message.MaxAge, Value: []byte{2}}}, At: now.Add(-5 * time.Second)}
	if got := maxAge(expired.aged(now)); got != 0 {
		t.Fatalf("expired: Max-Age %d, want 0", got)
	}
	if got := (Snapshot{At: now}).aged(now); len(got.Options) != 0 {
		t.Fatal("a snapshot younger than a second is served as it is")
	}
}
