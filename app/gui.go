package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/assets"
	"github.com/coap-workbench/coap-workbench/coapengine/workbench"
	"github.com/coap-workbench/coap-workbench/gatewaylite/traffic"
	"github.com/coap-workbench/coap-workbench/internal/coapfmt"
	"github.com/coap-workbench/coap-workbench/views"
)

// AppID is the workbench's application id (preferences and storage live under it).
const AppID = "io.github.coapworkbench"

// runGUI opens the workbench window with the embedded gateway-lite and its field mesh.
func runGUI(stderr io.Writer) int {
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a := fyneapp.NewWithID(AppID)
	a.SetIcon(assets.Icon)
	w := a.NewWindow("CoAP Workbench")
	w.Resize(fyne.NewSize(1100, 720))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := DefaultGatewayOptions()
	e, err := StartEmbedded(ctx, o, logger, true)
	if err != nil {
		logger.Error("embedded gateway did not start", "err", err)
		msg := widget.NewLabel(fmt.Sprintf("The embedded gateway could not start:\n\n%v\n\nFix the cause above and start the workbench again.", err))
		msg.Wrapping = fyne.TextWrapWord
		w.SetContent(msg)
		w.ShowAndRun()
		return ExitFailure
	}
	defer e.Close()
	// The workbench opens the history now, so that a second running workbench learns at
	// once that it runs without one (and the window says so).
	wb := workbench.Open(workbench.Options{DataDir: o.DataDir, Logger: logger})
	defer wb.Close()

	summary := gatewaySummary(e)
	summary.History, summary.HistoryWarning = historySummary(wb)
	screen := views.NewGatewayScreen(summary)
	w.SetContent(screen.Object())
	stop := forwardTraffic(e.Traffic, screen)
	defer stop()
	w.ShowAndRun()
	return ExitOK
}

func gatewaySummary(e *Embedded) views.GatewaySummary {
	s := views.GatewaySummary{
		Listen:        e.Gateway.Addr().String(),
		TokenEndpoint: e.Gateway.TokenEndpoint(),
		Domain:        e.Mesh.Domain(),
		Profile:       e.Mesh.Profile().Name,
		Note:          e.PortNote,
		LoginCommand:  fmt.Sprintf("coap-workbench token | coap-client-notls -m post -t 0 -f - -p 12345 coap://%s/sessions", e.Gateway.Addr()),
	}
	for _, d := range e.Mesh.Devices() {
		s.Devices = append(s.Devices, views.DeviceRow{Name: d.Name, Type: string(d.Type)})
	}
	return s
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

// forwardTraffic hands the gateway's exchanges to the screen in batches, at most ten times a
// second, so that a flood of traffic costs the UI one refresh per batch, not one per exchange.
func forwardTraffic(bus *traffic.Bus, screen *views.GatewayScreen) func() {
	exchanges, unsubscribe := bus.Subscribe(4096)
	done := make(chan struct{})
	go func() {
		ticker := time.NewTicker(100 * time.Millisecond)
		defer ticker.Stop()
		var batch []views.TrafficLine
		for {
			select {
			case e, ok := <-exchanges:
				if !ok {
					return
				}
				batch = append(batch, trafficLine(e))
			case <-ticker.C:
				if len(batch) == 0 {
					continue
				}
				lines := batch
				batch = nil
				fyne.Do(func() { screen.AddTraffic(lines...) })
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		unsubscribe()
	}
}

func trafficLine(e traffic.Exchange) views.TrafficLine {
	// The path first, then the device by its first label: the part that differs between rows
	// stays visible when the column is narrow.
	target := e.Path + "  on the gateway"
	if e.Target != "" {
		device, _, _ := strings.Cut(e.Target, ".")
		target = e.Path + "  on " + device
	}
	return views.TrafficLine{
		Time: e.Time.Format("15:04:05.000"), Hop: string(e.Hop), Client: clientString(e), Method: e.Method,
		Target: target, Code: coapfmt.CodeString(e.Code), Detail: e.Detail,
	}
}
