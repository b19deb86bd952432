package views

import (
	"context"
	"fmt"
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
	// CrawlMesh reads many devices' resources, reporting each as it finishes.
	CrawlMesh(ctx context.Context, profile string, hosts []string, progress func(coapengine.CrawlProgress)) []coapengine.DeviceTree
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
	// OnDevicesChanged is called after devices were listed or crawled (for URI completion).
	OnDevicesChanged func()
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
		if t, ok := m.targetOf(uid); ok && m.OnPick != nil {
			m.OnPick(t)
		}
	}
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

// rowWidget is a tree row: icon, name and detail, with a context menu on a secondary tap.
type rowWidget struct {
	widget.BaseWidget
	icon   *widget.Icon
	name   *widget.Label
	detail *widget.Label
	uid    string
	menu   func(uid string, at fyne.Position)
}

func (r *rowWidget) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, r.icon, r.detail, r.name))
}

// TappedSecondary opens the row's context menu.
func (r *rowWidget) TappedSecondary(e *fyne.PointEvent) {
	if r.menu != nil {
		r.menu(r.uid, e.AbsolutePosition)
	}
}

func (m *MeshTree) newRow(bool) fyne.CanvasObject {
	r := &rowWidget{icon: widget.NewIcon(theme.ComputerIcon()), name: widget.NewLabel("SSN001350050005E7D6"), detail: widget.NewLabel("Milli · 312 ms"), menu: m.showMenu}
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.detail.Importance = widget.LowImportance
	r.ExtendBaseWidget(r)
	return r
}

func (m *MeshTree) updateRow(uid widget.TreeNodeID, _ bool, o fyne.CanvasObject) {
	r := o.(*rowWidget)
	r.uid = uid
	row := m.rows[uid]
	if row == nil {
		return
	}
	icon, name, detail := m.describe(row)
	r.icon.SetResource(icon)
	r.name.SetText(name)
	r.detail.SetText(detail)
	if row.warning {
		r.name.Importance = widget.WarningImportance
	} else {
		r.name.Importance = widget.MediumImportance
	}
	r.name.Refresh()
}

// describe is a row's icon, name and detail.
func (m *MeshTree) describe(row *treeRow) (fyne.Resource, string, string) {
	switch row.kind {
	case rowProfile:
		p := m.profile(row.profile)
		detail := ""
		switch {
		case p.loading:
			detail = "listing devices…"
		case p.listed || len(p.devices) > 0:
			detail = plural(len(p.devices), "device")
		}
		return theme.StorageIcon(), p.title, detail
	case rowDevice:
		return deviceIcon(row.device), shortHost(row.device.listed.Host), deviceDetail(row.device)
	case rowNode:
		return nodeIcon(row.node), row.node.Name, resourceDetail(row.node.Resource)
	}
	if row.warning {
		return theme.WarningIcon(), row.text, ""
	}
	return theme.InfoIcon(), row.text, ""
}

func deviceIcon(d *treeDevice) fyne.Resource {
	if d.tree != nil && !d.tree.Reachable {
		return theme.ErrorIcon()
	}
	return theme.ComputerIcon()
}

// deviceDetail is "Milli · 312 ms", "Milli · unreachable", or the type alone before a crawl.
func deviceDetail(d *treeDevice) string {
	parts := []string{}
	if d.listed.Type != "" {
		parts = append(parts, d.listed.Type)
	}
	switch {
	case d.loading:
		parts = append(parts, "crawling…")
	case d.tree == nil:
	case d.tree.Reachable:
		parts = append(parts, formatRTT(d.tree.RTT))
	default:
		parts = append(parts, "unreachable")
	}
	return strings.Join(parts, " · ")
}

func nodeIcon(n *coapengine.Node) fyne.Resource {
	switch {
	case n.Resource == nil:
		return theme.FolderIcon()
	case n.Resource.Observable:
		return theme.VisibilityIcon()
	}
	return theme.FileIcon()
}

// resourceDetail is what a resource's link attributes say, in a word: "observable".
func resourceDetail(r *coapengine.Resource) string {
	if r != nil && r.Observable {
		return "observable"
	}
	return ""
}

// shortHost is a host name's first label: the SSN<MAC> part that tells devices apart.
func shortHost(host string) string {
	first, _, _ := strings.Cut(host, ".")
	return first
}

