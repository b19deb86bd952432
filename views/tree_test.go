package views

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/internal/uiqueue"
)

// fakeMesh is a MeshSource of n devices, each with the same three resources; device 2 does
// not answer. It counts crawls, so that tests see what loads lazily.
type fakeMesh struct {
	n       int
	mu      sync.Mutex
	crawled map[string]int
	block   chan struct{} // when set, crawls wait for it (or their context)
}

func newFakeMesh(n int) *fakeMesh { return &fakeMesh{n: n, crawled: map[string]int{}} }

func fakeHost(i int) string { return fmt.Sprintf("SSN%016X.sim.starfish.test", 0x0013500500000000+i) }

func (f *fakeMesh) ListDevices(context.Context, string) ([]coapengine.ListedDevice, error) {
	out := make([]coapengine.ListedDevice, f.n)
	for i := range out {
		h := fakeHost(i)
		out[i] = coapengine.ListedDevice{Host: h, Base: "coap://" + h + ":4849", Type: []string{"Milli", "Gen5"}[i%2]}
	}
	return out, nil
}

func (f *fakeMesh) Crawl(ctx context.Context, _ string, base string) coapengine.DeviceTree {
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
		}
	}
	host := strings.TrimSuffix(strings.TrimPrefix(base, "coap://"), ":4849")
	f.mu.Lock()
	f.crawled[host]++
	f.mu.Unlock()
	if host == fakeHost(2) {
		return coapengine.DeviceTree{Device: host, Base: base, Err: "the device did not answer within 30 s (the gateway answered 5.04)"}
	}
	res := []coapengine.Resource{
		{Path: "/snsr/arduino/temp", Observable: true, ContentFormats: []int{0}},
		{Path: "/sys/stats?mod=pwr", Observable: true, ContentFormats: []int{42}},
		{Path: "/sys/time", ContentFormats: []int{0}},
	}
	root := &coapengine.Node{Path: "/"}
	for i := range res {
		n := root
		segs := strings.Split(strings.TrimPrefix(res[i].Path, "/"), "/")
		for j, seg := range segs {
			c := n.Child(seg)
			if c == nil {
				c = &coapengine.Node{Name: seg, Path: "/" + strings.Join(segs[:j+1], "/")}
				n.Children = append(n.Children, c)
			}
			n = c
		}
		n.Resource = &res[i]
	}
	return coapengine.DeviceTree{Device: host, Base: base, Reachable: true, RTT: 312 * time.Millisecond, Resources: res, Root: root}
}

func (f *fakeMesh) CrawlMesh(ctx context.Context, profile string, hosts []string, progress func(coapengine.CrawlProgress)) []coapengine.DeviceTree {
	out := make([]coapengine.DeviceTree, len(hosts))
	for i, base := range hosts {
		if ctx.Err() != nil {
			host := strings.TrimSuffix(strings.TrimPrefix(base, "coap://"), ":4849")
			out[i] = coapengine.DeviceTree{Device: host, Err: "crawl cancelled"}
		} else {
			out[i] = f.Crawl(ctx, profile, base)
		}
		progress(coapengine.CrawlProgress{Done: i + 1, Total: len(hosts), Tree: out[i]})
	}
	return out
}

func (f *fakeMesh) crawls(host string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.crawled[host]
}

// newTestTree is a tree over a fake mesh of n devices, in a window, with its updates queued
// for the test's goroutine; the profile "gw" is added and its devices listed.
func newTestTree(t *testing.T, n int) (*MeshTree, *fakeMesh, *uiqueue.Queue) {
	t.Helper()
	test.NewTempApp(t)
	src := newFakeMesh(n)
	q := uiqueue.New()
	m := NewMeshTree(src)
	m.Do = q.Do
	showInTestWindow(t, m.Object(), 360, 600)
	m.AddProfile("gw", "gw · 127.0.0.1:5683")
	q.WaitFor(t, "the device list", func() bool { return m.DeviceCount("gw") == n })
	return m, src, q
}

// openAndWaitForCrawl opens a device's branch and waits until its crawl is shown.
func openAndWaitForCrawl(t *testing.T, m *MeshTree, q *uiqueue.Queue, profile, host string) {
	t.Helper()
	m.Tree().OpenBranch(DeviceID(profile, host))
	q.WaitFor(t, "the crawl of "+host, func() bool { _, tree, _ := m.Device(profile, host); return tree != nil })
}

