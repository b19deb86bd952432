package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/coap-workbench/coap-workbench/assets"
	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/workbench"
	"github.com/coap-workbench/coap-workbench/gatewaylite/auth"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	"github.com/coap-workbench/coap-workbench/internal/logring"
	"github.com/coap-workbench/coap-workbench/views"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

// AppID is the workbench's application id (preferences and storage live under it).
const AppID = "io.github.coapworkbench"

// EmbeddedProfile is the name of the profile that talks to the embedded gateway-lite.
const EmbeddedProfile = "embedded"

// The names of the window's tabs.
const (
	tabHistory  = "History"
	tabObserve  = "Observe"
	tabGateway  = "Gateway console"
	tabLog      = "Log"
	tabDiagnose = "Diagnosis"
)

// runGUI opens the workbench window: the embedded gateway-lite with its field mesh, logged in
// with a locally issued token, and the mesh tree listing its devices. args are the gui
// command's flags (none when the workbench starts without arguments).
func runGUI(args []string, stderr io.Writer) int {
	start := time.Now()
	o := DefaultGatewayOptions()
	fs := newFlagSet("gui [flags]", "Opens the workbench window (what coap-workbench does without a command), with the embedded\ngateway-lite and its simulated mesh; a taken port is replaced by a free one.")
	registerDataDir(fs, &o.DataDir)
	o.registerMesh(fs)
	fs.StringVar(&o.Listen, "listen", o.Listen, "UDP address of the embedded gateway (a taken port is replaced by a free one)")
	screenshots := fs.String("screenshots", "", "drive the window through its main screens, write PNGs to this directory, and quit")
	shotSize := fs.String("screenshot-size", "1280x800", "the window's size for --screenshots, WIDTHxHEIGHT")
	pprofAddr := fs.String("pprof", "", "serve Go's profiling endpoints on this loopback address, e.g. 127.0.0.1:6060")
	var observe multiFlag
	fs.Var(&observe, "observe", "observe this URI through the embedded gateway from the start, with its chart open (repeatable)")
	if exit, stop := parseFlags(fs, args, stderr); stop {
		return exit
	}
	if *pprofAddr != "" {
		if err := servePprof(*pprofAddr); err != nil {
			fmt.Fprintf(stderr, "gui: %v\n", err)
			return ExitUsage
		}
	}
	ring := logring.New(5000, slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	logger := slog.New(ring)
	makeFyneCacheDir()
	var size fyne.Size
	if *screenshots != "" {
		var err error
		if size, err = parseScreenSize(*shotSize); err != nil {
			fmt.Fprintf(stderr, "gui: --screenshot-size: %v\n", err)
			return ExitUsage
		}
	}
	a := fyneapp.NewWithID(AppID)
	a.SetIcon(assets.Icon)
	a.Settings().SetTheme(views.NewTheme(a.Preferences().Bool(prefCompact)))
	g := newGUI(a, logger, ring, o, observe)
	a.Lifecycle().SetOnStarted(func() { logger.Info("window shown", "after_start", time.Since(start).Round(time.Millisecond)) })
	status := ExitOK
	if *screenshots != "" {
		go func() {
			if err := g.driveScreenshots(*screenshots, size); err != nil {
				fmt.Fprintf(stderr, "gui --screenshots: %v\n", err)
				status = ExitFailure
			}
			fyne.Do(g.close)
		}()
	}
	g.window.ShowAndRun()
	return status
}

// makeFyneCacheDir creates Fyne's cache directory with its parents: Fyne creates only the
// last two levels, and logs "Failed to create fyne cache space" on a fresh home without
// ~/.cache.
func makeFyneCacheDir() {
	if dir, err := os.UserCacheDir(); err == nil {
		_ = os.MkdirAll(filepath.Join(dir, "fyne", AppID), 0o700)
	}
}

// gui is the running window and everything behind it.
type gui struct {
	app       fyne.App
	window    fyne.Window
	logger    *slog.Logger
	embedded  *Embedded // nil when the embedded gateway could not start
	wb        *workbench.Workbench
	ctrl      *controller
	workspace *views.Workspace
	history   *views.HistoryTab
	console   *views.GatewayScreen
	logTab    *views.LogTab
	diagnosis *views.DiagnosisTab
	profiles  *profileStore
	stop      []func()
	closeOnce sync.Once
	// historyBehind is set when exchanges were recorded while the History tab was hidden.
	historyBehind bool
}

// newGUI builds the window and starts the embedded gateway; the embedded profile connects in
// the background.
func newGUI(a fyne.App, logger *slog.Logger, ring *logring.Ring, o GatewayOptions, observe []string) *gui {
	g := &gui{app: a, logger: logger}
	g.window = a.NewWindow("CoAP Workbench")
	prefs := a.Preferences()
	g.window.Resize(fyne.NewSize(float32(prefs.FloatWithFallback(prefWidth, 1280)), float32(prefs.FloatWithFallback(prefHeight, 800))))

	e, err := StartEmbedded(context.Background(), o, logger, true)
	if err != nil {
		logger.Error("the embedded gateway did not start", "err", err)
	} else {
		g.embedded = e
	}
	g.wb = workbench.Open(workbench.Options{DataDir: o.DataDir, Logger: logger})
	g.profiles = newProfileStore(a.Preferences(), o.DataDir)
	g.ctrl = newController(g.wb, logger)
	g.ctrl.copier = newCoapClientCopier(g.embedded)

	g.history = views.NewHistoryTab(g.wb.History(), g.wb.HistoryNotice(), g.window, g.ctrl.inspector.Show, g.replay)
	g.logTab = views.NewLogTab(ring)
	consoleTab := g.newConsoleTab(err)
	domain := mesh.DefaultDomain
	if g.embedded != nil {
		domain = g.embedded.Mesh.Domain()
	}
	g.diagnosis = views.NewDiagnosisTab(&diagnosisRunner{ctrl: g.ctrl, dataDir: o.DataDir, domain: domain})
	g.workspace = views.NewWorkspace(views.WorkspaceParts{
		Sidebar: g.ctrl.tree.Object(), RequestTabs: g.ctrl.tabs.Object(), Bar: g.ctrl.composer.Bar(),
		Settings: g.ctrl.composer.Settings(), Response: g.ctrl.inspector.Object(), Status: g.ctrl.status.Object(),
	},
		container.NewTabItemWithIcon(tabHistory, theme.HistoryIcon(), g.history.Object()),
		container.NewTabItemWithIcon(tabObserve, theme.VisibilityIcon(), g.ctrl.observe.Object()),
		container.NewTabItemWithIcon(tabDiagnose, theme.QuestionIcon(), g.diagnosis.Object()),
		consoleTab,
		container.NewTabItemWithIcon(tabLog, theme.ListIcon(), g.logTab.Object()),
	)
	g.workspace.Tabs.OnSelected = func(t *container.TabItem) { g.tabShown(t.Text) }
	g.ctrl.status.OnTogglePanel = g.workspace.TogglePanel
	pick := g.ctrl.tree.OnPick
	g.ctrl.tree.OnPick = func(t views.TreeTarget) {
		pick(t)
		g.diagnosis.SetSelectedDevice(t.Device) // the NIC selected is the one to diagnose
	}
	g.ctrl.onDiagnose = func(device string) {
		g.workspace.ShowTab(tabDiagnose)
		g.diagnosis.Diagnose(device)
	}
	g.ctrl.inspector.OnObserve = func(x coapengine.Exchange) {
		conn, err := g.ctrl.connection(x.Profile)
		if err != nil {
			g.ctrl.inspector.ShowProblem(err.Error())
			return
		}
		g.ctrl.startObservation(conn, coapengine.NewRequest(codes.GET, x.URI), true)
		g.workspace.ShowTab(tabObserve)
	}
	g.restoreLayout()
	g.window.SetContent(views.WithTooltips(g.workspace.Object()))
	g.window.SetMainMenu(g.mainMenu())
	g.window.SetCloseIntercept(g.close)
	views.EscapeCloses(g.window)

	if n := g.wb.HistoryNotice(); n != "" {
		g.ctrl.status.SetMessage(n, true)
	}
	if err != nil {
		g.ctrl.status.SetMessage("The embedded gateway could not start: "+err.Error()+" — connect to a gateway with Connection > Connect…", true)
	} else if e.PortNote != "" {
		g.ctrl.status.SetMessage(e.PortNote, true)
	}
	g.watchEngine()
	if g.embedded != nil {
		g.connectEmbedded(observe)
	} else if len(observe) > 0 {
		g.ctrl.status.SetMessage("Nothing observed: the embedded gateway is not running", true)
	}
	g.reconnectLastProfile()
	return g
}

// newConsoleTab is the gateway console, or a tab that says why there is none.
func (g *gui) newConsoleTab(startErr error) *container.TabItem {
	var summary views.GatewaySummary
	var source views.GatewayConsoleSource
	if g.embedded != nil {
		summary = gatewaySummary(g.embedded)
		source = newGatewayConsole(g.embedded)
	} else {
		summary.Note = fmt.Sprintf("The embedded gateway is not running: %v", startErr)
	}
	summary.History, summary.HistoryWarning = historySummary(g.wb)
	g.console = views.NewGatewayScreen(summary, source)
	g.console.Logger = g.logger
	g.console.OnFaultsChanged = func(host, faults string) { g.ctrl.tree.SetFault(EmbeddedProfile, host, faults) }
	if g.embedded != nil {
		g.stop = append(g.stop, forwardTraffic(g.embedded.Traffic, g.console))
	}
	return container.NewTabItemWithIcon(tabGateway, theme.StorageIcon(), g.console.Object())
}

// tabShown starts the polling of the tab that shows and stops the others'.
func (g *gui) tabShown(name string) {
	if name == tabGateway && g.embedded != nil {
		g.console.StartPolling(time.Second)
	} else {
		g.console.StopPolling()
	}
	if name == tabHistory && g.historyBehind {
		g.historyBehind = false
		g.history.ExchangesAdded(1)
	}
	if name == tabObserve {
		g.ctrl.observe.StartRefreshing()
	} else {
		g.ctrl.observe.StopRefreshing()
	}
	g.app.Preferences().SetString(prefTab, name)
}

// connectEmbedded logs in to the embedded gateway with a token signed by its own key, then
// starts observing the URIs of --observe, each with its chart open.
func (g *gui) connectEmbedded(observe []string) {
	gw := g.embedded.Gateway
	p := coapengine.Profile{
		Name:    EmbeddedProfile,
		Gateway: gw.Addr().String(),
		Tokens: coapengine.IssuerFunc(func(context.Context) (coapengine.Token, error) {
			tok, err := gw.IssueToken(localAccount, auth.DefaultTokenTTL)
			return coapengine.Token{Raw: tok.Raw, ExpiresAt: tok.ExpiresAt}, err
		}),
	}
	g.connect(p, localAccount, false, func(conn *coapengine.Connection) {
		if len(observe) > 0 {
			g.workspace.ShowTab(tabObserve)
		}
		for _, uri := range observe {
			g.ctrl.startObservation(conn, coapengine.NewRequest(codes.GET, uri), true)
		}
	})
}

// localAccount is the account of locally issued tokens.
const localAccount = "dev"

// connect connects a profile off the main goroutine and shows it when it is connected; a
// profile the user chose (remember) is connected again at the next start.
func (g *gui) connect(p coapengine.Profile, account string, remember bool, then func(*coapengine.Connection)) {
	g.ctrl.status.SetMessage("Connecting "+p.Name+"…", false)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		conn, err := g.wb.Connect(ctx, p)
		fyne.Do(func() {
			if err != nil {
				g.ctrl.status.SetMessage(fmt.Sprintf("%s did not connect: %v", p.Name, err), true)
				return
			}
			g.ctrl.addConnection(conn, account)
			g.ctrl.status.SetMessage(fmt.Sprintf("Connected %s: open a device in the tree, or type a URI and press Send", p.Name), false)
			if remember {
				g.app.Preferences().SetString(prefLastProfile, p.Name)
			}
			if then != nil {
				then(conn)
			}
		})
	}()
}

