package views

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// rowsInView counts the rows of list shown whole, from its top.
func rowsInView(list *widget.List) int {
	n := 0
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if fmt.Sprintf("%T", o) == "*widget.listItem" {
			if o.Visible() && o.Position().Y+o.Size().Height <= list.Size().Height {
				n++
			}
			return
		}
		switch x := o.(type) {
		case *fyne.Container:
			for _, child := range x.Objects {
				walk(child)
			}
		case fyne.Widget:
			for _, child := range test.WidgetRenderer(x).Objects() {
				walk(child)
			}
		}
	}
	walk(list)
	return n
}

// consoleOnDevices shows a console over n devices at width×height with the Devices tab open
// and the second device selected.
func consoleOnDevices(t *testing.T, n int, width, height float32) (*GatewayScreen, fyne.Window) {
	t.Helper()
	s, w := newConsole(t, &fakeConsole{devices: manyDevices(n)})
	w.Resize(fyne.NewSize(width, height))
	selectDevice(t, s, 1)
	return s, w
}

func TestDeviceListShowsFourRowsBesideTheFaultControlsAt1024x700(t *testing.T) {
	// At 1024×700 the bottom panel is about 250 px high, 210 below its own tabs, and as wide
	// as the window less the tree.
	s, w := consoleOnDevices(t, 25, 760, 210)
	if n := rowsInView(s.devices.list); n < 4 {
		t.Fatalf("the device list shows %d whole rows in %v", n, s.devices.list.Size())
	}
	c := s.devices.controls
	if c.root.Size().Width < 250 || c.scroll.Size().Height < 2*lineHeight() || c.title.Size().Height < lineHeight()-1 {
		t.Fatalf("the fault controls are %v, their scroll %v", c.root.Size(), c.scroll.Size())
	}
	// The controls scroll inside their pane; the console keeps the size it was given.
	if c.scroll.Content.Size().Height <= c.scroll.Size().Height {
		t.Fatalf("the controls (%v) should scroll in %v", c.scroll.Content.Size(), c.scroll.Size())
	}
	test.Tap(c.reboot)
	if got := w.Canvas().Size(); got != fyne.NewSize(760, 210) || !c.message.Visible() || c.scroll.Size().Height < 2*lineHeight() {
		t.Fatalf("after a fault the window is %v, the message shown %v, the controls %v", got, c.message.Visible(), c.scroll.Size())
	}
}

func TestDeviceListAndFaultControlsGrowAt1920x1080(t *testing.T) {
	s, _ := consoleOnDevices(t, 40, 1600, 450)
	if n := rowsInView(s.devices.list); n < 12 {
		t.Fatalf("at 1600×450 the device list shows %d whole rows", n)
	}
	c := s.devices.controls
	if !c.root.(*fyne.Container).Layout.(*faultColumnLayout).groups.wide {
		t.Fatalf("the fault controls stand in one column %v wide", c.root.Size().Width)
	}
	if c.scroll.Content.MinSize().Height > c.scroll.Size().Height {
		t.Fatalf("at 1600×450 the fault controls (%v) still scroll in %v", c.scroll.Content.MinSize(), c.scroll.Size())
	}
}

func TestDeviceNamesKeepTheirTailWhenCut(t *testing.T) {
	s, w := consoleOnDevices(t, 8, 660, 210)
	w.Resize(fyne.NewSize(480, 210))
	row := s.devices.list.CreateItem()
	s.devices.list.UpdateItem(1, row)
	name := row.(*fyne.Container).Objects[0].(*FitLabel)
	row.Resize(fyne.NewSize(400, row.MinSize().Height))
	if shown := name.Shown(); !strings.Contains(shown, "…") || !strings.HasSuffix(shown, "000001") || name.Tip != "SSN0013500500000001.sim.starfish.test" {
		t.Fatalf("a cut name shows %q with the tooltip %q", shown, name.Tip)
	}
	c := s.devices.controls
	c.title.Resize(fyne.NewSize(90, c.title.MinSize().Height))
	if shown := c.title.Shown(); !strings.HasSuffix(shown, "01") || c.title.Tip != "SSN0013500500000001.sim.starfish.test" || !strings.HasPrefix(c.status.Text, c.title.Tip+" · ") {
		t.Fatalf("the controls' title shows %q (tooltip %q), their details %q", shown, c.title.Tip, c.status.Text)
	}
}

func TestTheProfileLinkIsNoFault(t *testing.T) {
	test.NewTempApp(t)
	field := LinkSettings{LossPercent: 2, Delay: 150 * time.Millisecond, Jitter: 250 * time.Millisecond}
	devices := []DeviceStatusRow{
		{Name: milli, Type: "Milli", BatteryVolts: 3.6, LossPercent: 2, Delay: 150 * time.Millisecond, Jitter: 250 * time.Millisecond, ClockSkew: 900 * time.Millisecond},
		{Name: gen5, Type: "Gen5", BatteryVolts: 3.6, LossPercent: 30, Delay: 150 * time.Millisecond, Jitter: 250 * time.Millisecond},
		{Name: "SSN00AA.sim.starfish.test", Type: "Gen5", BatteryVolts: 3.6, Rebooting: true, ClockSkew: -55 * 365 * 24 * time.Hour},
	}
	for i, want := range []string{"", "loss 30 %, delay 150 ms ± 250 ms", ""} {
		if got := devices[i].faults(field); got != want {
			t.Errorf("device %d: faults %q, want %q", i, got, want)
		}
	}
	sum := summary()
	sum.ProfileLink = field
	s := NewGatewayScreen(sum, &fakeConsole{devices: devices})
	showInTestWindow(t, s.Object(), 1000, 400)
	row := s.devices.list.CreateItem()
	for id, warn := range []bool{false, true, true} {
		s.devices.list.UpdateItem(id, row)
		if state := row.(*fyne.Container).Objects[3].(*widget.Label); (state.Importance == widget.WarningImportance) != warn {
			t.Errorf("row %d: state %q in importance %v", id, state.Text, state.Importance)
		}
	}
}

func TestDurationsAreReadAsTheConsoleWritesThem(t *testing.T) {
	for text, want := range map[string]time.Duration{
		"150 ms": 150 * time.Millisecond, "1.5 s": 1500 * time.Millisecond, "-1 min 30 s": -90 * time.Second,
		"-6.1 s": -6100 * time.Millisecond, "2 h 05 min": 125 * time.Minute, "300ms": 300 * time.Millisecond,
		"−2 min": -2 * time.Minute, "": 0,
	} {
		if got, err := parseDuration("skew", text, true); err != nil || got != want {
			t.Errorf("%q reads as %v (%v), want %v", text, got, err, want)
		}
	}
	if _, err := parseDuration("delay", "2 days", false); err == nil {
		t.Error("2 days read as a duration")
	}
}
