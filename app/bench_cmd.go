package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/loadgen"
	"github.com/coap-workbench/coap-workbench/gatewaylite/auth"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
)

type benchOptions struct {
	clients  int
	duration time.Duration
	path     string
	direct   bool
	proxy    string
	noLogin  bool
	target   string
	compare  bool
	quiet    bool
	gateway  GatewayOptions
}

const benchSynopsis = `Measures requests per second and latency of closed-loop clients (one request outstanding each),
each on its own UDP socket with its own gateway session, sending confirmable GETs through
gateway-lite to the simulated devices. The gateway and the mesh run inside this command.

  --direct                    the same load straight to the devices (the baseline)
  --proxy HOST:PORT --no-login --target URI
                              the same load through any other forward proxy, for example
                              libcoap's: coap-server-notls -A 127.0.0.1 -p 5700 -P ",gw"
                              (without --target, client i asks for device i's loopback address)
  --compare                   direct, then gateway-lite, then --proxy if given, with ratios`

func runBench(args []string, stdout, stderr io.Writer) int {
	o := benchOptions{clients: 64, duration: 30 * time.Second, path: "/sys/stats?mod=pwr", gateway: DefaultGatewayOptions()}
	o.gateway.Profile = mesh.Instant.Name
	o.gateway.Listen = "127.0.0.1:0"
	o.gateway.TokenListen = "off"
	fs := newFlagSet("bench", benchSynopsis)
	fs.IntVar(&o.clients, "clients", o.clients, "number of concurrent clients")
	fs.DurationVar(&o.duration, "duration", o.duration, "length of each run")
	fs.StringVar(&o.path, "path", o.path, "device resource every request asks for")
	fs.BoolVar(&o.direct, "direct", false, "send the load straight to the devices, not through a gateway")
	fs.StringVar(&o.proxy, "proxy", "", "send the load through another forward proxy at HOST:PORT")
	fs.BoolVar(&o.noLogin, "no-login", false, "do not log in (a proxy without sessions)")
	fs.StringVar(&o.target, "target", "", "with --proxy: the URI every request asks for (default: a simulated device's loopback address)")
	fs.BoolVar(&o.compare, "compare", false, "run direct, gateway-lite and (with --proxy) the other proxy one after the other, and compare")
	fs.BoolVar(&o.quiet, "quiet", false, "do not print the rate of every second")
	fs.IntVar(&o.gateway.Devices, "devices", 25, "number of simulated devices")
	fs.StringVar(&o.gateway.Profile, "mesh-profile", o.gateway.Profile, "instant or field")
	fs.StringVar(&o.gateway.Listen, "listen", o.gateway.Listen, "UDP address of the gateway under test")
	registerDataDir(fs, &o.gateway.DataDir)
	logger := logFlag(fs)
	if exit, stop := parseFlags(fs, args, stderr); stop {
		return exit
	}
	log, err := logger(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return ExitUsage
	}
	if o.clients < 1 || o.duration < time.Second {
		fmt.Fprintln(stderr, "bench: need --clients ≥ 1 and --duration ≥ 1s")
		return ExitUsage
	}
	var proxyAddr netip.AddrPort
	if o.proxy != "" {
		if proxyAddr, err = netip.ParseAddrPort(o.proxy); err != nil {
			fmt.Fprintf(stderr, "bench: --proxy %q: want IP:PORT: %v\n", o.proxy, err)
			return ExitUsage
		}
	}
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	// The load generator measures the gateway: its own logging would measure the terminal.
	e, err := StartEmbedded(ctx, o.gateway, slog.New(slog.NewTextHandler(io.Discard, nil)), true)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return ExitFailure
	}
	defer e.Close()
	_ = log

	var modes []benchMode
	switch {
	case o.compare:
		modes = []benchMode{modeDirect, modeGateway}
		if o.proxy != "" {
			modes = append(modes, modeProxy)
		}
	case o.direct:
		modes = []benchMode{modeDirect}
	case o.proxy != "":
		modes = []benchMode{modeProxy}
	default:
		modes = []benchMode{modeGateway}
	}
	var results []benchRun
	for _, mode := range modes {
		targets, err := benchTargets(mode, e, o, proxyAddr)
		if err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return ExitFailure
		}
		fmt.Fprintf(stdout, "%s: %d clients for %v, GET %s\n", mode.describe(o), o.clients, o.duration, o.path)
		res, err := loadgen.Run(ctx, loadgen.Config{
			Clients: o.clients, Duration: o.duration, Target: func(i int) loadgen.Target { return targets[i] },
			Second: func(s int, n uint64) {
				if !o.quiet {
					fmt.Fprintf(stdout, "  %3ds %8d req/s\n", s, n)
				}
			},
		})
		if err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return ExitFailure
		}
		printBenchResult(stdout, res, rssMB())
		results = append(results, benchRun{mode: mode.describe(o), res: res})
		if ctx.Err() != nil {
			break
		}
	}
	if len(results) > 1 {
		printComparison(stdout, results)
	}
	for _, r := range results {
		if r.res.Errors+r.res.Timeouts > 0 {
			return ExitFailure
		}
	}
	return ExitOK
}

