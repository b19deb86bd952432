package views

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

const (
	milli = "SSN001350050005E7D6.sim.starfish.test"
	gen5  = "SSN0013500542642B7A.sim.starfish.test"
)

// deviceCells are the texts of the device list's row id.
func deviceCells(s *GatewayScreen, id int) string {
	row := s.devices.list.CreateItem()
	s.devices.list.UpdateItem(id, row)
	var out []string
	for _, o := range row.(*fyne.Container).Objects {
		switch cell := o.(type) {
		case *FitLabel:
			out = append(out, cell.Text())
		case *widget.Label:
			out = append(out, cell.Text)
		}
	}
	return strings.Join(out, " | ")
}

func TestDeviceListShowsLinkAndBattery(t *testing.T) {
	source := &fakeConsole{devices: twoDevices()}
	source.devices = append(source.devices, DeviceStatusRow{Name: "SSN00AA.sim.starfish.test", Type: "Gen5", BatteryVolts: 3.3, Rebooting: true})
	source.devices = append(source.devices, DeviceStatusRow{Name: "SSN00BB.sim.starfish.test", Type: "Gen5", BatteryVolts: 3.3})
	s, _ := newConsole(t, source)
	for id, want := range []string{
		"SSN001350050005E7D6 | Milli | 3.61 V | loss 2 %, delay 150 ms ± 250 ms",
		"SSN0013500542642B7A | Gen5 | 3.12 V (low) | offline · clock skew -1 min 30 s",
		"SSN00AA | Gen5 | 3.30 V | rebooting",
		"SSN00BB | Gen5 | 3.30 V | ok",
	} {
		if got := deviceCells(s, id); got != want {
			t.Errorf("row %d: %q, want %q", id, got, want)
		}
	}
}

func TestDeviceFilterNarrowsAndKeepsTheSelection(t *testing.T) {
	source := &fakeConsole{}
	for i := range 1000 {
		source.devices = append(source.devices, DeviceStatusRow{Name: fmt.Sprintf("SSN%016X.sim.starfish.test", i), Type: []string{"Milli", "Gen5"}[i%2], BatteryVolts: 3.6})
	}
	source.devices[998].Offline = true
	s, _ := newConsole(t, source)
	s.devices.list.Select(999)
	test.Type(s.devices.filter, "3e")
	// 3E0..3E7 (992-999), and 03E, 13E, 23E, 33E (62, 318, 574, 830).
	if n := s.devices.list.Length(); n != 12 || s.devicesTab.Text != "Devices (12 of 1000)" {
		t.Fatalf("filter 3e shows %d devices: tab %q", n, s.devicesTab.Text)
	}
	if got := s.devices.list.Length() - 1; !strings.HasPrefix(deviceCells(s, got), "SSN00000000000003E7 ") {
		t.Fatalf("last row %q", deviceCells(s, got))
	}
	if s.devices.selected != source.devices[999].Name || s.devices.controls.title.Tip != source.devices[999].Name {
		t.Fatalf("the filter moved the selection to %s", s.devices.selected)
	}
	s.devices.filter.SetText("offline")
	if n := s.devices.list.Length(); n != 1 || !strings.HasSuffix(deviceCells(s, 0), "offline") {
		t.Fatalf("filter offline shows %d devices", n)
	}
	if s.devices.controls.title.Tip != source.devices[999].Name {
		t.Fatal("the controls lost their device when the filter hid it")
	}
	s.devices.filter.SetText("")
	if s.devices.list.Length() != 1000 {
		t.Fatalf("no filter shows %d devices", s.devices.list.Length())
	}
}

// selectDevice selects the device at id and returns its controls.
func selectDevice(t *testing.T, s *GatewayScreen, id int) *faultControls {
	t.Helper()
	s.tabs.SelectIndex(2)
	s.devices.list.Select(id)
	c := s.devices.controls
	if c.apply.Disabled() || c.delay.Disabled() {
		t.Fatal("the fault controls are off after a selection")
	}
	return c
}

func TestFaultControlsShowTheSelectedDevice(t *testing.T) {
	s, _ := newConsole(t, &fakeConsole{devices: twoDevices()})
	if c := s.devices.controls; !c.reboot.Disabled() || !c.offline.Disabled() || c.title.Text() != "No device selected" {
		t.Fatal("fault controls are on with no device selected")
	}
	c := selectDevice(t, s, 1)
	if c.title.Text() != "SSN0013500542642B7A" || c.title.Tip != gen5 || c.loss.Text != "0" || c.delay.Text != "0 ms" || c.skew.Text != "-1 min 30 s" || !c.offline.Checked || !c.battery.Checked {
		t.Fatalf("controls show %q loss %q delay %q skew %q offline %v battery %v", c.title.Text(), c.loss.Text, c.delay.Text, c.skew.Text, c.offline.Checked, c.battery.Checked)
	}
	c = selectDevice(t, s, 0)
	if c.title.Tip != milli || c.loss.Text != "2" || c.delay.Text != "150 ms" || c.jitter.Text != "250 ms" || c.offline.Checked || c.battery.Checked {
		t.Fatalf("controls show %q loss %q delay %q jitter %q offline %v battery %v", c.title.Tip, c.loss.Text, c.delay.Text, c.jitter.Text, c.offline.Checked, c.battery.Checked)
	}
}