func TestTheTreeListsDevicesAndCrawlsOneOnlyWhenItOpens(t *testing.T) {
	m, src, q := newTestTree(t, 5)
	if got := len(m.VisibleChildren(ProfileID("gw"))); got != 5 {
		t.Fatalf("%d devices under the gateway, want 5", got)
	}
	first := DeviceID("gw", fakeHost(0))
	if src.crawls(fakeHost(0)) != 0 {
		t.Fatal("a device was crawled before its branch opened")
	}
	openAndWaitForCrawl(t, m, q, "gw", fakeHost(0))
	want := []string{NodeID("gw", fakeHost(0), "/snsr"), NodeID("gw", fakeHost(0), "/sys")}
	if got := m.VisibleChildren(first); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("children %q, want %q", got, want)
	}
	if src.crawls(fakeHost(1)) != 0 {
		t.Fatal("opening one device crawled another")
	}
	// The row says the NIC type, the round trip time and how many resources it has.
	if badges := m.DeviceBadges("gw", fakeHost(0)); len(badges) != 1 || !strings.HasPrefix(badges[0], "Milli · 312 ms · ") || !strings.HasSuffix(badges[0], " resources") {
		t.Fatalf("device badges %q", badges)
	}
	// Opening it again does not crawl again.
	m.Tree().CloseBranch(first)
	m.Tree().OpenBranch(first)
	q.Drain()
	if n := src.crawls(fakeHost(0)); n != 1 {
		t.Fatalf("crawled %d times", n)
	}
}

func TestAnUnreachableDeviceSaysWhyInTheTree(t *testing.T) {
	m, _, q := newTestTree(t, 3)
	id := DeviceID("gw", fakeHost(2))
	openAndWaitForCrawl(t, m, q, "gw", fakeHost(2))
	info := m.rows[m.VisibleChildren(id)[0]]
	if !info.warning || !strings.Contains(info.text, "5.04") {
		t.Fatalf("unreachable device shows %+v", info)
	}
	look := m.describe(id, m.rows[id])
	last := look.badges[len(look.badges)-1]
	if last.text != "unreachable" || last.importance != widget.DangerImportance || !strings.Contains(last.tip, "5.04") {
		t.Fatalf("badges %+v: want the last to say unreachable, with the reason in its tooltip", look.badges)
	}
}

func TestTheFilterMatchesMACsAndPaths(t *testing.T) {
	m, _, q := newTestTree(t, 12)
	open := DeviceID("gw", fakeHost(1))
	openAndWaitForCrawl(t, m, q, "gw", fakeHost(1))

	// Part of a MAC, in lower case: device 10 (SSN001350050000000A) only.
	m.SetFilter("0000000a")
	if got := m.VisibleChildren(ProfileID("gw")); len(got) != 1 || got[0] != DeviceID("gw", fakeHost(10)) {
		t.Fatalf("MAC filter shows %q", got)
	}
	// A path: only the crawled device has it, and under it only the matching branch.
	m.SetFilter("temp")
	if got := m.VisibleChildren(ProfileID("gw")); len(got) != 1 || got[0] != open {
		t.Fatalf("path filter shows %q", got)
	}
	if got := m.VisibleChildren(open); len(got) != 1 || got[0] != NodeID("gw", fakeHost(1), "/snsr") {
		t.Fatalf("path filter under the device shows %q", got)
	}
	m.SetFilter("no such thing")
	if got := m.VisibleChildren(ProfileID("gw")); len(got) != 1 || m.rows[got[0]].kind != rowInfo {
		t.Fatalf("a filter matching nothing shows %q", got)
	}
	m.SetFilter("")
	if got := len(m.VisibleChildren(ProfileID("gw"))); got != 12 {
		t.Fatalf("clearing the filter shows %d devices", got)
	}
}

