package views

import (
	"os"
	"testing"
	"time"

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

// assertFits fails t when o asks for more room than width×height: what is longer than its
// pane must scroll or be cut inside it, never widen or heighten the window.
func assertFits(t testing.TB, what string, o fyne.CanvasObject, width, height float32) {
	t.Helper()
	if m := o.MinSize(); m.Width > width || m.Height > height {
		t.Fatalf("%s asks for %v×%v, more than the %v×%v it must fit in", what, m.Width, m.Height, width, height)
	}
}

// TestMain runs the package's tests in UTC: the goldens and the charts' time labels show local
// times. It is set once, before any test starts a goroutine that reads it.
func TestMain(m *testing.M) {
	time.Local = time.UTC
	os.Exit(m.Run())
}
