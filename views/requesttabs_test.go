package views

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine/decode"
)

func newTestTabs(t *testing.T) (*RequestTabs, *Composer, *Inspector) {
	t.Helper()
	test.NewTempApp(t)
	c := NewComposer(nil)
	i := NewInspector(decode.NewRegistry())
	tabs := NewRequestTabs(c, i)
	showInTestWindow(t, container.NewBorder(container.NewVBox(tabs.Object(), c.Bar()), nil, nil, nil, container.NewHSplit(c.Settings(), i.Object())), 1200, 700)
	return tabs, c, i
}

func TestEachRequestTabKeepsItsFieldsAndItsAnswer(t *testing.T) {
	tabs, c, i := newTestTabs(t)
	c.SetURI(statsURI)
	c.SetPayload(modeHex, "zz") // invalid, kept as typed
	i.Show(powerStatsExchange(6000))
	first := tabs.Current()
	tabs.New()
	if c.URI() != "" || i.Message() == "" || tabs.Count() != 2 {
		t.Fatalf("a new tab shows URI %q, message %q, %d tabs", c.URI(), i.Message(), tabs.Count())
	}
	c.SetMethod(codes.DELETE)
	c.SetURI("coap://SSN0013500542642B7A.sim.starfish.test:4849/snsr/sys/event")
	tabs.Select(first)
	if c.URI() != statsURI || c.payloadEntry.Text != "zz" || c.payloadMode.Selected != modeHex || i.Shown().Response == nil {
		t.Fatalf("back in the first tab: URI %q, payload %q (%s), answer %v", c.URI(), c.payloadEntry.Text, c.payloadMode.Selected, i.Shown().Response != nil)
	}
	if titles := tabs.Titles(); titles[0] != "/sys/stats?mod=pwr · …0005E7D6" || titles[1] != "DELETE /snsr/sys/event · …42642B7A" {
		t.Fatalf("titles %q", titles)
	}
}

func TestAnAnswerForATabBehindWaitsInItAndMarksIt(t *testing.T) {
	tabs, c, i := newTestTabs(t)
	c.SetURI(statsURI)
	tab, seq := tabs.BeginRequest("GET "+statsURI, nil)
	if !strings.HasPrefix(i.Message(), "Sending") {
		t.Fatalf("pending: %q", i.Message())
	}
	tabs.New()
	tabs.ShowResult(tab, seq, powerStatsExchange(6000))
	if i.Shown().Response != nil {
		t.Fatal("the answer was shown in the tab in front")
	}
	if !tabs.tabs[0].chip.dot.Visible() {
		t.Fatal("the tab behind is not marked")
	}
	tabs.Previous()
	if i.Shown().Response == nil || tabs.tabs[0].chip.dot.Visible() {
		t.Fatalf("brought forward: answer %v, still marked %v", i.Shown().Response != nil, tabs.tabs[0].chip.dot.Visible())
	}
	// Only a tab's latest request shows its outcome.
	_, old := tab, seq
	tabs.BeginRequest("again", nil)
	tabs.ShowProblem(tab, old, "late")
	if strings.Contains(i.Message(), "late") {
		t.Fatal("an older request's outcome replaced the latest's")
	}
}

func TestClosingTabsKeepsOneAndTheNeighbourComesForward(t *testing.T) {
	tabs, c, _ := newTestTabs(t)
	c.SetURI(statsURI)
	tabs.New()
	c.SetURI("coap://SSN001350050005E7D6.sim.starfish.test:4849/snsr/sys/time")
	tabs.New()
	c.SetURI("coap://SSN001350050005E7D6.sim.starfish.test:4849/snsr/sys/info")
	tabs.Select(tabs.tabs[1].id)
	tabs.CloseCurrent()
	if tabs.Count() != 2 || !strings.HasSuffix(c.URI(), "/snsr/sys/info") {
		t.Fatalf("%d tabs, front %q", tabs.Count(), c.URI())
	}
	tabs.Next()
	if c.URI() != statsURI {
		t.Fatalf("Next after the last: %q", c.URI())
	}
	tabs.CloseCurrent()
	tabs.CloseCurrent()
	if tabs.Count() != 1 || c.URI() != "" || tabs.Titles()[0] != "New request" {
		t.Fatalf("closing the last tab: %d tabs, URI %q, %q", tabs.Count(), c.URI(), tabs.Titles())
	}
}

func TestTheAnswerGoesBesideOrBelowByTheWidthAndThePanelFolds(t *testing.T) {
	test.NewTempApp(t)
	label := func(s string) fyne.CanvasObject { return widget.NewLabel(s) }
	ws := NewWorkspace(WorkspaceParts{Sidebar: label("tree"), RequestTabs: label("tabs"), Bar: label("bar"), Settings: label("settings"), Response: label("answer"), Status: label("status")},
		container.NewTabItem("History", label("h")))
	w := showInTestWindow(t, ws.Object(), 1280, 800)
	if !ws.ResponseBeside() {
		t.Fatal("not beside at 1280")
	}
	ws.Splits[0].SetOffset(0.6) // a wide tree leaves the requests under 720 px
	w.Resize(fyne.NewSize(1281, 800))
	if ws.ResponseBeside() {
		t.Fatal("still beside in a narrow pane")
	}
	ws.SetPlacement(PlaceBeside)
	w.Resize(fyne.NewSize(1280, 800))
	if !ws.ResponseBeside() {
		t.Fatal("not beside when asked")
	}
	height := ws.centre.Leading.Size().Height
	ws.TogglePanel()
	if ws.PanelShown() || ws.centre.Leading.Size().Height <= height {
		t.Fatalf("folded: panel shown %v, requests %v high (were %v)", ws.PanelShown(), ws.centre.Leading.Size().Height, height)
	}
	ws.ShowTab("History")
	if !ws.PanelShown() {
		t.Fatal("showing a tab did not bring the panel back")
	}
}
