package app

import (
	"fmt"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	"github.com/coap-workbench/coap-workbench/views"
)

// shortcut is Ctrl (Cmd on macOS) with key, and Shift when shift is set.
func shortcut(key fyne.KeyName, shift bool) fyne.Shortcut {
	mod := fyne.KeyModifierShortcutDefault
	if shift {
		mod |= fyne.KeyModifierShift
	}
	return &desktop.CustomShortcut{KeyName: key, Modifier: mod}
}

func item(label string, sc fyne.Shortcut, action func()) *fyne.MenuItem {
	i := fyne.NewMenuItem(label, action)
	i.Shortcut = sc
	return i
}

// mainMenu is the window's menu; its shortcuts work wherever the focus is.
func (g *gui) mainMenu() *fyne.MainMenu {
	c := g.ctrl
	return fyne.NewMainMenu(
		fyne.NewMenu("File",
			item("New request", shortcut(fyne.KeyN, false), c.tabs.New),
		),
		fyne.NewMenu("Request",
			item("Send", shortcut(fyne.KeyReturn, false), c.composer.Send),
			item("Focus URI", shortcut(fyne.KeyL, false), c.composer.FocusURI),
			fyne.NewMenuItemSeparator(),
			item("New tab", shortcut(fyne.KeyT, false), c.tabs.New),
			item("Close tab", shortcut(fyne.KeyW, false), c.tabs.CloseCurrent),
			item("Next tab", shortcut(fyne.KeyTab, false), c.tabs.Next),
			item("Previous tab", shortcut(fyne.KeyTab, true), c.tabs.Previous),
			fyne.NewMenuItemSeparator(),
			fyne.NewMenuItem("Copy as coap-client", c.composer.CopyAsCoapClient),
			item("Paste coap-client command…", shortcut(fyne.KeyV, true), c.composer.ShowPasteDialog),
		),
		g.viewMenu(),
		fyne.NewMenu("Mesh",
			item("Crawl mesh", shortcut(fyne.KeyR, true), c.tree.CrawlAll),
			fyne.NewMenuItem("Reload devices", func() { c.tree.Reload(c.currentName()) }),
			fyne.NewMenuItem("Diagnose a list of NICs…", func() {
				g.workspace.ShowTab(tabDiagnose)
				g.diagnosis.ShowBatchDialog()
			}),
			item("Filter the tree", shortcut(fyne.KeyT, true), c.tree.FocusFilter),
			item("Find in history", shortcut(fyne.KeyF, false), func() {
				g.workspace.ShowTab(tabHistory)
				g.history.FocusSearch()
			}),
		),
		fyne.NewMenu("Connection",
			item("Connect…", shortcut(fyne.KeyK, false), g.showConnect),
			fyne.NewMenuItem("Add device…", g.showAddDevice),
			fyne.NewMenuItem("Log in again", c.relogin),
			fyne.NewMenuItem("Disconnect", g.disconnectCurrent),
		),
		fyne.NewMenu("Help",
			fyne.NewMenuItem("About CoAP Workbench", g.showAbout),
		),
	)
}

// showConnect opens the connection dialog with the saved profiles.
func (g *gui) showConnect() {
	saved, err := g.profiles.List()
	if err != nil {
		g.ctrl.status.SetMessage(err.Error(), true)
	}
	views.ShowConnectDialog(g.window, saved, func(p views.ProfileForm) error {
		if _, ok := g.wb.Connection(p.Name); ok {
			return fmt.Errorf("a profile called %q is connected: disconnect it first, or choose another name", p.Name)
		}
		ep, err := engineProfile(p, g.profileDataDir())
		if err != nil {
			return err
		}
		if err := g.profiles.Save(p); err != nil {
			return fmt.Errorf("the profile was not saved: %w", err)
		}
		g.connect(ep, accountOf(p), true, nil)
		return nil
	}, func(name string) {
		if err := g.profiles.Remove(name); err != nil {
			g.ctrl.status.SetMessage(err.Error(), true)
		}
	})
}

// profileDataDir is where locally signed tokens find their key: the embedded gateway's.
func (g *gui) profileDataDir() string {
	if g.embedded != nil {
		return g.embedded.Gateway.Config().DataDir
	}
	return DefaultGatewayOptions().DataDir
}

