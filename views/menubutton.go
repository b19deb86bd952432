package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// newMenuButton is a button that opens a menu under itself: a row of actions too long for
// its pane folds into one. menu is called on each tap, so that its items can say what they
// will do now.
func newMenuButton(label string, icon fyne.Resource, menu func() *fyne.Menu) *widget.Button {
	var b *widget.Button
	b = widget.NewButtonWithIcon(label, icon, func() {
		c := fyne.CurrentApp().Driver().CanvasForObject(b)
		if c == nil {
			return
		}
		widget.ShowPopUpMenuAtRelativePosition(menu(), c, fyne.NewPos(0, b.Size().Height), b)
	})
	return b
}
