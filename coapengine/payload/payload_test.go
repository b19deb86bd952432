package payload

import (
	"encoding/hex"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/decode"
)

func TestEncodeModes(t *testing.T) {
	if b, err := Encode(Text, "héllo"); err != nil || string(b) != "héllo" {
		t.Fatalf("text %q %v", b, err)
	}
	if b, err := Encode(Hex, "0x06 08:6B-06 cd5c 000000fa"); err != nil || hex.EncodeToString(b) != "06086b06cd5c000000fa" {
		t.Fatalf("hex %x %v", b, err)
	}
	for _, bad := range []string{"abc", "zz"} {
		if _, err := Encode(Hex, bad); err == nil {
			t.Errorf("hex %q accepted", bad)
		}
	}
	b, err := Encode(JSONCBOR, `{"b": [1, 2.5, "x"], "a": true}`)
	if err != nil {
		t.Fatal(err)
	}
	diag, _ := decode.DiagnoseCBOR(b)
	if diag != `{"a": true, "b": [1, 2.5, "x"]}` {
		t.Fatalf("json→cbor %s", diag)
	}
	for _, bad := range []string{`{`, `{"a":1} {"b":2}`, ``} {
		if _, err := Encode(JSONCBOR, bad); err == nil {
			t.Errorf("json %q accepted", bad)
		}
	}
	if _, err := Encode("rot13", "x"); err == nil {
		t.Error("unknown mode accepted")
	}
}

func TestTimeSetFromADate(t *testing.T) {
	at, err := ParseTime("2026-11-25 11:58:20", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(TimeSet(at)); got != "06086b06cd5c00000000" {
		t.Fatalf("time set %s", got)
	}
	now := time.Now()
	if got, _ := ParseTime("now", now); !got.Equal(now) {
		t.Fatal("now")
	}
	if _, err := ParseTime("tuesday", now); err == nil {
		t.Fatal("tuesday parsed")
	}
}
