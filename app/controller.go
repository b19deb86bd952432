package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/coapclient"
	"github.com/coap-workbench/coap-workbench/coapengine/history"
	"github.com/coap-workbench/coap-workbench/coapengine/series"
	"github.com/coap-workbench/coap-workbench/coapengine/workbench"
	"github.com/coap-workbench/coap-workbench/views"
)

// controller ties the window's views to the engine: it is the tree's MeshSource, sends what
// the composer composes, runs observations, and keeps the status bar current. Every network
// call runs on a goroutine of its own; every view update goes through fyne.Do.
type controller struct {
	wb     *workbench.Workbench
	logger *slog.Logger

	tree      *views.MeshTree
	composer  *views.Composer
	inspector *views.Inspector
	status    *views.StatusBar
	observe   *views.ObserveTab

	// onDiagnose shows the Diagnosis tab diagnosing a device (the tree's Diagnose).
	onDiagnose func(device string)
	// loggingIn is set while Log in again runs (main goroutine only).
	loggingIn bool
	// current is the profile the composer sends through: set on the main goroutine, read
	// also by the diagnosis's goroutines.
	currentMu sync.Mutex
	current   string
	// accounts names each profile's account for the status bar.
	accounts map[string]string

	// sends counts the requests put on show (sent, replayed, observed), so that only the
	// latest is shown.
	sends int
	// do runs view updates from other goroutines on the main goroutine (fyne.Do; tests
	// queue them for their own goroutine).
	do func(func())

	obsMu        sync.Mutex
	observations map[int]*runningObservation
	nextObs      int
}

// runningObservation is an observation the Observe tab shows.
type runningObservation struct {
	id      int
	profile string
	device  string
	uri     string
	obs     *coapengine.Observation
	set     *series.Set
	last    string
	ended   string
	paused  bool
}

func newController(wb *workbench.Workbench, logger *slog.Logger) *controller {
	c := &controller{wb: wb, logger: logger, accounts: map[string]string{}, observations: map[int]*runningObservation{}, do: fyne.Do}
	c.tree = views.NewMeshTree(c)
	c.composer = views.NewComposer(c.completions)
	c.inspector = views.NewInspector(wb.Decoders())
	c.status = views.NewStatusBar()
	c.observe = views.NewObserveTab()

	c.tree.OnPick = func(t views.TreeTarget) {
		if c.useProfile(t.Profile) {
			c.composer.SetURI(t.URI)
		}
	}
	c.tree.OnAction = c.treeAction
	c.composer.OnSend = c.send
	c.composer.Notify = func(msg string) { c.status.SetMessage(msg, false) }
	c.composer.Gateway = c.gatewayOfCurrent
	c.status.OnProfile = func(name string) { c.useProfile(name) }
	c.status.OnRelogin = c.relogin
	c.observe.OnStop = c.stopObservation
	c.observe.OnPause = c.pauseObservation
	c.observe.FromHistory = c.seriesFromHistory
	return c
}

// connection is the named profile's connection.
func (c *controller) connection(profile string) (*coapengine.Connection, error) {
	conn, ok := c.wb.Connection(profile)
	if !ok {
		return nil, fmt.Errorf("profile %q is not connected: connect it with Connection > Connect…", profile)
	}
	return conn, nil
}

// ListDevices is the tree's device list of a profile.
func (c *controller) ListDevices(ctx context.Context, profile string) ([]coapengine.ListedDevice, error) {
	conn, err := c.connection(profile)
	if err != nil {
		return nil, err
	}
	return conn.ListDeviceLinks(ctx)
}

// Crawl reads one device's resources for the tree.
func (c *controller) Crawl(ctx context.Context, profile, base string) coapengine.DeviceTree {
	conn, err := c.connection(profile)
	if err != nil {
		return coapengine.DeviceTree{Base: base, Err: err.Error()}
	}
	return conn.Crawl(ctx, base)
}

