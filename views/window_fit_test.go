package views

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/internal/logring"
	"github.com/coap-workbench/coap-workbench/internal/uiqueue"
)

// testWindow is the whole window built from the views, over fakes: the tree over a fake
// mesh, the composer, the inspector and the request tabs, the status bar, and the bottom
// panel's five tabs.
type testWindow struct {
	w         fyne.Window
	q         *uiqueue.Queue
	ws        *Workspace
	tree      *MeshTree
	composer  *Composer
	inspector *Inspector
	tabs      *RequestTabs
	status    *StatusBar
	observe   *ObserveTab
	diagnosis *DiagnosisTab
	console   *GatewayScreen
	logs      *slog.Logger
}

func openTestWindow(t *testing.T, width, height float32) *testWindow {
	t.Helper()
	test.NewTempApp(t)
	tw := &testWindow{q: uiqueue.New()}
	tw.tree = NewMeshTree(newFakeMesh(25))
	tw.tree.Do = tw.q.Do
	tw.composer = NewComposer(nil)
	tw.inspector = NewInspector(decode.NewRegistry())
	tw.tabs = NewRequestTabs(tw.composer, tw.inspector)
	tw.status = NewStatusBar()
	history := newHistoryTab(openTestHistory(t, 300), "", nil, func(coapengine.Exchange) {}, func(coapengine.Exchange) {}, listTabOptions{do: tw.q.Do, location: time.UTC})
	tw.observe = NewObserveTab()
	tw.observe.Do = tw.q.Do
	tw.diagnosis = NewDiagnosisTab(&fakeRunner{})
	tw.diagnosis.Do = tw.q.Do
	tw.console = NewGatewayScreen(longSummary(), &fakeConsole{devices: manyDevices(40), sessions: []SessionRow{{Account: "dev", Socket: "127.0.0.1:56789"}}})
	ring := logring.New(500, slog.DiscardHandler)
	tw.logs = slog.New(ring)
	logTab := newLogTab(ring, listTabOptions{do: tw.q.Do, location: time.UTC})
	t.Cleanup(logTab.Close)
	tw.ws = NewWorkspace(WorkspaceParts{Sidebar: tw.tree.Object(), RequestTabs: tw.tabs.Object(), Bar: tw.composer.Bar(),
		Settings: tw.composer.Settings(), Response: tw.inspector.Object(), Status: tw.status.Object()},
		container.NewTabItem("History", history.Object()),
		container.NewTabItem("Observe", tw.observe.Object()),
		container.NewTabItem("Diagnosis", tw.diagnosis.Object()),
		container.NewTabItem("Gateway console", tw.console.Object()),
		container.NewTabItem("Log", logTab.Object()),
	)
	tw.w = test.NewWindow(WithTooltips(tw.ws.Object()))
	t.Cleanup(tw.w.Close)
	tw.w.Resize(fyne.NewSize(width, height))
	tw.tree.AddProfile("embedded", "embedded · 127.0.0.1:5683")
	tw.q.WaitFor(t, "the device list", func() bool { return tw.tree.DeviceCount("embedded") == 25 })
	return tw
}

// longLinkFormat is a Milli's /.well-known/core of about 955 bytes.
func longLinkFormat() []byte {
	var b strings.Builder
	for i := 0; b.Len() < 955; i++ {
		fmt.Fprintf(&b, `</snsr/arduino/sensor%d?sens>;rt="ssn.sensor";if="core.s";ct=60;obs,`, i)
	}
	return []byte(strings.TrimSuffix(b.String(), ","))
}

func linkFormatExchange() coapengine.Exchange {
	x := powerStatsExchange(6000)
	x.URI, x.Path = "coap://SSN001350050005E7D6.sim.starfish.test:4849/.well-known/core", "/.well-known/core"
	x.Response.Payload = longLinkFormat()
	x.Response.Options = []coapengine.OptionRecord{{Number: 12, Name: "Content-Format", Value: []byte{40}}, {Number: 23, Name: "Block2", Value: []byte{0x0e}}}
	x.Blocks = 8
	return x
}

