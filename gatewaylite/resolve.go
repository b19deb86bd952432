package gatewaylite

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/coap-workbench/coap-workbench/gatewaylite/proxytarget"
)

// errUnknownHost and errPortRefused are resolution failures: the gateway answers 5.02.
var (
	errUnknownHost = errors.New("unknown host")
	errPortRefused = errors.New("port refused")
)

// resolve finds where a target's requests go: a simulated device, or a host of the static
// table. Anything else is refused; the proxy is never an open relay.
func (g *Gateway) resolve(t proxytarget.Target) (netip.AddrPort, error) {
	if g.cfg.Mesh != nil {
		if d, ok := g.cfg.Mesh.Lookup(t.Host); ok {
			if !d.AnswersOnPort(t.Port) {
				return netip.AddrPort{}, fmt.Errorf("%w: %s is a %s NIC, which answers only on port 4849, not %d", errPortRefused, d.Name, d.Type, t.Port)
			}
			return d.Addr(), nil
		}
	}
	if addr, ok := g.hosts[strings.ToLower(t.Host)]; ok {
		return addr, nil
	}
	return netip.AddrPort{}, fmt.Errorf("%w: %q is not a device this gateway knows (not in the mesh, not in the hosts of %s)", errUnknownHost, t.Host, ConfigFile)
}
