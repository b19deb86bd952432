package views

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine"
)

// ObservationRow is one observation as the Observe tab shows it.
type ObservationRow struct {
	ID      int
	Profile string
	URI     string
	Health  coapengine.Health
	// Last is the latest notification's payload, decoded, on one line.
	Last string
	// Ended says why the observation is over ("" while it runs).
	Ended string
}

// ObserveTab lists the running observations with their health: notifications, sequence
// gaps, reorders, re-registrations and the age of the last notification against its
// Max-Age; each can be stopped, which deregisters at the origin.
type ObserveTab struct {
	root  fyne.CanvasObject
	list  *widget.List
	rows  []ObservationRow
	empty *widget.Label
	now   func() time.Time

	// OnStop is called with an observation's ID when its Stop button is pressed.
	OnStop func(id int)
	// OnSelect is called when an observation is selected.
	OnSelect func(id int)
}

// NewObserveTab builds an empty Observe tab.
func NewObserveTab() *ObserveTab {
	t := &ObserveTab{now: time.Now}
	t.empty = widget.NewLabel("No observations: right-click an observable resource in the tree and choose Observe, or tick Observe in the composer and send.")
	t.empty.Wrapping = fyne.TextWrapWord
	t.list = widget.NewList(
		func() int { return len(t.rows) },
		func() fyne.CanvasObject {
			title := widget.NewLabel("GET coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/stats?mod=pwr")
			title.Truncation = fyne.TextTruncateEllipsis
			health := widget.NewLabel("")
			health.Importance = widget.LowImportance
			health.Truncation = fyne.TextTruncateEllipsis
			last := widget.NewLabel("")
			last.Truncation = fyne.TextTruncateEllipsis
			last.TextStyle = fyne.TextStyle{Monospace: true}
			stop := widget.NewButtonWithIcon("Stop", theme.MediaStopIcon(), nil)
			return container.NewBorder(nil, nil, nil, stop, container.NewVBox(title, health, last))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			r := t.rows[id]
			box := o.(*fyne.Container)
			lines := box.Objects[0].(*fyne.Container).Objects
			lines[0].(*widget.Label).SetText(r.URI + "  (" + r.Profile + ")")
			lines[1].(*widget.Label).SetText(describeHealth(r, t.now()))
			lines[2].(*widget.Label).SetText(r.Last)
			stop := box.Objects[1].(*widget.Button)
			stop.OnTapped = func() {
				if t.OnStop != nil {
					t.OnStop(r.ID)
				}
			}
			if r.Ended != "" {
				stop.Disable()
			} else {
				stop.Enable()
			}
		},
	)
	t.list.OnSelected = func(id widget.ListItemID) {
		if t.OnSelect != nil && id < len(t.rows) {
			t.OnSelect(t.rows[id].ID)
		}
	}
	t.root = container.NewStack(t.list, container.NewPadded(t.empty))
	t.list.Hide()
	return t
}

// Object is the tab's content.
func (t *ObserveTab) Object() fyne.CanvasObject { return t.root }

// SetObservations shows rows (main goroutine).
func (t *ObserveTab) SetObservations(rows []ObservationRow) {
	if len(rows) == 0 && len(t.rows) == 0 {
		return // nothing shown, nothing to show: no redraw
	}
	t.rows = rows
	t.empty.Hidden = len(rows) > 0
	t.list.Hidden = len(rows) == 0
	t.list.Refresh()
	t.root.Refresh()
}

// Rows are the rows shown.
func (t *ObserveTab) Rows() []ObservationRow { return t.rows }

// describeHealth is "12 notifications · 0 gaps · 0 reorders · last 3 s ago (fresh for 60 s)".
func describeHealth(r ObservationRow, now time.Time) string {
	h := r.Health
	text := fmt.Sprintf("%s · %s · %s · %s", plural(h.Notifications, "notification"), plural(h.Gaps, "gap"), plural(h.Reorders, "reorder"), plural(h.Reregistrations, "re-registration"))
	if !h.LastAt.IsZero() {
		text += " · last " + ago(h.Age(now))
		if h.MaxAge > 0 {
			text += fmt.Sprintf(" (fresh for %s)", roughDuration(h.MaxAge))
		}
	}
	switch {
	case r.Ended != "":
		text += " · ended: " + r.Ended
	case h.LastErr != "":
		text += " · " + h.LastErr
	case !h.Registered:
		text += " · registering…"
	}
	return text
}