func badGatewayExchange() coapengine.Exchange {
	x := powerStatsExchange(0)
	x.Response = &coapengine.MessageRecord{Code: codes.BadGateway, Type: "ACK", Payload: []byte(strings.Repeat("the device SSN001350050005E7D6 refused the connection; ", 12))}
	x.AnsweredBy = coapengine.AnsweredByGateway
	x.Explanation = strings.Repeat(coapengine.Explain(codes.BadGateway, coapengine.AnsweredByGateway)+" ", 4)
	return x
}

// windowStates are the main states of the window, each reached from the one before.
func windowStates(tw *testWindow) []struct {
	name string
	do   func()
} {
	views := []string{ViewDecoded, ViewText, ViewHex, ViewCBOR, ViewDiff, ViewMessage}
	type state = struct {
		name string
		do   func()
	}
	var states []state
	states = append(states,
		state{"the window at start", func() {}},
		state{"a crawled device with badges", func() {
			tw.tree.Tree().OpenBranch(DeviceID("embedded", fakeHost(0)))
			tw.tree.SetBattery("embedded", fakeHost(0), 3.21)
			tw.tree.SetFault("embedded", fakeHost(0), "offline · battery low · clock skew -1 min 30 s")
		}},
		state{"a long link-format answer", func() {
			tw.composer.SetURI(linkFormatExchange().URI)
			tw.inspector.Show(linkFormatExchange())
		}},
	)
	for _, v := range views {
		states = append(states, state{"the long answer's " + v + " view", func() { tw.inspector.SelectView(v) }})
	}
	states = append(states,
		state{"the power statistics", func() { tw.inspector.Show(powerStatsExchange(7000)) }},
		state{"a 5.02 with its explanation", func() { tw.inspector.Show(badGatewayExchange()) }},
		state{"a long problem instead of an answer", func() { tw.inspector.ShowProblem(strings.Repeat("Not sent: the URI names no host. ", 30)) }},
		state{"a composer with many options and a long payload", func() {
			for i := range 12 {
				tw.composer.AddOption(fmt.Sprint(2000+i), valueText, strings.Repeat("x", 60))
			}
			tw.composer.SetMethod(codes.PUT)
			tw.composer.SetPayload(modeText, strings.Repeat("a long payload line ", 200))
		}},
	)
	for _, s := range []string{ComposerOptions, ComposerPayload, ComposerSettings} {
		states = append(states, state{"the composer's " + s + " tab", func() { tw.composer.SelectSettings(s) }})
	}
	states = append(states,
		state{"a composer with every field wrong", func() {
			tw.composer.timeout.SetText("-3")
			tw.composer.token.SetText("far too long a token")
			tw.composer.observeFor.SetText("soon")
			tw.composer.SetObserve(true)
			tw.composer.SetURI("http://" + strings.Repeat("example.", 30) + "net/")
		}},
		state{"ten request tabs with long titles", func() {
			for i := range 10 {
				s := NewComposerState()
				s.URI = fmt.Sprintf("coap://SSN00135005%08X.sim.starfish.test:4849/snsr/arduino/a-very-long-resource-name-%d?sens", i, i)
				tw.tabs.Open(s)
			}
		}},
		state{"a long status message", func() {
			tw.status.SetMessage(strings.Repeat("Copied: coap-workbench token | coap-client-notls -m post -p 12345 -t text -f - coap://127.0.0.1:5683/sessions ", 3), true)
			tw.status.SetState(SessionState{Profile: "embedded", Gateway: "127.0.0.1:5683", Account: "dev", LoggedIn: true, LastTraffic: time.Now(), TokenExpires: time.Now().Add(time.Hour)}, time.Now())
		}},
		state{"the History tab", func() { tw.ws.ShowTab("History") }},
		state{"the Observe tab with a chart open", func() {
			tw.ws.ShowTab("Observe")
			tw.observe.SetObservations([]ObservationRow{
				{ID: 1, Profile: "embedded", Device: fakeHost(0), URI: statsURI, Series: powerSet(40, 3.6)},
				{ID: 2, Profile: "embedded", Device: fakeHost(1), URI: statsURI, Series: powerSet(40, 3.5), Ended: strings.Repeat("it ended: the device stopped it, or its profile was disconnected; ", 4)},
			})
			tw.observe.OpenChart(1)
		}},
		state{"the Diagnosis tab after a diagnosis", func() {
			tw.ws.ShowTab("Diagnosis")
			tw.diagnosis.Diagnose("SSN001350050005E7D6")
		}},
		state{"the Gateway console with faults", func() { tw.ws.ShowTab("Gateway console"); tw.console.Refresh() }},
		state{"the Log tab full of long records", func() {
			tw.ws.ShowTab("Log")
			for i := range 300 {
				tw.logs.Warn(strings.Repeat("a long record of the embedded gateway ", 5), "n", i, "device", fakeHost(i%25))
			}
		}},
		state{"the answer below the settings", func() { tw.ws.SetPlacement(PlaceBelow) }},
		state{"the bottom panel folded away", func() { tw.ws.SetPanelShown(false) }},
		state{"the bottom panel back, the answer beside", func() { tw.ws.SetPanelShown(true); tw.ws.SetPlacement(PlaceBeside) }},
	)
	return states
}

