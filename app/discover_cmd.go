package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
)

func runDiscover(args []string, stdout, stderr io.Writer) int {
	return runDiscoverWith(args, os.Stdin, stdout, stderr)
}

func runDiscoverWith(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("discover [flags] DEVICE... | --all | --from-file FILE", "Crawls devices through the gateway: /.well-known/core, then the listings one level down (/sys, /snsr,\n"+
		"/snsr/sys), and prints each device's resources as a tree. A DEVICE is a host name (SSN<MAC>.<domain>)\n"+
		"or a MAC (001350050005E7D6, 00:13:50:05:00:05:e7:d6) in --domain. A device that does not answer is\n"+
		"reported unreachable, with the reason:\n\n"+
		"  coap-workbench discover 001350050005E7D6\n"+
		"  coap-workbench discover --all          (every device of a gateway-lite)\n\n"+
		"Exit status: 0 every device answered; 4 some did not (or the gateway could not be reached); 3 usage error.")
	var conn connectionFlags
	conn.register(fs)
	all := fs.Bool("all", false, "crawl every device the gateway lists (gateway-lite's /devices)")
	fromFile := fs.String("from-file", "", "crawl the devices in this file: a MAC or host name a line, or CSV with one first (\"-\": standard input)")
	domain := fs.String("domain", mesh.DefaultDomain, "domain of the host names made from MACs")
	concurrency := fs.Int("concurrency", 16, "devices crawled at once")
	asJSON := fs.Bool("json", false, "print the devices and their resources as JSON")
	devicesArgs, exit, stop := parseInterspersed(fs, args, stderr)
	if stop {
		return exit
	}
	sources := 0
	for _, given := range []bool{*all, *fromFile != "", len(devicesArgs) > 0} {
		if given {
			sources++
		}
	}
	if sources != 1 {
		fmt.Fprintln(stderr, "discover: name the devices one way: DEVICE..., --all or --from-file (--help for more)")
		return ExitUsage
	}
	if *all && conn.direct {
		fmt.Fprintln(stderr, "discover: --all asks the gateway for its devices; --direct has none")
		return ExitUsage
	}
	if *fromFile == "-" && conn.token == "-" {
		fmt.Fprintln(stderr, "discover: the device list (--from-file -) and the token (--token -) cannot both come from standard input")
		return ExitUsage
	}
	if *concurrency < 1 {
		fmt.Fprintln(stderr, "discover: --concurrency must be at least 1")
		return ExitUsage
	}
	var devices []string
	switch {
	case *fromFile != "":
		raw, err := readFileOrStdin(*fromFile, stdin)
		if err != nil {
			fmt.Fprintln(stderr, "discover:", err)
			return ExitUsage
		}
		if devices, err = coapengine.ReadDeviceList(bytes.NewReader(raw), *domain); err != nil {
			fmt.Fprintf(stderr, "discover: %s: %v\n", *fromFile, err)
			return ExitUsage
		}
		if len(devices) == 0 {
			fmt.Fprintf(stderr, "discover: %s names no device\n", *fromFile)
			return ExitUsage
		}
	case len(devicesArgs) > 0:
		for _, a := range devicesArgs {
			host, err := coapengine.DeviceHost(a, *domain)
			if err != nil {
				fmt.Fprintln(stderr, "discover:", err)
				return ExitUsage
			}
			devices = append(devices, host)
		}
	}

	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stopSignals()
	s, exit := conn.open(ctx, "discover", stdin, stderr)
	if s == nil {
		return exit
	}
	defer s.close("discover", stderr)
	if *all {
		var err error
		if devices, err = s.conn.ListDevices(ctx); err != nil {
			fmt.Fprintln(stderr, "discover:", err)
			return ExitNetwork
		}
	}
	start := time.Now()
	progress := func(coapengine.CrawlProgress) {}
	if len(devices) > 20 {
		step := max(len(devices)/10, 1)
		progress = func(p coapengine.CrawlProgress) {
			if p.Done%step == 0 || p.Done == p.Total {
				fmt.Fprintf(stderr, "discover: %d of %d devices\n", p.Done, p.Total)
			}
		}
	}
	trees := s.conn.CrawlMesh(ctx, devices, *concurrency, progress)
	unreachable := 0
	for _, t := range trees {
		if !t.Reachable {
			unreachable++
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		_ = enc.Encode(trees)
	} else {
		for _, t := range trees {
			printTree(stdout, t)
		}
	}
	fmt.Fprintf(stderr, "discover: %d devices, %d reachable, %d unreachable, in %v\n", len(trees), len(trees)-unreachable, unreachable, time.Since(start).Round(time.Millisecond))
	if unreachable > 0 {
		return ExitNetwork
	}
	return ExitOK
}

// printTree writes a device and its resources as an indented tree with aligned columns.
func printTree(w io.Writer, t coapengine.DeviceTree) {
	if !t.Reachable {
		fmt.Fprintf(w, "%s  unreachable: %s\n\n", t.Device, t.Err)
		return
	}
	fmt.Fprintf(w, "%s  %d resources (%v)\n", t.Device, len(t.Resources), t.RTT.Round(10*time.Microsecond))
	if t.Err != "" {
		fmt.Fprintf(w, "  note: %s\n", t.Err)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	var walk func(n *coapengine.Node, depth int)
	walk = func(n *coapengine.Node, depth int) {
		for _, c := range n.Children {
			name := strings.Repeat("  ", depth+1) + c.Name
			if len(c.Children) > 0 {
				name += "/"
			}
			title, attrs := "", ""
			if r := c.Resource; r != nil {
				title = r.Title
				attrs = resourceAttributes(*r)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", name, title, attrs)
			walk(c, depth+1)
		}
	}
	if t.Root != nil {
		if r := t.Root.Resource; r != nil {
			fmt.Fprintf(tw, "  /\t%s\t%s\n", r.Title, resourceAttributes(*r))
		}
		walk(t.Root, 0)
	}
	tw.Flush()
	fmt.Fprintln(w)
}

func resourceAttributes(r coapengine.Resource) string {
	var parts []string
	if r.Observable {
		parts = append(parts, "obs")
	}
	for _, ct := range r.ContentFormats {
		parts = append(parts, "ct="+coapengine.ShortFormatName(ct))
	}
	if len(r.ResourceTypes) > 0 {
		parts = append(parts, "rt="+strings.Join(r.ResourceTypes, " "))
	}
	if len(r.Interfaces) > 0 {
		parts = append(parts, "if="+strings.Join(r.Interfaces, " "))
	}
	if r.Size > 0 {
		parts = append(parts, fmt.Sprintf("sz=%d", r.Size))
	}
	return strings.Join(parts, "  ")
}
