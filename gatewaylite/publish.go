package gatewaylite

import (
	"context"
	"log/slog"
	"net/netip"
	"time"

	"github.com/coap-workbench/coap-workbench/gatewaylite/traffic"
	"github.com/coap-workbench/coap-workbench/internal/coapfmt"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
)

// exchangeLog is what the gateway knows of a request while it handles it, published and logged
// when it ends.
type exchangeLog struct {
	hop     traffic.Hop
	client  netip.AddrPort
	account string
	target  string
	method  codes.Code
	path    string
	typ     message.Type
	rtt     time.Duration
}

func newExchangeLog(hop traffic.Hop, client netip.AddrPort, r *pool.Message) exchangeLog {
	path, _ := r.Path()
	if queries, err := r.Queries(); err == nil && len(queries) > 0 {
		path += "?" + joinQueries(queries)
	}
	return exchangeLog{hop: hop, client: client, method: r.Code(), path: path, typ: r.Type()}
}

func joinQueries(q []string) string {
	s := q[0]
	for _, x := range q[1:] {
		s += "&" + x
	}
	return s
}

// done publishes the exchange and logs it at debug level.
func (g *Gateway) done(x exchangeLog, code codes.Code, detail string) {
	if g.cfg.Traffic.Active() {
		method := ""
		if x.method != 0 {
			method = x.method.String()
		}
		g.cfg.Traffic.Publish(traffic.Exchange{
			Time: g.cfg.Now(), Hop: x.hop, Client: x.client, Account: x.account, Target: x.target,
			Method: method, Path: x.path, Type: coapfmt.TypeName(x.typ), Code: code, UpstreamRTT: x.rtt, Detail: detail,
		})
	}
	if g.cfg.Logger.Enabled(context.Background(), slog.LevelDebug) {
		g.cfg.Logger.Debug("exchange", "hop", x.hop, "client", x.client, "account", x.account, "target", x.target,
			"method", x.method, "path", x.path, "code", coapfmt.CodeString(code), "upstream_rtt", x.rtt, "detail", detail)
	}
}
