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
	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/coapengine/history"
	"github.com/coap-workbench/coap-workbench/coapengine/series"
	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/coapengine/workbench"
	"github.com/coap-workbench/coap-workbench/internal/human"
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
	tabs      *views.RequestTabs
	// copier writes the coap-client lines Copy as coap-client puts on the clipboard.
	copier  *coapClientCopier
	status  *views.StatusBar
	observe *views.ObserveTab

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
	c := &controller{wb: wb, logger: logger, accounts: map[string]string{}, observations: map[int]*runningObservation{}, do: fyne.Do,
		copier: newCoapClientCopier(nil)}
	c.tree = views.NewMeshTree(c)
	c.composer = views.NewComposer(c.completions)
	c.inspector = views.NewInspector(wb.Decoders())
	c.tabs = views.NewRequestTabs(c.composer, c.inspector)
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
	c.composer.CopyLine = func(r views.ComposedRequest) (string, []string) {
		conn, _ := c.connection(c.currentName())
		return c.copier.Lines(conn, r.Request, observeFor(r))
	}
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

// observeFor is how long a copied coap-client line observes: as long as asked, or an hour
// for "until stopped" (coap-client observes for a set time only).
func observeFor(r views.ComposedRequest) time.Duration {
	switch {
	case !r.Observe:
		return 0
	case r.ObserveFor > 0:
		return r.ObserveFor
	}
	return time.Hour
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

// shown names a request on show: the request tab that sent it and its number there. Only
// the latest request of a tab shows its outcome, in that tab.
type shown struct{ tab, seq int }

// beginShow puts a request on show in the request tab in front, pending.
func (c *controller) beginShow(summary string, cancel func()) shown {
	tab, seq := c.tabs.BeginRequest(summary, cancel)
	return shown{tab, seq}
}

// showResult shows an answer in the tab that asked for it.
func (c *controller) showResult(s shown, x coapengine.Exchange) { c.tabs.ShowResult(s.tab, s.seq, x) }

// showProblem shows in the tab that asked why its request got no answer.
func (c *controller) showProblem(s shown, text string) { c.tabs.ShowProblem(s.tab, s.seq, text) }

// send runs the composed request (or starts its observation) off the main goroutine.
func (c *controller) send(r views.ComposedRequest) {
	conn, err := c.connection(c.currentName())
	if err != nil {
		c.inspector.ShowProblem("Nothing sent: no gateway connected. Open one with Connection > Connect…")
		return
	}
	if r.Observe {
		c.startObservationFor(conn, r.Request, false, r.ObserveFor)
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
			switch {
			case cancelled:
				c.showProblem(seq, "Cancelled before an answer came. The request may still reach the device; a late answer is ignored.")
			case err != nil && x.URI == "":
				c.showProblem(seq, "Not sent: "+err.Error())
			default:
				c.showResult(seq, x)
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
	case views.ActionOpenInTab:
		if c.useProfile(t.Profile) {
			s := views.NewComposerState()
			s.URI = t.URI
			c.tabs.Open(s)
		}
	case views.ActionDiagnose:
		if c.useProfile(t.Profile) && c.onDiagnose != nil {
			c.onDiagnose(t.Device)
		}
	case views.ActionCopyURI:
		fyne.CurrentApp().Clipboard().SetContent(t.URI)
		c.status.SetMessage("Copied "+t.URI, false)
	case views.ActionCopyCoapClient:
		conn, _ := c.connection(t.Profile)
		line, notes := c.copier.Lines(conn, coapengine.NewRequest(codes.GET, t.URI), 0)
		fyne.CurrentApp().Clipboard().SetContent(line)
		msg := "Copied: " + strings.ReplaceAll(line, "\\\n", " ")
		if len(notes) > 0 {
			msg += " (" + strings.Join(notes, "; ") + ")"
		}
		c.status.SetMessage(msg, false)
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
	c.startObservationFor(conn, req, openChart, 0)
}

// startObservationFor is startObservation for a while: the observation is stopped (and
// deregistered at the device) after lasting, as coap-client's -s does; 0 observes until stopped.
func (c *controller) startObservationFor(conn *coapengine.Connection, req coapengine.Request, openChart bool, lasting time.Duration) {
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
				c.showLive(x, d)
			}
			c.obsMu.Lock()
			ro.last = oneLine(d.Text)
			c.obsMu.Unlock()
		}
		obs, first, err := conn.Observe(ctx, req, notify)
		if err != nil {
			c.do(func() { c.showProblem(seq, "The observation did not start: "+err.Error()) })
			return
		}
		d := first.Decode(decoders)
		if first.OK() {
			ro.set.Add(first.Start.Add(first.RTT), d)
			c.showLive(first, d)
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
		if lasting > 0 {
			time.AfterFunc(lasting, func() {
				c.do(func() { c.stopObservationAs(ro.id, "ended after "+human.Duration(lasting)+", as asked") })
			})
		}
		c.do(func() {
			c.showResult(seq, first)
			c.refreshObservations()
			if openChart {
				c.observe.OpenChart(ro.id)
			}
		})
	}()
}

// showLive puts an observed resource's value on its tree row (from any goroutine).
func (c *controller) showLive(x coapengine.Exchange, d decode.Decoded) {
	value := liveSummary(d)
	tip := fmt.Sprintf("notification #%d at %s: %s", x.ObserveSeq, x.Start.Add(x.RTT).Local().Format("15:04:05.000"), oneLine(d.Text))
	c.do(func() { c.tree.SetLiveValue(x.Profile, x.Device, x.Path, value, tip) })
}

// noteExchange follows what any exchange tells of its device: the battery of power
// statistics goes on the device's tree row (from any goroutine).
func (c *controller) noteExchange(x coapengine.Exchange) {
	if !x.OK() || x.Device == "" || x.Response == nil || len(x.Response.Payload) != ssn.PowerStatsSize {
		return
	}
	if volts, ok := x.Decode(c.wb.Decoders()).Number("bat_voltage"); ok {
		c.do(func() { c.tree.SetBattery(x.Profile, x.Device, volts) })
	}
}

// liveSummary is a value in a few words for a tree row: the battery of power statistics,
// else the first field, else the start of the text.
func liveSummary(d decode.Decoded) string {
	for _, name := range []string{"bat_voltage"} {
		for _, f := range d.Fields {
			if f.Name == name {
				return shortDisplay(f.Display)
			}
		}
	}
	if len(d.Fields) > 0 {
		return d.Fields[0].Name + " " + shortDisplay(d.Fields[0].Display)
	}
	text := oneLine(d.Text)
	if r := []rune(text); len(r) > 40 {
		text = string(r[:40]) + "…"
	}
	return text
}

// shortDisplay is a field's display without its bracketed detail: "3.600 V".
func shortDisplay(s string) string {
	if i := strings.Index(s, " ("); i > 0 {
		return s[:i]
	}
	return s
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
func (c *controller) stopObservation(id int) { c.stopObservationAs(id, "stopped by you") }

// stopObservationAs deregisters an observation at the origin; done says why it ended.
func (c *controller) stopObservationAs(id int, done string) {
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
		ro.ended = done
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
