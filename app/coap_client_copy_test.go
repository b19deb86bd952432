package app

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/coapclient"
	"github.com/coap-workbench/coap-workbench/gatewaylite/auth"
	"github.com/coap-workbench/coap-workbench/internal/testbed"
)

// dialEmbedded connects a profile named name to the embedded gateway e from a port the
// system picks (never coapclient.SessionPort: Linux picks from 32768 up), logging in with e's
// own tokens when withTokens.
func dialEmbedded(t *testing.T, e *Embedded, name string, withTokens bool) *coapengine.Connection {
	t.Helper()
	p := coapengine.Profile{Name: name, Gateway: e.Gateway.Addr().String()}
	if withTokens {
		p.Tokens = coapengine.IssuerFunc(func(context.Context) (coapengine.Token, error) {
			tok, err := e.Gateway.IssueToken(localAccount, auth.DefaultTokenTTL)
			return coapengine.Token{Raw: tok.Raw, ExpiresAt: tok.ExpiresAt}, err
		})
	}
	conn, err := coapengine.Dial(t.Context(), p, coapengine.Hooks{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestCopyAsCoapClientLogsInAsTheProfileDoesFromAPortTheWorkbenchDoesNotHold(t *testing.T) {
	e, _ := startConsoleGateway(t)
	copier := newCoapClientCopier(e)
	copier.Program = "coap-client"
	req := coapengine.NewRequest(codes.GET, "coap://"+testbed.SeedHost+":4849/sys/stats?mod=pwr")
	gateway := "coap://" + e.Gateway.Addr().String()

	embedded := dialEmbedded(t, e, EmbeddedProfile, true)
	text, notes := copier.Lines(embedded, req, 0)
	login, request, ok := strings.Cut(text, " && \\\n")
	if !ok || len(notes) != 0 {
		t.Fatalf("the embedded gateway's lines:\n%s\nnotes %q", text, notes)
	}
	if !strings.HasPrefix(login, copier.workbench+" token --data-dir "+e.DataDir+" | coap-client -m post -p 12345 ") || !strings.HasSuffix(login, gateway+"/sessions") {
		t.Errorf("login: %s", login)
	}
	if !strings.HasPrefix(request, "coap-client -m get -p 12345 -P "+gateway+" ") {
		t.Errorf("request: %s", request)
	}

	other := dialEmbedded(t, e, "lab", true)
	text, notes = copier.Lines(other, req, 0)
	if !strings.HasPrefix(text, `echo -n "$TOKEN" | coap-client -m post -p 12345 `) || len(notes) != 1 || !strings.Contains(notes[0], "$TOKEN") {
		t.Errorf("a profile with a token source:\n%s\nnotes %q", text, notes)
	}
	if strings.Contains(text, "-p "+strconv.Itoa(int(other.LocalAddr().Port()))+" ") {
		t.Errorf("the lines take the workbench's own port %d:\n%s", other.LocalAddr().Port(), text)
	}

	plain := dialEmbedded(t, e, "plain proxy", false)
	if text, _ := copier.Lines(plain, req, 0); strings.Contains(text, "\n") || strings.Contains(text, "-p ") || !strings.Contains(text, "-P "+gateway) {
		t.Errorf("a gateway without sessions: %s", text)
	}
	if text, _ := copier.Lines(nil, req, 0); strings.Contains(text, "-P") || strings.Contains(text, "sessions") {
		t.Errorf("no connection: %s", text)
	}
}

func TestTheGatewayConsoleLogsInFromThePortOfTheCopiedRequests(t *testing.T) {
	e, _ := startConsoleGateway(t)
	want := "-p " + strconv.Itoa(coapclient.SessionPort) + " "
	if got := gatewaySummary(e).LoginCommand; !strings.Contains(got, want) || !strings.Contains(got, " token --data-dir "+e.DataDir+" | ") {
		t.Fatalf("the console's login line: %s", got)
	}
}

func TestWorkbenchCommandIsTheNameOnThePathWhenItIsThisProgram(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	if got := workbenchCommand(); got != self {
		t.Errorf("without coap-workbench on PATH: %q, want %q", got, self)
	}
	if err := os.Symlink(self, filepath.Join(dir, "coap-workbench")); err != nil {
		t.Fatal(err)
	}
	if got := workbenchCommand(); got != "coap-workbench" {
		t.Errorf("with this program on PATH: %q", got)
	}
}