// formatRTT writes a round-trip time as people read it: "312 ms", "1.4 s".
func formatRTT(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
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
		observe,
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

// branchOpened loads what a branch holds the first time it opens.
func (m *MeshTree) branchOpened(uid widget.TreeNodeID) {
	row := m.rows[uid]
	if row == nil {
		return
	}
	switch row.kind {
	case rowProfile:
		if p := m.profile(row.profile); p != nil && !p.listed && !p.loading {
			m.listDevices(p)
		}
	case rowDevice:
		if row.device.tree == nil && !row.device.loading {
			m.crawlDevice(row.profile, row.device)
		}
	}
}

// Reload lists a profile's devices again and forgets their crawls.
func (m *MeshTree) Reload(profile string) {
	p := m.profile(profile)
	if p == nil || p.loading {
		return
	}
	m.listDevices(p)
}

func (m *MeshTree) listDevices(p *treeProfile) {
	p.loading, p.err = true, ""
	m.rebuild()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		listed, err := m.source.ListDevices(ctx, p.name)
		m.Do(func() {
			p.loading, p.listed = false, true
			if err != nil {
				p.err = err.Error()
			} else {
				m.addDevices(p, listed)
			}
			m.rebuild()
			m.devicesChanged()
		})
	}()
}

func (m *MeshTree) crawlDevice(profile string, d *treeDevice) {
	d.loading = true
	m.rebuild()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		tree := m.source.Crawl(ctx, profile, d.listed.Base)
		m.Do(func() {
			d.loading = false
			d.tree = &tree
			m.rebuild()
			m.devicesChanged()
		})
	}()
}

func (m *MeshTree) devicesChanged() {
	if m.OnDevicesChanged != nil {
		m.OnDevicesChanged()
	}
}

// Crawling reports whether a crawl of the whole mesh runs.
func (m *MeshTree) Crawling() bool { return m.cancelCrawl != nil }

func (m *MeshTree) toggleCrawl() {
	if m.cancelCrawl != nil {
		m.cancelCrawl()
		return
	}
	m.CrawlAll()
}

