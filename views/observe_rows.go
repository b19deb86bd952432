package views

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/internal/human"
)

// observationItem is one row of the Observe tab's list: the resource path first and then
// its device ("/sys/stats?mod=pwr · SSN001350050005E7D6", the device losing its middle
// first when the row is narrow, the whole URI in a tooltip), the observation's health and
// the last value, with pause/resume and stop beside them.
type observationItem struct {
	widget.BaseWidget
	title, health, last *FitLabel
	pause, stop         *widget.Button
	content             fyne.CanvasObject
}

func newObservationItem() fyne.CanvasObject {
	i := &observationItem{title: NewFitLabel(""), health: NewFitLabel(""), last: NewFitLabel("")}
	i.title.Cut = cutDeviceFirst
	i.health.Cut = CutEnd
	i.health.SetImportance(widget.LowImportance)
	i.last.Cut = CutEnd
	i.last.SetTextStyle(fyne.TextStyle{Monospace: true})
	i.pause = widget.NewButtonWithIcon("", theme.MediaPauseIcon(), nil)
	i.stop = widget.NewButtonWithIcon("", theme.MediaStopIcon(), nil)
	i.content = container.NewBorder(nil, nil, nil, container.NewVBox(i.pause, i.stop), container.NewVBox(i.title, i.health, i.last))
	i.ExtendBaseWidget(i)
	return i
}

// CreateRenderer draws the row's content.
func (i *observationItem) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(i.content)
}

// show fills the row with r; pause and stop call the tab's hooks.
func (i *observationItem) show(t *ObserveTab, r ObservationRow) {
	i.title.SetText(observationTitle(r))
	i.title.Tip = r.URI
	if r.Profile != "" {
		i.title.Tip += " (through " + r.Profile + ")"
	}
	i.health.SetText(describeHealth(r, t.now()))
	if r.Ended != "" {
		i.health.SetImportance(widget.WarningImportance)
	} else {
		i.health.SetImportance(widget.LowImportance)
	}
	i.last.SetText(r.Last)
	i.pause.OnTapped = func() {
		if t.OnPause != nil {
			t.OnPause(r.ID, !r.Paused)
		}
	}
	i.stop.OnTapped = func() {
		if t.OnStop != nil {
			t.OnStop(r.ID)
		}
	}
	if r.Paused {
		i.pause.SetIcon(theme.MediaPlayIcon())
	} else {
		i.pause.SetIcon(theme.MediaPauseIcon())
	}
	if r.Ended != "" {
		i.stop.Disable()
		i.pause.Disable()
	} else {
		i.stop.Enable()
		i.pause.Enable()
	}
}

// titleSeparator stands between a path and its device in a path-first name.
const titleSeparator = " · "

// deviceRunes is how much of a device's name a path-first name keeps before its path loses
// anything: enough of the tail of a MAC to tell devices apart ("SS…05E7D6").
const deviceRunes = 9

// observationTitle names an observation path first: "/sys/stats?mod=pwr ·
// SSN001350050005E7D6".
func observationTitle(r ObservationRow) string {
	return pathFirst(resourceOf(r.URI), deviceOf(r))
}

// pathFirst is "path · device", or the path alone for the gateway's own resources.
func pathFirst(path, device string) string {
	if device == "" {
		return path
	}
	return path + titleSeparator + device
}

// resourceOf is a URI's path and query ("/sys/stats?mod=pwr"), or the URI when it has none.
func resourceOf(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Path == "" {
		return uri
	}
	if u.RawQuery != "" {
		return u.Path + "?" + u.RawQuery
	}
	return u.Path
}

// deviceOf is the device part of an observation's name: the host's first label, the part
// that tells devices apart.
func deviceOf(r ObservationRow) string {
	if r.Device != "" {
		return human.ShortHost(r.Device)
	}
	return ""
}

// cutDeviceFirst cuts a path-first name to n runes: the device loses its middle down to
// deviceRunes before the path loses anything, then the path loses its middle too.
func cutDeviceFirst(text string, n int) string {
	at := strings.LastIndex(text, titleSeparator)
	if at < 0 {
		return human.Middle(text, n)
	}
	path, device := []rune(text[:at]), []rune(text[at+len(titleSeparator):])
	sep := len([]rune(titleSeparator))
	if len(path)+sep+len(device) <= n {
		return text
	}
	if room := n - len(path) - sep; room >= deviceRunes {
		return string(path) + titleSeparator + human.Middle(string(device), room)
	}
	keep := min(deviceRunes, len(device))
	if n-sep-keep < 2 {
		return human.Middle(string(device), n)
	}
	return human.Middle(string(path), n-sep-keep) + titleSeparator + human.Middle(string(device), keep)
}

// describeHealth is "12 notifications · 0 gaps · 0 reorders · last 3 s ago (fresh for
// 60 s)"; an ended observation's reason comes first, where a narrow row does not cut it.
func describeHealth(r ObservationRow, now time.Time) string {
	h := r.Health
	text := fmt.Sprintf("%s · %s · %s · %s", human.Plural(h.Notifications, "notification"), human.Plural(h.Gaps, "gap"), human.Plural(h.Reorders, "reorder"), human.Plural(h.Reregistrations, "re-registration"))
	if !h.LastAt.IsZero() {
		text += " · last " + ago(h.Age(now))
		if h.MaxAge > 0 {
			text += fmt.Sprintf(" (fresh for %s)", human.Rough(h.MaxAge))
			if h.Age(now) > h.MaxAge {
				text += ", stale"
			}
		}
	}
	switch {
	case r.Ended != "":
		text = "Ended: " + r.Ended + " · " + text
	case r.Paused:
		text += " · paused"
	case h.LastErr != "":
		text += " · " + h.LastErr
	case !h.Registered:
		text += " · registering…"
	}
	return text
}
