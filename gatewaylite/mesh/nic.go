package mesh

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/gatewaylite/observers"
	"github.com/coap-workbench/coap-workbench/gatewaylite/traffic"
	"github.com/coap-workbench/coap-workbench/internal/udpendpoint"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
	"github.com/plgd-dev/go-coap/v3/udp/client"
)

// nicVersion is what a NIC answers on GET /.
func (d *Device) nicVersion() string {
	return fmt.Sprintf("SSN %s NIC %s firmware 5.3.12 (gateway-lite simulation)", d.Type, d.MAC.Colons())
}

// notImplemented is the Milli's answer to anything it does not serve (seed: 5.01).
func notImplemented(w *udpendpoint.ResponseWriter, req request) {
	respondText(w, codes.NotImplemented, fmt.Sprintf("%s %s is not implemented by this NIC", req.method, req.display()))
}

// serveNIC answers requests to the NIC (contract §6).
func (d *Device) serveNIC(w *udpendpoint.ResponseWriter, r *pool.Message) {
	if r.Type() == message.Reset {
		peer := peerOf(w)
		d.powerObservers.set.RemoveReset(peer, r.MessageID())
		d.icRelays.Reset(peer, r.MessageID())
		return
	}
	if !isRequest(r) {
		return
	}
	req := readRequest(w, r)
	if len(req.path) > 0 && req.path[0] == ssn.SensorPrefix {
		d.forwardToIC(w, r, req)
		return
	}
	switch req.pathString() {
	case "":
		if req.method == codes.GET {
			respondText(w, codes.Content, d.nicVersion())
			return
		}
	case ".well-known/core":
		if req.method == codes.GET {
			respond(w, codes.Content, ssn.FormatLinkFormat, []byte(d.nicLinks()))
			return
		}
	case "sys":
		if req.method == codes.GET {
			respond(w, codes.Content, ssn.FormatLinkFormat, []byte(linkFormat("", nextLevel("/sys", ssn.NICResources))))
			return
		}
	case "sys/stats":
		if req.hasQuery("mod=pwr") {
			d.servePowerStats(w, r, req)
			return
		}
	case "sys/snsr":
		if req.method == codes.PUT && req.hasQuery("ev=rbt") {
			d.handleRebootNotice(w, r)
			return
		}
	case "time":
		if d.Type != ssn.NICMilli && req.method == codes.GET {
			respondText(w, codes.Content, d.mesh.now().UTC().Format(time.RFC3339))
			return
		}
	case "gpio":
		if d.Type != ssn.NICMilli && req.method == codes.GET {
			respond(w, codes.Content, ssn.FormatJSON, gpioDescription())
			return
		}
	}
	notImplemented(w, req)
}

func (d *Device) nicLinks() string {
	nic := ssn.NICResources
	if d.Type != ssn.NICMilli {
		nic = append(append([]ssn.Resource(nil), nic...), ssn.Gen5Resources...)
	}
	return linkFormat("", nic) + "," + linkFormat("/"+ssn.SensorPrefix, ssn.DeviceICResources)
}

func gpioDescription() []byte {
	type pin struct {
		Pin       int    `json:"pin"`
		Direction string `json:"direction"`
		Value     int    `json:"value"`
		Function  string `json:"function"`
	}
	b, _ := json.Marshal([]pin{
		{0, "in", 1, "tamper switch"},
		{1, "out", 0, "status LED"},
		{2, "in", 0, "meter pulse"},
		{3, "out", 1, "sensor power"},
	})
	return b
}