// CrawlAll crawls every listed device of every profile, showing progress; the crawl button
// turns into Cancel while it runs.
func (m *MeshTree) CrawlAll() {
	if m.cancelCrawl != nil {
		return
	}
	type job struct {
		p     *treeProfile
		hosts []string
	}
	var jobs []job
	total := 0
	for _, p := range m.profiles {
		var hosts []string
		for _, d := range p.devices {
			hosts = append(hosts, d.listed.Host)
			d.loading = true
		}
		if len(hosts) > 0 {
			jobs = append(jobs, job{p, hosts})
			total += len(hosts)
		}
	}
	if total == 0 {
		m.status.SetText("No devices to crawl: open a gateway to list its devices, or add one by hand.")
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancelCrawl = cancel
	m.crawlButton.SetText("Cancel crawl")
	m.crawlButton.SetIcon(theme.CancelIcon())
	m.progress.SetValue(0)
	m.progressBox.Show()
	m.status.SetText(fmt.Sprintf("Crawling %s…", plural(total, "device")))
	m.rebuild()
	start := time.Now()
	go func() {
		done, unreachable := 0, 0
		for _, j := range jobs {
			m.source.CrawlMesh(ctx, j.p.name, j.hosts, func(pr coapengine.CrawlProgress) {
				tree := pr.Tree
				done++
				if !tree.Reachable {
					unreachable++
				}
				n, bad := done, unreachable
				m.Do(func() {
					if d := j.p.byHost[strings.ToLower(tree.Device)]; d != nil {
						d.loading, d.tree = false, &tree
					}
					m.progress.SetValue(float64(n) / float64(total))
					m.status.SetText(fmt.Sprintf("Crawled %d of %d devices, %d unreachable", n, total, bad))
					m.scheduleRefresh()
				})
			})
		}
		cancelled := ctx.Err() != nil
		cancel()
		elapsed := time.Since(start)
		m.Do(func() {
			m.cancelCrawl = nil
			for _, j := range jobs {
				for _, d := range j.p.devices {
					d.loading = false
				}
			}
			m.crawlButton.SetText("Crawl mesh")
			m.crawlButton.SetIcon(theme.SearchIcon())
			m.progressBox.Hide()
			verdict := "Crawled"
			if cancelled {
				verdict = "Crawl cancelled after"
			}
			m.status.SetText(fmt.Sprintf("%s %d of %d devices in %.1f s, %d unreachable", verdict, done, total, elapsed.Seconds(), unreachable))
			m.rebuild()
			m.devicesChanged()
		})
	}()
}

// scheduleRefresh rebuilds the tree at most once per batch of queued updates.
func (m *MeshTree) scheduleRefresh() {
	if m.refreshPending {
		return
	}
	m.refreshPending = true
	go func() {
		time.Sleep(100 * time.Millisecond)
		m.Do(func() {
			m.refreshPending = false
			m.rebuild()
		})
	}()
}

// rebuild recomputes the filtered rows and refreshes the widget.
func (m *MeshTree) rebuild() {
	rows := make(map[string]*treeRow, len(m.rows))
	children := make(map[string][]string, len(m.children))
	var top []string
	for _, p := range m.profiles {
		top = append(top, p.id)
		rows[p.id] = &treeRow{kind: rowProfile, profile: p.name}
		children[p.id] = m.profileChildren(p, rows, children)
	}
	if len(top) == 0 {
		info := string(rowInfo) + idSep + "none"
		rows[info] = &treeRow{kind: rowInfo, text: "No gateway connected: open one with Connection → Connect"}
		top = []string{info}
	}
	children[""] = top
	m.rows, m.children = rows, children
	m.tree.Refresh()
}

func (m *MeshTree) profileChildren(p *treeProfile, rows map[string]*treeRow, children map[string][]string) []string {
	info := func(text string, warning bool) []string {
		id := string(rowInfo) + idSep + p.id
		rows[id] = &treeRow{kind: rowInfo, profile: p.name, text: text, warning: warning}
		return []string{id}
	}
	var out []string
	for _, d := range p.devices {
		rows[d.id] = &treeRow{kind: rowDevice, profile: p.name, device: d}
		nodes, deviceMatches := m.deviceChildren(p, d, rows, children)
		if m.filter != "" && !deviceMatches && len(nodes) == 0 {
			continue
		}
		children[d.id] = nodes
		out = append(out, d.id)
	}
	switch {
	case len(out) > 0:
		return out
	case p.loading:
		return info("Listing devices…", false)
	case p.err != "":
		return info(p.err, true)
	case m.filter != "" && len(p.devices) > 0:
		return info(fmt.Sprintf("No device or path matches %q", m.filter), false)
	case p.listed:
		return info("No devices found: this gateway lists none; add one by MAC with Connection → Add device", false)
	}
	return nil
}

// deviceChildren are a device's visible rows; deviceMatches is whether the filter matches
// the device itself (then all its resources show).
func (m *MeshTree) deviceChildren(p *treeProfile, d *treeDevice, rows map[string]*treeRow, children map[string][]string) (out []string, deviceMatches bool) {
	l := d.listed
	deviceMatches = m.filter == "" || strings.Contains(strings.ToLower(l.Host), m.filter) || strings.Contains(strings.ToLower(l.Type), m.filter)
	info := func(text string, warning bool) []string {
		id := string(rowInfo) + idSep + d.id
		rows[id] = &treeRow{kind: rowInfo, profile: p.name, device: d, text: text, warning: warning}
		return []string{id}
	}
	switch {
	case d.tree == nil && d.loading:
		return info("Reading /.well-known/core…", false), deviceMatches
	case d.tree == nil:
		return nil, deviceMatches
	case !d.tree.Reachable:
		return info(d.tree.Err, true), deviceMatches
	case d.tree.Root == nil || len(d.tree.Root.Children) == 0:
		return info("The device lists no resources", false), deviceMatches
	}
	var walk func(n *coapengine.Node) []string
	walk = func(n *coapengine.Node) []string {
		var ids []string
		for _, c := range n.Children {
			id := NodeID(p.name, l.Host, c.Path)
			sub := walk(c)
			if !deviceMatches && len(sub) == 0 && !strings.Contains(strings.ToLower(c.Path), m.filter) {
				continue
			}
			rows[id] = &treeRow{kind: rowNode, profile: p.name, device: d, node: c}
			children[id] = sub
			ids = append(ids, id)
		}
		return ids
	}
	return walk(d.tree.Root), deviceMatches
}
