package mesh

import (
	"bytes"
	"fmt"
	"math"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/gatewaylite/traffic"
	"github.com/coap-workbench/coap-workbench/internal/udpendpoint"
	"github.com/fxamacker/cbor/v2"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
)

// icInfo is what every simulated Device IC answers on GET sys/info.
var icInfo = ssn.SystemInfo{Name: "Starfish HDK reference sensor server", Version: "1.4.6", BuildDate: "2016-08-12"}

// icPrefix is where the NIC exposes its IC; the IC writes its links with it, as the HDK's
// {prefix} setting does.
const icPrefix = "/" + ssn.SensorPrefix

// maxEvents is how many received events a Device IC remembers.
const maxEvents = 16

// serveIC answers requests to the Device IC (contract §7). Paths arrive without the prefix.
func (d *Device) serveIC(w *udpendpoint.ResponseWriter, r *pool.Message) {
	if r.Type() == message.Reset {
		d.temperature().set.RemoveReset(peerOf(w), r.MessageID())
		return
	}
	if !isRequest(r) {
		return
	}
	d.icStats.rx.Add(1)
	defer func() {
		if w.Message().IsModified() {
			d.icStats.tx.Add(1)
		}
	}()
	req := readRequest(w, r)
	path := req.pathString()
	switch path {
	case "":
		if req.method == codes.GET {
			respond(w, codes.Content, ssn.FormatLinkFormat, []byte(linkFormat(icPrefix, topLevel(ssn.DeviceICResources))))
			return
		}
	case ".well-known/core":
		if req.method == codes.GET {
			respond(w, codes.Content, ssn.FormatLinkFormat, []byte(hdkWellKnown(icPrefix, ssn.DeviceICResources)))
			return
		}
	case "sys", "arduino":
		if req.method == codes.GET {
			respond(w, codes.Content, ssn.FormatLinkFormat, []byte(linkFormat(icPrefix, nextLevel("/"+path, ssn.DeviceICResources))))
			return
		}
	case "sys/info":
		if req.method == codes.GET {
			b, _ := ssn.MarshalSystemInfo(icInfo)
			respond(w, codes.Content, ssn.FormatCBOR, b)
			return
		}
	case "sys/time":
		d.serveICTime(w, r, req)
		return
	case "sys/reset":
		if req.method == codes.POST {
			respond(w, codes.Changed, ssn.FormatNone, nil)
			// Answer first, then go down, as a device acknowledging a reset does.
			time.AfterFunc(50*time.Millisecond, d.RebootIC)
			return
		}
	case "sys/event":
		d.serveICEvent(w, r, req)
		return
	case "sys/stats":
		d.serveICStats(w, req)
		return
	case "arduino/temp":
		d.serveTemperature(w, r, req)
		return
	default:
		respondText(w, codes.NotFound, "no such resource on the Device IC: "+req.display())
		return
	}
	respondText(w, codes.MethodNotAllowed, fmt.Sprintf("%s is not allowed on %s", req.method, req.display()))
}

// topLevel returns the IC resources one segment deep ("/sys", "/arduino").
func topLevel(set []ssn.Resource) []ssn.Resource {
	var out []ssn.Resource
	for _, r := range set {
		if r.Path == "/sys" || r.Path == "/arduino" {
			out = append(out, r)
		}
	}
	return out
}

func (d *Device) serveICTime(w *udpendpoint.ResponseWriter, r *pool.Message, req request) {
	switch req.method {
	case codes.GET:
		respond(w, codes.Content, ssn.FormatOctets, ssn.EncodeSystemTime(d.ICClock()))
	case codes.PUT:
		body, _ := r.ReadBody()
		var set ssn.TimeSet
		if err := set.UnmarshalBinary(body); err != nil {
			// The HDK answers 4.06 to any payload it cannot use, time_delta included.
			respondText(w, codes.NotAcceptable, err.Error())
			return
		}
		d.icOffset.Store(int64(set.Time().Sub(d.mesh.now())))
		respond(w, codes.Changed, ssn.FormatNone, nil)
	default:
		notImplementedIC(w, req)
	}
}

func notImplementedIC(w *udpendpoint.ResponseWriter, req request) {
	respondText(w, codes.NotImplemented, fmt.Sprintf("%s %s is not implemented by the Device IC", req.method, req.display()))
}

// eventRecord is one entry of GET sys/event.
type eventRecord struct {
	Event uint32 `cbor:"event"`
	Name  string `cbor:"name"`
	Time  int64  `cbor:"time"`
}

func (d *Device) serveICEvent(w *udpendpoint.ResponseWriter, r *pool.Message, req request) {
	switch req.method {
	case codes.PUT:
		body, _ := r.ReadBody()
		var e ssn.Event
		if err := e.UnmarshalBinary(body); err != nil {
			respondText(w, codes.BadRequest, err.Error())
			return
		}
		if !e.Known() {
			respondText(w, codes.BadRequest, fmt.Sprintf("unknown event %d (known: 1 storage mode, 2 service mode, 3 low battery, 4 tamper)", uint32(e)))
			return
		}
		d.eventsMu.Lock()
		d.events = append(d.events, ReceivedEvent{Event: e, At: d.mesh.now()})
		if len(d.events) > maxEvents {
			d.events = d.events[len(d.events)-maxEvents:]
		}
		d.eventsMu.Unlock()
		respond(w, codes.Changed, ssn.FormatNone, nil)
	case codes.GET:
		records := []eventRecord{}
		for _, e := range d.Events() {
			records = append(records, eventRecord{Event: uint32(e.Event), Name: e.Event.String(), Time: e.At.Unix()})
		}
		b, _ := cbor.Marshal(records)
		respond(w, codes.Content, ssn.FormatCBOR, b)
	default:
		notImplementedIC(w, req)
	}
}

