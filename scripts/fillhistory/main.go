// Command fillhistory writes synthetic exchanges into a workbench history, for measuring the
// window with a large history (RSS, scrolling):
//
//	go run ./scripts/fillhistory -data-dir /tmp/wb -n 100000
//
// The exchanges are GETs of power statistics, temperatures and listings of 25 NICs, one a
// second going back from now, with a few gateway timeouts.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/history"
	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
)

func main() {
	dataDir := flag.String("data-dir", "", "the data directory whose history.db is filled (created if missing)")
	n := flag.Int("n", 100000, "number of exchanges to append")
	flag.Parse()
	if *dataDir == "" {
		fmt.Fprintln(os.Stderr, "fillhistory: give -data-dir")
		os.Exit(3)
	}
	if err := fill(*dataDir, *n); err != nil {
		fmt.Fprintln(os.Stderr, "fillhistory:", err)
		os.Exit(1)
	}
}

func fill(dataDir string, n int) error {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	store, notice, err := history.Open(dataDir, history.Options{})
	if err != nil {
		return err
	}
	if notice != "" {
		fmt.Println(notice)
	}
	start := time.Now().Add(-time.Duration(n) * time.Second)
	for i := range n {
		store.Append(exchange(i, start.Add(time.Duration(i)*time.Second)))
	}
	if err := store.Close(); err != nil {
		return err
	}
	fmt.Printf("appended %d exchanges to %s\n", n, store.Path())
	return nil
}

func exchange(i int, at time.Time) coapengine.Exchange {
	mac, _ := ssn.ParseMAC(fmt.Sprintf("0013500500%06X", i%25))
	host := mac.HostName("sim.starfish.test")
	path, body, format := "/sys/stats?mod=pwr", []byte(nil), ssn.FormatOctets
	switch i % 3 {
	case 0:
		body, _ = ssn.PowerStats{TotalTime: uint32(8000 + i), SleepTime: uint32(6000 + i/2), TxBytes: uint32(i * 7), BatteryMicrovolts: 3_600_000 - uint32(i%1000)}.MarshalBinary()
	case 1:
		path, body, format = "/snsr/arduino/temp", []byte(fmt.Sprintf("%d.%d C", 18+i%9, i%10)), ssn.FormatText
	default:
		path, body, format = "/.well-known/core", []byte(`</sys>;ct=40,</snsr>;ct=40,</sys/stats?mod=pwr>;obs`), ssn.FormatLinkFormat
	}
	x := coapengine.Exchange{
		Profile: "embedded", Device: host, Path: path, URI: "coap://" + host + ":4849" + path,
		Request: coapengine.MessageRecord{Code: codes.GET, Type: "CON"},
		Start:   at, RTT: time.Duration(150+i%250) * time.Millisecond,
	}
	if i%97 == 0 {
		x.Response = &coapengine.MessageRecord{Code: codes.GatewayTimeout, Type: "ACK"}
		x.AnsweredBy = coapengine.AnsweredByGateway
		return x
	}
	x.Response = &coapengine.MessageRecord{Code: codes.Content, Type: "ACK", Payload: body, Options: []coapengine.OptionRecord{
		{Number: 12, Name: "Content-Format", Value: coapengine.EncodeUint(uint32(format)), Display: fmt.Sprint(format)},
	}}
	x.AnsweredBy = coapengine.AnsweredByDevice
	return x
}
