package views

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// windowOf is the window whose canvas is cv (nil if none is).
func windowOf(cv fyne.Canvas) fyne.Window {
	for _, w := range fyne.CurrentApp().Driver().AllWindows() {
		if w.Canvas() == cv {
			return w
		}
	}
	return nil
}

// showPasteDialog asks for a coap-client command line (the clipboard's, when it holds one)
// and hands it to load; the dialog stays open with the reason while load refuses it.
func showPasteDialog(cv fyne.Canvas, clipboard string, load func(line string) error) {
	w := windowOf(cv)
	if w == nil {
		return
	}
	entry := widget.NewMultiLineEntry()
	entry.SetPlaceHolder(`coap-client -m get -P coap://127.0.0.1 coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/stats?mod=pwr`)
	entry.SetMinRowsVisible(4)
	entry.Wrapping = fyne.TextWrapBreak
	if strings.Contains(clipboard, "coap-client") {
		entry.SetText(strings.TrimSpace(clipboard))
	}
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	problem.Hide()
	var d *dialog.CustomDialog
	importButton := widget.NewButtonWithIcon("Import", theme.ConfirmIcon(), func() {
		if err := load(entry.Text); err != nil {
			problem.SetText(err.Error())
			problem.Show()
			return
		}
		d.Hide()
	})
	importButton.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", func() { d.Hide() })
	body := container.NewVBox(
		widget.NewLabel("Paste a coap-client command line, as on a developer page or in a shell history:"),
		entry, problem,
	)
	d = dialog.NewCustomWithoutButtons("Paste coap-client command", body, w)
	d.SetButtons([]fyne.CanvasObject{cancel, importButton})
	d.Resize(fyne.NewSize(640, 0))
	d.Show()
	cv.Focus(entry)
}
