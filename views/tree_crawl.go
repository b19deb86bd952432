package views

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/internal/human"

	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/coap-workbench/coap-workbench/coapengine"
)

// branchOpened loads what a branch holds the first time it opens.
func (m *MeshTree) branchOpened(uid widget.TreeNodeID) {
	row := m.rows[uid]
	if row == nil {
		return
	}
	switch row.kind {
	case rowProfile:
		if p := m.profile(row.profile); p != nil && !p.listed && !p.loading {
			m.listDevices(p)
		}
	case rowDevice:
		if row.device.tree == nil && !row.device.loading {
			m.crawlDevice(row.profile, row.device)
		}
	}
}

// Reload lists a profile's devices again, adding any new ones.
func (m *MeshTree) Reload(profile string) {
	p := m.profile(profile)
	if p == nil || p.loading {
		return
	}
	m.listDevices(p)
}

func (m *MeshTree) listDevices(p *treeProfile) {
	p.loading, p.err, p.noList = true, "", false
	m.rebuild()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		listed, err := m.source.ListDevices(ctx, p.name)
		m.Do(func() {
			p.loading = false
			switch {
			case errors.Is(err, coapengine.ErrNoDeviceList):
				// Nothing failed: a real gateway has no device list.
				p.listed, p.noList = true, true
			case err != nil:
				p.err = err.Error() // not listed: opening the branch again retries
			default:
				p.listed = true
				m.addDevices(p, listed)
			}
			m.rebuild()
			m.crawlOpenDevices()
		})
	}()
}

func (m *MeshTree) crawlDevice(profile string, d *treeDevice) {
	d.loading = true
	m.rebuild()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		tree := m.source.Crawl(ctx, profile, d.listed.Base)
		m.Do(func() {
			d.loading = false
			d.tree = &tree
			m.rebuild()
		})
	}()
}

// crawlOpenDevices crawls the devices whose branch is open but holds nothing yet (the tree
// widget keeps branches open across a reconnection, and a cancelled crawl leaves some).
func (m *MeshTree) crawlOpenDevices() {
	for _, p := range m.profiles {
		for _, d := range p.devices {
			if d.tree == nil && !d.loading && m.tree.IsBranchOpen(d.id) {
				m.crawlDevice(p.name, d)
			}
		}
	}
}

// Crawling reports whether a crawl of the whole mesh runs.
func (m *MeshTree) Crawling() bool { return m.cancelCrawl != nil }

func (m *MeshTree) toggleCrawl() {
	if m.cancelCrawl != nil {
		m.cancelCrawl()
		return
	}
	m.CrawlAll()
}

// CrawlAll crawls every listed device of every profile, showing progress; the crawl button
// turns into Cancel while it runs.
func (m *MeshTree) CrawlAll() {
	if m.cancelCrawl != nil {
		return
	}
	type job struct {
		p     *treeProfile
		hosts []string
	}
	var jobs []job
	total := 0
	for _, p := range m.profiles {
		var hosts []string
		for _, d := range p.devices {
			hosts = append(hosts, d.listed.Base)
			d.loading = true
		}
		if len(hosts) > 0 {
			jobs = append(jobs, job{p, hosts})
			total += len(hosts)
		}
	}
	if total == 0 {
		m.status.SetText("No devices to crawl: open a gateway to list its devices, or add one by hand.")
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancelCrawl = cancel
	m.crawlButton.SetText("Cancel crawl")
	m.crawlButton.SetIcon(theme.CancelIcon())
	m.progress.SetValue(0)
	m.progressBox.Show()
	m.status.SetText(fmt.Sprintf("Crawling %s…", human.Plural(total, "device")))
	m.rebuild()
	start := time.Now()
	go func() {
		done, unreachable := 0, 0
		for _, j := range jobs {
			m.source.CrawlMesh(ctx, j.p.name, j.hosts, func(pr coapengine.CrawlProgress) {
				tree := pr.Tree
				// A device the cancellation stopped keeps what an earlier crawl found.
				stopped := ctx.Err() != nil && !tree.Reachable
				done++
				if !tree.Reachable && !stopped {
					unreachable++
				}
				n, bad := done, unreachable
				m.Do(func() {
					if d := j.p.byHost[strings.ToLower(tree.Device)]; d != nil {
						d.loading = false
						if !stopped {
							d.tree = &tree
						}
					}
					m.progress.SetValue(float64(n) / float64(total))
					m.status.SetText(fmt.Sprintf("Crawled %d of %d devices, %d unreachable", n, total, bad))
					m.scheduleRefresh()
				})
			})
		}
		cancelled := ctx.Err() != nil
		cancel()
		elapsed := time.Since(start)
		m.Do(func() {
			m.cancelCrawl = nil
			for _, j := range jobs {
				for _, d := range j.p.devices {
					d.loading = false
				}
			}
			m.crawlButton.SetText("Crawl mesh")
			m.crawlButton.SetIcon(theme.SearchIcon())
			m.progressBox.Hide()
			verdict := "Crawled"
			if cancelled {
				verdict = "Crawl cancelled after"
			}
			m.status.SetText(fmt.Sprintf("%s %d of %d devices in %.1f s, %d unreachable", verdict, done, total, elapsed.Seconds(), unreachable))
			m.rebuild()
			m.crawlOpenDevices()
		})
	}()
}

// scheduleRefresh rebuilds the tree at most once per batch of queued updates.
func (m *MeshTree) scheduleRefresh() {
	if m.refreshPending {
		return
	}
	m.refreshPending = true
	go func() {
		time.Sleep(100 * time.Millisecond)
		m.Do(func() {
			m.refreshPending = false
			m.rebuild()
		})
	}()
}