func accountOf(p views.ProfileForm) string {
	switch p.TokenSource {
	case views.TokenURL:
		return p.ClientID
	case views.TokenPaste:
		return "pasted token"
	}
	return p.Account
}

// reconnectLastProfile connects the profile used last, when it is a saved one.
func (g *gui) reconnectLastProfile() {
	last := g.app.Preferences().String(prefLastProfile)
	if last == "" || last == EmbeddedProfile {
		return
	}
	saved, _ := g.profiles.List()
	for _, p := range saved {
		if p.Name != last {
			continue
		}
		ep, err := engineProfile(p, g.profileDataDir())
		if err != nil {
			g.ctrl.status.SetMessage(fmt.Sprintf("The last profile %s cannot connect: %v", p.Name, err), true)
			return
		}
		g.connect(ep, accountOf(p), true, nil)
	}
}

// disconnectCurrent logs the current profile out and takes it out of the tree.
func (g *gui) disconnectCurrent() {
	name := g.ctrl.currentName()
	if name == "" {
		return
	}
	go func() {
		err := g.wb.Disconnect(name)
		fyne.Do(func() {
			g.ctrl.tree.RemoveProfile(name)
			g.ctrl.setCurrent("")
			if names := g.ctrl.tree.Profiles(); len(names) > 0 {
				g.ctrl.useProfile(names[0])
			} else {
				g.ctrl.status.SetProfiles(nil, "")
				g.ctrl.refreshStatus()
			}
			if err != nil {
				g.ctrl.status.SetMessage("Disconnected "+name+" (the logout failed: "+err.Error()+")", true)
			} else {
				g.ctrl.status.SetMessage("Disconnected "+name, false)
			}
		})
	}()
}

// showAddDevice asks for a device by MAC or host name and adds it to the current profile (a
// real gateway does not list its devices).
func (g *gui) showAddDevice() {
	profile := g.ctrl.currentName()
	if profile == "" {
		dialog.ShowInformation("Add device", "Connect to a gateway first: Connection > Connect…", g.window)
		return
	}
	views.ShowInputDialog(g.window, views.InputRequest{
		Title:       "Add a device to " + profile,
		Prompt:      "The device's MAC (any common form), its host name, or its coap:// URI:",
		Placeholder: "00:13:50:05:00:05:E7:D6, SSN001350050005E7D6 or coap://host:port",
		Action:      "Add",
	}, func(text string) error {
		d, err := listedDeviceOf(text)
		if err != nil {
			return err
		}
		g.ctrl.tree.AddDevice(profile, d)
		return nil
	})
}

// listedDeviceOf reads a device as a person writes it: a MAC in any common form, an SSN host
// name, or a coap:// URI.
func listedDeviceOf(text string) (coapengine.ListedDevice, error) {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "coap://") {
		t, err := coapengine.ParseTarget(text)
		if err != nil {
			return coapengine.ListedDevice{}, err
		}
		return coapengine.ListedDevice{Host: t.Host, Base: "coap://" + t.HostPort()}, nil
	}
	host, err := coapengine.DeviceHost(text, mesh.DefaultDomain)
	if err != nil {
		return coapengine.ListedDevice{}, err
	}
	return coapengine.ListedDevice{Host: host, Base: fmt.Sprintf("coap://%s:%d", host, ssn.MilliPort)}, nil
}

// showAbout shows the version, commit and build date.
func (g *gui) showAbout() {
	b := Build()
	text := fmt.Sprintf("CoAP Workbench %s\n\nCommit %s\nBuilt %s with %s\n\nA workbench for CoAP device meshes behind a Starfish gateway: a resource tree, a request composer, Observe, a history and an embedded gateway-lite with a simulated mesh.",
		b.Version, orUnknown(b.Commit), orUnknown(b.BuildDate), b.GoVersion)
	label := widget.NewLabel(text)
	label.Wrapping = fyne.TextWrapWord
	link, _ := url.Parse("https://github.com/coap-workbench/coap-workbench")
	content := container.NewVBox(label, widget.NewHyperlink("Project page", link))
	d := dialog.NewCustom("About CoAP Workbench", "Close", content, g.window)
	d.Resize(fyne.NewSize(480, 0))
	d.Show()
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
