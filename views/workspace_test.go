package views

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/internal/uiqueue"
)

// TestMainScreenMarkup is the golden of the main window's layout: the tree with a crawled
// device, the composer with a request, the inspector with the decoded answer, the status bar
// and the Observe tab's empty state.
func TestMainScreenMarkup(t *testing.T) {
	test.NewTempApp(t)

	q := uiqueue.New()
	tree := NewMeshTree(newFakeMesh(3))
	tree.Do = q.Do
	composer := NewComposer(nil)
	inspector := NewInspector(decode.NewRegistry())
	status := NewStatusBar()
	observe := NewObserveTab()
	tabs := NewRequestTabs(composer, inspector)
	ws := NewWorkspace(WorkspaceParts{Sidebar: tree.Object(), RequestTabs: tabs.Object(), Bar: composer.Bar(),
		Settings: composer.Settings(), Response: inspector.Object(), Status: status.Object()},
		container.NewTabItem("Observe", observe.Object()))
	w := test.NewWindow(ws.Object())
	defer w.Close()
	w.Resize(fyne.NewSize(1280, 800))

	tree.AddProfile("embedded", "embedded · 127.0.0.1:5683")
	q.WaitFor(t, "the device list", func() bool { return tree.DeviceCount("embedded") == 3 })
	openAndWaitForCrawl(t, tree, q, "embedded", fakeHost(0))
	composer.SetURI(statsURI)
	inspector.Show(powerStatsExchange(6000))
	status.SetProfiles([]string{"embedded"}, "embedded")
	at := time.Date(2026, 3, 14, 9, 27, 0, 0, time.UTC)
	status.SetState(SessionState{Profile: "embedded", Gateway: "127.0.0.1:5683", Account: "dev", LoggedIn: true, LastTraffic: at.Add(-3 * time.Second), TokenExpires: at.Add(59 * time.Minute)}, at)
	test.AssertRendersToMarkup(t, "main_screen.xml", w.Canvas())
}
