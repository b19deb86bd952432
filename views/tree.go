package views

import (
	"context"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine"
)

// MeshSource is where the mesh tree gets gateways, devices and resources from: the app's
// connected profiles. Its calls block on the network; the tree makes them off the main
// goroutine.
type MeshSource interface {
	// ListDevices lists a profile's devices (a gateway-lite lists its mesh; a real gateway
	// lists none, and says so in the error).
	ListDevices(ctx context.Context, profile string) ([]coapengine.ListedDevice, error)
	// Crawl reads one device's resources; base is coap://host:port.
	Crawl(ctx context.Context, profile, base string) coapengine.DeviceTree
	// CrawlMesh reads many devices' resources (devices are their coap:// bases), reporting
	// each as it finishes.
	CrawlMesh(ctx context.Context, profile string, devices []string, progress func(coapengine.CrawlProgress)) []coapengine.DeviceTree
}

// TreeTarget is what a tree row stands for: a device or one of its resources.
type TreeTarget struct {
	Profile string
	Device  string // host name
	URI     string // the device's base, or the resource's URI
	// Resource is the resource's link attributes (nil for a device or an intermediate path).
	Resource *coapengine.Resource
}

// TreeAction is what a tree row's context menu asks for.
type TreeAction int

// The context menu's actions.
const (
	ActionGet TreeAction = iota
	ActionObserve
	ActionCopyURI
	ActionCopyCoapClient
	ActionDiagnose
	ActionOpenInTab
)

// The kinds of tree rows, the first byte of their IDs.
const (
	rowProfile = 'p'
	rowDevice  = 'd'
	rowNode    = 'n'
	rowInfo    = 'i' // a placeholder: loading, an error, nothing found
)

const idSep = "\x1f"

// treeRow is what the tree knows of one row.
type treeRow struct {
	kind    byte
	profile string
	device  *treeDevice      // for device, node and device-info rows
	node    *coapengine.Node // for node rows
	text    string           // for info rows
	warning bool             // an info row that reports an error
}

// treeDevice is one device of a profile, listed and perhaps crawled.
type treeDevice struct {
	id     string
	listed coapengine.ListedDevice
	tree   *coapengine.DeviceTree // nil until crawled
	// loading is set while a crawl runs.
	loading bool
	// battery is the voltage of the last power statistics seen (0: none seen).
	battery float64
	// fault describes a fault injected into the device ("" when healthy).
	fault string
	// live holds the last observed value of each observed resource, by path.
	live map[string]liveValue
}

// liveValue is the last value an observation brought for a resource.
type liveValue struct {
	text, tip string
	at        time.Time
}

// treeProfile is one connected profile: a gateway, or direct access to devices.
type treeProfile struct {
	id      string
	name    string
	title   string
	devices []*treeDevice
	byHost  map[string]*treeDevice
	listed  bool
	loading bool
	err     string
	// noList is set when the gateway has no device list (a real gateway).
	noList bool
}

// MeshTree is the resource browser: gateway → devices → resources, loaded lazily as
// branches open, with a filter, a crawl of the whole mesh and a context menu per row.
type MeshTree struct {
	source MeshSource
	tree   *widget.Tree
	root   fyne.CanvasObject

	profiles []*treeProfile
	rows     map[string]*treeRow
	// children is the filtered view the widget shows, recomputed when something changes so
	// that the widget's ChildUIDs stays a map lookup.
	children map[string][]string
	filter   string
	selected string
	// faults are the faults reported for devices before they were listed, by device ID.
	faults map[string]string

	filterEntry *widget.Entry
	crawlButton *widget.Button
	cancelCrawl context.CancelFunc
	progress    *widget.ProgressBar
	progressBox *fyne.Container
	status      *widget.Label
	// refreshPending coalesces the refreshes of a crawl into one per frame batch.
	refreshPending bool

	// OnPick is called when a device or resource is selected.
	OnPick func(TreeTarget)
	// OnAction is called with a context-menu choice.
	OnAction func(TreeAction, TreeTarget)
	// Do runs the tree's updates from its loading goroutines on the main goroutine:
	// fyne.Do, unless a test runs them on its own goroutine instead.
	Do func(func())
}

