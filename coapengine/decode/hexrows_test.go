package decode

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestHexRowsHaveOffsetsBytesAndASCII(t *testing.T) {
	for _, c := range []struct {
		name string
		in   []byte
		want []HexRow
	}{
		{"nothing", nil, []HexRow{}},
		{"one short row, padded", []byte("Hi\x00\xff"), []HexRow{{"0000", "48 69 00 ff" + strings.Repeat(" ", 48-11), "Hi.."}}},
		{"a full row and one byte", []byte("0123456789abcdef~"), []HexRow{
			{"0000", "30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66", "0123456789abcdef"},
			{"0010", "7e" + strings.Repeat(" ", 46), "~"},
		}},
	} {
		if got := HexRows(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestEveryHexRowHasTheSameWidth(t *testing.T) {
	rows := HexRows(bytes.Repeat([]byte{0x7f, 'a'}, 955/2+1)[:955])
	if len(rows) != 60 || rows[59].Offset != "03b0" {
		t.Fatalf("%d rows, last at %s", len(rows), rows[len(rows)-1].Offset)
	}
	for _, r := range rows {
		if len(r.Hex) != 16*3 || len(r.Offset) != 4 {
			t.Fatalf("row %s: hex %d characters %q", r.Offset, len(r.Hex), r.Hex)
		}
	}
	if rows[0].ASCII != ".a.a.a.a.a.a.a.a" || rows[59].ASCII != ".a.a.a.a.a." {
		t.Fatalf("ASCII %q … %q", rows[0].ASCII, rows[59].ASCII)
	}
	if big := HexRows(make([]byte, 0x10001)); big[len(big)-1].Offset != "00010000" || big[0].Offset != "00000000" {
		t.Fatalf("past 64 KiB the offsets read %s … %s", big[0].Offset, big[len(big)-1].Offset)
	}
}
