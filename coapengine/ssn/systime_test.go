package ssn

import (
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestSystemTimeRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	b := EncodeSystemTime(at)
	// A network-order time_t: the Unix seconds as 8 hex digits.
	if want := fmt.Sprintf("%08x", at.Unix()); hex.EncodeToString(b) != want {
		t.Fatalf("encoded %x, want %s", b, want)
	}
	got, err := DecodeSystemTime(b)
	if err != nil || !got.Equal(at) {
		t.Fatalf("got %v %v", got, err)
	}
	if _, err := DecodeSystemTime(b[:3]); err == nil {
		t.Fatal("3 bytes decoded")
	}
}

func TestTimeSetMatchesHDKLayout(t *testing.T) {
	at := time.Unix(0x5F5E1000, 250e6)
	b, _ := AbsoluteTimeSet(at).MarshalBinary()
	if got := hex.EncodeToString(b); got != "06085f5e1000000000fa" {
		t.Fatalf("encoded %s", got)
	}
	var s TimeSet
	if err := s.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !s.Time().Equal(at) {
		t.Fatalf("time %v", s.Time())
	}
}

func TestTimeSetValidation(t *testing.T) {
	delta, _ := hex.DecodeString("07080000000100000000")
	var s TimeSet
	if err := s.UnmarshalBinary(delta); !errors.Is(err, ErrTimeDeltaNotSupported) {
		t.Fatalf("delta: %v", err)
	}
	for name, hx := range map[string]string{
		"wrong type":   "02080000000100000000",
		"wrong length": "06040000000100000000",
		"short":        "0608000000010000",
		"empty":        "",
	} {
		b, _ := hex.DecodeString(hx)
		if err := s.UnmarshalBinary(b); err == nil || errors.Is(err, ErrTimeDeltaNotSupported) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzTimeSet(f *testing.F) {
	f.Add([]byte{6, 8, 0, 0, 0, 1, 0, 0, 0, 2})
	f.Add([]byte{7, 8, 0, 0, 0, 1, 0, 0, 0, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		var s TimeSet
		if err := s.UnmarshalBinary(b); err == nil {
			again, _ := s.MarshalBinary()
			if string(again) != string(b) {
				t.Fatalf("round trip %x → %x", b, again)
			}
		}
	})
}
