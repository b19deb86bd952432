package app

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	"github.com/coap-workbench/coap-workbench/views"
)

// parseScreenSize reads a window size written WIDTHxHEIGHT ("1280x800").
func parseScreenSize(s string) (fyne.Size, error) {
	w, h, ok := strings.Cut(strings.ToLower(s), "x")
	width, err1 := strconv.Atoi(w)
	height, err2 := strconv.Atoi(h)
	if !ok || err1 != nil || err2 != nil || width < 640 || height < 480 {
		return fyne.Size{}, fmt.Errorf("window size %q: write it as WIDTHxHEIGHT, at least 640x480, e.g. 1280x800", s)
	}
	return fyne.NewSize(float32(width), float32(height)), nil
}

// tour is the screenshot tour's state: where it writes and the size the window was given.
type tour struct {
	g    *gui
	dir  string
	size fyne.Size
	seed string
}

// driveScreenshots walks the window through its main states as a user would, at the given
// size, and writes a PNG of each to dir: the seed NIC's decoded power statistics, the hex,
// the messages as they went on the wire, a long link-format answer, a 5.01 with its
// explanation, a device payload in the composer, several request tabs, an observation's
// chart, the crawled and filtered tree, the Gateway console with a fault applied, the log, a
// diagnosis, the bottom panel folded away, and the Connect dialog. After every step it
// checks that the window still has the size it was given: nothing it shows may resize it. It
// runs on its own goroutine; every step on the window goes through fyne.DoAndWait.
func (g *gui) driveScreenshots(dir string, size fyne.Size) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if g.embedded == nil {
		return errors.New("the embedded gateway is not running")
	}
	mac, err := ssn.ParseMAC(mesh.SeedMAC)
	if err != nil {
		return err
	}
	t := &tour{g: g, dir: dir, size: size, seed: mac.HostName(g.embedded.Mesh.Domain())}
	fyne.DoAndWait(func() { g.window.Resize(size) })
	for _, step := range []func() error{t.powerStats, t.longAnswer, t.errorAnswer, t.composerPreset, t.requestTabs,
		t.observe, t.tree, t.console, t.log, t.diagnosis, t.panelFolded, t.connect} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// send puts a request in the composer and waits for its answer.
func (t *tour) send(method codes.Code, path string) error {
	uri := fmt.Sprintf("coap://%s:%d%s", t.seed, ssn.MilliPort, path)
	fyne.DoAndWait(func() {
		t.g.ctrl.composer.SetRequest(views.ComposedRequest{Request: coapengine.NewRequest(method, uri)})
		t.g.ctrl.composer.Send()
	})
	return waitFor("the answer of "+path, 60*time.Second, func() bool {
		x := t.g.ctrl.inspector.Shown()
		return x.URI == uri && (x.Response != nil || x.Err != "")
	})
}

func (t *tour) powerStats() error {
	tree := t.g.ctrl.tree
	if err := waitFor("the device list", 30*time.Second, func() bool { return tree.DeviceCount(EmbeddedProfile) > 0 }); err != nil {
		return err
	}
	fyne.DoAndWait(func() { tree.Tree().OpenBranch(views.DeviceID(EmbeddedProfile, t.seed)) })
	if err := waitFor("the seed NIC's resources", 30*time.Second, func() bool {
		_, d, _ := tree.Device(EmbeddedProfile, t.seed)
		return d != nil
	}); err != nil {
		return err
	}
	fyne.DoAndWait(func() {
		tree.Tree().OpenBranch(views.NodeID(EmbeddedProfile, t.seed, "/sys"))
		tree.Tree().OpenBranch(views.NodeID(EmbeddedProfile, t.seed, "/sys/stats"))
		tree.Tree().Select(views.NodeID(EmbeddedProfile, t.seed, "/sys/stats?mod=pwr"))
		t.g.workspace.ShowTab(tabHistory)
	})
	if err := t.send(codes.GET, "/sys/stats?mod=pwr"); err != nil {
		return err
	}
	time.Sleep(300 * time.Millisecond) // the history tab's refresh
	if err := t.capture("workbench"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { t.g.ctrl.inspector.SelectView(views.ViewHex) })
	if err := t.capture("inspector-hex"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { t.g.ctrl.inspector.SelectView(views.ViewMessage) })
	return t.capture("inspector-message")
}

func (t *tour) longAnswer() error {
	if err := t.send(codes.GET, "/.well-known/core"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { t.g.ctrl.inspector.SelectView(views.ViewText) })
	return t.capture("long-answer")
}

func (t *tour) errorAnswer() error {
	if err := t.send(codes.GET, "/dummy"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { t.g.ctrl.inspector.SelectView(views.ViewDecoded) })
	return t.capture("error-explained")
}