// NewMeshTree builds an empty tree over source; AddProfile puts a connected profile in it.
func NewMeshTree(source MeshSource) *MeshTree {
	m := &MeshTree{source: source, rows: map[string]*treeRow{}, children: map[string][]string{}, Do: fyne.Do}
	m.tree = widget.NewTree(m.childUIDs, m.isBranch, m.newRow, m.updateRow)
	m.tree.OnBranchOpened = m.branchOpened
	m.tree.OnSelected = func(uid widget.TreeNodeID) {
		m.selected = uid
		m.pick(uid)
	}
	m.tree.OnUnselected = func(widget.TreeNodeID) { m.selected = "" }
	m.filterEntry = widget.NewEntry()
	m.filterEntry.SetPlaceHolder("Filter by MAC, name or path")
	m.filterEntry.OnChanged = m.SetFilter
	m.crawlButton = widget.NewButtonWithIcon("Crawl mesh", theme.SearchIcon(), m.toggleCrawl)
	m.progress = widget.NewProgressBar()
	m.status = widget.NewLabel("")
	m.status.Truncation = fyne.TextTruncateEllipsis
	m.progressBox = container.NewVBox(m.progress)
	m.progressBox.Hide()
	top := container.NewVBox(
		container.NewBorder(nil, nil, nil, m.crawlButton, m.filterEntry),
		m.progressBox,
	)
	m.root = container.NewBorder(top, m.status, nil, nil, m.tree)
	m.rebuild()
	return m
}

// Object is the tree with its filter box, crawl button and status line.
func (m *MeshTree) Object() fyne.CanvasObject { return m.root }

// Tree is the tree widget itself (for focus and tests).
func (m *MeshTree) Tree() *widget.Tree { return m.tree }

// pick hands the row's device or resource to OnPick.
func (m *MeshTree) pick(uid string) {
	if t, ok := m.targetOf(uid); ok && m.OnPick != nil {
		m.OnPick(t)
	}
}

// AddProfile adds a connected profile as a top-level branch, titled e.g. "embedded gateway
// 127.0.0.1:5683", and opens it (which lists its devices).
func (m *MeshTree) AddProfile(name, title string) {
	if m.profile(name) != nil {
		return
	}
	p := &treeProfile{id: string(rowProfile) + idSep + name, name: name, title: title, byHost: map[string]*treeDevice{}}
	m.profiles = append(m.profiles, p)
	m.rebuild()
	m.tree.OpenBranch(p.id)
}

// RemoveProfile takes a disconnected profile out of the tree.
func (m *MeshTree) RemoveProfile(name string) {
	if p := m.profile(name); p != nil {
		// The widget remembers open branches by ID: a reconnection must start closed, so
		// that opening a device crawls it again.
		for _, d := range p.devices {
			m.tree.CloseBranch(d.id)
		}
		m.tree.CloseBranch(p.id)
	}
	m.profiles = slices.DeleteFunc(m.profiles, func(p *treeProfile) bool { return p.name == name })
	m.rebuild()
}

// AddDevice adds a device by hand (a real gateway does not list its devices): host is a
// host name, base its coap://host:port.
func (m *MeshTree) AddDevice(profile string, d coapengine.ListedDevice) {
	p := m.profile(profile)
	if p == nil {
		return
	}
	if _, ok := p.byHost[strings.ToLower(d.Host)]; !ok {
		m.addDevices(p, []coapengine.ListedDevice{d})
	}
	m.rebuild()
	m.tree.OpenBranch(p.id)
	m.tree.OpenBranch(p.byHost[strings.ToLower(d.Host)].id)
}

