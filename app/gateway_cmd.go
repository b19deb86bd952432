package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/gatewaylite"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	"github.com/coap-workbench/coap-workbench/gatewaylite/traffic"
	"github.com/coap-workbench/coap-workbench/internal/coapfmt"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

func runGateway(args []string, stdout, stderr io.Writer) int {
	o := DefaultGatewayOptions()
	fs := newFlagSet("gateway", "Runs gateway-lite, a Starfish CoAP gateway (forward proxy with sessions), and its simulated\nmesh of NICs and Device ICs in the foreground, until interrupted (Ctrl+C).")
	o.register(fs)
	list := fs.Bool("list-devices", false, "print every simulated device's host name and NIC type, and exit")
	showTraffic := fs.Bool("traffic", false, "print every exchange the gateway handles")
	pprofAddr := fs.String("pprof", "", "serve Go's profiling endpoints (/debug/pprof/) on this loopback address, e.g. 127.0.0.1:6060")
	logger := logFlag(fs)
	if exit, stop := parseFlags(fs, args, stderr); stop {
		return exit
	}
	log, err := logger(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "gateway:", err)
		return ExitUsage
	}
	if *list {
		cfg, _, err := o.meshConfig(nil, log)
		if err != nil {
			fmt.Fprintln(stderr, "gateway:", err)
			return ExitUsage
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		for _, d := range mesh.Plan(cfg) {
			fmt.Fprintf(tw, "%s\t%s\n", d.Name, d.Type)
		}
		tw.Flush()
		return ExitOK
	}
	if *pprofAddr != "" {
		if err := servePprof(*pprofAddr); err != nil {
			fmt.Fprintln(stderr, "gateway:", err)
			return ExitUsage
		}
	}
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	e, err := StartEmbedded(ctx, o, log, false)
	if err != nil {
		fmt.Fprintln(stderr, "gateway:", err)
		return ExitFailure
	}
	defer e.Close()
	printGatewayBanner(stdout, e, o)
	if *showTraffic {
		exchanges, unsubscribe := e.Traffic.Subscribe(1024)
		defer unsubscribe()
		go printTraffic(stdout, exchanges)
	}
	<-ctx.Done()
	fmt.Fprintln(stdout, "gateway-lite: stopping")
	return ExitOK
}

func printGatewayBanner(w io.Writer, e *Embedded, o GatewayOptions) {
	g := e.Gateway
	fmt.Fprintf(w, "gateway-lite %s listening on udp %s\n", Build().Version, g.Addr())
	if e.PortNote != "" {
		fmt.Fprintln(w, "note:", e.PortNote)
	}
	if url := g.TokenEndpoint(); url != "" {
		fmt.Fprintf(w, "token endpoint: POST %s  (clientId \"dev\", secret in %s)\n", url, filepath.Join(o.DataDir, gatewaylite.DevSecretFile))
	}
	devices := e.Mesh.Devices()
	fmt.Fprintf(w, "mesh: %d devices in %s, profile %s\n", len(devices), e.Mesh.Domain(), e.Mesh.Profile().Name)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, d := range devices[:min(len(devices), 6)] {
		fmt.Fprintf(tw, "  %s\t%s\n", d.Name, d.Type)
	}
	tw.Flush()
	if len(devices) > 6 {
		fmt.Fprintf(w, "  ... and %d more (coap-workbench gateway --list-devices)\n", len(devices)-6)
	}
	shell := newCoapClientCopier(e).embedded(e)
	shell.Request = coapengine.NewRequest(codes.GET, "coap://"+devices[0].Name+":4849/.well-known/core")
	then, _ := shell.RequestLine()
	fmt.Fprintf(w, "get a token: %s\n", shell.TokenLine())
	fmt.Fprintf(w, "log in:      %s\n", shell.LoginLine())
	fmt.Fprintf(w, "then:        %s\n", then)
}

func printTraffic(w io.Writer, exchanges <-chan traffic.Exchange) {
	for e := range exchanges {
		line := fmt.Sprintf("%s %-7s %-21s %-8s %-6s %s%s → %s",
			e.Time.Format("15:04:05.000"), e.Hop, clientString(e), e.Account, e.Method, targetPrefix(e), e.Path, coapfmt.CodeString(e.Code))
		if e.UpstreamRTT > 0 {
			line += fmt.Sprintf(" (%v)", e.UpstreamRTT.Round(100*time.Microsecond))
		}
		if e.Detail != "" {
			line += "  " + e.Detail
		}
		fmt.Fprintln(w, line)
	}
}

func clientString(e traffic.Exchange) string {
	if e.Client.IsValid() {
		return e.Client.String()
	}
	return "-"
}

func targetPrefix(e traffic.Exchange) string {
	if e.Target == "" {
		return ""
	}
	return e.Target
}
