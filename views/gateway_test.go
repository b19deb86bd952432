package views

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func summary() GatewaySummary {
	return GatewaySummary{
		Listen: "127.0.0.1:5683", TokenEndpoint: "http://127.0.0.1:5680/api/tokens", Domain: "sim.starfish.test", Profile: "field",
		Devices: []DeviceRow{{"SSN001350050005E7D6.sim.starfish.test", "Milli"}, {"SSN0013500542642B7A.sim.starfish.test", "Gen5"}},
	}
}

func TestGatewayScreenShowsTheGatewayAndKeepsTrafficBounded(t *testing.T) {
	test.NewTempApp(t)
	s := NewGatewayScreen(summary())
	w := test.NewWindow(s.Object())
	defer w.Close()
	w.Resize(w.Canvas().Size().AddWidthHeight(800, 500))
	if s.TrafficCount() != 0 {
		t.Fatal("traffic before any exchange")
	}
	if !hasLabel(s.Object(), "2 devices in sim.starfish.test, profile field") {
		t.Fatal("mesh summary missing")
	}
	batch := make([]TrafficLine, 500)
	for i := range batch {
		batch[i] = TrafficLine{Time: "12:00:00.000", Hop: "device", Method: "GET", Code: "2.05"}
	}
	for range maxTrafficLines/len(batch) + 1 {
		s.AddTraffic(batch...)
	}
	if s.TrafficCount() != maxTrafficLines {
		t.Fatalf("traffic kept %d lines, want the bound %d", s.TrafficCount(), maxTrafficLines)
	}
}

// hasLabel reports whether a label with text is on screen under o.
func hasLabel(o fyne.CanvasObject, text string) bool {
	for _, x := range test.LaidOutObjects(o) {
		if l, ok := x.(*widget.Label); ok && l.Text == text {
			return true
		}
	}
	return false
}

func TestGatewayScreenSaysWhereTheHistoryIsOrWhyThereIsNone(t *testing.T) {
	test.NewTempApp(t)
	s := summary()
	s.History = "/home/me/.config/coap-workbench/gateway/history.db"
	if screen := NewGatewayScreen(s); !hasLabel(screen.Object(), s.History) {
		t.Fatal("the history's file is not shown")
	}
	s.History, s.HistoryWarning = "none", "running without history: the history is in use by another running workbench"
	if screen := NewGatewayScreen(s); !hasLabel(screen.Object(), s.HistoryWarning) {
		t.Fatal("the reason for running without history is not shown")
	}
}
