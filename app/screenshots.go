package app

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	"github.com/coap-workbench/coap-workbench/views"
)

// driveScreenshots walks the window through its main screens as a user would (the embedded
// mesh's seed NIC: open it, read its power statistics, observe them, crawl the mesh, look at
// the history, the gateway console and the log) and writes a PNG of each to dir. It runs on
// its own goroutine; every step on the window goes through fyne.DoAndWait.
func (g *gui) driveScreenshots(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if g.embedded == nil {
		return errors.New("the embedded gateway is not running")
	}
	fyne.DoAndWait(func() { g.window.Resize(fyne.NewSize(1440, 900)) })
	tree := g.ctrl.tree
	if err := waitFor("the device list", 30*time.Second, func() bool { return tree.DeviceCount(EmbeddedProfile) > 0 }); err != nil {
		return err
	}
	mac, err := ssn.ParseMAC(mesh.SeedMAC)
	if err != nil {
		return err
	}
	seed := mac.HostName(g.embedded.Mesh.Domain())
	fyne.DoAndWait(func() { tree.Tree().OpenBranch(views.DeviceID(EmbeddedProfile, seed)) })
	if err := waitFor("the seed NIC's resources", 30*time.Second, func() bool {
		_, t, _ := tree.Device(EmbeddedProfile, seed)
		return t != nil
	}); err != nil {
		return err
	}
	stats := views.NodeID(EmbeddedProfile, seed, "/sys/stats?mod=pwr")
	fyne.DoAndWait(func() {
		tree.Tree().OpenBranch(views.NodeID(EmbeddedProfile, seed, "/sys"))
		tree.Tree().OpenBranch(views.NodeID(EmbeddedProfile, seed, "/sys/stats"))
		tree.Tree().Select(stats)
		g.ctrl.composer.Send()
	})
	if err := waitFor("the power statistics", 30*time.Second, func() bool { return g.ctrl.inspector.Shown().Response != nil }); err != nil {
		return err
	}
	time.Sleep(300 * time.Millisecond) // the history tab's refresh
	if err := g.capture(dir, "workbench"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { g.ctrl.inspector.SelectView(views.ViewHex) })
	if err := g.capture(dir, "inspector-hex"); err != nil {
		return err
	}
	fyne.DoAndWait(func() {
		g.ctrl.inspector.SelectView(views.ViewDecoded)
		g.ctrl.composer.SetObserve(true)
		g.ctrl.composer.Send()
		g.workspace.ShowTab(tabObserve)
	})
	if err := waitFor("the observation", 30*time.Second, func() bool { return len(g.ctrl.observe.Rows()) > 0 }); err != nil {
		return err
	}
	fyne.DoAndWait(func() {
		g.ctrl.composer.SetObserve(false)
		g.ctrl.observe.OpenChart(g.ctrl.observe.Rows()[0].ID)
	})
	if err := waitFor("samples on the chart", 30*time.Second, func() bool {
		lines := g.ctrl.observe.ChartSeries(0)
		return len(lines) > 0 && len(lines[0].Samples) >= 8
	}); err != nil {
		return err
	}
	// The charts want the room: the tabs take most of the height for this one.
	fyne.DoAndWait(func() { g.workspace.Splits[1].SetOffset(0.22) })
	if err := g.capture(dir, "observe"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { g.workspace.Splits[1].SetOffset(0.62) })
	fyne.DoAndWait(tree.CrawlAll)
	if err := waitFor("the crawl", 2*time.Minute, func() bool { return !tree.Crawling() }); err != nil {
		return err
	}
	fyne.DoAndWait(func() { tree.SetFilter("gen5") })
	if err := g.capture(dir, "tree-filtered"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { tree.SetFilter(""); g.workspace.ShowTab(tabGateway) })
	time.Sleep(1500 * time.Millisecond) // a poll of the sessions and devices
	if err := g.capture(dir, "gateway-console"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { g.workspace.ShowTab(tabLog) })
	time.Sleep(300 * time.Millisecond)
	if err := g.capture(dir, "log"); err != nil {
		return err
	}
	// A support engineer's diagnosis of a NIC whose Device IC clock drifted.
	if dev, ok := g.embedded.Mesh.Lookup(seed); ok {
		dev.SkewClock(-7 * time.Minute)
	}
	fyne.DoAndWait(func() {
		g.workspace.ShowTab(tabDiagnose)
		g.workspace.Splits[1].SetOffset(0.3)
		g.diagnosis.Diagnose(seed)
	})
	if err := waitFor("the diagnosis", 90*time.Second, func() bool { return !g.diagnosis.Running() }); err != nil {
		return err
	}
	if err := g.capture(dir, "diagnosis"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { g.workspace.Splits[1].SetOffset(0.62) })
	fyne.DoAndWait(func() { g.workspace.ShowTab(tabHistory); g.showConnect() })
	if err := g.capture(dir, "connect"); err != nil {
		return err
	}
	return nil
}

// waitFor polls cond on the main goroutine until it holds or the time is up.
func waitFor(what string, limit time.Duration, cond func() bool) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		ok := false
		fyne.DoAndWait(func() { ok = cond() })
		if ok {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("gave up waiting for %s after %v", what, limit)
}

// capture writes the window, as the X server shows it, to dir/name-<variant>.png with
// ImageMagick's import (the canvas's own Capture reads back nothing under Xvfb's software GL).
// The window sits at the screen's top left corner: there is no window manager under Xvfb.
func (g *gui) capture(dir, name string) error {
	time.Sleep(500 * time.Millisecond) // a few frames, so that the last change is drawn
	var size fyne.Size
	fyne.DoAndWait(func() { size = g.window.Canvas().Size() })
	variant := os.Getenv("FYNE_THEME")
	if variant == "" {
		variant = "default"
	}
	path := filepath.Join(dir, name+"-"+variant+".png")
	crop := fmt.Sprintf("%dx%d+0+0", int(size.Width), int(size.Height))
	if out, err := exec.Command("import", "-window", "root", "-crop", crop, path).CombinedOutput(); err != nil {
		return fmt.Errorf("import (ImageMagick) could not take the screenshot %s: %v: %s", path, err, out)
	}
	return nil
}
