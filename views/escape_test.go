package views

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestEscClosesTheDialogOnTop(t *testing.T) {
	test.NewTempApp(t)
	w := showInTestWindow(t, widget.NewLabel("window"), 600, 400)
	EscapeCloses(w)
	confirmed := false
	dialog.ShowConfirm("Clear the history", "Clear it?", func(ok bool) { confirmed = ok }, w)
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("no dialog")
	}
	w.Canvas().(interface{ OnTypedKey() func(*fyne.KeyEvent) }).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if w.Canvas().Overlays().Top() != nil || confirmed {
		t.Fatalf("after Esc: overlay %v, confirmed %v", w.Canvas().Overlays().Top(), confirmed)
	}
}

func TestEscInADialogsEntryClosesTheDialog(t *testing.T) {
	test.NewTempApp(t)
	w := showInTestWindow(t, widget.NewLabel("window"), 600, 400)
	EscapeCloses(w)
	ShowInputDialog(w, InputRequest{Title: "Add a device", Prompt: "MAC:", Action: "Add"}, func(string) error { return nil })
	var entry fyne.Focusable
	for _, o := range test.LaidOutObjects(w.Canvas().Overlays().Top()) {
		if e, ok := o.(*DialogEntry); ok {
			entry = e
		}
	}
	if entry == nil {
		t.Fatal("the dialog's entry is not one that Esc closes")
	}
	w.Canvas().Focus(entry)
	test.Type(entry, "00:13")
	entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if w.Canvas().Overlays().Top() != nil {
		t.Fatal("Esc in the entry left the dialog open")
	}
}
