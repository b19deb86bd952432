package coapengine

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/linkformat"
	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/internal/coapfmt"
	"github.com/coap-workbench/coap-workbench/internal/workers"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

// Resource is a resource a device lists, with its link attributes.
type Resource struct {
	// Path is the absolute path and query, e.g. "/sys/stats?mod=pwr".
	Path           string   `json:"path"`
	Title          string   `json:"title,omitempty"`
	ResourceTypes  []string `json:"rt,omitempty"`
	Interfaces     []string `json:"if,omitempty"`
	ContentFormats []int    `json:"ct,omitempty"`
	Observable     bool     `json:"obs,omitempty"`
	Size           int      `json:"sz,omitempty"` // 0 when unknown
}

// Node is one path segment of a device's resource tree.
type Node struct {
	Name     string    `json:"name"` // the segment, with the query on the last one ("stats?mod=pwr")
	Path     string    `json:"path"` // the path down to here
	Resource *Resource `json:"resource,omitempty"`
	Children []*Node   `json:"children,omitempty"`
}

// Child returns the child called name.
func (n *Node) Child(name string) *Node {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// DeviceTree is what a crawl found on one device.
type DeviceTree struct {
	Device    string `json:"device"` // host name
	Base      string `json:"base"`   // coap://host:port
	Reachable bool   `json:"reachable"`
	// Err says why the device is unreachable (or what went wrong on the way), in plain words.
	Err       string        `json:"error,omitempty"`
	RTT       time.Duration `json:"rtt"`       // of the /.well-known/core exchange
	Resources []Resource    `json:"resources"` // sorted by path
	Root      *Node         `json:"-"`         // the same resources as a tree
	// Listings are the listings that were read, in order.
	Listings []string `json:"listings,omitempty"`
}

// NextLevelListings are the "next level down" listings the contract names, read after
// /.well-known/core: the NIC's /sys, the Device IC's /snsr and its /snsr/sys.
var NextLevelListings = []string{"/sys", "/snsr", "/snsr/sys"}

// Crawl reads a device's /.well-known/core and its next-level listings into a tree. base is
// "coap://host:port". A device that does not answer comes back unreachable, with the reason.
func (c *Connection) Crawl(ctx context.Context, base string) DeviceTree {
	base = strings.TrimRight(base, "/")
	t, err := ParseTarget(base + "/")
	tree := DeviceTree{Base: base, Root: &Node{Path: "/"}}
	if err != nil {
		tree.Err = err.Error()
		return tree
	}
	tree.Device = t.Host
	found := map[string]Resource{}
	for i, listing := range append([]string{"/.well-known/core"}, NextLevelListings...) {
		if ctx.Err() != nil {
			tree.Err = "crawl cancelled"
			break
		}
		req := NewRequest(codes.GET, base+listing)
		req.Timeout = 30 * time.Second
		x, err := c.Do(ctx, req)
		if i == 0 {
			tree.RTT = x.RTT
			switch {
			case err != nil:
				tree.Err = fmt.Sprintf("no answer: %s", x.Err)
				return tree
			case !x.OK():
				tree.Err = fmt.Sprintf("%s %s: %s", coapfmt.CodeString(x.Code()), CodeName(x.Code()), firstNonEmpty(x.Explanation, string(x.Response.Payload)))
				if x.AnsweredBy == AnsweredByGateway {
					return tree // the device was not reached at all
				}
			}
			tree.Reachable = x.Response != nil
		}
		if err != nil || !x.OK() || x.Response.ContentFormat() != 40 {
			continue
		}
		tree.Listings = append(tree.Listings, listing)
		links, _ := linkformat.Parse(string(x.Response.Payload)) // what parsed before an error still counts
		for _, l := range links {
			path, err := l.Resolve(listing)
			if err != nil || strings.Contains(path, "://") {
				continue // links to other hosts are not this device's resources
			}
			found[path] = merge(found[path], resourceOf(path, l))
		}
	}
	for _, r := range found {
		tree.Resources = append(tree.Resources, r)
	}
	sort.Slice(tree.Resources, func(i, j int) bool { return tree.Resources[i].Path < tree.Resources[j].Path })
	for i := range tree.Resources {
		tree.Root.insert(&tree.Resources[i])
	}
	return tree
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func resourceOf(path string, l linkformat.Link) Resource {
	size, _ := l.Size()
	return Resource{Path: path, Title: l.Title(), ResourceTypes: l.ResourceTypes(), Interfaces: l.Interfaces(), ContentFormats: l.ContentFormats(), Observable: l.Observable(), Size: size}
}

// merge keeps what either listing said of a resource (a listing may say less than another).
func merge(a, b Resource) Resource {
	if a.Path == "" {
		return b
	}
	if a.Title == "" {
		a.Title = b.Title
	}
	a.ResourceTypes = union(a.ResourceTypes, b.ResourceTypes)
	a.Interfaces = union(a.Interfaces, b.Interfaces)
	if len(a.ContentFormats) == 0 {
		a.ContentFormats = b.ContentFormats
	}
	a.Observable = a.Observable || b.Observable
	if a.Size == 0 {
		a.Size = b.Size
	}
	return a
}

func union(a, b []string) []string {
	for _, x := range b {
		seen := false
		for _, y := range a {
			seen = seen || x == y
		}
		if !seen {
			a = append(a, x)
		}
	}
	return a
}

// insert hangs r under the node for each segment of its path.
func (n *Node) insert(r *Resource) {
	path, query, _ := strings.Cut(r.Path, "?")
	segments := strings.Split(strings.Trim(path, "/"), "/")
	if path == "/" || path == "" {
		segments = nil
	}
	node := n
	for i, seg := range segments {
		name := seg
		if i == len(segments)-1 && query != "" {
			name += "?" + query
		}
		child := node.Child(name)
		if child == nil {
			child = &Node{Name: name, Path: strings.TrimSuffix(node.Path, "/") + "/" + name}
			node.Children = append(node.Children, child)
		}
		node = child
	}
	node.Resource = r
}

// CrawlProgress reports a mesh crawl as it goes.
type CrawlProgress struct {
	Done, Total int
	Tree        DeviceTree // the device just finished
}

// deviceBase is the base URI of a device named by its host (reached on port 4849) or by its
// coap:// base.
func deviceBase(device string) string {
	if strings.HasPrefix(device, "coap://") || strings.HasPrefix(device, "coaps://") {
		return strings.TrimRight(device, "/")
	}
	return fmt.Sprintf("coap://%s:%d", device, ssn.MilliPort)
}

// CrawlMesh crawls devices (host names, each reached on port 4849, or coap:// bases) concurrently, at most
// concurrency at a time, reporting each one as it finishes. Cancelling ctx stops it; the
// devices not crawled come back unreachable with "crawl cancelled". Results keep the order of
// devices.
func (c *Connection) CrawlMesh(ctx context.Context, devices []string, concurrency int, progress func(CrawlProgress)) []DeviceTree {
	if concurrency < 1 {
		concurrency = 16
	}
	out := make([]DeviceTree, len(devices))
	var (
		mu   sync.Mutex
		done int
	)
	workers.Run(ctx, len(devices), concurrency, func(i int) {
		tree := c.Crawl(ctx, deviceBase(devices[i]))
		// Reports come one at a time, in the order devices finish.
		mu.Lock()
		defer mu.Unlock()
		out[i] = tree
		done++
		if progress != nil {
			progress(CrawlProgress{Done: done, Total: len(devices), Tree: tree})
		}
	}, func(i int) {
		out[i] = DeviceTree{Device: devices[i], Err: "crawl cancelled"}
	})
	return out
}

// ErrNoDeviceList says that there is no device list to read: a real gateway has none, and
// without a gateway there is nobody to ask.
var ErrNoDeviceList = errors.New("no device list")

// noDeviceList is an ErrNoDeviceList with the words of the command line.
type noDeviceList string

func (e noDeviceList) Error() string        { return string(e) }
func (e noDeviceList) Is(target error) bool { return target == ErrNoDeviceList }

// ListedDevice is one device of a gateway's device list.
type ListedDevice struct {
	Host string `json:"host"` // e.g. SSN001350050005E7D6.sim.starfish.test
	Base string `json:"base"` // coap://host:port, the base to crawl
	// Type is the NIC type the list names (e.g. "Milli"), "" when it names none.
	Type string `json:"type,omitempty"`
}

// ListDevices asks the gateway for its devices (only gateway-lite lists them: a real
// gateway has no such resource) and returns their host names.
func (c *Connection) ListDevices(ctx context.Context) ([]string, error) {
	listed, err := c.ListDeviceLinks(ctx)
	if err != nil {
		return nil, err
	}
	hosts := make([]string, len(listed))
	for i, d := range listed {
		hosts[i] = d.Host
	}
	return hosts, nil
}

// ListDeviceLinks is ListDevices with each device's base URI and NIC type.
func (c *Connection) ListDeviceLinks(ctx context.Context) ([]ListedDevice, error) {
	if !c.ViaGateway() {
		return nil, noDeviceList("without a gateway there is no device list: name the devices")
	}
	req := NewRequest(codes.GET, "coap://"+c.gateway.String()+ssn.GatewayDevicesPath)
	req.Timeout = 15 * time.Second
	x, err := c.Do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("cannot get the gateway's device list: %w", err)
	}
	switch {
	case x.Code() == codes.NotFound:
		return nil, noDeviceList(fmt.Sprintf("the gateway at %s does not list its devices (only gateway-lite does): name them, or give a file of MACs", c.gateway))
	case !x.OK():
		return nil, fmt.Errorf("the gateway's device list: %s %s: %s", coapfmt.CodeString(x.Code()), CodeName(x.Code()), x.Response.Payload)
	}
	links, err := linkformat.Parse(string(x.Response.Payload))
	if err != nil {
		return nil, fmt.Errorf("the gateway's device list is not valid link format: %w", err)
	}
	devices := make([]ListedDevice, 0, len(links))
	for _, l := range links {
		t, err := ParseTarget(l.Target)
		if err != nil {
			return nil, fmt.Errorf("the gateway's device list names %q: %w", l.Target, err)
		}
		devices = append(devices, ListedDevice{Host: t.Host, Base: fmt.Sprintf("%s://%s", t.Scheme, t.HostPort()), Type: l.Title()})
	}
	return devices, nil
}

// ReadDeviceList reads device names from r: one a line, as a MAC in any common form or a host
// name, or CSV whose first column is one; blank lines, "#" comments and a header line are
// skipped. MACs become SSN<MAC>.<domain>.
func ReadDeviceList(r io.Reader, domain string) ([]string, error) {
	var out []string
	scanner := bufio.NewScanner(r)
	line, entries := 0, 0
	for scanner.Scan() {
		line++
		text := strings.TrimSpace(scanner.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		entries++
		field, _, _ := strings.Cut(text, ",")
		field = strings.Trim(strings.TrimSpace(field), `"`)
		if mac, dom, err := ssn.ParseHostName(field); err == nil {
			out = append(out, mac.HostName(dom))
			continue
		}
		mac, err := ssn.ParseMAC(field)
		if err != nil {
			if entries == 1 {
				continue // a CSV header
			}
			return out, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, mac.HostName(domain))
	}
	return out, scanner.Err()
}

// DeviceHost reads a device as people write it: a MAC with colons, dashes or nothing between
// the bytes, in any case, with or without the SSN prefix (it becomes SSN<MAC>.<domain>), or a
// host name (a device's, or another host the gateway knows).
func DeviceHost(arg, domain string) (string, error) {
	arg = strings.TrimSpace(arg)
	if mac, dom, err := ssn.ParseHostName(arg); err == nil {
		return mac.HostName(dom), nil
	}
	if mac, err := ssn.ParseMAC(arg); err == nil {
		return mac.HostName(domain), nil
	}
	if strings.Contains(arg, ".") && !strings.ContainsAny(arg, "/: ") {
		return arg, nil // another host the gateway knows, e.g. from gateway.json
	}
	return "", fmt.Errorf("%q is neither a NIC's MAC (16 hex digits, e.g. 00:13:50:05:00:05:E7:D6 or SSN001350050005E7D6) nor a host name (SSN<MAC>.%s)", arg, domain)
}
