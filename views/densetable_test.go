package views

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestADenseTableHasCompactRows(t *testing.T) {
	test.NewTempApp(t)
	d := newDenseTable([]string{"Field", "Value"}, []float32{190})
	d.SetRows([][]string{{"bat_voltage", "3.600 V (3600000 µV)"}})
	showInTestWindow(t, d.Object(), 500, 600)
	normal := widget.NewLabel("bat_voltage").MinSize().Height
	// A head and a row: two normal labels would be twice a label's height.
	if h := d.table.MinSize().Height; h >= 1.75*normal {
		t.Fatalf("a head and a row take %v, a normal label is %v high", h, normal)
	}
}
