package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// EscapeCloses makes Esc close what is open on top of the window — a dialog, a menu — as its
// Cancel or Close button would. Fyne's dialogs do not listen for Esc themselves; the keys
// typed into an entry of a dialog reach the entry only, so the entries of the workbench's
// dialogs (NewDialogEntry) pass Esc on.
func EscapeCloses(w fyne.Window) {
	prev := w.Canvas().OnTypedKey()
	w.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyEscape && closeTop(w.Canvas()) {
			return
		}
		if prev != nil {
			prev(e)
		}
	})
}

// closeTop hides the topmost overlay of c; false when none is open.
func closeTop(c fyne.Canvas) bool {
	top := c.Overlays().Top()
	if top == nil {
		return false
	}
	c.Unfocus()
	top.Hide()
	c.Overlays().Remove(top)
	return true
}

// DialogEntry is an entry of a dialog: Esc in it closes the dialog.
type DialogEntry struct{ widget.Entry }

// NewDialogEntry is a one-line entry for a dialog, which Esc closes.
func NewDialogEntry() *DialogEntry { return newDialogEntry(false) }

// NewDialogMultiLineEntry is a multi-line entry for a dialog, which Esc closes.
func NewDialogMultiLineEntry() *DialogEntry { return newDialogEntry(true) }

func newDialogEntry(multiLine bool) *DialogEntry {
	e := &DialogEntry{}
	e.MultiLine = multiLine
	if multiLine {
		e.Wrapping = fyne.TextWrapWord
	}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey closes the dialog on Esc, and edits otherwise.
func (e *DialogEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape {
		if c := fyne.CurrentApp().Driver().CanvasForObject(e); c != nil && closeTop(c) {
			return
		}
	}
	e.Entry.TypedKey(k)
}

// newPasswordDialogEntry is a dialog's entry for a secret, shown as dots.
func newPasswordDialogEntry() *DialogEntry {
	e := &DialogEntry{}
	e.Password = true
	e.ExtendBaseWidget(e)
	return e
}