func TestFaultControlsApplyTheParsedLink(t *testing.T) {
	source := &fakeConsole{devices: twoDevices()}
	s, _ := newConsole(t, source)
	c := selectDevice(t, s, 0)
	c.loss.SetText("30 %")
	c.delay.SetText("300ms")
	c.jitter.SetText("1.5s")
	test.Tap(c.apply)
	want := "SetLink " + milli + " loss=30 delay=300ms jitter=1.5s offline=false"
	if got := source.callLog(); len(got) != 1 || got[0] != want {
		t.Fatalf("calls %q, want %q", got, want)
	}
	if !strings.HasPrefix(deviceCells(s, 0), "SSN001350050005E7D6 | Milli | 3.61 V | loss 30 %, delay 300 ms ± 1.5 s") {
		t.Fatalf("the list did not re-read the device: %q", deviceCells(s, 0))
	}
	if c.message.Text != "Link of SSN001350050005E7D6 set: loss 30 %, delay 300 ms ± 1.5 s." {
		t.Fatalf("message %q", c.message.Text)
	}
	test.Tap(c.offline)
	if got := source.callLog(); len(got) != 2 || !strings.HasSuffix(got[1], "offline=true") {
		t.Fatalf("offline check: calls %q", got)
	}
	if !strings.HasSuffix(deviceCells(s, 0), "offline") {
		t.Fatalf("row after offline: %q", deviceCells(s, 0))
	}
}

func TestFaultControlsRefuseWhatTheyCannotRead(t *testing.T) {
	source := &fakeConsole{devices: twoDevices()}
	s, _ := newConsole(t, source)
	c := selectDevice(t, s, 0)
	for _, bad := range []struct{ loss, delay, jitter, message string }{
		{"0", "abc", "0s", `delay "abc" is not a duration: write it like 300 ms, 1.5 s or 2 min`},
		{"150", "0s", "0s", `loss "150" is not a percentage: write a number from 0 to 100`},
		{"ten", "0s", "0s", `loss "ten" is not a percentage: write a number from 0 to 100`},
		{"0", "0s", "-5ms", `jitter -5ms cannot be negative`},
	} {
		c.loss.SetText(bad.loss)
		c.delay.SetText(bad.delay)
		c.jitter.SetText(bad.jitter)
		test.Tap(c.apply)
		if c.message.Text != bad.message || c.message.Importance != widget.DangerImportance {
			t.Errorf("message %q, want %q", c.message.Text, bad.message)
		}
	}
	// The offline check goes back when the link cannot be applied.
	test.Tap(c.offline)
	if c.offline.Checked {
		t.Error("the offline check stayed on though nothing was applied")
	}
	if got := source.callLog(); len(got) != 0 {
		t.Fatalf("unreadable settings reached the gateway: %q", got)
	}
}

func TestFaultControlsRebootTamperBatteryAndClock(t *testing.T) {
	source := &fakeConsole{devices: twoDevices()}
	s, _ := newConsole(t, source)
	c := selectDevice(t, s, 0)
	test.Tap(c.reboot)
	if !strings.HasSuffix(deviceCells(s, 0), "rebooting") || c.message.Text != "SSN001350050005E7D6 is rebooting: it answers nothing until it is back." {
		t.Fatalf("after reboot: row %q, message %q", deviceCells(s, 0), c.message.Text)
	}
	test.Tap(c.tamper)
	test.Tap(c.battery)
	c.skew.SetText("-2m")
	test.Tap(c.skewIt)
	c.skew.SetText("soon")
	test.Tap(c.skewIt)
	want := []string{"Reboot " + milli, "Tamper " + milli, "SetBatteryLow " + milli + " true", "SkewClock " + milli + " -2m0s"}
	if got := source.callLog(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("calls\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if c.message.Text != `clock skew "soon" is not a duration: write it like 300 ms, 1.5 s or 2 min` {
		t.Fatalf("message %q", c.message.Text)
	}
	if !strings.Contains(deviceCells(s, 0), "3.61 V (low)") {
		t.Fatalf("battery low not re-read: %q", deviceCells(s, 0))
	}
}

func TestFaultControlsSayWhenTheGatewayRefuses(t *testing.T) {
	source := &fakeConsole{devices: twoDevices(), fail: errRefused}
	s, _ := newConsole(t, source)
	c := selectDevice(t, s, 0)
	test.Tap(c.battery)
	if c.message.Text != "could not change the battery of SSN001350050005E7D6: the device refused" || c.battery.Checked {
		t.Fatalf("message %q, battery check %v", c.message.Text, c.battery.Checked)
	}
	test.Tap(c.reboot)
	if c.message.Text != "could not reboot SSN001350050005E7D6: the device refused" {
		t.Fatalf("message %q", c.message.Text)
	}
}

func TestFaultControlsKeepWhatTheUserTypesAcrossRefreshes(t *testing.T) {
	source := &fakeConsole{devices: twoDevices()}
	s, _ := newConsole(t, source)
	c := selectDevice(t, s, 0)
	c.delay.SetText("700ms")
	source.mu.Lock()
	source.devices[0].BatteryLow = true
	source.mu.Unlock()
	s.Refresh()
	if c.delay.Text != "700ms" || !c.battery.Checked {
		t.Fatalf("after a refresh: delay %q, battery check %v", c.delay.Text, c.battery.Checked)
	}
	if got := source.callLog(); len(got) != 0 {
		t.Fatalf("a refresh acted on the device: %q", got)
	}
}