func TestCrawlingTheMeshShowsProgressAndCanBeCancelled(t *testing.T) {
	m, _, q := newTestTree(t, 6)
	m.CrawlAll()
	q.WaitFor(t, "the crawl to end", func() bool { return !m.Crawling() })
	if !strings.HasPrefix(m.status.Text, "Crawled 6 of 6 devices") || !strings.HasSuffix(m.status.Text, "1 unreachable") {
		t.Fatalf("status %q", m.status.Text)
	}
	for i := range 6 {
		if _, tree, _ := m.Device("gw", fakeHost(i)); tree == nil {
			t.Fatalf("device %d not crawled", i)
		}
	}

	// A crawl held up by slow devices stops when cancelled, and says so.
	m2, src2, q2 := newTestTree(t, 4)
	src2.block = make(chan struct{})
	m2.CrawlAll()
	if !m2.Crawling() || m2.crawlButton.Text != "Cancel crawl" {
		t.Fatalf("while crawling the button says %q", m2.crawlButton.Text)
	}
	m2.toggleCrawl() // the button, now Cancel
	q2.WaitFor(t, "the cancelled crawl to end", func() bool { return !m2.Crawling() })
	if !strings.HasPrefix(m2.status.Text, "Crawl cancelled after") || m2.crawlButton.Text != "Crawl mesh" {
		t.Fatalf("after cancelling: %q, button %q", m2.status.Text, m2.crawlButton.Text)
	}
}

func TestTheContextMenuActsOnTheRow(t *testing.T) {
	m, _, q := newTestTree(t, 2)
	openAndWaitForCrawl(t, m, q, "gw", fakeHost(0))
	var got []string
	m.OnAction = func(a TreeAction, target TreeTarget) { got = append(got, fmt.Sprint(a, " ", target.URI)) }
	stats := NodeID("gw", fakeHost(0), "/sys/stats?mod=pwr")
	target, ok := m.targetOf(stats)
	if !ok || target.URI != "coap://"+fakeHost(0)+":4849/sys/stats?mod=pwr" || target.Resource == nil || !target.Resource.Observable {
		t.Fatalf("target %+v", target)
	}
	m.showMenu(stats, fyne.NewPos(10, 10))
	c := fyne.CurrentApp().Driver().CanvasForObject(m.tree)
	menu := c.Overlays().Top()
	if menu == nil {
		t.Fatal("no context menu")
	}
	// Tap "Observe", the third item (after GET and Open in a new tab).
	var items []fyne.CanvasObject
	for _, o := range test.LaidOutObjects(menu) {
		if tap, ok := o.(fyne.Tappable); ok && strings.Contains(fmt.Sprintf("%T", tap), "menuItem") {
			items = append(items, o)
		}
	}
	if len(items) < 4 {
		t.Fatalf("menu has %d items", len(items))
	}
	test.Tap(items[2].(fyne.Tappable))
	if len(got) != 1 || got[0] != fmt.Sprint(ActionObserve, " ", target.URI) {
		t.Fatalf("actions %q", got)
	}
}

func TestEmptyTreeSaysWhatToDo(t *testing.T) {
	test.NewTempApp(t)
	m := NewMeshTree(newFakeMesh(0))
	root := m.VisibleChildren("")
	if len(root) != 1 || !strings.Contains(m.rows[root[0]].text, "No gateway connected") {
		t.Fatalf("empty tree shows %q", root)
	}
	q := uiqueue.New()
	m.Do = q.Do
	m.AddProfile("gw", "gw")
	q.WaitFor(t, "the device list", func() bool {
		c := m.VisibleChildren(ProfileID("gw"))
		return len(c) == 1 && strings.Contains(m.rows[c[0]].text, "No devices found")
	})
}

// BenchmarkTreeOpenAndScroll1000 opens a gateway of 1000 devices and scrolls the tree from
// top to bottom in steps of a screen, laying it out each time: what a user's expand and
// scroll costs the main goroutine.
func BenchmarkTreeOpenAndScroll1000(b *testing.B) {
	test.NewTempApp(b)
	src := newFakeMesh(1000)
	for b.Loop() {
		q := uiqueue.New()
		m := NewMeshTree(src)
		m.Do = q.Do
		w := test.NewWindow(m.Object())
		w.Resize(fyne.NewSize(360, 800))
		m.AddProfile("gw", "gw")
		for m.DeviceCount("gw") < 1000 {
			q.Drain()
		}
		for y := float32(0); y < 1000*40; y += 700 {
			m.Tree().ScrollToOffset(y)
			w.Canvas().Refresh(m.Tree())
		}
		w.Close()
	}
}

