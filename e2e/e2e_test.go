//go:build e2e

// Package e2e runs the contract's §8 examples, verbatim but for host names and ports, with
// libcoap's real coap-client against the real coap-workbench binary's gateway command, over
// UDP on loopback. Run with: go test -tags e2e ./e2e/
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const seedHost = "SSN001350050005E7D6.sim.starfish.test"

var (
	binary_    string
	coapClient string
)

func TestMain(m *testing.M) {
	var err error
	if coapClient, err = exec.LookPath("coap-client-notls"); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: coap-client-notls not found: install libcoap3-bin (make test does)")
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "coap-workbench-e2e")
	if err != nil {
		panic(err)
	}
	binary_ = filepath.Join(dir, "coap-workbench")
	// The headless build of the same program: the gateway command does not need a display.
	build := exec.Command("go", "build", "-tags", "ci,migrated_fynedo", "-o", binary_, "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: cannot build coap-workbench: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// freeUDPPort returns a port no one listens on right now.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// gateway is a running "coap-workbench gateway" process.
type gateway struct {
	addr    string
	dataDir string
	mu      sync.Mutex
	output  []string
}

func startGateway(t *testing.T) *gateway {
	t.Helper()
	g := &gateway{dataDir: t.TempDir()}
	port := freeUDPPort(t)
	g.addr = fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(binary_, "gateway", "--listen", g.addr, "--token-listen", "off", "--data-dir", g.dataDir,
		"--mesh-profile", "instant", "--notify-period", "1s", "--traffic")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	go func() {
		scanner := bufio.NewScanner(stdout)
		once := sync.Once{}
		for scanner.Scan() {
			g.mu.Lock()
			g.output = append(g.output, scanner.Text())
			g.mu.Unlock()
			if strings.Contains(scanner.Text(), "listening on udp") {
				once.Do(func() { close(ready) })
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("gateway did not stop cleanly on SIGINT: %v", err)
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("gateway did not stop within 10 s of SIGINT")
		}
	})
	select {
	case <-ready:
	case <-time.After(20 * time.Second):
		t.Fatalf("gateway did not start:\n%s", strings.Join(g.lines(), "\n"))
	}
	return g
}

func (g *gateway) lines() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.output...)
}