// Profiles are the names of the profiles in the tree, in order.
func (m *MeshTree) Profiles() []string {
	names := make([]string, len(m.profiles))
	for i, p := range m.profiles {
		names[i] = p.name
	}
	return names
}

// ResourceURIs are the URIs of every device and resource loaded so far, for completion.
func (m *MeshTree) ResourceURIs(profile string) []string {
	p := m.profile(profile)
	if p == nil {
		return nil
	}
	var out []string
	for _, d := range p.devices {
		out = append(out, d.listed.Base+"/")
		if d.tree != nil {
			for _, r := range d.tree.Resources {
				out = append(out, d.listed.Base+r.Path)
			}
		}
	}
	return out
}

// Device is what the tree knows of a device of a profile: its listing and, once crawled,
// its resources.
func (m *MeshTree) Device(profile, host string) (coapengine.ListedDevice, *coapengine.DeviceTree, bool) {
	p := m.profile(profile)
	if p == nil {
		return coapengine.ListedDevice{}, nil, false
	}
	d, ok := p.byHost[strings.ToLower(host)]
	if !ok {
		return coapengine.ListedDevice{}, nil, false
	}
	return d.listed, d.tree, true
}

// DeviceCount is the number of devices listed for a profile.
func (m *MeshTree) DeviceCount(profile string) int {
	if p := m.profile(profile); p != nil {
		return len(p.devices)
	}
	return 0
}

// VisibleChildren are the rows under uid as the widget shows them (filtered).
func (m *MeshTree) VisibleChildren(uid string) []string { return m.children[uid] }

// ProfileID, DeviceID and NodeID are the tree IDs of a profile, a device and a resource.
func ProfileID(profile string) string { return string(rowProfile) + idSep + profile }

// DeviceID is the tree ID of a device of a profile.
func DeviceID(profile, host string) string {
	return string(rowDevice) + idSep + profile + idSep + strings.ToLower(host)
}

// NodeID is the tree ID of a path on a device.
func NodeID(profile, host, path string) string {
	return string(rowNode) + idSep + profile + idSep + strings.ToLower(host) + idSep + path
}

// SetFilter shows only the devices and resources whose MAC, name, NIC type or path contains
// text (any case); "" shows everything.
func (m *MeshTree) SetFilter(text string) {
	m.filter = strings.ToLower(strings.TrimSpace(text))
	if m.filterEntry.Text != text {
		m.filterEntry.SetText(text)
	}
	m.rebuild()
}

// FocusFilter puts the keyboard focus in the filter box.
func (m *MeshTree) FocusFilter() {
	if c := fyne.CurrentApp().Driver().CanvasForObject(m.filterEntry); c != nil {
		c.Focus(m.filterEntry)
	}
}

func (m *MeshTree) profile(name string) *treeProfile {
	for _, p := range m.profiles {
		if p.name == name {
			return p
		}
	}
	return nil
}

func (m *MeshTree) addDevices(p *treeProfile, listed []coapengine.ListedDevice) {
	for _, l := range listed {
		key := strings.ToLower(l.Host)
		if _, ok := p.byHost[key]; ok {
			continue
		}
		d := &treeDevice{id: DeviceID(p.name, l.Host), listed: l}
		d.fault = m.faults[d.id]
		p.devices = append(p.devices, d)
		p.byHost[key] = d
	}
}

func (m *MeshTree) childUIDs(uid widget.TreeNodeID) []widget.TreeNodeID { return m.children[uid] }

func (m *MeshTree) isBranch(uid widget.TreeNodeID) bool {
	if uid == "" {
		return true
	}
	switch uid[0] {
	case rowProfile, rowDevice:
		return true
	case rowNode:
		r := m.rows[uid]
		return r != nil && len(r.node.Children) > 0
	}
	return false
}

