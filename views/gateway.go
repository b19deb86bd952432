package views

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// GatewaySummary is what the embedded gateway runs, for its screen.
type GatewaySummary struct {
	Listen        string
	TokenEndpoint string
	Domain        string
	Profile       string
	// Note explains anything unusual, such as a port other than the one asked for.
	Note string
	// History is where exchanges are recorded; HistoryWarning, when set, says why they are
	// not (another workbench holds the history) or what happened to a damaged one.
	History        string
	HistoryWarning string
	Devices        []DeviceRow
	// LoginCommand is a coap-client command line that logs in to the gateway.
	LoginCommand string
}

// DeviceRow is one simulated device.
type DeviceRow struct {
	Name string
	Type string
}

// TrafficLine is one exchange of the gateway's traffic stream, formatted.
type TrafficLine struct {
	Time   string
	Hop    string
	Client string
	Method string
	Target string
	Code   string
	Detail string
}

// maxTrafficLines bounds the traffic the screen keeps: the newest lines win.
const maxTrafficLines = 2000

// GatewayScreen shows what the embedded gateway runs and its live traffic.
type GatewayScreen struct {
	root        fyne.CanvasObject
	trafficList *widget.List
	traffic     []TrafficLine // newest last, at most maxTrafficLines
	countLabel  *widget.Label
}

// NewGatewayScreen builds the screen for summary.
func NewGatewayScreen(s GatewaySummary) *GatewayScreen {
	g := &GatewayScreen{countLabel: widget.NewLabel("No exchanges yet: send a request through the gateway.")}
	info := widget.NewForm(
		widget.NewFormItem("Gateway", widget.NewLabel("udp "+s.Listen)),
		widget.NewFormItem("Token endpoint", widget.NewLabel(orNone(s.TokenEndpoint))),
		widget.NewFormItem("Mesh", widget.NewLabel(fmt.Sprintf("%d devices in %s, profile %s", len(s.Devices), s.Domain, s.Profile))),
	)
	header := container.NewVBox(
		widget.NewLabelWithStyle("Embedded gateway-lite", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		info,
	)
	if s.History != "" {
		info.Append("History", widget.NewLabel(s.History))
	}
	for _, text := range []string{s.Note, s.HistoryWarning} {
		if text == "" {
			continue
		}
		note := widget.NewLabel(text)
		note.Importance = widget.WarningImportance
		note.Wrapping = fyne.TextWrapWord
		header.Add(note)
	}
	if s.LoginCommand != "" {
		cmd := widget.NewLabel(s.LoginCommand)
		cmd.TextStyle = fyne.TextStyle{Monospace: true}
		cmd.Truncation = fyne.TextTruncateEllipsis
		copyButton := widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
			fyne.CurrentApp().Clipboard().SetContent(s.LoginCommand)
		})
		header.Add(widget.NewLabel("Log in from a terminal with libcoap:"))
		header.Add(container.NewBorder(nil, nil, nil, copyButton, cmd))
	}

	devices := widget.NewList(
		func() int { return len(s.Devices) },
		func() fyne.CanvasObject {
			return container.NewBorder(nil, nil, widget.NewIcon(theme.ComputerIcon()), widget.NewLabel("Gen5"), widget.NewLabel("SSN0000000000000000.sim.starfish.test"))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Label).SetText(s.Devices[id].Name)
			row.Objects[2].(*widget.Label).SetText(s.Devices[id].Type)
		},
	)
	g.trafficList = widget.NewList(
		func() int { return len(g.traffic) },
		newTrafficRow,
		func(id widget.ListItemID, o fyne.CanvasObject) {
			// Newest first.
			t := g.traffic[len(g.traffic)-1-id]
			what := t.Target
			if t.Detail != "" {
				what += "  (" + t.Detail + ")"
			}
			cells := o.(*fyne.Container).Objects
			for i, text := range []string{t.Time, t.Hop, t.Client, t.Method, t.Code, what} {
				cells[i].(*widget.Label).SetText(text)
			}
		},
	)
	deviceCard := widget.NewCard("Devices", "reachable only through the gateway", devices)
	columnHeads := newTrafficRow()
	for i, head := range []string{"Time", "Hop", "Client", "Method", "Code", "Target"} {
		l := columnHeads.(*fyne.Container).Objects[i].(*widget.Label)
		l.SetText(head)
		l.TextStyle = fyne.TextStyle{Bold: true}
	}
	trafficCard := widget.NewCard("Traffic", "", container.NewBorder(container.NewVBox(g.countLabel, columnHeads), nil, nil, nil, g.trafficList))
	split := container.NewHSplit(deviceCard, trafficCard)
	split.Offset = 0.35
	g.root = container.NewBorder(header, nil, nil, nil, split)
	return g
}

// trafficColumns are the widths of time, hop, client, method and code; the target takes the rest.
var trafficColumns = []float32{105, 75, 150, 85, 60}

func newTrafficRow() fyne.CanvasObject {
	cells := make([]fyne.CanvasObject, len(trafficColumns)+1)
	for i := range cells {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		cells[i] = l
	}
	return container.New(newColumnsLayout(trafficColumns...), cells...)
}

func orNone(s string) string {
	if s == "" {
		return "off"
	}
	return s
}

// Object is the screen's root object.
func (g *GatewayScreen) Object() fyne.CanvasObject { return g.root }

// AddTraffic appends exchanges; call it on the main goroutine (fyne.Do).
func (g *GatewayScreen) AddTraffic(lines ...TrafficLine) {
	g.traffic = append(g.traffic, lines...)
	if over := len(g.traffic) - maxTrafficLines; over > 0 {
		g.traffic = append(g.traffic[:0], g.traffic[over:]...)
	}
	g.countLabel.SetText(fmt.Sprintf("%d most recent exchanges, newest first", len(g.traffic)))
	g.trafficList.Refresh()
}

// TrafficCount is the number of exchanges on screen.
func (g *GatewayScreen) TrafficCount() int { return len(g.traffic) }