func (d *Device) serveICStats(w *udpendpoint.ResponseWriter, req request) {
	switch {
	case req.method != codes.GET:
		notImplementedIC(w, req)
	case req.hasQuery("mod=coap"):
		stats := ssn.CoapStats{
			SensorsEnabled:   1,
			ActiveObs:        uint32(d.temperature().set.Len()),
			RxSuccess:        d.icStats.rx.Load(),
			TxSuccess:        d.icStats.tx.Load(),
			ErrHDLCSend:      d.icStats.errHDLC.Load(),
			NRetriesExceeded: d.icStats.retriesExceeded.Load(),
		}
		b, _ := stats.MarshalBinary()
		respond(w, codes.Content, ssn.FormatOctets, b)
	case req.hasQuery("mod=pwr"):
		// Power statistics are the NIC's; the HDK refuses them here.
		respondText(w, codes.NotAcceptable, "mod=pwr is served by the NIC at /sys/stats?mod=pwr, not by the Device IC")
	default:
		notImplementedIC(w, req)
	}
}

// temperatureC is the sensor's reading: a daily cycle around the device's base, plus noise.
func (d *Device) temperatureC(at time.Time) float64 {
	day := float64(at.Unix()%86400) / 86400
	noise := math.Sin(float64(at.UnixNano())/1e9*1.7) * 0.15
	return d.tempBase + 2.5*math.Sin(2*math.Pi*(day-0.375)) + noise
}

func (d *Device) temperatureReading() ssn.SensorReading {
	unit := d.tempUnit.Load().(string)
	value := d.temperatureC(d.mesh.now())
	if unit == "F" {
		value = value*9/5 + 32
	}
	return ssn.SensorReading{Sensor: "temp", Text: ssn.TemperatureText(d.ICClock(), value, unit)}
}

func (d *Device) fillTemperature(m *pool.Message) {
	b, _ := d.temperatureReading().MarshalCBOR()
	m.SetCode(codes.Content)
	m.SetContentFormat(message.AppCBOR)
	m.SetOptionUint32(message.MaxAge, maxAge(d.mesh.cfg.NotifyPeriod))
	m.SetBody(bytes.NewReader(b))
}

// serveTemperature follows the HDK's arduino/temp: a query is required; GET ?sens (observable)
// and ?cfg read; PUT ?cfg=C or ?cfg=F sets the unit.
func (d *Device) serveTemperature(w *udpendpoint.ResponseWriter, r *pool.Message, req request) {
	if len(req.queries) == 0 {
		respondText(w, codes.MethodNotAllowed, "arduino/temp needs a query: ?sens to read, ?cfg to read or set the unit")
		return
	}
	switch req.method {
	case codes.GET:
		switch {
		case req.hasQuery("sens"):
			var opts []message.Option
			switch observeValue(r) {
			case 0:
				opts = append(opts, observeOption(d.temperature().register(req.peer, r.Token())))
			case 1:
				d.temperature().set.Remove(req.peer, r.Token())
			}
			opts = append(opts, maxAgeOption(maxAge(d.mesh.cfg.NotifyPeriod)))
			b, _ := d.temperatureReading().MarshalCBOR()
			respond(w, codes.Content, ssn.FormatCBOR, b, opts...)
		case req.hasQuery("cfg"):
			reading := ssn.SensorReading{Sensor: "temp", Text: fmt.Sprintf("%d,%s", d.ICClock().Unix(), d.tempUnit.Load())}
			b, _ := reading.MarshalCBOR()
			respond(w, codes.Content, ssn.FormatCBOR, b)
		default:
			notImplementedIC(w, req)
		}
	case codes.PUT:
		switch {
		case req.hasQuery("cfg=C"):
			d.tempUnit.Store("C")
		case req.hasQuery("cfg=F"):
			d.tempUnit.Store("F")
		default:
			notImplementedIC(w, req)
			return
		}
		respond(w, codes.Changed, ssn.FormatNone, nil)
	default:
		respondText(w, codes.MethodNotAllowed, "arduino/temp answers GET and PUT only")
	}
}

// sendRebootNotice is the Device IC announcing to its NIC that it is back, with the HDK's own
// datagram: NON PUT /sys/snsr?ev=rbt, no token, no payload. (The HDK always uses message ID
// 0xFFFF; a fresh one is used here so that two reboots within the exchange lifetime are not
// taken for duplicates.)
func (d *Device) sendRebootNotice() {
	mid := message.GetMID()
	datagram, err := udpendpoint.EncodeMessage(message.Message{
		Type: message.NonConfirmable, Code: codes.PUT, MessageID: mid & 0xFFFF,
		Options: message.Options{
			{ID: message.URIPath, Value: []byte("sys")},
			{ID: message.URIPath, Value: []byte(ssn.SensorPrefix)},
			{ID: message.URIQuery, Value: []byte("ev=rbt")},
		},
	})
	if err == nil {
		var ic *udpendpoint.Endpoint
		if ic, err = d.icEndpoint(); err == nil {
			err = ic.WriteRaw(datagram, d.nic.LocalAddr())
		}
	}
	if err != nil {
		d.icStats.errHDLC.Add(1)
		d.mesh.publish(traffic.Exchange{Hop: traffic.HopICToNIC, Target: d.Name, Method: "PUT", Path: "/sys/snsr?ev=rbt", Type: "NON", Detail: "reboot notice not sent: " + err.Error()})
	}
}