// watchEngine follows the engine: new exchanges reach the history tab (at most ten times a
// second), events the status bar, and the session and observations refresh every second.
func (g *gui) watchEngine() {
	added := make(chan struct{}, 1)
	g.stop = append(g.stop, g.wb.SubscribeExchanges(func(x coapengine.Exchange) {
		g.ctrl.noteExchange(x)
		select {
		case added <- struct{}{}:
		default:
		}
	}))
	g.stop = append(g.stop, g.wb.SubscribeEvents(func(e coapengine.Event) {
		fyne.Do(func() { g.ctrl.showEvent(e) })
	}))
	done := make(chan struct{})
	g.stop = append(g.stop, func() { close(done) })
	go func() {
		fast := time.NewTicker(100 * time.Millisecond)
		slow := time.NewTicker(time.Second)
		defer fast.Stop()
		defer slow.Stop()
		pending := false
		for {
			select {
			case <-done:
				return
			case <-added:
				pending = true
			case <-fast.C:
				if pending {
					pending = false
					fyne.Do(g.historyAdded)
				}
			case <-slow.C:
				fyne.Do(func() {
					g.ctrl.refreshStatus()
					g.ctrl.refreshObservations()
				})
			}
		}
	}()
}

// historyAdded brings the History tab up to date when it shows; a hidden one catches up when
// it is shown (a refresh redraws the window, and a stream of notifications would redraw it
// ten times a second for nothing).
func (g *gui) historyAdded() {
	if sel := g.workspace.Tabs.Selected(); sel != nil && sel.Text == tabHistory {
		g.history.ExchangesAdded(1)
		return
	}
	g.historyBehind = true
}

