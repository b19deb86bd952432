package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/views"
)

func newLayoutGUI(a fyne.App) *gui {
	ws := views.NewWorkspace(views.WorkspaceParts{Sidebar: widget.NewLabel("tree"), RequestTabs: widget.NewLabel("tabs"), Bar: widget.NewLabel("bar"),
		Settings: widget.NewLabel("settings"), Response: widget.NewLabel("inspector"), Status: widget.NewLabel("status")},
		container.NewTabItem(tabHistory, widget.NewLabel("h")), container.NewTabItem(tabLog, widget.NewLabel("l")))
	w := test.NewWindow(ws.Object())
	w.Resize(fyne.NewSize(1100, 700))
	return &gui{app: a, window: w, workspace: ws}
}

func TestTheWindowRemembersItsSplitsSizeAndTab(t *testing.T) {
	a := test.NewTempApp(t)
	first := newLayoutGUI(a)
	defer first.window.Close()
	offsets := []float64{0.31, 0.55, 0.42}
	for i, s := range first.workspace.Splits {
		s.SetOffset(offsets[i])
	}
	first.workspace.ShowTab(tabLog)
	a.Preferences().SetString(prefTab, tabLog) // what selecting the tab does in the window
	first.saveLayout()

	second := newLayoutGUI(a)
	defer second.window.Close()
	second.restoreLayout()
	for i, s := range second.workspace.Splits {
		if s.Offset != offsets[i] {
			t.Fatalf("split %d restored at %v, want %v", i, s.Offset, offsets[i])
		}
	}
	if got := second.workspace.Tabs.Selected().Text; got != tabLog {
		t.Fatalf("tab %q restored, want %q", got, tabLog)
	}
	if w := a.Preferences().Float(prefWidth); w < 1000 {
		t.Fatalf("window width remembered as %v", w)
	}
}