func (g *gateway) token(t *testing.T) string {
	t.Helper()
	out, err := exec.Command(binary_, "token", "--data-dir", g.dataDir).Output()
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// coap runs coap-client-notls with args (and stdin) and returns what it printed.
func coap(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, coapClient, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("coap-client %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

func port(p int) string { return fmt.Sprint(p) }

func TestContractExamplesWithLibcoap(t *testing.T) {
	g := startGateway(t)
	proxy := "coap://" + g.addr
	helpPort, sessionPort, strangerPort := freeUDPPort(t), freeUDPPort(t), freeUDPPort(t)

	help := coap(t, "", "-m", "get", "-p", port(helpPort), "coap://"+g.addr+"/help")
	if !strings.Contains(help, "To login, send POST to /sessions") || !strings.Contains(help, "'&sticky=true'") ||
		!strings.Contains(help, "To logout, send DELETE to /sessions.") || !strings.Contains(help, "To echo a payload, send POST to /echo.") {
		t.Fatalf("/help:\n%s", help)
	}

	login := coap(t, g.token(t), "-m", "post", "-t", "0", "-f", "-", "-p", port(sessionPort), "coap://"+g.addr+"/sessions")
	if !strings.Contains(login, "session created for account dev") {
		t.Fatalf("login:\n%s", login)
	}

	core := coap(t, "", "-m", "get", "-p", port(sessionPort), "-P", proxy, "coap://"+seedHost+":4849/.well-known/core")
	for _, want := range []string{"</sys/stats?mod=pwr>", "</snsr/sys/time>", "</snsr/arduino/temp?sens>"} {
		if !strings.Contains(core, want) {
			t.Fatalf(".well-known/core lacks %s:\n%s", want, core)
		}
	}

	if dummy := coap(t, "", "-m", "get", "-p", port(sessionPort), "-P", proxy, "coap://"+seedHost+":4849/dummy"); !strings.HasPrefix(dummy, "5.01") {
		t.Fatalf("/dummy: %q, want 5.01", dummy)
	}

	gen5 := firstGen5(t)
	if now := coap(t, "", "-m", "get", "-p", port(sessionPort), "-P", proxy, "coap://"+gen5+":4849/time"); !strings.HasPrefix(now, time.Now().UTC().Format("2006-01-02T")) {
		t.Fatalf("Gen5 /time: %q", now)
	}
	if gpio := coap(t, "", "-m", "get", "-p", port(sessionPort), "-P", proxy, "coap://"+gen5+":4849/gpio"); !strings.Contains(gpio, `"pin":0`) {
		t.Fatalf("Gen5 /gpio: %q", gpio)
	}
	if milliTime := coap(t, "", "-m", "get", "-p", port(sessionPort), "-P", proxy, "coap://"+seedHost+":4849/time"); !strings.HasPrefix(milliTime, "5.01") {
		t.Fatalf("Milli /time: %q, want 5.01", milliTime)
	}

	observeThroughTheGateway(t, g, proxy, sessionPort)

	if stranger := coap(t, "", "-m", "get", "-p", port(strangerPort), "-P", proxy, "coap://"+seedHost+":4849/.well-known/core"); !strings.HasPrefix(stranger, "4.01") {
		t.Fatalf("without a session: %q, want 4.01", stranger)
	}
	if out := coap(t, "", "-m", "delete", "-p", port(sessionPort), "coap://"+g.addr+"/sessions"); strings.TrimSpace(out) != "" {
		t.Fatalf("logout printed %q (a 2.02 has no payload)", out)
	}
	if out := coap(t, "", "-m", "delete", "-p", port(sessionPort), "coap://"+g.addr+"/sessions"); !strings.HasPrefix(out, "4.12") {
		t.Fatalf("second logout: %q, want 4.12", out)
	}
	if after := coap(t, "", "-m", "get", "-p", port(sessionPort), "-P", proxy, "coap://"+seedHost+":4849/"); !strings.HasPrefix(after, "4.01") {
		t.Fatalf("after logout: %q, want 4.01", after)
	}
	// The gateway's own log names every exchange, with the 2.02 of the logout.
	if !containsLine(g.lines(), "DELETE /sessions → 2.02") {
		t.Fatalf("traffic lacks the logout:\n%s", strings.Join(g.lines(), "\n"))
	}
}

// observeThroughTheGateway observes the NIC's power statistics for 4 s with coap-client -s:
// the first answer and the notifications arrive, each a 48-byte record with time going
// forward; when coap-client leaves, so does the gateway's upstream observation.
func observeThroughTheGateway(t *testing.T, g *gateway, proxy string, sessionPort int) {
	out := filepath.Join(t.TempDir(), "pwr.bin")
	coap(t, "", "-m", "get", "-s", "4", "-o", out, "-p", port(sessionPort), "-P", proxy, "coap://"+seedHost+":4849/sys/stats?mod=pwr")
	records, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(records)%48 != 0 || len(records)/48 < 3 {
		t.Fatalf("observation wrote %d bytes: want at least 3 records of 48", len(records))
	}
	var lastTotal uint32
	for i := 0; i < len(records); i += 48 {
		rec := records[i : i+48]
		total := binary.BigEndian.Uint32(rec[4:])
		if rec[0] != 9 || rec[1] != 44 || total <= lastTotal {
			t.Fatalf("record %d: type %d length %d total_time %d after %d", i/48, rec[0], rec[1], total, lastTotal)
		}
		lastTotal = total
	}
	// coap-client deregisters when -s ends; then no notification may be relayed any more.
	time.Sleep(500 * time.Millisecond)
	before := countLines(g.lines(), "notify ")
	if before < 3 {
		t.Fatalf("the gateway relayed %d notifications in 4 s of observation", before)
	}
	time.Sleep(2500 * time.Millisecond)
	if after := countLines(g.lines(), "notify "); after != before {
		t.Fatalf("%d notifications relayed after coap-client left: the observation was not cancelled", after-before)
	}
}

func firstGen5(t *testing.T) string {
	t.Helper()
	out, err := exec.Command(binary_, "gateway", "--list-devices").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if fields := strings.Fields(line); len(fields) == 2 && fields[1] == "Gen5" {
			return fields[0]
		}
	}
	t.Fatal("no Gen5 NIC in the default mesh")
	return ""
}

func containsLine(lines []string, fragment string) bool {
	return countLines(lines, fragment) > 0
}

func countLines(lines []string, fragment string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, fragment) {
			n++
		}
	}
	return n
}
