package app

import (
	"os"
	"os/exec"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/coapclient"
	"github.com/coap-workbench/coap-workbench/gatewaylite"
)

// coapClientCopier writes what "Copy as coap-client" puts on the clipboard: the lines that
// run a request as pasted into a terminal, with the login its gateway needs.
type coapClientCopier struct {
	// Program is libcoap's coap-client as the lines name it: the one on this computer's
	// PATH (coapclient.InstalledProgram). A setting may replace it.
	Program string
	// workbench runs this program for "coap-workbench token".
	workbench string
	// dataDir is the embedded gateway's data directory, "" when it is the default.
	dataDir string
}

// newCoapClientCopier is the copier for a window whose embedded gateway is e (nil when it
// did not start).
func newCoapClientCopier(e *Embedded) *coapClientCopier {
	c := &coapClientCopier{Program: coapclient.InstalledProgram(), workbench: workbenchCommand()}
	if e != nil && e.DataDir != gatewaylite.DefaultDataDir() {
		c.dataDir = e.DataDir
	}
	return c
}

// Lines are the lines that send req (observing for observe, when not 0) as the profile of
// conn does, and notes on what they cannot express exactly or what to do first. conn is nil
// when the profile is not connected: the lines then send straight to the URI's host.
//
// A connection to the embedded gateway logs in with "coap-workbench token", one with a token
// source with $TOKEN, one without sends the request alone; the lines never take conn's own
// client port.
func (c *coapClientCopier) Lines(conn *coapengine.Connection, req coapengine.Request, observe time.Duration) (string, []string) {
	p := c.pasteable(conn)
	p.Request, p.Observe = req, observe
	return p.Render()
}

// EmbeddedLoginLine is the line that logs in to the embedded gateway e from a terminal, from
// the port the copied requests use.
func (c *coapClientCopier) EmbeddedLoginLine(e *Embedded) string {
	return c.embedded(e).LoginLine()
}

// embedded is what c writes for requests through the embedded gateway e, before the
// workbench connects to it.
func (c *coapClientCopier) embedded(e *Embedded) coapclient.Pasteable {
	p := c.pasteable(nil)
	p.Gateway, p.Login = e.Gateway.Addr().String(), coapclient.LoginWithWorkbenchToken
	return p
}

// pasteable is what c writes for conn, without the request.
func (c *coapClientCopier) pasteable(conn *coapengine.Connection) coapclient.Pasteable {
	p := coapclient.Pasteable{Program: c.Program, Workbench: c.workbench, DataDir: c.dataDir}
	if conn == nil {
		return p
	}
	profile := conn.Profile()
	p.Gateway = profile.Gateway
	p.WorkbenchPort = int(conn.LocalAddr().Port())
	switch {
	case profile.Name == EmbeddedProfile:
		p.Login = coapclient.LoginWithWorkbenchToken
	case profile.Tokens != nil:
		p.Login = coapclient.LoginWithTokenVariable
	}
	return p
}

// workbenchCommand is how a shell on this computer runs this program: coap-workbench when that
// name on PATH is this program, else its path.
func workbenchCommand() string {
	const name = "coap-workbench"
	self, err := os.Executable()
	if err != nil {
		return name
	}
	if onPath, err := exec.LookPath(name); err == nil && sameFile(onPath, self) {
		return name
	}
	return self
}

func sameFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}