func TestTappingARowPicksItsDevice(t *testing.T) {
	m, _, _ := newTestTree(t, 3)
	var picked []TreeTarget
	m.OnPick = func(t TreeTarget) { picked = append(picked, t) }
	want := DeviceID("gw", fakeHost(1))
	var row *rowWidget
	for _, o := range test.LaidOutObjects(m.tree) {
		if r, ok := o.(*rowWidget); ok && r.uid == want {
			row = r
		}
	}
	if row == nil {
		t.Fatal("the device's row is not on screen")
	}
	test.Tap(row)
	if len(picked) != 1 || picked[0].URI != "coap://"+fakeHost(1)+":4849/" {
		t.Fatalf("picked %+v", picked)
	}
}

func TestACancelledCrawlKeepsWhatEarlierCrawlsFound(t *testing.T) {
	m, src, q := newTestTree(t, 3)
	openAndWaitForCrawl(t, m, q, "gw", fakeHost(0))
	src.block = make(chan struct{})
	m.CrawlAll()
	m.toggleCrawl()
	q.WaitFor(t, "the cancelled crawl to end", func() bool { return !m.Crawling() })
	if _, tree, _ := m.Device("gw", fakeHost(0)); tree == nil || !tree.Reachable {
		t.Fatalf("the crawled device lost its resources: %+v", tree)
	}
	if !strings.HasSuffix(m.status.Text, "0 unreachable") {
		t.Fatalf("devices the cancellation stopped were counted unreachable: %q", m.status.Text)
	}
	for _, h := range []string{fakeHost(1), fakeHost(2)} {
		if _, tree, _ := m.Device("gw", h); tree != nil {
			t.Fatalf("%s has a result from a cancelled crawl", h)
		}
	}
}

func TestAReconnectedProfileCrawlsTheDevicesItOpens(t *testing.T) {
	m, src, q := newTestTree(t, 2)
	openAndWaitForCrawl(t, m, q, "gw", fakeHost(0))
	m.RemoveProfile("gw")
	m.AddProfile("gw", "gw again")
	q.WaitFor(t, "the device list", func() bool { return m.DeviceCount("gw") == 2 })
	openAndWaitForCrawl(t, m, q, "gw", fakeHost(0))
	if n := src.crawls(fakeHost(0)); n != 2 {
		t.Fatalf("crawled %d times, want once per connection", n)
	}
}

// noListMesh is a real gateway: it lists no devices.
type noListMesh struct{ *fakeMesh }

func (noListMesh) ListDevices(context.Context, string) ([]coapengine.ListedDevice, error) {
	return nil, fmt.Errorf("the gateway does not list its devices: name them, or give a file of MACs: %w", coapengine.ErrNoDeviceList)
}

func TestAGatewayWithoutADeviceListSaysHowToAddDevices(t *testing.T) {
	test.NewTempApp(t)
	q := uiqueue.New()
	m := NewMeshTree(noListMesh{newFakeMesh(0)})
	m.Do = q.Do
	m.AddProfile("field", "field")
	q.WaitFor(t, "the listing", func() bool {
		c := m.VisibleChildren(ProfileID("field"))
		return len(c) == 1 && m.rows[c[0]].text == "This gateway does not list its devices: add them with Connection > Add device…"
	})
	m.AddDevice("field", coapengine.ListedDevice{Host: fakeHost(5), Base: "coap://" + fakeHost(5) + ":5683"})
	q.WaitFor(t, "the added device's crawl", func() bool { _, tree, _ := m.Device("field", fakeHost(5)); return tree != nil })
	if got := m.VisibleChildren(ProfileID("field")); len(got) != 1 || got[0] != DeviceID("field", fakeHost(5)) {
		t.Fatalf("children %q", got)
	}
}

func TestTappingTheSelectedRowPicksItAgain(t *testing.T) {
	m, _, _ := newTestTree(t, 2)
	picks := 0
	m.OnPick = func(TreeTarget) { picks++ }
	id := DeviceID("gw", fakeHost(0))
	m.selectRow(id)
	m.selectRow(id)
	if picks != 2 {
		t.Fatalf("%d picks for two taps", picks)
	}
}