func (t *tour) composerPreset() error {
	fyne.DoAndWait(func() {
		t.g.ctrl.composer.SetURI(fmt.Sprintf("coap://%s:%d/snsr/sys/time", t.seed, ssn.MilliPort))
		t.g.ctrl.composer.UsePreset(coapengine.SSNPresets()[0])
	})
	return t.capture("composer-preset")
}

func (t *tour) requestTabs() error {
	fyne.DoAndWait(func() { t.g.ctrl.tabs.New() })
	if err := t.send(codes.GET, "/snsr/sys/time"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { t.g.ctrl.tabs.New() })
	if err := t.send(codes.GET, "/sys/stats?mod=pwr"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { t.g.ctrl.composer.SelectSettings(views.ComposerOptions) })
	return t.capture("request-tabs")
}

func (t *tour) observe() error {
	fyne.DoAndWait(func() {
		t.g.ctrl.composer.SetObserve(true)
		t.g.ctrl.composer.Send()
		t.g.workspace.ShowTab(tabObserve)
	})
	obs := t.g.ctrl.observe
	if err := waitFor("the observation", 30*time.Second, func() bool { return len(obs.Rows()) > 0 }); err != nil {
		return err
	}
	fyne.DoAndWait(func() {
		t.g.ctrl.composer.SetObserve(false)
		obs.OpenChart(obs.Rows()[0].ID)
	})
	if err := waitFor("samples on the chart", 60*time.Second, func() bool {
		lines := obs.ChartSeries(0)
		return len(lines) > 0 && len(lines[0].Samples) >= 8
	}); err != nil {
		return err
	}
	return t.capture("observe")
}

func (t *tour) tree() error {
	tree := t.g.ctrl.tree
	fyne.DoAndWait(tree.CrawlAll)
	if err := waitFor("the crawl", 2*time.Minute, func() bool { return !tree.Crawling() }); err != nil {
		return err
	}
	fyne.DoAndWait(func() { tree.SetFilter("gen5") })
	if err := t.capture("tree-filtered"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { tree.SetFilter("") })
	return nil
}

func (t *tour) console() error {
	if dev, ok := t.g.embedded.Mesh.Lookup(t.seed); ok {
		dev.SetBatteryLow(true)
	}
	fyne.DoAndWait(func() {
		t.g.workspace.ShowTab(tabGateway)
		t.g.console.Refresh()
		t.g.console.ShowDevice(t.seed)
	})
	time.Sleep(1500 * time.Millisecond) // a poll of the sessions and devices
	return t.capture("gateway-console")
}

func (t *tour) log() error {
	fyne.DoAndWait(func() { t.g.workspace.ShowTab(tabLog) })
	time.Sleep(300 * time.Millisecond)
	return t.capture("log")
}

// diagnosis is a support engineer's diagnosis of a NIC whose Device IC clock drifted.
func (t *tour) diagnosis() error {
	if dev, ok := t.g.embedded.Mesh.Lookup(t.seed); ok {
		dev.SetBatteryLow(false)
		dev.SkewClock(-7 * time.Minute)
	}
	fyne.DoAndWait(func() {
		t.g.workspace.ShowTab(tabDiagnose)
		t.g.diagnosis.Diagnose(t.seed)
	})
	if err := waitFor("the diagnosis", 90*time.Second, func() bool { return !t.g.diagnosis.Running() }); err != nil {
		return err
	}
	return t.capture("diagnosis")
}

func (t *tour) panelFolded() error {
	fyne.DoAndWait(func() {
		t.g.workspace.SetPanelShown(false)
		t.g.ctrl.inspector.SelectView(views.ViewDecoded)
	})
	if err := t.capture("panel-folded"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { t.g.workspace.SetPanelShown(true); t.g.workspace.ShowTab(tabHistory) })
	return nil
}

func (t *tour) connect() error {
	fyne.DoAndWait(t.g.showConnect)
	return t.capture("connect")
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
// ImageMagick's import (the canvas's own Capture reads back nothing under Xvfb's software GL),
// after checking that the window still has the size the tour gave it. The window sits at the
// screen's top left corner: there is no window manager under Xvfb.
func (t *tour) capture(name string) error {
	time.Sleep(500 * time.Millisecond) // a few frames, so that the last change is drawn
	var size fyne.Size
	fyne.DoAndWait(func() { size = t.g.window.Canvas().Size() })
	if size != t.size {
		return fmt.Errorf("at %q the window is %v×%v: it was given %v×%v and must keep that size", name, size.Width, size.Height, t.size.Width, t.size.Height)
	}
	variant := os.Getenv("FYNE_THEME")
	if variant == "" {
		variant = "default"
	}
	path := filepath.Join(t.dir, name+"-"+variant+".png")
	crop := fmt.Sprintf("%dx%d+0+0", int(size.Width), int(size.Height))
	if out, err := exec.Command("import", "-window", "root", "-crop", crop, path).CombinedOutput(); err != nil {
		return fmt.Errorf("import (ImageMagick) could not take the screenshot %s: %v: %s", path, err, out)
	}
	return nil
}
