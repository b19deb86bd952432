package decode

import (
	"fmt"
	"strings"
)

// HexRowBytes is how many bytes one row of a hex dump shows.
const HexRowBytes = 16

// HexRow is one row of a hex dump, in strings a view lays out in columns, so that no byte is
// ever wrapped across lines.
type HexRow struct {
	// Offset is the row's first byte's offset in hex: 4 digits, 8 when the dump passes 64 KiB.
	Offset string
	// Hex is the row's bytes as two hex digits each, separated by spaces, with one more space
	// after the eighth; the last row is padded with spaces to the full width, so that
	// columns line up in a monospace font.
	Hex string
	// ASCII shows each byte as its printable ASCII character, or "." for any other.
	ASCII string
}

// HexRows dumps b in rows of HexRowBytes bytes (none for an empty b).
func HexRows(b []byte) []HexRow {
	width := 4
	if len(b) > 0x10000 {
		width = 8
	}
	rows := make([]HexRow, 0, (len(b)+HexRowBytes-1)/HexRowBytes)
	var hex, ascii strings.Builder
	for off := 0; off < len(b); off += HexRowBytes {
		hex.Reset()
		ascii.Reset()
		row := b[off:min(off+HexRowBytes, len(b))]
		for i := range HexRowBytes {
			switch {
			case i == HexRowBytes/2:
				hex.WriteString("  ")
			case i > 0:
				hex.WriteByte(' ')
			}
			if i >= len(row) {
				hex.WriteString("  ")
				continue
			}
			fmt.Fprintf(&hex, "%02x", row[i])
			if c := row[i]; c >= 0x20 && c < 0x7f {
				ascii.WriteByte(c)
			} else {
				ascii.WriteByte('.')
			}
		}
		rows = append(rows, HexRow{Offset: fmt.Sprintf("%0*x", width, off), Hex: hex.String(), ASCII: ascii.String()})
	}
	return rows
}