// TestTheWindowFitsItsSmallestSizeInEveryState walks every tab and the main states of the
// window and checks that its content never asks for more than 1000×650: within a window of
// 1024×700 under a menu bar, nothing it shows can make the window grow. It is the test of
// the window's size discipline: a pane that asked for the room of its longest text would
// fail it.
func TestTheWindowFitsItsSmallestSizeInEveryState(t *testing.T) {
	for _, compact := range []bool{false, true} {
		t.Run(fmt.Sprintf("compact=%v", compact), func(t *testing.T) {
			tw := openTestWindow(t, 1024, 700)
			fyne.CurrentApp().Settings().SetTheme(NewTheme(compact))
			for _, s := range windowStates(tw) {
				s.do()
				tw.q.WaitFor(t, s.name, func() bool { return !tw.diagnosis.Running() })
				assertFits(t, s.name, tw.w.Canvas().Content(), 1000, 650)
				if got := tw.w.Canvas().Size(); got != fyne.NewSize(1024, 700) {
					t.Fatalf("%s: the window became %v", s.name, got)
				}
			}
		})
	}
}

// TestTheSplitsStayWhereTheyAreWhateverTheContent drags the splits to positions a user
// would choose and checks that no content change moves them (they re-balanced themselves
// when a pane asked for the width of its text).
func TestTheSplitsStayWhereTheyAreWhateverTheContent(t *testing.T) {
	tw := openTestWindow(t, 1280, 800)
	offsets := []float64{0.375, 0.7, 0.3}
	for i, s := range tw.ws.Splits {
		s.SetOffset(offsets[i])
	}
	widths := func() []float32 {
		return []float32{tw.ws.Splits[0].Leading.Size().Width, tw.ws.Splits[1].Leading.Size().Height, tw.ws.Splits[2].Leading.Size().Width}
	}
	before := widths()
	for _, s := range windowStates(tw)[:15] {
		s.do()
		tw.q.Drain()
		for i, sp := range tw.ws.Splits {
			if sp.Offset != offsets[i] {
				t.Fatalf("%s: split %d moved to %v", s.name, i, sp.Offset)
			}
		}
		if got := widths(); got[0] != before[0] || got[1] != before[1] {
			t.Fatalf("%s: the panes became %v, from %v", s.name, got, before)
		}
	}
}

// TestEveryDialogFitsTheSmallestWindow opens the window's dialogs at 1024×700.
func TestEveryDialogFitsTheSmallestWindow(t *testing.T) {
	tw := openTestWindow(t, 1024, 700)
	open := map[string]func(){
		"Connect to a gateway": func() {
			ShowConnectDialog(tw.w, []ProfileForm{{Name: strings.Repeat("a-long-profile-name-", 5), Gateway: "gw.example.net:5683"}}, func(ProfileForm) error { return nil }, func(string) {})
		},
		"Paste coap-client command": func() {
			showPasteDialog(tw.w, strings.Repeat("coap-client -m get -P coap://127.0.0.1:5683 coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/stats?mod=pwr ", 4), func(string) error { return nil })
		},
		"Diagnose a list of NICs": tw.diagnosis.ShowBatchDialog,
	}
	for name, show := range open {
		show()
		top := tw.w.Canvas().Overlays().Top()
		if top == nil {
			t.Fatalf("%s: no dialog", name)
		}
		assertFits(t, name, top, 1024, 700)
		closeTop(tw.w.Canvas())
	}
}