func (d *Device) servePowerStats(w *udpendpoint.ResponseWriter, r *pool.Message, req request) {
	switch req.method {
	case codes.GET:
		var opts []message.Option
		switch observeValue(r) {
		case 0:
			seq := d.powerObservers.register(req.peer, r.Token())
			opts = append(opts, observeOption(seq))
		case 1:
			d.powerObservers.set.Remove(req.peer, r.Token())
		}
		opts = append(opts, maxAgeOption(maxAge(d.mesh.cfg.NotifyPeriod)))
		respond(w, codes.Content, ssn.FormatOctets, d.powerStatsBytes(), opts...)
	case codes.PUT:
		d.power.clear(d.mesh.now())
		respond(w, codes.Changed, ssn.FormatNone, nil)
	case codes.DELETE:
		d.power.clear(d.mesh.now())
		respond(w, codes.Deleted, ssn.FormatNone, nil)
	default:
		notImplemented(w, req)
	}
}

func (d *Device) powerStatsBytes() []byte {
	return d.power.stats(d.mesh.now()).Append(nil)
}

func (d *Device) fillPowerStats(m *pool.Message) {
	m.SetCode(codes.Content)
	m.SetContentFormat(message.AppOctets)
	m.SetOptionUint32(message.MaxAge, maxAge(d.mesh.cfg.NotifyPeriod))
	m.SetBody(bytes.NewReader(d.powerStatsBytes()))
}

func observeOption(seq uint32) message.Option { return uintOption(message.Observe, seq) }

func maxAgeOption(seconds uint32) message.Option { return uintOption(message.MaxAge, seconds) }

// uintOption builds an option with a uint value in the fewest bytes (RFC 7252 §3.2).
func uintOption(id message.OptionID, v uint32) message.Option {
	buf := make([]byte, 4)
	n, _ := message.EncodeUint32(buf, v)
	return message.Option{ID: id, Value: buf[:n]}
}

// forwardToIC passes a /snsr/... request to the Device IC with the prefix stripped, and its
// answer back. An observation is relayed: one observation of the IC per resource, shared.
func (d *Device) forwardToIC(w *udpendpoint.ResponseWriter, r *pool.Message, req request) {
	icPath := "/" + strings.Join(req.path[1:], "/")
	display := icPath
	if len(req.queries) > 0 {
		display += "?" + strings.Join(req.queries, "&")
	}
	ctx, cancel := d.icTimeout()
	defer cancel()
	cc, err := d.icConn()
	if err != nil {
		respondText(w, codes.ServiceUnavailable, "the NIC cannot reach its Device IC: "+err.Error())
		return
	}
	if obs := observeValue(r); obs == 0 {
		d.relayObservation(ctx, w, r, req, cc, icPath, display)
		return
	} else if obs == 1 {
		d.icRelays.Leave(req.peer, r.Token())
	}
	fwd := cc.AcquireMessage(ctx)
	defer cc.ReleaseMessage(fwd)
	fwd.SetCode(r.Code())
	fwd.SetType(message.Confirmable)
	token, _ := message.GetToken()
	fwd.SetToken(token)
	fwd.ResetOptionsTo(icOptions(r.Options()))
	_ = fwd.SetPath(icPath)
	for _, q := range req.queries {
		fwd.AddQuery(q)
	}
	if body, _ := r.ReadBody(); len(body) > 0 {
		fwd.SetBody(bytes.NewReader(body))
	}
	start := time.Now()
	resp, err := cc.Do(fwd)
	if err != nil {
		d.icStats.retriesExceeded.Add(1)
		d.publishIC(traffic.HopNICToIC, req.method.String(), display, codes.ServiceUnavailable, time.Since(start), "no answer from the Device IC")
		respondText(w, codes.ServiceUnavailable, "the Device IC did not answer the NIC (is it rebooting?)")
		return
	}
	defer cc.ReleaseMessage(resp)
	d.publishIC(traffic.HopNICToIC, req.method.String(), display, resp.Code(), time.Since(start), "")
	observers.SnapshotOf(resp).FillTo(w.Message())
}

// icOptions keeps the options a NIC passes on to its IC: all but the addressing ones.
func icOptions(opts message.Options) message.Options {
	out := make(message.Options, 0, len(opts))
	for _, o := range opts {
		switch o.ID {
		case message.URIPath, message.URIQuery, message.URIHost, message.URIPort, message.ProxyURI, message.ProxyScheme, message.Observe, message.Block1, message.Block2, message.Size1, message.Size2:
			continue
		}
		out = append(out, o)
	}
	return out
}

