package views

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// showInTestWindow puts o in a test window of the given size, closed when the test ends.
func showInTestWindow(t testing.TB, o fyne.CanvasObject, width, height float32) fyne.Window {
	t.Helper()
	w := test.NewWindow(o)
	t.Cleanup(w.Close)
	w.Resize(fyne.NewSize(width, height))
	return w
}