// replay sends a history entry again through the profile that sent it; when that profile is
// not connected, the inspector says so (a replay never goes silently through another
// gateway or account).
func (g *gui) replay(x coapengine.Exchange) {
	ctx, cancel := context.WithTimeout(context.Background(), coapengine.DefaultTimeout+5*time.Second)
	seq := g.ctrl.beginShow("a replay of "+x.Summary(), cancel)
	go func() {
		defer cancel()
		again, err := g.wb.Replay(ctx, x.ID, "")
		fyne.Do(func() {
			if err != nil && again.URI == "" {
				g.ctrl.showProblem(seq, "The replay was not sent: "+err.Error())
				return
			}
			g.ctrl.showResult(seq, again)
		})
	}()
}

// close remembers the layout, ends observations, logs out and stops the embedded gateway,
// once (the user and the screenshot driver may both close the window).
func (g *gui) close() {
	g.closeOnce.Do(g.shutDown)
}

func (g *gui) shutDown() {
	g.saveLayout()
	g.window.Hide() // the logouts below take a moment: the window goes at once
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	g.ctrl.stopAllObservations(ctx)
	g.console.StopPolling()
	g.ctrl.observe.StopRefreshing()
	g.logTab.Close()
	for _, stop := range g.stop {
		stop()
	}
	if err := g.wb.Close(); err != nil {
		g.logger.Error("closing the history", "err", err)
	}
	if g.embedded != nil {
		g.embedded.Close()
	}
	g.window.Close()
}

// historySummary says where the history is, or why there is none.
func historySummary(wb *workbench.Workbench) (where, warning string) {
	if h := wb.History(); h != nil {
		where = h.Path()
	} else {
		where = "not recorded (see below)"
	}
	return where, wb.HistoryNotice()
}
