package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
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
	token    string
	target   string
	names    bool
	compare  bool
	quiet    bool
	rate     float64
	cpuProf  string
	memProf  string
	gateway  GatewayOptions
}

const benchSynopsis = `Measures requests per second and latency of closed-loop clients (one request outstanding each),
each on its own UDP socket with its own gateway session, sending confirmable GETs through
gateway-lite to simulated devices. Unless told otherwise the gateway and the mesh run inside
this command, with the instant profile.

  --direct                    the same load straight to the devices (the baseline)
  --proxy HOST:PORT --no-login --target URI
                              the same load through any other forward proxy, for example
                              libcoap's: coap-server-notls -A 127.0.0.1 -p 5700 -P ",gw"
                              (without --target, client i asks for device i's loopback address)
  --proxy HOST:PORT --token TOKEN --names
                              the load through a gateway-lite running in another process (its
                              account needs a session limit of at least --clients); --names
                              addresses the devices of the mesh --devices, --seed, --domain plan
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
	fs.BoolVar(&o.noLogin, "no-login", false, "with --proxy: do not log in (a proxy without sessions)")
	fs.StringVar(&o.token, "token", "", "with --proxy: log every client in with this token (a gateway with sessions)")
	fs.StringVar(&o.target, "target", "", "with --proxy: the URI every request asks for")
	fs.BoolVar(&o.names, "names", false, "with --proxy: client i asks for device i of the planned mesh, by host name")
	fs.BoolVar(&o.compare, "compare", false, "run direct, gateway-lite and (with --proxy) the other proxy one after the other, and compare")
	fs.BoolVar(&o.quiet, "quiet", false, "do not print the rate of every second")
	fs.Float64Var(&o.rate, "rate", 0, "requests per second per client (0: as fast as answers come, a closed loop)")
	fs.StringVar(&o.cpuProf, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	fs.StringVar(&o.memProf, "memprofile", "", "write a heap profile at the end of the run to this file")
	fs.StringVar(&o.gateway.Listen, "listen", o.gateway.Listen, "UDP address of the in-process gateway")
	registerDataDir(fs, &o.gateway.DataDir)
	o.gateway.registerMesh(fs)
	if exit, stop := parseFlags(fs, args, stderr); stop {
		return exit
	}
	modes, proxyAddr, err := o.plan()
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return ExitUsage
	}
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()

	var e *Embedded
	if o.needsEmbedded(modes) {
		// The load generator measures the gateway: logging every exchange would measure the
		// terminal instead.
		e, err = StartEmbedded(ctx, o.gateway, slog.New(slog.NewTextHandler(io.Discard, nil)), true)
		if err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return ExitFailure
		}
		defer e.Close()
	}
	if o.cpuProf != "" {
		stopProfile, err := startCPUProfile(o.cpuProf)
		if err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return ExitFailure
		}
		defer stopProfile()
	}
	if o.memProf != "" {
		defer writeHeapProfile(o.memProf, stderr)
	}

	var results []benchRun
	for _, mode := range modes {
		targets, err := o.targets(mode, e, proxyAddr)
		if err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return ExitFailure
		}
		fmt.Fprintf(stdout, "%s: %d clients for %v, GET %s\n", o.describe(mode), o.clients, o.duration, o.path)
		res, err := loadgen.Run(ctx, loadgen.Config{
			Clients: o.clients, Duration: o.duration, Rate: o.rate, Target: func(i int) loadgen.Target { return targets[i] },
			Second: func(s int, n uint64) {
				if !o.quiet {
					fmt.Fprintf(stdout, "  %3ds %8d req/s\n", s, n)
				}
			},
		})
		if err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintln(stderr, "bench:", err)
			return ExitFailure
		}
		printBenchResult(stdout, res)
		results = append(results, benchRun{mode: o.describe(mode), res: res})
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

func (o benchOptions) plan() ([]benchMode, netip.AddrPort, error) {
	if o.clients < 1 || o.duration < time.Second {
		return nil, netip.AddrPort{}, errors.New("need --clients ≥ 1 and --duration ≥ 1s")
	}
	var proxy netip.AddrPort
	if o.proxy != "" {
		var err error
		if proxy, err = netip.ParseAddrPort(o.proxy); err != nil {
			return nil, proxy, fmt.Errorf("--proxy %q: want IP:PORT: %v", o.proxy, err)
		}
		if o.token == "" && !o.noLogin {
			return nil, proxy, errors.New("--proxy needs --token (a gateway with sessions) or --no-login (a proxy without)")
		}
	}
	switch {
	case o.compare && o.proxy != "":
		return []benchMode{modeDirect, modeGateway, modeProxy}, proxy, nil
	case o.compare:
		return []benchMode{modeDirect, modeGateway}, proxy, nil
	case o.direct:
		return []benchMode{modeDirect}, proxy, nil
	case o.proxy != "":
		return []benchMode{modeProxy}, proxy, nil
	}
	return []benchMode{modeGateway}, proxy, nil
}

func (o benchOptions) needsEmbedded(modes []benchMode) bool {
	for _, m := range modes {
		if m != modeProxy || (o.target == "" && !o.names) {
			return true
		}
	}
	return false
}

func (o benchOptions) describe(m benchMode) string {
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

func (o benchOptions) targets(mode benchMode, e *Embedded, proxy netip.AddrPort) ([]loadgen.Target, error) {
	targets := make([]loadgen.Target, o.clients)
	switch mode {
	case modeDirect:
		devices := e.Mesh.Devices()
		for i := range targets {
			targets[i] = loadgen.Target{Server: devices[i%len(devices)].Addr(), Path: o.path}
		}
	case modeGateway:
		// One account for the whole load, allowed as many sessions as there are clients.
		if err := e.Gateway.AddAccount(auth.Account{ID: "bench", Devices: []string{"*"}, SessionLimit: o.clients}); err != nil {
			return nil, err
		}
		tok, err := e.Gateway.IssueToken("bench", time.Hour)
		if err != nil {
			return nil, err
		}
		devices := e.Mesh.Devices()
		for i := range targets {
			targets[i] = loadgen.Target{Server: e.Gateway.Addr(), ProxyURI: "coap://" + devices[i%len(devices)].Name + ":4849" + o.path, Token: tok.Raw}
		}
	case modeProxy:
		var names []string
		if o.names {
			cfg, _, err := o.gateway.meshConfig(nil, nil)
			if err != nil {
				return nil, err
			}
			for _, d := range mesh.Plan(cfg) {
				names = append(names, d.Name)
			}
		}
		for i := range targets {
			uri := o.target
			switch {
			case uri != "":
			case o.names:
				uri = "coap://" + names[i%len(names)] + ":4849" + o.path
			default:
				devices := e.Mesh.Devices()
				uri = fmt.Sprintf("coap://%s%s", devices[i%len(devices)].Addr(), o.path)
			}
			targets[i] = loadgen.Target{Server: proxy, ProxyURI: uri, Token: o.token}
		}
	}
	return targets, nil
}

func printBenchResult(w io.Writer, r loadgen.Result) {
	fmt.Fprintf(w, "  %.0f req/s  p50 %v  p90 %v  p99 %v  errors %d  timeouts %d",
		r.Rate(), r.Percentile(50).Round(time.Microsecond), r.Percentile(90).Round(time.Microsecond), r.Percentile(99).Round(time.Microsecond), r.Errors, r.Timeouts)
	if s := r.Steadiness(); s > 0 {
		fmt.Fprintf(w, "  last10s/first10s %.2f", s)
	}
	if rss := rssMB(); rss > 0 {
		fmt.Fprintf(w, "  RSS of this process %.0f MB", rss)
	}
	fmt.Fprintln(w)
}

func printComparison(w io.Writer, runs []benchRun) {
	base := runs[0].res.Rate()
	fmt.Fprintln(w, "\ncomparison (same run, same load generator, same devices):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mode\treq/s\tvs first\tp50\tp99\terrors\tlast10s/first10s\t")
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
	return ProcessRSSMB("self")
}

// ProcessRSSMB reads the resident memory of a process ("self" or a pid) in MB, 0 when unknown.
func ProcessRSSMB(pid string) float64 {
	b, err := os.ReadFile("/proc/" + pid + "/status")
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

func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func writeHeapProfile(path string, stderr io.Writer) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
	}
}
