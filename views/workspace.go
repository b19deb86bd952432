package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// ResponsePlacement says where the answer goes relative to the request's settings.
type ResponsePlacement string

// The placements: by the pane's width, beside the settings, or below them.
const (
	PlaceAuto   ResponsePlacement = "auto"
	PlaceBeside ResponsePlacement = "beside"
	PlaceBelow  ResponsePlacement = "below"
)

// besideWidth is the request pane's width from which the automatic placement puts the
// answer beside the settings rather than below them.
const besideWidth = 720

// WorkspaceParts are the pieces the window is made of.
type WorkspaceParts struct {
	// Sidebar is the mesh tree (and what else lists things to open), on the left.
	Sidebar fyne.CanvasObject
	// RequestTabs is the strip of open requests, Bar the request bar under it (method,
	// URI, Send), Settings the request's settings in tabs and Response the inspector.
	RequestTabs, Bar, Settings, Response fyne.CanvasObject
	// Status is the status bar, along the bottom.
	Status fyne.CanvasObject
}

// Workspace is the main window's layout: the sidebar on the left; on the right the open
// requests — a full-width request bar over the request's settings and the answer, beside or
// below them by the width — above the bottom panel's tabs (History, Observe, Diagnosis,
// Gateway console, Log), which fold away; the status bar along the bottom. Every pane keeps
// a small minimum size, so that no content can change the window's size or move a split:
// the splits stay where the user drags them.
type Workspace struct {
	root fyne.CanvasObject
	// Splits are the movable dividers: sidebar | right side, requests / bottom panel, and
	// settings | answer, in that order (their offsets are remembered).
	Splits []*container.Split
	Tabs   *container.AppTabs

	centre, request *container.Split
	placement       ResponsePlacement
	// offsets keep the settings | answer split's offset for each orientation.
	besideOffset, belowOffset float64
	// OnPanelToggled is called after the bottom panel was shown or hidden.
	OnPanelToggled func(shown bool)
}

// NewWorkspace lays the parts out, with the bottom panel's tabs.
func NewWorkspace(p WorkspaceParts, tabs ...*container.TabItem) *Workspace {
	w := &Workspace{Tabs: container.NewAppTabs(tabs...), placement: PlaceAuto, besideOffset: 0.42, belowOffset: 0.4}
	w.request = container.NewHSplit(p.Settings, p.Response)
	w.request.Offset = w.besideOffset
	requests := container.NewBorder(container.NewVBox(p.RequestTabs, p.Bar), nil, nil, nil,
		container.New(&placementLayout{w: w}, w.request))
	w.centre = container.NewVSplit(requests, w.Tabs)
	w.centre.Offset = 0.73
	main := container.NewHSplit(p.Sidebar, w.centre)
	main.Offset = 0.24
	w.Splits = []*container.Split{main, w.centre, w.request}
	w.root = container.NewBorder(nil, p.Status, nil, nil, main)
	return w
}

// Object is the window's content.
func (w *Workspace) Object() fyne.CanvasObject { return w.root }

// ShowTab brings the bottom panel's tab called name to the front, showing the panel.
func (w *Workspace) ShowTab(name string) {
	for _, t := range w.Tabs.Items {
		if t.Text == name {
			w.Tabs.Select(t)
			w.SetPanelShown(true)
		}
	}
}

// SelectedTab is the name of the bottom panel's tab in front.
func (w *Workspace) SelectedTab() string {
	if t := w.Tabs.Selected(); t != nil {
		return t.Text
	}
	return ""
}

// PanelShown reports whether the bottom panel shows.
func (w *Workspace) PanelShown() bool { return w.Tabs.Visible() }

// SetPanelShown shows or folds away the bottom panel (the requests take its room).
func (w *Workspace) SetPanelShown(shown bool) {
	if shown == w.Tabs.Visible() {
		return
	}
	showIf(w.Tabs, shown)
	w.centre.Refresh()
	if w.OnPanelToggled != nil {
		w.OnPanelToggled(shown)
	}
}

// TogglePanel folds the bottom panel away, or brings it back (Ctrl+J).
func (w *Workspace) TogglePanel() { w.SetPanelShown(!w.PanelShown()) }

// Placement is where the answer goes.
func (w *Workspace) Placement() ResponsePlacement { return w.placement }

// SetPlacement puts the answer beside or below the settings, or lets the width decide.
func (w *Workspace) SetPlacement(p ResponsePlacement) {
	if p != PlaceBeside && p != PlaceBelow {
		p = PlaceAuto
	}
	w.placement = p
	w.request.Refresh()
}

// ResponseBeside reports whether the answer is beside the settings now.
func (w *Workspace) ResponseBeside() bool { return w.request.Horizontal }

// ResponseOffsets are the settings | answer split's offsets, beside and below.
func (w *Workspace) ResponseOffsets() (beside, below float64) {
	w.keepOffset()
	return w.besideOffset, w.belowOffset
}

// SetResponseOffsets puts the settings | answer split back where it was, in both
// orientations.
func (w *Workspace) SetResponseOffsets(beside, below float64) {
	if beside > 0.05 && beside < 0.95 {
		w.besideOffset = beside
	}
	if below > 0.05 && below < 0.95 {
		w.belowOffset = below
	}
	if w.request.Horizontal {
		w.request.SetOffset(w.besideOffset)
	} else {
		w.request.SetOffset(w.belowOffset)
	}
}

// keepOffset notes where the user left the settings | answer split, for its orientation.
func (w *Workspace) keepOffset() {
	if w.request.Horizontal {
		w.besideOffset = w.request.Offset
	} else {
		w.belowOffset = w.request.Offset
	}
}

// orient turns the settings | answer split for a pane of the given width.
func (w *Workspace) orient(width float32) {
	beside := w.placement == PlaceBeside || (w.placement == PlaceAuto && width >= besideWidth)
	if beside == w.request.Horizontal {
		return
	}
	w.keepOffset()
	w.request.Horizontal = beside
	if beside {
		w.request.Offset = w.besideOffset
	} else {
		w.request.Offset = w.belowOffset
	}
	w.request.Refresh()
}

// placementLayout turns the settings | answer split by the room it is given, and asks for
// little room itself.
type placementLayout struct{ w *Workspace }

func (l *placementLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	l.w.orient(size.Width)
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l *placementLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return s
}