// relayObservation registers the client on the NIC's relay of the IC resource.
func (d *Device) relayObservation(ctx context.Context, w *udpendpoint.ResponseWriter, r *pool.Message, req request, cc *client.Conn, icPath, display string) {
	opts := icOptions(r.Options())
	for _, q := range req.queries {
		opts = append(opts, message.Option{ID: message.URIQuery, Value: []byte(q)})
	}
	// Kept for the deregistration, after r's buffer is recycled: copy.
	opts, _ = opts.Clone()
	start := time.Now()
	joined, err := d.icRelays.Join(ctx, display, req.peer, r.Token(), func(ctx context.Context, notify func(observers.Snapshot)) (observers.Upstream, error) {
		return observers.ObserveUpstream(ctx, cc, icPath, opts, notify)
	})
	if err != nil {
		d.publishIC(traffic.HopNICToIC, "GET", display, codes.ServiceUnavailable, time.Since(start), "observe: no answer from the Device IC")
		respondText(w, codes.ServiceUnavailable, "the Device IC did not answer the NIC (is it rebooting?)")
		return
	}
	if joined.Started {
		d.publishIC(traffic.HopNICToIC, "GET", display, joined.Response.Code, time.Since(start), "observe")
	}
	joined.Response.FillTo(w.Message())
	if joined.Seq != 0 {
		w.Message().SetObserve(joined.Seq)
	}
}

// handleRebootNotice is the NIC's side of PUT /sys/snsr?ev=rbt: its Device IC came back, so
// the NIC sets the IC's clock.
func (d *Device) handleRebootNotice(w *udpendpoint.ResponseWriter, r *pool.Message) {
	d.publishIC(traffic.HopICToNIC, "PUT", "/sys/snsr?ev=rbt", 0, 0, "Device IC reboot notice")
	if r.Type() == message.Confirmable {
		respond(w, codes.Changed, ssn.FormatNone, nil)
	}
	go d.setICTime()
}

// setICTime PUTs the NIC's time into the Device IC's sys/time.
func (d *Device) setICTime() {
	// The payload is made as late as possible: the time it carries is the time it leaves.
	payload, _ := ssn.AbsoluteTimeSet(d.mesh.now()).MarshalBinary()
	d.putToIC("/sys/time", payload, "time set after reboot")
}

// sendEvent PUTs an event into the Device IC's sys/event.
func (d *Device) sendEvent(e ssn.Event) {
	payload, _ := e.MarshalBinary()
	d.putToIC("/sys/event", payload, e.String())
}

// putToIC is the NIC's own PUT to its Device IC, published on the traffic stream as what.
func (d *Device) putToIC(path string, payload []byte, what string) {
	ctx, cancel := d.icTimeout()
	defer cancel()
	cc, err := d.icConn()
	if err != nil {
		d.publishIC(traffic.HopNICToIC, "PUT", path, codes.ServiceUnavailable, 0, what+": "+err.Error())
		return
	}
	start := time.Now()
	resp, err := cc.Put(ctx, path, message.AppOctets, bytes.NewReader(payload))
	if err != nil {
		d.publishIC(traffic.HopNICToIC, "PUT", path, codes.ServiceUnavailable, time.Since(start), what+": no answer from the Device IC")
		return
	}
	defer cc.ReleaseMessage(resp)
	d.publishIC(traffic.HopNICToIC, "PUT", path, resp.Code(), time.Since(start), what)
}

func (d *Device) publishIC(hop traffic.Hop, method, path string, code codes.Code, rtt time.Duration, detail string) {
	d.mesh.publish(traffic.Exchange{Hop: hop, Target: d.Name, Method: method, Path: path, Type: "CON", Code: code, UpstreamRTT: rtt, Detail: detail})
}