func TestADeviceRowCarriesItsBatteryAndAFault(t *testing.T) {
	m, _, q := newTestTree(t, 3)
	openAndWaitForCrawl(t, m, q, "gw", fakeHost(0))
	m.SetBattery("gw", fakeHost(0), 3.56)
	if b := m.DeviceBadges("gw", fakeHost(0)); len(b) != 2 || b[1] != "3.56 V" {
		t.Fatalf("badges %q", b)
	}
	m.SetBattery("gw", fakeHost(0), 3.21)
	look := m.describe(DeviceID("gw", fakeHost(0)), m.rows[DeviceID("gw", fakeHost(0))])
	if b := look.badges[1]; b.text != "3.21 V low" || b.importance != widget.WarningImportance {
		t.Fatalf("a low battery: %+v", b)
	}
	m.SetBattery("gw", fakeHost(0), 3.05)
	look = m.describe(DeviceID("gw", fakeHost(0)), m.rows[DeviceID("gw", fakeHost(0))])
	if b := look.badges[1]; b.text != "3.05 V failing" || b.importance != widget.DangerImportance {
		t.Fatalf("a failing battery: %+v", b)
	}
	m.SetFault("gw", fakeHost(0), "loss 30 %")
	if b := m.DeviceBadges("gw", fakeHost(0)); b[len(b)-1] != "fault" {
		t.Fatalf("badges with a fault %q", b)
	}
	m.SetFault("gw", fakeHost(0), "")
	if b := m.DeviceBadges("gw", fakeHost(0)); b[len(b)-1] == "fault" {
		t.Fatalf("badges after the fault was cleared %q", b)
	}
}

func TestAnObservedResourceShowsItsLastValueAndGlowsWhenItChanges(t *testing.T) {
	m, _, q := newTestTree(t, 3)
	openAndWaitForCrawl(t, m, q, "gw", fakeHost(0))
	node := NodeID("gw", fakeHost(0), "/sys")
	m.SetLiveValue("gw", fakeHost(0), "/sys", "3.56 V", "notification #2")
	if got := m.LiveValue("gw", fakeHost(0), "/sys"); got != "3.56 V" {
		t.Fatalf("live value %q", got)
	}
	look := m.describe(node, m.rows[node])
	if len(look.badges) != 2 || look.badges[1].text != "3.56 V" || look.flashAt.IsZero() {
		t.Fatalf("the row's look %+v", look)
	}
	r := m.newRow(false).(*rowWidget)
	showInTestWindow(t, r, 300, 40)
	m.updateRow(node, false, r)
	if !r.Glowing() {
		t.Fatal("a new value does not make the row glow")
	}
	first := look.flashAt
	m.SetLiveValue("gw", fakeHost(0), "/sys", "3.56 V", "notification #3")
	if again := m.describe(node, m.rows[node]); !again.flashAt.Equal(first) {
		t.Fatal("the same value flashed the row again")
	}
}

func TestResourceRowsShowTheirLinkAttributes(t *testing.T) {
	r := &coapengine.Resource{Path: "/sys/stats?mod=pwr", ResourceTypes: []string{"ssn.pwr"}, Interfaces: []string{"core.s"}, ContentFormats: []int{42}, Observable: true}
	if got := linkAttributes(r); got != "rt=ssn.pwr if=core.s ct=42 obs" {
		t.Fatalf("attributes %q", got)
	}
}

func TestAFaultReportedBeforeItsDeviceIsListedShowsWhenItIs(t *testing.T) {
	test.NewTempApp(t)
	q := uiqueue.New()
	m := NewMeshTree(newFakeMesh(2))
	m.Do = q.Do
	showInTestWindow(t, m.Object(), 360, 600)
	m.SetFault("gw", fakeHost(1), "offline")
	m.AddProfile("gw", "gw · 127.0.0.1:5683")
	q.WaitFor(t, "the device list", func() bool { return m.DeviceCount("gw") == 2 })
	if b := m.DeviceBadges("gw", fakeHost(1)); len(b) == 0 || b[len(b)-1] != "fault" {
		t.Fatalf("badges %q", b)
	}
	if b := m.DeviceBadges("gw", fakeHost(0)); len(b) > 0 && b[len(b)-1] == "fault" {
		t.Fatalf("a healthy device shows %q", b)
	}
}
