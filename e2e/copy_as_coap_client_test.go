//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/coapclient"
)

// TestCopyAsCoapClientRunsAsPasted copies GET /sys/stats?mod=pwr of the seed NIC as the
// window's Copy as coap-client does for the embedded gateway, while the workbench's own client
// holds its port and observes that resource, and runs the copied text with sh -c: it logs in
// and gets the NIC's 48-byte power statistics, and the workbench's own session goes on.
func TestCopyAsCoapClientRunsAsPasted(t *testing.T) {
	g := startGateway(t)
	uri := "coap://" + seedHost + ":4849/sys/stats?mod=pwr"
	// The workbench's own client on the port a copied line would take first: the copied
	// line must choose another.
	ownPort := coapclient.SessionPort
	own := startObserver(t, g, ownPort, uri)

	request := coapclient.Command{Request: coapengine.NewRequest(codes.GET, uri), Gateway: g.addr}
	// What Copy gave before: the request from the workbench's own port, no login.
	before, _ := coapclient.Render(coapclient.Command{Request: request.Request, Gateway: g.addr, LocalPort: ownPort})
	// (libcoap logs to standard output.)
	if stdout, _ := runPasted(t, coapClient+strings.TrimPrefix(before, coapclient.Program)); !strings.Contains(stdout, "Address already in use") {
		t.Fatalf("the workbench's client does not hold port %d: coap-client said %q", ownPort, stdout)
	}

	copied := coapclient.Pasteable{
		Command:       request,
		Login:         coapclient.LoginWithWorkbenchToken,
		WorkbenchPort: ownPort,
		Program:       coapclient.InstalledProgram(),
		Workbench:     binary_,
		DataDir:       g.dataDir,
	}
	text, notes := copied.Render()
	if len(notes) != 0 || copied.Port() == ownPort {
		t.Fatalf("copied from port %d, notes %q:\n%s", copied.Port(), notes, text)
	}
	notificationsBefore := own.count()
	stdout, stderr := runPasted(t, text)

	from := fmt.Sprintf("127.0.0.1:%d", copied.Port())
	if !strings.HasPrefix(stdout, "session created for account dev on "+from) {
		t.Fatalf("pasted:\n%s\nprinted %q, stderr %q: want the login's answer first", text, stdout, stderr)
	}
	// The login's answer is one line of text; the power statistics follow, 48 bytes and the
	// new line coap-client ends its output with.
	_, record, _ := strings.Cut(stdout, "\n")
	if len(record) != 49 || record[48] != '\n' || record[0] != 9 || record[1] != 44 {
		t.Fatalf("pasted:\n%s\nprinted %q after the login: want a 48-byte power-statistics record (type 9, length 44)", text, record)
	}
	if strings.Contains(stderr, "4.01") || strings.Contains(stdout+stderr, "in use") {
		t.Fatalf("pasted:\n%s\nstderr %q", text, stderr)
	}
	if !containsLine(g.lines(), from) || !gatewayAnswered(g, from, "/sys/stats", "2.05") {
		t.Fatalf("the gateway's traffic has no 2.05 for /sys/stats from %s:\n%s", from, strings.Join(g.lines(), "\n"))
	}
	// The copied login did not take the workbench's session: its observation goes on.
	own.waitFor(t, notificationsBefore+2)
}

// gatewayAnswered tells whether the gateway's traffic shows code for a request for path from
// the client address from.
func gatewayAnswered(g *gateway, from, path, code string) bool {
	for _, l := range g.lines() {
		if strings.Contains(l, " "+from+" ") && strings.Contains(l, path) && strings.Contains(l, "→ "+code) {
			return true
		}
	}
	return false
}

// runPasted runs text as a shell runs it pasted, and returns what it printed.
func runPasted(t *testing.T, text string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", text)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if err := cmd.Run(); err != nil && ctx.Err() != nil {
		t.Fatalf("%s: did not finish within 30 s: %s %s", text, out.String(), errOut.String())
	}
	return out.String(), errOut.String()
}

// observer is "coap-workbench observe" running: the workbench's own client, logged in from
// its port and observing a resource.
type observer struct {
	mu    sync.Mutex
	lines []string
	more  chan struct{}
}

func startObserver(t *testing.T, g *gateway, port int, uri string) *observer {
	t.Helper()
	cmd := exec.Command(binary_, "observe", "--no-history", "--data-dir", g.dataDir, "-P", "coap://"+g.addr, "-p", fmt.Sprint(port), uri)
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	o := &observer{more: make(chan struct{}, 1)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			o.mu.Lock()
			o.lines = append(o.lines, scanner.Text())
			o.mu.Unlock()
			select {
			case o.more <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
		_ = cmd.Wait()
	})
	select {
	case <-o.more:
	case <-done:
		t.Fatalf("the workbench's client did not observe from port %d (taken on this computer?): %s", port, stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("the workbench's client printed nothing within 20 s: %s", stderr.String())
	}
	return o
}

func (o *observer) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.lines)
}

// waitFor waits until the observer has printed n lines.
func (o *observer) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for o.count() < n {
		select {
		case <-o.more:
		case <-deadline:
			o.mu.Lock()
			defer o.mu.Unlock()
			t.Fatalf("the workbench's own observation stopped after the pasted login: %d lines, want %d:\n%s", len(o.lines), n, strings.Join(o.lines, "\n"))
		}
	}
}
