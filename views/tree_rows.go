package views

import (
	"fmt"
	"strings"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/internal/human"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/coap-workbench/coap-workbench/coapengine"
)

// selectRow selects uid; a row already selected is picked again (the widget would ignore
// it), so that a click brings its URI back to the composer.
func (m *MeshTree) selectRow(uid string) {
	if m.selected == uid {
		m.pick(uid)
		return
	}
	m.tree.Select(uid)
}

// describe is how a row looks: its icon, its name and its badges.
func (m *MeshTree) describe(uid string, row *treeRow) rowLook {
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
		return rowLook{icon: theme.StorageIcon(), name: p.title, badges: []badge{{text: detail, importance: widget.LowImportance}}}
	case rowDevice:
		return deviceLook(row.device)
	case rowNode:
		return m.nodeLook(uid, row)
	}
	if row.warning {
		return rowLook{icon: theme.WarningIcon(), name: row.text, warning: true}
	}
	return rowLook{icon: theme.InfoIcon(), name: row.text}
}

func deviceIcon(d *treeDevice) fyne.Resource {
	if d.tree != nil && !d.tree.Reachable {
		return theme.ErrorIcon()
	}
	return theme.ComputerIcon()
}

// deviceLook is a device row: its name cut in the middle, what it is and how it answered
// ("Milli · 312 ms · 14 resources"), its battery from the last power statistics, an
// injected fault, and "unreachable" with the reason in its tooltip.
func deviceLook(d *treeDevice) rowLook {
	look := rowLook{icon: deviceIcon(d), name: human.ShortHost(d.listed.Host), nameTip: d.listed.Host}
	parts := []string{}
	if d.listed.Type != "" {
		parts = append(parts, d.listed.Type)
	}
	switch {
	case d.loading:
		parts = append(parts, "crawling…")
	case d.tree == nil:
	case d.tree.Reachable:
		parts = append(parts, human.RTT(d.tree.RTT), human.Plural(len(d.tree.Resources), "resource"))
	}
	look.badges = append(look.badges, badge{text: strings.Join(parts, " · "), importance: widget.LowImportance})
	if d.battery > 0 {
		b := badge{text: fmt.Sprintf("%.2f V", d.battery), tip: fmt.Sprintf("battery %.3f V at the last power statistics (low below %.2f V, failing below %.2f V)", d.battery, ssn.BatteryWarnVolts, ssn.BatteryFailVolts), importance: widget.SuccessImportance}
		switch ssn.JudgeBattery(d.battery) {
		case ssn.BatteryLow:
			b.importance, b.text = widget.WarningImportance, b.text+" low"
		case ssn.BatteryFailing:
			b.importance, b.text = widget.DangerImportance, b.text+" failing"
		}
		look.badges = append(look.badges, b)
	}
	if d.fault != "" {
		look.badges = append(look.badges, badge{text: "fault", tip: "injected fault: " + d.fault, importance: widget.WarningImportance})
	}
	if d.tree != nil && !d.tree.Reachable && !d.loading {
		look.badges = append(look.badges, badge{text: "unreachable", tip: d.tree.Err, importance: widget.DangerImportance})
	}
	// A narrow tree has no room for the badges: the icon and the name's tooltip say the same.
	var worst []string
	for _, b := range look.badges[1:] {
		worst = append(worst, b.tip)
		if b.importance == widget.WarningImportance || b.importance == widget.DangerImportance {
			if d.tree == nil || d.tree.Reachable {
				look.icon = theme.WarningIcon() // an unreachable device keeps its error icon
			}
		}
	}
	if len(worst) > 0 {
		look.nameTip += "\n" + strings.Join(worst, "\n")
	}
	return look
}

// nodeLook is a resource row: its name, its last observed value (flashing when it changes)
// and its link attributes ("rt=ssn.pwr ct=42 obs").
func (m *MeshTree) nodeLook(uid string, row *treeRow) rowLook {
	look := rowLook{icon: nodeIcon(row.node), name: row.node.Name, nameTip: row.device.listed.Base + row.node.Path}
	// The attributes come first, cut or dropped before the value when the room runs out.
	look.badges = append(look.badges, badge{text: linkAttributes(row.node.Resource), importance: widget.LowImportance})
	if v, ok := row.device.live[row.node.Path]; ok {
		look.badges = append(look.badges, badge{text: v.text, tip: v.tip, importance: widget.MediumImportance})
		look.flashAt = v.at
	}
	return look
}

// linkAttributes are a resource's link attributes as link format writes them, in short.
func linkAttributes(r *coapengine.Resource) string {
	if r == nil {
		return ""
	}
	var parts []string
	if len(r.ResourceTypes) > 0 {
		parts = append(parts, "rt="+strings.Join(r.ResourceTypes, " "))
	}
	if len(r.Interfaces) > 0 {
		parts = append(parts, "if="+strings.Join(r.Interfaces, " "))
	}
	for _, ct := range r.ContentFormats {
		parts = append(parts, fmt.Sprintf("ct=%d", ct))
	}
	if r.Observable {
		parts = append(parts, "obs")
	}
	return strings.Join(parts, " ")
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
