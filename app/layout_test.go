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
	observe := views.NewObserveTab()
	ws := views.NewWorkspace(views.WorkspaceParts{Sidebar: widget.NewLabel("tree"), RequestTabs: widget.NewLabel("tabs"), Bar: widget.NewLabel("bar"),
		Settings: widget.NewLabel("settings"), Response: widget.NewLabel("inspector"), Status: widget.NewLabel("status")},
		container.NewTabItem(tabHistory, widget.NewLabel("h")), container.NewTabItem(tabObserve, observe.Object()), container.NewTabItem(tabLog, widget.NewLabel("l")))
	w := test.NewWindow(ws.Object())
	w.Resize(fyne.NewSize(1100, 700))
	return &gui{app: a, window: w, workspace: ws, ctrl: &controller{observe: observe}}
}

func TestTheWindowRemembersItsSplitsPanelAnswerPlaceSizeAndTab(t *testing.T) {
	a := test.NewTempApp(t)
	first := newLayoutGUI(a)
	defer first.window.Close()
	offsets := []float64{0.31, 0.55}
	for i, s := range first.workspace.Splits[:2] {
		s.SetOffset(offsets[i])
	}
	first.workspace.Splits[2].SetOffset(0.37) // the answer beside the settings, at 1100 px
	first.ctrl.observe.SetSplitOffset(0.28)
	first.workspace.ShowTab(tabLog)
	a.Preferences().SetString(prefTab, tabLog) // what selecting the tab does in the window
	first.workspace.SetPlacement(views.PlaceBelow)
	a.Preferences().SetString(prefPlacement, string(views.PlaceBelow)) // what the View menu does
	first.window.Resize(fyne.NewSize(1101, 700))
	first.workspace.Splits[2].SetOffset(0.6)
	a.Preferences().SetBool(prefPanelHidden, true) // what Ctrl+J does
	first.saveLayout()

	second := newLayoutGUI(a)
	defer second.window.Close()
	second.restoreLayout()
	for i, s := range second.workspace.Splits[:2] {
		if s.Offset != offsets[i] {
			t.Fatalf("split %d restored at %v, want %v", i, s.Offset, offsets[i])
		}
	}
	if beside, below := second.workspace.ResponseOffsets(); beside != 0.37 || below != 0.6 {
		t.Fatalf("the answer's split restored at %v beside and %v below, want 0.37 and 0.6", beside, below)
	}
	if second.workspace.Placement() != views.PlaceBelow || second.workspace.PanelShown() {
		t.Fatalf("placement %v, panel shown %v", second.workspace.Placement(), second.workspace.PanelShown())
	}
	if got := second.ctrl.observe.SplitOffset(); got != 0.28 {
		t.Fatalf("the Observe tab's split restored at %v", got)
	}
	if got := second.workspace.Tabs.Selected().Text; got != tabLog {
		t.Fatalf("tab %q restored, want %q", got, tabLog)
	}
	if w := a.Preferences().Float(prefWidth); w < 1000 {
		t.Fatalf("window width remembered as %v", w)
	}
}
