package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// Workspace is the main window's layout: the mesh tree on the left; the composer and the
// response inspector in the centre above the tabs (History, Observe, Gateway console, Log);
// the status bar at the bottom.
type Workspace struct {
	root fyne.CanvasObject
	// Splits are the movable dividers: tree | centre, composer+inspector / tabs, and
	// composer | inspector, in that order (their offsets are remembered).
	Splits []*container.Split
	Tabs   *container.AppTabs
}

// NewWorkspace lays the parts out.
func NewWorkspace(tree, composer, inspector, status fyne.CanvasObject, tabs ...*container.TabItem) *Workspace {
	w := &Workspace{Tabs: container.NewAppTabs(tabs...)}
	request := container.NewHSplit(composer, inspector)
	request.Offset = 0.5
	centre := container.NewVSplit(request, w.Tabs)
	centre.Offset = 0.62
	main := container.NewHSplit(tree, centre)
	main.Offset = 0.27
	w.Splits = []*container.Split{main, centre, request}
	w.root = container.NewBorder(nil, status, nil, nil, main)
	return w
}

// Object is the window's content.
func (w *Workspace) Object() fyne.CanvasObject { return w.root }

// ShowTab brings the tab called name to the front.
func (w *Workspace) ShowTab(name string) {
	for _, t := range w.Tabs.Items {
		if t.Text == name {
			w.Tabs.Select(t)
		}
	}
}
