package views

import (
	"fmt"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/internal/human"
)

// deviceEvents are what the device panel tells its console.
type deviceEvents struct {
	// faultsChanged hands a device's faults to the console's hook; false when there is no
	// hook, and the faults stay unreported until there is one.
	faultsChanged func(host, summary string) bool
	// counted says how many devices the list shows, of how many.
	counted func(shown, total int)
	// logger records what the fault controls do.
	logger func() *slog.Logger
}

// devicePanel lists the devices and, beside the list, the fault controls of the one selected.
type devicePanel struct {
	source GatewayConsoleSource
	// profile is the link of the mesh's profile, against which a link is a fault.
	profile LinkSettings
	events  deviceEvents
	devices []DeviceStatusRow
	shown   []int // indexes devices, in the list's order, while a filter is set
	text    string
	// selected is the host name of the device the controls act on ("" for none).
	selected string
	// syncing is set while the panel sets its own widgets, whose callbacks then do nothing.
	syncing bool
	// reported are the faults last reported of each device; a device missing is healthy.
	reported map[string]string

	list     *widget.List
	filter   *widget.Entry
	empty    *widget.Label // in place of the list while it lists nothing
	controls *faultControls
	root     fyne.CanvasObject
}

func newDevicePanel(source GatewayConsoleSource, profile LinkSettings, events deviceEvents) *devicePanel {
	p := &devicePanel{source: source, profile: profile, events: events, reported: map[string]string{}, empty: emptyHint("")}
	p.list = widget.NewList(p.length, newDeviceRow, p.updateRow)
	p.list.OnSelected = func(id widget.ListItemID) {
		if !p.syncing {
			p.selected = p.device(id).Name
			p.controls.show(p.device(id))
		}
	}
	p.filter = widget.NewEntry()
	p.filter.SetPlaceHolder("Filter devices")
	p.filter.OnChanged = func(text string) { p.text = text; p.refilter() }
	p.controls = newFaultControls(p)
	// The filter heads the name column, so that the list keeps all the height there is.
	bold := func(text string) *widget.Label {
		return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	heads := container.New(deviceRowLayout{}, p.filter, bold("Type"), bold("Battery"), bold("State"))
	left := compactRows(container.NewBorder(heads, nil, nil, nil, container.NewStack(p.list, p.empty)))
	split := container.NewHSplit(left, p.controls.root)
	split.Offset = 0.5
	p.root = split
	return p
}

// deviceRowLayout lays a device row out: the name, the type, the battery and the state.
// The type and the battery have fixed widths; the name takes a share of the rest up to what
// a MAC needs, and the state the remainder.
type deviceRowLayout struct{}

// The widths of the device list's columns.
const (
	deviceTypeWidth    = 52
	deviceBatteryWidth = 86
	deviceNameWidth    = 180 // at most: a whole MAC
)

func (deviceRowLayout) widths(total float32) (name, state float32) {
	rest := max(total-deviceTypeWidth-deviceBatteryWidth, 0)
	name = min(rest*0.5, deviceNameWidth)
	return name, rest - name
}

func (l deviceRowLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	name, state := l.widths(size.Width)
	x := float32(0)
	for i, w := range []float32{name, deviceTypeWidth, deviceBatteryWidth, state} {
		objects[i].Move(fyne.NewPos(x, 0))
		objects[i].Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

func (deviceRowLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objects {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(objects[0].MinSize().Width+deviceTypeWidth+deviceBatteryWidth+objects[3].MinSize().Width, h)
}

// newDeviceRow is a row of the device list: the name keeps its tail when cut, and shows the
// whole host name in its tooltip.
func newDeviceRow() fyne.CanvasObject {
	cells := []fyne.CanvasObject{NewFitLabel("")}
	for range 3 {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		cells = append(cells, l)
	}
	return container.New(deviceRowLayout{}, cells...)
}

func (p *devicePanel) length() int {
	if p.text != "" {
		return len(p.shown)
	}
	return len(p.devices)
}

func (p *devicePanel) device(id widget.ListItemID) *DeviceStatusRow {
	if p.text != "" {
		return &p.devices[p.shown[id]]
	}
	return &p.devices[id]
}

func (p *devicePanel) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	d := p.device(id)
	cells := o.(*fyne.Container).Objects
	name := cells[0].(*FitLabel)
	name.Tip = d.Name
	name.SetText(human.ShortHost(d.Name))
	cells[1].(*widget.Label).SetText(d.Type)
	// A fault shows in the warning colour, so that the row says what was applied.
	setCell(cells[2].(*widget.Label), d.battery(), d.BatteryLow)
	setCell(cells[3].(*widget.Label), d.state(), d.Rebooting || d.clockFault() || d.Link().worseThan(p.profile))
}

// setCell shows text in the warning colour when warn is set.
func setCell(l *widget.Label, text string, warn bool) {
	importance := widget.MediumImportance
	if warn {
		importance = widget.WarningImportance
	}
	if l.Text == text && l.Importance == importance {
		return
	}
	l.Text, l.Importance = text, importance
	l.Refresh()
}

// set shows a new snapshot of the devices, reusing the panel's storage, and reports the
// devices whose faults changed.
func (p *devicePanel) set(devices []DeviceStatusRow) {
	p.devices = append(p.devices[:0], devices...)
	p.refilter()
	if d := p.find(p.selected); d != nil {
		p.controls.update(d)
	}
	for i := range p.devices {
		d := &p.devices[i]
		if summary := d.faults(p.profile); p.reported[d.Name] != summary && p.events.faultsChanged(d.Name, summary) {
			p.reported[d.Name] = summary
		}
	}
}

// reread shows the devices as the source has them now, after a fault control acted.
func (p *devicePanel) reread() { p.set(p.source.Devices()) }

func (p *devicePanel) find(name string) *DeviceStatusRow {
	for i := range p.devices {
		if p.devices[i].Name == name {
			return &p.devices[i]
		}
	}
	return nil
}

// refilter rebuilds the shown devices, keeps the selection on the same device, and
// refreshes the list.
func (p *devicePanel) refilter() {
	p.shown = p.shown[:0]
	if p.text != "" {
		for i := range p.devices {
			if p.devices[i].matches(p.text) {
				p.shown = append(p.shown, i)
			}
		}
	}
	p.events.counted(p.length(), len(p.devices))
	switch {
	case len(p.devices) == 0:
		p.empty.SetText("No simulated devices.")
	case p.length() == 0:
		p.empty.SetText(fmt.Sprintf("No device matches %q: its name, type or state.", p.text))
	}
	p.empty.Hidden = p.length() > 0
	p.empty.Refresh()
	p.syncing = true
	defer func() { p.syncing = false }()
	for id := range p.length() {
		if p.device(id).Name == p.selected {
			p.list.Select(id) // does nothing when already selected
			p.list.Refresh()
			return
		}
	}
	// The device stays in the controls while the filter hides it.
	p.list.UnselectAll()
	p.list.Refresh()
}
