// Package testbed starts gateway-lite with a small instant mesh on loopback, for the tests
// of the packages that talk to a gateway. It is imported only by tests.
package testbed

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/gatewaylite"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	"github.com/coap-workbench/coap-workbench/internal/fakeclock"
)

// SeedHost is the seed document's Milli NIC, always in the mesh.
const SeedHost = "SSN001350050005E7D6.sim.starfish.test"

// SeedURI is a URI of the seed NIC.
func SeedURI(path string) string { return "coap://" + SeedHost + ":4849" + path }

// Bed is a running gateway and its mesh.
type Bed struct {
	Gateway *gatewaylite.Gateway
	Mesh    *mesh.Mesh
	// Clock is the gateway's clock, moved by hand.
	Clock *fakeclock.Clock
}

// Start runs a gateway with a mesh of 4 devices (tweak may change the gateway's config),
// stopped when the test ends.
func Start(t testing.TB, tweak func(*gatewaylite.Config)) *Bed {
	t.Helper()
	return StartMesh(t, mesh.Config{Devices: 4, NotifyPeriod: 50 * time.Millisecond, RebootDuration: 200 * time.Millisecond}, tweak)
}

// StartMesh runs a gateway with the mesh meshCfg describes.
func StartMesh(t testing.TB, meshCfg mesh.Config, tweak func(*gatewaylite.Config)) *Bed {
	t.Helper()
	m, err := mesh.Start(t.Context(), meshCfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	c := fakeclock.New(time.Now())
	cfg := gatewaylite.Config{
		Listen: "127.0.0.1:0", TokenListen: "127.0.0.1:0", DataDir: t.TempDir(), Mesh: m,
		Now: c.Now, UpstreamTimeout: 2 * time.Second, SweepInterval: time.Hour,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	gw, err := gatewaylite.Start(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gw.Close)
	return &Bed{Gateway: gw, Mesh: m, Clock: c}
}

// IssueToken signs an hour's token for the "dev" account.
func (b *Bed) IssueToken(context.Context) (raw string, expires time.Time, err error) {
	tok, err := b.Gateway.IssueToken("dev", time.Hour)
	return tok.Raw, tok.ExpiresAt, err
}

// DevSecret is the "dev" account's client secret, for the token endpoint.
func (b *Bed) DevSecret(t testing.TB) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(b.Gateway.Config().DataDir, gatewaylite.DevSecretFile))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(raw))
}