// CrawlMesh reads many devices' resources for the tree; devices are coap:// bases.
func (c *controller) CrawlMesh(ctx context.Context, profile string, devices []string, progress func(coapengine.CrawlProgress)) []coapengine.DeviceTree {
	conn, err := c.connection(profile)
	if err != nil {
		out := make([]coapengine.DeviceTree, len(devices))
		for i, base := range devices {
			t, _ := coapengine.ParseTarget(base)
			out[i] = coapengine.DeviceTree{Device: t.Host, Base: base, Err: err.Error()}
			progress(coapengine.CrawlProgress{Done: i + 1, Total: len(devices), Tree: out[i]})
		}
		return out
	}
	return conn.CrawlMesh(ctx, devices, 32, progress)
}

// addConnection shows a newly connected profile in the tree and the status bar and makes it
// the current one.
func (c *controller) addConnection(conn *coapengine.Connection, account string) {
	p := conn.Profile()
	c.accounts[p.Name] = account
	title := p.Name + " (direct)"
	if p.Gateway != "" {
		title = p.Name + " · " + p.Gateway
	}
	c.tree.AddProfile(p.Name, title)
	c.useProfile(p.Name)
}

func (c *controller) setCurrent(name string) {
	c.currentMu.Lock()
	c.current = name
	c.currentMu.Unlock()
}

// currentName is the profile the composer sends through ("" when none).
func (c *controller) currentName() string {
	c.currentMu.Lock()
	defer c.currentMu.Unlock()
	return c.current
}

// useProfile makes name the profile the composer sends through; false when it is not
// connected (any more).
func (c *controller) useProfile(name string) bool {
	if _, ok := c.wb.Connection(name); !ok {
		c.status.SetMessage(fmt.Sprintf("%s is not connected: connect it with Connection > Connect…", name), true)
		return false
	}
	c.setCurrent(name)
	c.status.SetProfiles(c.tree.Profiles(), name)
	c.refreshStatus()
	return true
}

func (c *controller) gatewayOfCurrent() (string, int) {
	conn, err := c.connection(c.currentName())
	if err != nil {
		return "", 0
	}
	p := conn.Profile()
	port := p.LocalPort
	if port == 0 {
		port = int(conn.LocalAddr().Port())
	}
	return p.Gateway, port
}

// completions are the URIs the tree knows that contain what was typed.
func (c *controller) completions(typed string) []string {
	typed = strings.ToLower(strings.TrimSpace(typed))
	var out []string
	for _, u := range c.tree.ResourceURIs(c.currentName()) {
		if typed == "" || strings.Contains(strings.ToLower(u), typed) {
			out = append(out, u)
		}
	}
	return out
}

// refreshStatus shows the current profile's session in the status bar (main goroutine).
func (c *controller) refreshStatus() {
	conn, err := c.connection(c.currentName())
	if err != nil {
		c.status.SetState(views.SessionState{}, time.Now())
		return
	}
	p, st := conn.Profile(), conn.Status()
	c.status.SetState(views.SessionState{
		Profile: p.Name, Gateway: p.Gateway, Account: c.accounts[p.Name],
		LoggedIn: st.LoggedIn, LastTraffic: st.LastTraffic, TokenExpires: st.TokenExpires, Busy: c.loggingIn,
	}, time.Now())
}

// beginShow puts a request on show in the inspector, pending, and returns its number: only
// the latest request's outcome is shown (see stillShown).
func (c *controller) beginShow(summary string, cancel func()) int {
	c.sends++
	c.inspector.ShowPending(summary, cancel)
	return c.sends
}

// stillShown reports whether request seq is the latest on show.
func (c *controller) stillShown(seq int) bool { return seq == c.sends }