// targetOf is what a row stands for; info rows and profiles stand for nothing to request.
func (m *MeshTree) targetOf(uid string) (TreeTarget, bool) {
	row := m.rows[uid]
	if row == nil || row.device == nil || row.kind == rowInfo {
		return TreeTarget{}, false
	}
	t := TreeTarget{Profile: row.profile, Device: row.device.listed.Host, URI: row.device.listed.Base + "/"}
	if row.kind == rowNode {
		t.URI = row.device.listed.Base + row.node.Path
		t.Resource = row.node.Resource
	}
	return t, true
}

func (m *MeshTree) showMenu(uid string, at fyne.Position) {
	t, ok := m.targetOf(uid)
	if !ok || m.OnAction == nil {
		return
	}
	act := func(a TreeAction) func() { return func() { m.OnAction(a, t) } }
	observe := fyne.NewMenuItem("Observe", act(ActionObserve))
	observe.Disabled = t.Resource == nil || !t.Resource.Observable
	menu := fyne.NewMenu("",
		fyne.NewMenuItem("GET", act(ActionGet)),
		fyne.NewMenuItem("Open in a new tab", act(ActionOpenInTab)),
		observe,
		fyne.NewMenuItem("Diagnose the NIC", act(ActionDiagnose)),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Copy URI", act(ActionCopyURI)),
		fyne.NewMenuItem("Copy as coap-client", act(ActionCopyCoapClient)),
	)
	c := fyne.CurrentApp().Driver().CanvasForObject(m.tree)
	if c == nil {
		return
	}
	widget.ShowPopUpMenuAtPosition(menu, c, at)
}

// device is the tree's device host of a profile (nil when it is not listed).
func (m *MeshTree) device(profile, host string) *treeDevice {
	p := m.profile(profile)
	if p == nil {
		return nil
	}
	return p.byHost[strings.ToLower(host)]
}

// SetBattery shows a device's battery voltage, from the last power statistics seen, as the
// badge of its row (warning when low, failing below the fail threshold).
func (m *MeshTree) SetBattery(profile, host string, volts float64) {
	if d := m.device(profile, host); d != nil && d.battery != volts {
		d.battery = volts
		m.tree.RefreshItem(d.id)
	}
}

// SetFault marks a device's row with a fault injected into it ("" when it is healthy
// again). A device not listed yet gets its mark when it is.
func (m *MeshTree) SetFault(profile, host, fault string) {
	d := m.device(profile, host)
	if d == nil {
		if m.faults == nil {
			m.faults = map[string]string{}
		}
		m.faults[DeviceID(profile, host)] = fault
		return
	}
	if d.fault != fault {
		d.fault = fault
		m.tree.RefreshItem(d.id)
	}
}

// SetLiveValue shows an observed resource's last value on its row, which glows when the
// value changed; path is the resource's path and query, tip says more (when and which
// notification).
func (m *MeshTree) SetLiveValue(profile, host, path, value, tip string) {
	d := m.device(profile, host)
	if d == nil {
		return
	}
	if d.live == nil {
		d.live = map[string]liveValue{}
	}
	old, seen := d.live[path]
	if seen && old.text == value {
		old.tip = tip
		d.live[path] = old
		return
	}
	d.live[path] = liveValue{text: value, tip: tip, at: time.Now()}
	m.tree.RefreshItem(NodeID(profile, host, path))
}

// LiveValue is the value shown on an observed resource's row.
func (m *MeshTree) LiveValue(profile, host, path string) string {
	if d := m.device(profile, host); d != nil {
		return d.live[path].text
	}
	return ""
}

// DeviceBadges are the badges of a device's row as shown (for tests).
func (m *MeshTree) DeviceBadges(profile, host string) []string {
	d := m.device(profile, host)
	if d == nil {
		return nil
	}
	var out []string
	for _, b := range deviceLook(d).badges {
		if b.text != "" {
			out = append(out, b.text)
		}
	}
	return out
}
