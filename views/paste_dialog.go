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

// InputRequest describes a dialog that asks for one value.
type InputRequest struct {
	Title       string
	Prompt      string
	Placeholder string
	Text        string // the value offered at first
	Action      string // the button that accepts, e.g. "Add"
	MultiLine   bool
}

// ShowInputDialog asks for one value over w and hands it to accept; while accept refuses it,
// the dialog stays open and shows the reason under the value. Enter accepts a one-line value.
func ShowInputDialog(w fyne.Window, r InputRequest, accept func(string) error) {
	entry := NewDialogEntry()
	if r.MultiLine {
		entry = NewDialogMultiLineEntry()
		entry.SetMinRowsVisible(4)
		entry.Wrapping = fyne.TextWrapBreak
	}
	entry.SetPlaceHolder(r.Placeholder)
	entry.SetText(r.Text)
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	problem.Hide()
	var d *dialog.CustomDialog
	try := func() {
		if err := accept(entry.Text); err != nil {
			problem.SetText(err.Error())
			problem.Show()
			return
		}
		d.Hide()
	}
	if !r.MultiLine {
		entry.OnSubmitted = func(string) { try() }
	}
	ok := widget.NewButtonWithIcon(r.Action, theme.ConfirmIcon(), try)
	ok.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", func() { d.Hide() })
	prompt := widget.NewLabel(r.Prompt)
	prompt.Wrapping = fyne.TextWrapWord
	d = dialog.NewCustomWithoutButtons(r.Title, container.NewVBox(prompt, entry, problem), w)
	d.SetButtons([]fyne.CanvasObject{cancel, ok})
	d.Resize(fyne.NewSize(640, 0))
	d.Show()
	w.Canvas().Focus(entry)
}

// showPasteDialog asks for a coap-client command line (the clipboard's, when it holds one)
// and hands it to load.
func showPasteDialog(w fyne.Window, clipboard string, load func(line string) error) {
	text := ""
	if strings.Contains(clipboard, "coap-client") {
		text = strings.TrimSpace(clipboard)
	}
	ShowInputDialog(w, InputRequest{
		Title:       "Paste coap-client command",
		Prompt:      "Paste a coap-client command line, as on a developer page or in a shell history:",
		Placeholder: "coap-client -m get -P coap://127.0.0.1 coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/stats?mod=pwr",
		Text:        text,
		Action:      "Import",
		MultiLine:   true,
	}, load)
}
