package app

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/coapclient"
	"github.com/coap-workbench/coap-workbench/coapengine/history"
	"github.com/coap-workbench/coap-workbench/coapengine/workbench"
	"github.com/coap-workbench/coap-workbench/gatewaylite"
)

// Exit statuses of the commands that talk to a gateway, beyond ExitOK, ExitFailure and
// ExitUsage.
const (
	// ExitNetwork: no answer, no session (log in again), or an error answered by the
	// gateway itself (4.01, 5.02, 5.04, 5.05, 5.08).
	ExitNetwork = 4
	// ExitClientError: the device (or server) answered 4.xx.
	ExitClientError = 5
	// ExitServerError: the device (or server) answered 5.xx.
	ExitServerError = 6
)

const exitStatusHelp = "Exit status: 0 success; 1 failure; 3 usage error; 4 network or gateway error (no answer, no session,\n" +
	"or an error the gateway answered itself: 4.01, 5.02, 5.04...); 5 the device answered 4.xx; 6 it answered 5.xx."

// exitFor is the exit status of an exchange.
func exitFor(x coapengine.Exchange, err error) int {
	switch {
	case err != nil || x.Response == nil:
		return ExitNetwork
	case x.OK():
		return ExitOK
	case x.AnsweredBy == coapengine.AnsweredByGateway:
		return ExitNetwork
	case history.ClassOf(x.Code()) == history.ClientError:
		return ExitClientError
	default:
		return ExitServerError
	}
}

// ClientSecretEnv holds the client secret, so that it stays out of the shell's history.
const ClientSecretEnv = "COAP_WORKBENCH_CLIENT_SECRET"

// connectionFlags are how the headless commands reach devices, and where they record.
type connectionFlags struct {
	gateway      string
	gatewaySet   bool
	direct       bool
	localPort    int
	sticky       bool
	proxyScheme  bool
	token        string
	tokenURL     string
	clientID     string
	clientSecret string
	account      string
	profile      string
	dataDir      string
	noHistory    bool
	logLevel     func(io.Writer) (*slog.Logger, error)
}

func (f *connectionFlags) register(fs *flag.FlagSet) {
	f.gateway = gatewaylite.DefaultListen
	f.dataDir = gatewaylite.DefaultDataDir()
	gatewayFlag := func(v string) error {
		gw, err := coapclient.ParseProxy(v)
		if err != nil {
			return err
		}
		f.gateway, f.gatewaySet = gw, true
		return nil
	}
	fs.Func("gateway", "the gateway, HOST[:PORT] (default "+gatewaylite.DefaultListen+": a gateway-lite started with `coap-workbench gateway`)", gatewayFlag)
	fs.Func("P", "the gateway as coap-client writes it, coap://HOST[:PORT] (same as --gateway)", gatewayFlag)
	fs.BoolVar(&f.direct, "direct", false, "no gateway: send to a plain CoAP server at the URI's host")
	fs.IntVar(&f.localPort, "p", 0, "the client's local UDP port, as coap-client -p (the gateway binds the session to it; 0: any)")
	fs.BoolVar(&f.sticky, "sticky", false, "log in with ?sticky=true: the session follows the account, not the socket")
	fs.BoolVar(&f.proxyScheme, "proxy-scheme", false, "name the target with Proxy-Scheme, Uri-Host, Uri-Port and Uri-Path instead of Proxy-Uri")
	fs.StringVar(&f.token, "token", "", "log in with this token (\"-\": read it from standard input)")
	fs.StringVar(&f.tokenURL, "token-url", "", "get tokens from this URL (Starfish's POST /api/tokens), with --client-id and --client-secret")
	fs.StringVar(&f.clientID, "client-id", "", "client id for --token-url")
	fs.StringVar(&f.clientSecret, "client-secret", "", "client secret for --token-url (or set "+ClientSecretEnv+")")
	fs.StringVar(&f.account, "account", "dev", "without --token or --token-url, a gateway on this computer is logged in to with a token\nsigned with the key in --data-dir, for this account")
	fs.StringVar(&f.profile, "profile", "cli", "profile name recorded in the history")
	fs.StringVar(&f.dataDir, "data-dir", f.dataDir, "data directory: the history (history.db), and the local gateway's key")
	fs.BoolVar(&f.noHistory, "no-history", false, "do not record the exchanges in the history")
	f.logLevel = logFlagDefault(fs, "warn")
}

