package coapclient

import (
	"net"
	"os/exec"
	"strconv"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

// SessionPort is the client port a pasted line logs in and sends from: 12345, the port of the
// developer pages and the README's examples.
//
// One fixed port, not one the system picks: a Starfish session belongs to the client's IP and
// port, so the login and the request must share theirs, and a new port at every paste would
// leave a session behind each time (a session lives 4 h when idle) until the account's limit
// of 10 turns the next login away with 4.03. From one port, every login replaces the last.
const SessionPort = 12345

// DebianProgram is libcoap's coap-client as Debian and Ubuntu install it (package
// libcoap3-bin, the README's way), the name Pasteable writes when its Program is empty.
const DebianProgram = "coap-client-notls"

// InstalledProgram is the name of libcoap's coap-client on this computer's PATH: coap-client
// where it is installed under that name (libcoap's own install, Homebrew), else Debian's
// coap-client-notls, which is also the answer when neither is installed.
func InstalledProgram() string {
	for _, name := range []string{Program, DebianProgram} {
		if _, err := exec.LookPath(name); err == nil {
			return name
		}
	}
	return DebianProgram
}

// Login says how a pasted line logs in to its gateway before the request.
type Login int

const (
	// NoLogin: the line sends the request alone, as for a device reached directly or a
	// plain CoAP proxy.
	NoLogin Login = iota
	// LoginWithWorkbenchToken: the gateway is the workbench's embedded gateway-lite, and
	// "coap-workbench token" signs a token with its key.
	LoginWithWorkbenchToken
	// LoginWithTokenVariable: a Starfish gateway whose token the workbench cannot print; the
	// line posts the shell variable $TOKEN, which the user sets first.
	LoginWithTokenVariable
)

// Pasteable is a request as "Copy as coap-client" puts it on the clipboard: shell lines that
// run as pasted into a terminal while the workbench runs. Its login is never sticky, so that
// it cannot take the workbench's own session away.
type Pasteable struct {
	// Command is the request with its Gateway (the profile's host:port, "" to send directly)
	// and Observe. Its LocalPort is not used: Port chooses the port.
	Command
	// Login is how the line logs in first; a line without a Gateway never logs in.
	Login Login
	// WorkbenchPort is the workbench's own client port, held by its socket while it runs: the
	// line never takes it (libcoap would stop with "Address already in use").
	WorkbenchPort int
	// Program is the name or path of libcoap's coap-client; "" writes DebianProgram.
	// InstalledProgram finds the name on this computer.
	Program string
	// Workbench is how to run coap-workbench for "coap-workbench token" (a name on PATH or a
	// path); "" writes coap-workbench.
	Workbench string
	// DataDir is the embedded gateway's data directory, given to "coap-workbench token" as
	// --data-dir so that the token is signed with that gateway's key; "" for the default.
	DataDir string
}

// logsIn tells whether the line logs in before its request.
func (p Pasteable) logsIn() bool {
	return p.Login != NoLogin && p.Gateway != ""
}

// Port is the client port of the line: SessionPort, or the first port above it that is
// neither the workbench's own nor the gateway's; 0 (coap-client picks one) when the line does
// not log in, since nothing then binds the request to a port.
func (p Pasteable) Port() int {
	if !p.logsIn() {
		return 0
	}
	gatewayPort := 0
	if _, port, err := net.SplitHostPort(p.Gateway); err == nil {
		gatewayPort, _ = strconv.Atoi(port)
	}
	port := SessionPort
	for port == p.WorkbenchPort || port == gatewayPort {
		port++
	}
	return port
}

// program is the coap-client the line runs.
func (p Pasteable) program() string {
	if p.Program == "" {
		return DebianProgram
	}
	return p.Program
}

// LoginLine is the shell line that logs in to the gateway from Port, "" when the line does
// not log in:
//
//	coap-workbench token | coap-client-notls -m post -p 12345 -t text -f - coap://GATEWAY/sessions
//	echo -n "$TOKEN" | coap-client-notls -m post -p 12345 -t text -f - coap://GATEWAY/sessions
func (p Pasteable) LoginLine() string {
	if !p.logsIn() {
		return ""
	}
	login := coapengine.NewRequest(codes.POST, "coap://"+p.Gateway+"/sessions")
	login.ContentFormat = 0 // the token is UTF-8 text
	post, _ := render(p.program(), Command{Request: login, LocalPort: p.Port(), PayloadFile: "-"})
	if p.Login == LoginWithTokenVariable {
		return `echo -n "$TOKEN" | ` + post
	}
	return p.TokenLine() + " | " + post
}

// TokenLine is the shell line that prints a token signed by the embedded gateway's key, for
// LoginWithWorkbenchToken: coap-workbench token [--data-dir DIR].
func (p Pasteable) TokenLine() string {
	token := []string{p.Workbench, "token"}
	if token[0] == "" {
		token[0] = "coap-workbench"
	}
	if p.DataDir != "" {
		token = append(token, "--data-dir", p.DataDir)
	}
	return shellLine(token)
}

// loginJoiner joins the login and the request: the request runs once the login has run (it
// is skipped if coap-client or coap-workbench cannot be started), on a line of its own.
const loginJoiner = " && \\\n"

// RequestLine is the coap-client line of the request alone, from Port, with notes on what it
// cannot express exactly.
func (p Pasteable) RequestLine() (line string, notes []string) {
	c := p.Command
	c.LocalPort = p.Port()
	return render(p.program(), c)
}

// Render returns the text to paste, the login line (when the gateway needs a session) and the
// request from the same port, joined so that a shell runs both; and notes on what the request
// cannot express exactly and what the user must do first.
func (p Pasteable) Render() (text string, notes []string) {
	request, notes := p.RequestLine()
	if !p.logsIn() {
		return request, notes
	}
	if p.Login == LoginWithTokenVariable {
		notes = append(notes, "the login posts the token in $TOKEN: set it in the shell first (TOKEN=…)")
	}
	return p.LoginLine() + loginJoiner + request, notes
}
