package decode

import (
	"reflect"
	"testing"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
)

func powerStats(t *testing.T, p ssn.PowerStats) Decoded {
	t.Helper()
	b, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	d := NewRegistry().Decode(Input{Path: "/sys/stats?mod=pwr", ContentFormat: ssn.FormatOctets, Payload: b})
	if d.Err != nil {
		t.Fatal(d.Err)
	}
	return d
}

func change(t *testing.T, rows []FieldChange, name string) FieldChange {
	t.Helper()
	for _, r := range rows {
		if r.Field == name {
			return r
		}
	}
	t.Fatalf("no row %q in %+v", name, rows)
	return FieldChange{}
}

// Two power statistics of one NIC: each field's change in its own unit, the rest unchanged,
// every row in the decoder's order.
func TestPowerStatisticsAreComparedFieldByFieldInTheirUnits(t *testing.T) {
	// A tick is 125 ms; sleep goes from 6400 of 12800 ticks (50 %) to 5000 of 12801 (39.06 %).
	before := powerStats(t, ssn.PowerStats{TotalTime: 12800, SleepTime: 6400, StandbyTime: 10, TxBytes: 1000, BatteryMicrovolts: 3_301_000})
	after := powerStats(t, ssn.PowerStats{TotalTime: 12801, SleepTime: 5000, StandbyTime: 10, TxBytes: 1128, BatteryMicrovolts: 3_321_000})
	c := Compare(before, after)
	if len(c.Fields) != len(after.Fields) {
		t.Fatalf("%d rows for %d fields", len(c.Fields), len(after.Fields))
	}
	for i, f := range after.Fields {
		if c.Fields[i].Field != f.Name {
			t.Fatalf("row %d is %s, the decoder's field %d is %s", i, c.Fields[i].Field, i, f.Name)
		}
	}
	for name, want := range map[string]string{
		"total_time":   "+125 ms",
		"tx_bytes":     "+128 B",
		"bat_voltage":  "+0.02 V",
		"sleep_time":   "-2 min 55 s",
		"sleep_pct":    "-10.94 %",
		"standby_time": "",
	} {
		if got := change(t, c.Fields, name); got.Change != want {
			t.Errorf("%s: %q → %q changed %q, want %q", name, got.Before, got.After, got.Change, want)
		}
	}
	if r := change(t, c.Fields, "standby_time"); r.Kind != Unchanged || r.Before != r.After || r.Before == "" {
		t.Errorf("an unchanged field reads %+v", r)
	}
	if r := change(t, c.Fields, "tx_bytes"); r.Kind != Changed || r.Delta != 128 || r.Before != "1000 B" || r.After != "1128 B" {
		t.Errorf("tx_bytes reads %+v", r)
	}
	if !c.Changed() || Compare(before, before).Changed() {
		t.Error("Changed does not tell a change from none")
	}
}

func TestFieldChangesTable(t *testing.T) {
	tiny, tinier := 3.3002, 3.3001
	after45, before57 := 45.2, 57.2
	num := func(name string, v float64, unit, display string) Field {
		return Field{Name: name, Value: v, Numeric: true, Unit: unit, Display: display}
	}
	text := func(name, display string) Field { return Field{Name: name, Display: display} }
	for _, c := range []struct {
		name          string
		before, after []Field
		want          []FieldChange
	}{
		{"a percentage drops", []Field{num("radio", before57, "%", "57.20 %")}, []Field{num("radio", after45, "%", "45.20 %")},
			[]FieldChange{{Field: "radio", Before: "57.20 %", After: "45.20 %", Change: "-12 %", Kind: Changed, Delta: after45 - before57}}},
		{"seconds read as a duration", []Field{num("t", 10, "s", "10.000 s")}, []Field{num("t", 4, "s", "4.000 s")},
			[]FieldChange{{Field: "t", Before: "10.000 s", After: "4.000 s", Change: "-6.0 s", Kind: Changed, Delta: -6}}},
		{"a count without unit", []Field{num("n", 3, "", "3")}, []Field{num("n", 5, "", "5")},
			[]FieldChange{{Field: "n", Before: "3", After: "5", Change: "+2", Kind: Changed, Delta: 2}}},
		{"a temperature", []Field{num("temperature", 21.5, "°C", "21.50 °C")}, []Field{num("temperature", 21.75, "°C", "21.75 °C")},
			[]FieldChange{{Field: "temperature", Before: "21.50 °C", After: "21.75 °C", Change: "+0.25 °C", Kind: Changed, Delta: 0.25}}},
		{"equal at the shown precision", []Field{num("v", tinier, "V", "3.300 V")}, []Field{num("v", tiny, "V", "3.300 V")},
			[]FieldChange{{Field: "v", Before: "3.300 V", After: "3.300 V", Change: "+0.0001 V", Kind: Changed, Delta: tiny - tinier}}},
		{"text changes", []Field{text("version", "1.2")}, []Field{text("version", "1.3")},
			[]FieldChange{{Field: "version", Before: "1.2", After: "1.3", Change: "changed", Kind: Changed}}},
		{"a unit that changed is no difference", []Field{num("temperature", 20, "°C", "20.00 °C")}, []Field{num("temperature", 68, "°F", "68.00 °F")},
			[]FieldChange{{Field: "temperature", Before: "20.00 °C", After: "68.00 °F", Change: "changed", Kind: Changed, Delta: 48}}},
		{"added and removed keep their places",
			[]Field{text("a", "1"), text("gone", "x"), text("b", "2")},
			[]Field{text("a", "1"), text("b", "2"), text("new", "y")},
			[]FieldChange{{Field: "a", Before: "1", After: "1"}, {Field: "gone", Before: "x", Change: "removed", Kind: Removed}, {Field: "b", Before: "2", After: "2"}, {Field: "new", After: "y", Change: "added", Kind: Added}}},
		{"repeated names match in turn",
			[]Field{num("x", 1, "", "1"), num("x", 2, "", "2")},
			[]Field{num("x", 1, "", "1"), num("x", 4, "", "4"), num("x", 9, "", "9")},
			[]FieldChange{{Field: "x", Before: "1", After: "1"}, {Field: "x", Before: "2", After: "4", Change: "+2", Kind: Changed, Delta: 2}, {Field: "x", After: "9", Change: "added", Kind: Added}}},
		{"everything removed", []Field{text("a", "1")}, nil,
			[]FieldChange{{Field: "a", Before: "1", Change: "removed", Kind: Removed}}},
	} {
		if got := DiffFields(c.before, c.after); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}

// A text answer has no fields: the comparison is a line diff.
func TestTextIsComparedLineByLine(t *testing.T) {
	before := Decoded{Decoder: "link-format", Text: "</sys>\n</sys/stats?mod=pwr>  obs\n</snsr>"}
	after := Decoded{Decoder: "link-format", Text: "</sys>\n</snsr>\n</time>"}
	c := Compare(before, after)
	want := []LineChange{
		{Unchanged, "</sys>"},
		{Removed, "</sys/stats?mod=pwr>  obs"},
		{Unchanged, "</snsr>"},
		{Added, "</time>"},
	}
	if c.Fields != nil || !reflect.DeepEqual(c.Lines, want) {
		t.Fatalf("got fields %+v lines %+v", c.Fields, c.Lines)
	}
	if got := DiffLines("same\n", "same\n"); len(got) != 1 || got[0] != (LineChange{Unchanged, "same"}) {
		t.Fatalf("equal texts: %+v", got)
	}
	if got := DiffLines("", ""); len(got) != 0 {
		t.Fatalf("empty texts: %+v", got)
	}
}
