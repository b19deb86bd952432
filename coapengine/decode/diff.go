package decode

import (
	"strconv"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/internal/human"
	"github.com/sergi/go-diff/diffmatchpatch"
)

// ChangeKind says how a field or a line differs between two decodings.
type ChangeKind int

// The kinds of change.
const (
	Unchanged ChangeKind = iota
	Changed
	Added
	Removed
)

// FieldChange is one row of a field-by-field comparison of two decodings of a resource.
type FieldChange struct {
	Field string
	// Before and After are the field's displays ("" on the side that lacks the field).
	Before, After string
	// Change says how it changed: the difference in the field's unit when both sides are
	// numbers ("+0.02 V", "-12 %", "+125 ms" for seconds, "+3" for counts), "added",
	// "removed" or "changed" otherwise, "" when it did not.
	Change string
	Kind   ChangeKind
	// Delta is After minus Before when both are numbers (0 otherwise).
	Delta float64
}

// LineChange is one line of a line diff.
type LineChange struct {
	Kind ChangeKind // Unchanged, Added or Removed
	Text string     // the line, without its newline
}

// Comparison is what changed between two decodings of one resource.
type Comparison struct {
	// Fields compares field by field, in the decoder's order; empty when neither decoding has
	// fields (text, link format).
	Fields []FieldChange
	// Lines is a line diff of the two texts. For JSON and CBOR, whose fields are only their
	// numbers, it is where a changed string shows.
	Lines []LineChange
}

// Compare compares two decodings of one resource: an older answer and a newer one.
func Compare(before, after Decoded) Comparison {
	c := Comparison{Lines: DiffLines(before.Text, after.Text)}
	if len(before.Fields) > 0 || len(after.Fields) > 0 {
		c.Fields = DiffFields(before.Fields, after.Fields)
	}
	return c
}

// Changed reports whether anything differs.
func (c Comparison) Changed() bool {
	for _, f := range c.Fields {
		if f.Kind != Unchanged {
			return true
		}
	}
	for _, l := range c.Lines {
		if l.Kind != Unchanged {
			return true
		}
	}
	return false
}

// DiffFields compares fields by name, in the order of after, with a field only before placed
// where it stood before. A name that occurs more than once is matched occurrence by
// occurrence.
func DiffFields(before, after []Field) []FieldChange {
	type key struct {
		name string
		nth  int
	}
	keysOf := func(fields []Field) []key {
		seen := map[string]int{}
		keys := make([]key, len(fields))
		for i, f := range fields {
			keys[i] = key{f.Name, seen[f.Name]}
			seen[f.Name]++
		}
		return keys
	}
	beforeKeys, afterKeys := keysOf(before), keysOf(after)
	beforeAt := make(map[key]int, len(before))
	for i, k := range beforeKeys {
		beforeAt[k] = i
	}
	inAfter := make(map[key]bool, len(after))
	for _, k := range afterKeys {
		inAfter[k] = true
	}
	out := make([]FieldChange, 0, max(len(before), len(after)))
	next := 0 // the first field of before not yet placed
	removedUpTo := func(end int) {
		for ; next < end; next++ {
			if !inAfter[beforeKeys[next]] {
				f := before[next]
				out = append(out, FieldChange{Field: f.Name, Before: f.Display, Change: "removed", Kind: Removed})
			}
		}
	}
	for i, a := range after {
		b, ok := beforeAt[afterKeys[i]]
		if !ok {
			out = append(out, FieldChange{Field: a.Name, After: a.Display, Change: "added", Kind: Added})
			continue
		}
		if b >= next {
			removedUpTo(b)
			next = b + 1
		}
		out = append(out, compareField(before[b], a))
	}
	removedUpTo(len(before))
	return out
}

func compareField(b, a Field) FieldChange {
	c := FieldChange{Field: a.Name, Before: b.Display, After: a.Display}
	if b.Numeric && a.Numeric {
		c.Delta = a.Value - b.Value
		if c.Delta == 0 && b.Display == a.Display {
			return c
		}
		c.Kind, c.Change = Changed, "changed"
		if c.Delta != 0 && b.Unit == a.Unit {
			c.Change = formatDelta(c.Delta, a.Unit, decimalsOf(b.Display, a.Display))
		}
		return c
	}
	if b.Display != a.Display {
		c.Kind, c.Change = Changed, "changed"
	}
	return c
}

// formatDelta writes a difference with its sign and unit: seconds as people read durations
// ("+125 ms"), other units with the precision the values are shown with ("+0.02 V").
func formatDelta(d float64, unit string, decimals int) string {
	sign := "+"
	if d < 0 {
		sign = ""
	}
	if unit == "s" {
		return sign + human.Duration(time.Duration(d*float64(time.Second)))
	}
	text := strconv.FormatFloat(d, 'f', decimals, 64)
	if r, _ := strconv.ParseFloat(text, 64); r == 0 {
		// Shown equal at that precision, yet different: give two significant digits.
		text = strconv.FormatFloat(d, 'g', 2, 64)
	} else if strings.Contains(text, ".") {
		text = strings.TrimRight(strings.TrimRight(text, "0"), ".")
	}
	if unit != "" {
		text += " " + unit
	}
	return sign + text
}

// decimalsOf is the most digits after the point in the numbers the displays start with.
func decimalsOf(displays ...string) int {
	most := 0
	for _, d := range displays {
		d = strings.TrimPrefix(d, "-")
		end := strings.IndexFunc(d, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
		if end < 0 {
			end = len(d)
		}
		if _, frac, ok := strings.Cut(d[:end], "."); ok {
			most = max(most, len(frac))
		}
	}
	return min(most, 9)
}

// DiffLines is a line diff of before and after: lines only before are Removed, lines only
// after Added, the rest Unchanged, in the order a reader follows them.
func DiffLines(before, after string) []LineChange {
	// A last line without its newline is the same line as with one.
	for _, s := range []*string{&before, &after} {
		if *s != "" && !strings.HasSuffix(*s, "\n") {
			*s += "\n"
		}
	}
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToChars(before, after)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)
	var out []LineChange
	for _, d := range diffs {
		kind := Unchanged
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			kind = Removed
		case diffmatchpatch.DiffInsert:
			kind = Added
		}
		for _, line := range strings.SplitAfter(d.Text, "\n") {
			if line == "" {
				continue
			}
			out = append(out, LineChange{Kind: kind, Text: strings.TrimSuffix(line, "\n")})
		}
	}
	return out
}
