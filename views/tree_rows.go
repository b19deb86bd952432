package views

import (
	"fmt"
	"strings"

	"github.com/coap-workbench/coap-workbench/internal/human"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/coap-workbench/coap-workbench/coapengine"
)

// rowWidget is a tree row: icon, name and detail, with a context menu on a secondary tap.
type rowWidget struct {
	widget.BaseWidget
	icon   *widget.Icon
	name   *widget.Label
	detail *widget.Label
	uid    string
	menu   func(uid string, at fyne.Position)
	// selectRow selects uid in the tree.
	selectRow func(uid string)
}

func (r *rowWidget) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, r.icon, r.detail, r.name))
}

// Tapped selects the row. A row that takes secondary taps is what a click finds first, so it
// must pass primary ones on to the tree itself.
func (r *rowWidget) Tapped(*fyne.PointEvent) {
	if r.selectRow != nil && r.uid != "" {
		r.selectRow(r.uid)
	}
}

// selectRow selects uid; a row already selected is picked again (the widget would ignore
// it), so that a click brings its URI back to the composer.
func (m *MeshTree) selectRow(uid string) {
	if m.selected == uid {
		m.pick(uid)
		return
	}
	m.tree.Select(uid)
}

// TappedSecondary opens the row's context menu.
func (r *rowWidget) TappedSecondary(e *fyne.PointEvent) {
	if r.menu != nil {
		r.menu(r.uid, e.AbsolutePosition)
	}
}

func (m *MeshTree) newRow(bool) fyne.CanvasObject {
	r := &rowWidget{icon: widget.NewIcon(theme.ComputerIcon()), name: widget.NewLabel("SSN001350050005E7D6"), detail: widget.NewLabel("Milli · 312 ms"), menu: m.showMenu, selectRow: m.selectRow}
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
			detail = human.Plural(len(p.devices), "device")
		}
		return theme.StorageIcon(), p.title, detail
	case rowDevice:
		return deviceIcon(row.device), human.ShortHost(row.device.listed.Host), deviceDetail(row.device)
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
		parts = append(parts, human.RTT(d.tree.RTT))
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
		rows[info] = &treeRow{kind: rowInfo, text: "No gateway connected: open one with Connection > Connect"}
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
	case p.err != "" && len(out) > 0:
		// The devices listed before stay; the failure of the last listing is said on top.
		return append(info("Listing the devices again failed: "+p.err, true), out...)
	case len(out) > 0:
		return out
	case p.loading:
		return info("Listing devices…", false)
	case p.err != "":
		return info("Listing the devices failed: "+p.err+" (close and open the gateway, or Mesh > Reload devices, to try again)", true)
	case p.noList:
		return info("This gateway does not list its devices: add them with Connection > Add device…", false)
	case m.filter != "" && len(p.devices) > 0:
		return info(fmt.Sprintf("No device or path matches %q", m.filter), false)
	case p.listed:
		return info("No devices found: this gateway lists none; add one by MAC with Connection > Add device", false)
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