// send runs the composed request (or starts its observation) off the main goroutine.
func (c *controller) send(r views.ComposedRequest) {
	conn, err := c.connection(c.currentName())
	if err != nil {
		c.inspector.ShowProblem("Nothing sent: no gateway connected. Open one with Connection > Connect…")
		return
	}
	if r.Observe {
		c.startObservation(conn, r.Request, false)
		return
	}
	req := r.Request
	wait := req.Timeout
	if wait <= 0 {
		wait = coapengine.DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait+5*time.Second)
	seq := c.beginShow(coapengine.MethodName(req.Method)+" "+req.URI, cancel)
	go func() {
		defer cancel()
		x, err := conn.Do(ctx, req)
		cancelled := errors.Is(ctx.Err(), context.Canceled)
		c.do(func() {
			if !c.stillShown(seq) {
				return // a later request is on show; this one is in the history
			}
			switch {
			case cancelled:
				c.inspector.ShowProblem("Cancelled before an answer came. The request may still reach the device; a late answer is ignored.")
			case err != nil && x.URI == "":
				c.inspector.ShowProblem("Not sent: " + err.Error())
			default:
				c.inspector.Show(x)
			}
			c.refreshStatus()
		})
	}()
}

func (c *controller) treeAction(a views.TreeAction, t views.TreeTarget) {
	switch a {
	case views.ActionGet:
		if !c.useProfile(t.Profile) {
			return
		}
		c.composer.SetRequest(views.ComposedRequest{Request: coapengine.NewRequest(codes.GET, t.URI)})
		c.composer.Send()
	case views.ActionObserve:
		if !c.useProfile(t.Profile) {
			return
		}
		c.composer.SetRequest(views.ComposedRequest{Request: coapengine.NewRequest(codes.GET, t.URI), Observe: true})
		c.composer.Send()
	case views.ActionDiagnose:
		if c.useProfile(t.Profile) && c.onDiagnose != nil {
			c.onDiagnose(t.Device)
		}
	case views.ActionCopyURI:
		fyne.CurrentApp().Clipboard().SetContent(t.URI)
		c.status.SetMessage("Copied "+t.URI, false)
	case views.ActionCopyCoapClient:
		cmd := coapclient.Command{Request: coapengine.NewRequest(codes.GET, t.URI)}
		if conn, err := c.connection(t.Profile); err == nil {
			cmd.Gateway = conn.Profile().Gateway
			cmd.LocalPort = int(conn.LocalAddr().Port())
		}
		line, _ := coapclient.Render(cmd)
		fyne.CurrentApp().Clipboard().SetContent(line)
		c.status.SetMessage("Copied: "+line, false)
	}
}

// relogin logs the current profile in again.
func (c *controller) relogin() {
	conn, err := c.connection(c.currentName())
	if err != nil {
		return
	}
	if c.loggingIn {
		return
	}
	c.loggingIn = true
	c.status.SetMessage("Logging in to "+conn.Profile().Gateway+"…", false)
	c.refreshStatus()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		err := conn.Login(ctx)
		c.do(func() {
			c.loggingIn = false
			if err != nil {
				c.status.SetMessage("Login failed: "+err.Error(), true)
			} else {
				c.status.SetMessage("Logged in again", false)
			}
			c.refreshStatus()
		})
	}()
}

// showEvent tells the user what a connection did, in plain words.
func (c *controller) showEvent(e coapengine.Event) {
	switch e.Kind {
	case coapengine.EventSessionClosed:
		c.status.SetMessage(e.Profile+": the gateway closed the session — logging in again on the next request", true)
	case coapengine.EventReauthenticated:
		c.status.SetMessage(e.Profile+": session expired — logged in again", false)
	case coapengine.EventReauthFailed:
		c.status.SetMessage(e.Profile+": session expired and logging in again failed: "+e.Detail, true)
	case coapengine.EventObservationRenew:
		c.status.SetMessage(e.Profile+": observation re-registered: "+e.Detail, false)
	default:
		c.status.SetMessage(e.Profile+": "+string(e.Kind), false)
	}
	c.refreshStatus()
}

