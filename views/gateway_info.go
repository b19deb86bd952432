package views

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// newGatewayInfo is the console's Gateway tab: where the gateway listens, its mesh, where
// the history is, anything unusual, and a command line to log in from a terminal. The lines
// wrap and the tab scrolls, so that however long they are the console keeps its size.
func newGatewayInfo(s GatewaySummary, devices int) fyne.CanvasObject {
	facts := wrappingLabel("not running")
	if s.Listen != "" {
		facts.SetText(fmt.Sprintf("udp %s · token endpoint %s · %d devices in %s, profile %s",
			s.Listen, orNone(s.TokenEndpoint), devices, s.Domain, s.Profile))
	}
	title := widget.NewLabelWithStyle("Embedded gateway-lite", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	info := container.NewVBox(title, facts)
	for _, text := range []string{s.Note, s.HistoryWarning} {
		if text != "" {
			note := wrappingLabel(text)
			note.Importance = widget.WarningImportance
			info.Add(note)
		}
	}
	if s.History != "" {
		info.Add(wrappingLabel("History: " + s.History))
	}
	if s.LoginCommand != "" {
		cmd := wrappingLabel(s.LoginCommand)
		cmd.TextStyle = fyne.TextStyle{Monospace: true}
		// A command line has few spaces: it wraps anywhere rather than overflow.
		cmd.Wrapping = fyne.TextWrapBreak
		copyButton := widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
			fyne.CurrentApp().Clipboard().SetContent(s.LoginCommand)
		})
		info.Add(container.NewBorder(nil, nil, widget.NewLabel("Log in with libcoap:"), container.NewHBox(copyButton)))
		info.Add(cmd)
	}
	return container.NewVScroll(info)
}

// wrappingLabel is a label whose text wraps at words.
func wrappingLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func orNone(s string) string {
	if s == "" {
		return "off"
	}
	return s
}
