package views

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/internal/human"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/internal/logring"
)

// logRefreshEvery bounds how often the Log tab follows new records: ten times a second.
const logRefreshEvery = 100 * time.Millisecond

// logLevels are the levels the level picker offers, with the colour of their label.
var logLevels = []struct {
	label      string
	level      slog.Level
	importance widget.Importance
}{
	{"Debug", slog.LevelDebug, widget.LowImportance},
	{"Info", slog.LevelInfo, widget.MediumImportance},
	{"Warn", slog.LevelWarn, widget.WarningImportance},
	{"Error", slog.LevelError, widget.DangerImportance},
}

// logColumns are the widths of time, level and message; the attributes take the rest.
var logColumns = []float32{110, 70, 380}

// LogTab shows the workbench's recent log records, newest first, and follows new ones.
type LogTab struct {
	ring *logring.Ring
	opts listTabOptions

	root    fyne.CanvasObject
	level   *widget.Select
	search  *widget.Entry
	list    *widget.List
	empty   *widget.Label
	count   *widget.Label
	records []logring.Record // on screen, newest first
	// shownAdded is the ring's count of records at the shown level when they were listed.
	shownAdded uint64

	stop        chan struct{}
	unsubscribe func()
}

// NewLogTab builds the Log tab over ring and starts following it; Close stops that.
func NewLogTab(ring *logring.Ring) *LogTab {
	return newLogTab(ring, listTabOptions{do: fyne.Do, location: time.Local})
}

func newLogTab(ring *logring.Ring, opts listTabOptions) *LogTab {
	l := &LogTab{ring: ring, opts: opts, stop: make(chan struct{})}
	levels := make([]string, len(logLevels))
	for i, lv := range logLevels {
		levels[i] = lv.label
	}
	l.level = widget.NewSelect(levels, nil)
	l.level.SetSelected("Info")
	l.level.OnChanged = func(string) { l.refresh() }
	l.search = widget.NewEntry()
	l.search.SetPlaceHolder("Filter messages and attributes")
	l.search.OnChanged = func(string) { l.refresh() }
	l.list = widget.NewList(func() int { return len(l.records) }, newLogRow, l.updateRow)
	l.empty = widget.NewLabel("")
	l.empty.Alignment = fyne.TextAlignCenter
	l.count = widget.NewLabel("")
	copyAll := widget.NewButtonWithIcon("Copy all", theme.ContentCopyIcon(), l.copyAll)
	top := container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel("Level"), l.level), container.NewHBox(l.count, copyAll), l.search)
	l.root = container.NewBorder(top, nil, nil, nil, container.NewStack(l.list, container.NewPadded(container.NewVBox(l.empty))))
	l.refresh()
	if ring != nil {
		l.follow()
	}
	return l
}

func newLogRow() fyne.CanvasObject {
	return newLabelRow(logColumns, func(int) bool { return true })
}

// Object is the tab's root object.
func (l *LogTab) Object() fyne.CanvasObject { return l.root }

// Close stops following the ring.
func (l *LogTab) Close() {
	select {
	case <-l.stop:
		return
	default:
	}
	close(l.stop)
	if l.unsubscribe != nil {
		l.unsubscribe()
	}
}

// follow refreshes the list after records arrive, at most ten times a second.
func (l *LogTab) follow() {
	arrived := make(chan struct{}, 1)
	l.unsubscribe = l.ring.Subscribe(func() {
		select {
		case arrived <- struct{}{}:
		default: // a refresh is due already
		}
	})
	go func() {
		pause := time.NewTimer(logRefreshEvery)
		pause.Stop()
		defer pause.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-arrived:
			}
			l.opts.do(l.refreshIfNew)
			pause.Reset(logRefreshEvery)
			select {
			case <-l.stop:
				return
			case <-pause.C:
			}
		}
	}()
}

// minLevel is the level the picker shows.
func (l *LogTab) minLevel() slog.Level {
	if i := l.level.SelectedIndex(); i >= 0 {
		return logLevels[i].level
	}
	return slog.LevelInfo
}

// refresh lists the records at the chosen level that match the filter, newest first.
// refreshIfNew refreshes when records arrived at the level shown: the gateway's debug
// chatter does not redraw a tab that shows Info and above.
func (l *LogTab) refreshIfNew() {
	if l.ring != nil && l.ring.Added(l.minLevel()) == l.shownAdded {
		return
	}
	l.refresh()
}

func (l *LogTab) refresh() {
	var all []logring.Record
	if l.ring != nil {
		l.shownAdded = l.ring.Added(l.minLevel())
		all = l.ring.Records(l.minLevel())
	}
	needle := strings.ToLower(strings.TrimSpace(l.search.Text))
	l.records = l.records[:0]
	for i := len(all) - 1; i >= 0; i-- {
		r := all[i]
		if needle == "" || strings.Contains(strings.ToLower(r.Message), needle) || strings.Contains(strings.ToLower(r.Attrs), needle) {
			l.records = append(l.records, r)
		}
	}
	l.list.Refresh()
	switch {
	case len(l.records) > 0:
		l.empty.Hide()
	case needle != "" && len(all) > 0:
		l.empty.SetText("No record at this level matches the filter.")
		l.empty.Show()
	default:
		l.empty.SetText("Nothing logged at this level yet.")
		l.empty.Show()
	}
	l.count.SetText(human.Count(len(l.records), "record", "records") + " shown")
}

// logImportance colours a level: the nearest picker level at or below it.
func logImportance(level slog.Level) widget.Importance {
	importance := logLevels[0].importance
	for _, lv := range logLevels {
		if level >= lv.level {
			importance = lv.importance
		}
	}
	return importance
}

func (l *LogTab) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(l.records) {
		return
	}
	r := l.records[id]
	cells := o.(*fyne.Container).Objects
	cells[1].(*widget.Label).Importance = logImportance(r.Level)
	for i, text := range []string{r.Time.In(l.opts.location).Format("15:04:05.000"), r.Level.String(), r.Message, r.Attrs} {
		cells[i].(*widget.Label).SetText(text)
	}
}

// copyAll puts the records on screen on the clipboard, one a line, oldest first as a log
// file reads.
func (l *LogTab) copyAll() {
	var b strings.Builder
	for i := len(l.records) - 1; i >= 0; i-- {
		r := l.records[i]
		fmt.Fprintf(&b, "%s %s %s", r.Time.In(l.opts.location).Format("2006-01-02 15:04:05.000"), r.Level, r.Message)
		if r.Attrs != "" {
			b.WriteString(" " + r.Attrs)
		}
		b.WriteByte('\n')
	}
	fyne.CurrentApp().Clipboard().SetContent(b.String())
}
