package observers

import (
	"net/netip"
	"testing"
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