// profileOf builds the profile the flags describe.
func (f *connectionFlags) profileOf(stdin io.Reader) (coapengine.Profile, error) {
	p := coapengine.Profile{Name: f.profile, LocalPort: f.localPort, Sticky: f.sticky}
	if f.localPort < 0 || f.localPort > 65535 {
		return p, fmt.Errorf("-p %d: a UDP port is 0 to 65535", f.localPort)
	}
	if f.proxyScheme {
		p.Form = coapengine.ProxySchemeForm
	}
	if f.direct {
		if f.gatewaySet || f.token != "" || f.tokenURL != "" {
			return p, errors.New("--direct sends without a gateway: drop --gateway, -P, --token and --token-url")
		}
		return p, nil
	}
	p.Gateway = f.gateway
	switch {
	case f.token != "" && f.tokenURL != "":
		return p, errors.New("give --token or --token-url, not both")
	case f.token == "-":
		raw, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return p, fmt.Errorf("cannot read the token from standard input: %w", err)
		}
		if raw = strings.TrimSpace(raw); raw == "" {
			return p, errors.New("--token -: standard input held no token")
		}
		p.Tokens = coapengine.PastedToken(raw)
	case f.token != "":
		p.Tokens = coapengine.PastedToken(f.token)
	case f.tokenURL != "":
		secret := f.clientSecret
		if secret == "" {
			secret = os.Getenv(ClientSecretEnv)
		}
		if f.clientID == "" || secret == "" {
			return p, fmt.Errorf("--token-url needs --client-id and --client-secret (or %s)", ClientSecretEnv)
		}
		p.Tokens = coapengine.TokenURL{URL: f.tokenURL, ClientID: f.clientID, ClientSecret: secret}
	case isLoopback(f.gateway):
		tokens, err := localIssuer(f.dataDir, f.account)
		if err != nil {
			return p, err
		}
		p.Tokens = tokens // nil without a local key: requests will say that a login is needed
	}
	return p, nil
}

func isLoopback(hostPort string) bool {
	host, _, err := net.SplitHostPort(hostPort)
	if err != nil {
		host = hostPort
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// session is a workbench with one connected profile, for one headless command.
type session struct {
	wb   *workbench.Workbench
	conn *coapengine.Connection
}

// open starts the workbench (warning on stderr when the history is not available) and
// connects the flags' profile. The status is non-zero when the command must stop.
func (f *connectionFlags) open(ctx context.Context, name string, stdin io.Reader, stderr io.Writer) (*session, int) {
	logger, err := f.logLevel(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return nil, ExitUsage
	}
	p, err := f.profileOf(stdin)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return nil, ExitUsage
	}
	wb := workbench.Open(workbench.Options{DataDir: f.dataDir, NoHistory: f.noHistory, Logger: logger})
	if n := wb.HistoryNotice(); n != "" {
		fmt.Fprintf(stderr, "%s: %s\n", name, n)
	}
	conn, err := wb.Connect(ctx, p)
	if err != nil {
		wb.Close()
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return nil, ExitNetwork
	}
	return &session{wb: wb, conn: conn}, ExitOK
}

// close logs out and commits the history.
func (s *session) close(name string, stderr io.Writer) {
	if err := s.wb.Close(); err != nil {
		fmt.Fprintf(stderr, "%s: the history: %v\n", name, err)
	}
}

// parseInterspersed parses flags that may come before and after the positional arguments
// (as coap-client takes them), and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string, stderr io.Writer) (positional []string, exit int, stop bool) {
	fs.SetOutput(stderr)
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, ExitOK, true
			}
			return nil, ExitUsage, true
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, 0, false
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), 0, false
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// secondsOrDuration reads coap-client's whole seconds ("5") or a duration ("1.5s", "2m").
func secondsOrDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		n, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil {
			return 0, fmt.Errorf("%q: give seconds (5) or a duration (1.5s, 2m)", v)
		}
		d = time.Duration(n * float64(time.Second))
	}
	if d < 0 {
		return 0, fmt.Errorf("%q: a time cannot be negative", v)
	}
	return d, nil
}