// startObservation registers an observation and lists it in the Observe tab (with its chart
// open when openChart).
func (c *controller) startObservation(conn *coapengine.Connection, req coapengine.Request, openChart bool) {
	seq := c.beginShow("an observation of "+req.URI, nil)
	c.obsMu.Lock()
	c.nextObs++
	target, _ := coapengine.ParseTarget(req.URI)
	ro := &runningObservation{id: c.nextObs, profile: conn.Profile().Name, device: target.Host, uri: req.URI, set: series.NewSet(0)}
	c.obsMu.Unlock()
	decoders := c.wb.Decoders()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		notify := func(x coapengine.Exchange) {
			d := x.Decode(decoders)
			if x.OK() {
				ro.set.Add(x.Start.Add(x.RTT), d)
			}
			c.obsMu.Lock()
			ro.last = oneLine(d.Text)
			c.obsMu.Unlock()
		}
		obs, first, err := conn.Observe(ctx, req, notify)
		if err != nil {
			c.do(func() {
				if c.stillShown(seq) {
					c.inspector.ShowProblem("The observation did not start: " + err.Error())
				}
			})
			return
		}
		d := first.Decode(decoders)
		if first.OK() {
			ro.set.Add(first.Start.Add(first.RTT), d)
		}
		c.obsMu.Lock()
		ro.obs = obs
		ro.last = oneLine(d.Text)
		c.observations[ro.id] = ro
		c.obsMu.Unlock()
		go func() {
			<-obs.Done()
			c.obsMu.Lock()
			if ro.ended == "" {
				ro.ended = "it ended: the device stopped it, or its profile was disconnected"
			}
			c.obsMu.Unlock()
		}()
		c.do(func() {
			if c.stillShown(seq) {
				c.inspector.Show(first)
			}
			c.refreshObservations()
			if openChart {
				c.observe.OpenChart(ro.id)
			}
		})
	}()
}

// oneLine is s on one line, cut after 200 characters.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

// stopObservation deregisters an observation at the origin.
func (c *controller) stopObservation(id int) {
	c.obsMu.Lock()
	ro := c.observations[id]
	if ro == nil || ro.obs == nil || ro.ended != "" {
		c.obsMu.Unlock()
		return
	}
	ro.ended = "stopping: telling the device…"
	c.obsMu.Unlock()
	c.refreshObservations()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := ro.obs.Cancel(ctx)
		c.obsMu.Lock()
		ro.ended = "stopped by you"
		if err != nil && !errors.Is(err, context.Canceled) {
			ro.ended = "stopped here; the device was not told: " + err.Error()
		}
		c.obsMu.Unlock()
		c.do(c.refreshObservations)
	}()
}

// pauseObservation freezes or thaws an observation's charts; its notifications are still
// recorded.
func (c *controller) pauseObservation(id int, paused bool) {
	c.obsMu.Lock()
	if ro := c.observations[id]; ro != nil {
		ro.paused = paused
	}
	c.obsMu.Unlock()
	c.refreshObservations()
}

// seriesFromHistory rebuilds a device's resource's series over the last since.
func (c *controller) seriesFromHistory(device, path string, since time.Duration) (*series.Set, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f := history.Filter{Device: device, PathContains: path, From: time.Now().Add(-since)}
	return series.FromHistory(ctx, c.wb.History(), f, c.wb.Decoders(), series.DefaultCapacity)
}

// refreshObservations shows the observations' health (main goroutine).
func (c *controller) refreshObservations() {
	c.obsMu.Lock()
	rows := make([]views.ObservationRow, 0, len(c.observations))
	for id := 1; id <= c.nextObs; id++ {
		ro := c.observations[id]
		if ro == nil {
			continue
		}
		rows = append(rows, views.ObservationRow{ID: ro.id, Profile: ro.profile, Device: ro.device, URI: ro.uri, Health: ro.obs.Health(),
			Last: ro.last, Ended: ro.ended, Paused: ro.paused, Series: ro.set})
	}
	c.obsMu.Unlock()
	c.observe.SetObservations(rows)
}

// stopAllObservations deregisters every running observation (on closing the window).
func (c *controller) stopAllObservations(ctx context.Context) {
	c.obsMu.Lock()
	var running []*coapengine.Observation
	for _, ro := range c.observations {
		if ro.ended == "" {
			running = append(running, ro.obs)
		}
	}
	c.obsMu.Unlock()
	var wg sync.WaitGroup
	for _, o := range running {
		wg.Add(1)
		go func() { defer wg.Done(); _ = o.Cancel(ctx) }()
	}
	wg.Wait()
}