type benchMode int

const (
	modeDirect benchMode = iota
	modeGateway
	modeProxy
)

func (m benchMode) describe(o benchOptions) string {
	switch m {
	case modeDirect:
		return "direct to the devices"
	case modeProxy:
		return "through the proxy at " + o.proxy
	}
	return "through gateway-lite"
}

type benchRun struct {
	mode string
	res  loadgen.Result
}

func benchTargets(mode benchMode, e *Embedded, o benchOptions, proxy netip.AddrPort) ([]loadgen.Target, error) {
	devices := e.Mesh.Devices()
	targets := make([]loadgen.Target, o.clients)
	var tokens []string
	if mode == modeGateway {
		// One account for the whole load, allowed as many sessions as there are clients.
		if err := e.Gateway.AddAccount(auth.Account{ID: "bench", Devices: []string{"*"}, SessionLimit: o.clients}); err != nil {
			return nil, err
		}
		tok, err := e.Gateway.IssueToken("bench", time.Hour)
		if err != nil {
			return nil, err
		}
		tokens = []string{tok.Raw}
	}
	for i := range targets {
		d := devices[i%len(devices)]
		switch mode {
		case modeDirect:
			targets[i] = loadgen.Target{Server: d.Addr(), Path: o.path}
		case modeGateway:
			targets[i] = loadgen.Target{Server: e.Gateway.Addr(), ProxyURI: "coap://" + d.Name + ":4849" + o.path, Token: tokens[0]}
		case modeProxy:
			uri := o.target
			if uri == "" {
				uri = fmt.Sprintf("coap://%s%s", d.Addr(), o.path)
			}
			targets[i] = loadgen.Target{Server: proxy, ProxyURI: uri}
			if !o.noLogin {
				return nil, fmt.Errorf("--proxy needs --no-login unless the proxy is a gateway with sessions (then leave --proxy out)")
			}
		}
	}
	return targets, nil
}

func printBenchResult(w io.Writer, r loadgen.Result, rss float64) {
	fmt.Fprintf(w, "  %.0f req/s  p50 %v  p90 %v  p99 %v  errors %d  timeouts %d",
		r.Rate(), r.Percentile(50).Round(time.Microsecond), r.Percentile(90).Round(time.Microsecond), r.Percentile(99).Round(time.Microsecond), r.Errors, r.Timeouts)
	if s := r.Steadiness(); s > 0 {
		fmt.Fprintf(w, "  last10s/first10s %.2f", s)
	}
	if rss > 0 {
		fmt.Fprintf(w, "  RSS %.0f MB", rss)
	}
	fmt.Fprintln(w)
}

func printComparison(w io.Writer, runs []benchRun) {
	base := runs[0].res.Rate()
	fmt.Fprintln(w, "\ncomparison (same run, same load generator, same devices):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mode\treq/s\tvs first\tp50\tp99\terrors\tsteadiness\t")
	for _, r := range runs {
		ratio := 0.0
		if base > 0 {
			ratio = r.res.Rate() / base
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%v\t%v\t%d\t%.2f\t\n", r.mode, r.res.Rate(), ratio,
			r.res.Percentile(50).Round(time.Microsecond), r.res.Percentile(99).Round(time.Microsecond), r.res.Errors+r.res.Timeouts, r.res.Steadiness())
	}
	tw.Flush()
	if len(runs) == 3 && runs[2].res.Rate() > 0 {
		fmt.Fprintf(w, "gateway-lite / other proxy: %.2f\n", runs[1].res.Rate()/runs[2].res.Rate())
	}
}

// rssMB is this process's resident memory in MB (Linux), 0 when unknown.
func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmRSS:")), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}
