package views

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// The token sources a profile can use, as saved.
const (
	TokenLocal = "local"
	TokenPaste = "paste"
	TokenURL   = "url"
)

// tokenSources are the token sources in the dialog's order, with their labels.
var tokenSources = []struct{ key, label string }{
	{TokenLocal, "Signed here (a gateway on this computer)"},
	{TokenPaste, "A token I paste"},
	{TokenURL, "A token URL (client id and secret)"},
}

func tokenSourceLabel(key string) string {
	for _, t := range tokenSources {
		if t.key == key {
			return t.label
		}
	}
	return tokenSources[0].label
}

// TokenSourceKey is the saved key of a token source written as a key or as the dialog's
// label (as profiles were saved at first); anything else is returned as it is.
func TokenSourceKey(keyOrLabel string) string {
	for _, t := range tokenSources {
		if t.label == keyOrLabel {
			return t.key
		}
	}
	return keyOrLabel
}

// ProfileForm is a gateway profile as the connection dialog edits it.
type ProfileForm struct {
	Name string `json:"name"`
	// Gateway is host:port; empty sends requests straight to devices.
	Gateway     string `json:"gateway"`
	LocalPort   int    `json:"localPort,omitempty"`
	Sticky      bool   `json:"sticky,omitempty"`
	ProxyScheme bool   `json:"proxyScheme,omitempty"`
	TokenSource string `json:"tokenSource"`
	Account     string `json:"account,omitempty"` // for TokenLocal
	TokenURL    string `json:"tokenURL,omitempty"`
	ClientID    string `json:"clientID,omitempty"`
	// Secret is the pasted token or the client secret. It is never saved with the rest of
	// the profile: the app keeps it in a file only its owner can read.
	Secret string `json:"-"`
}

// Check says what is wrong with a profile, in the dialog's words.
func (p ProfileForm) Check() error {
	var errs []error
	if strings.TrimSpace(p.Name) == "" {
		errs = append(errs, errors.New("give the profile a name"))
	}
	if p.Gateway != "" {
		host, port, err := net.SplitHostPort(p.Gateway)
		n, perr := strconv.Atoi(port)
		if err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
			errs = append(errs, fmt.Errorf("gateway %q: write HOST:PORT with a port from 1 to 65535, e.g. gw.example.net:5683", p.Gateway))
		}
	}
	if p.LocalPort < 0 || p.LocalPort > 65535 {
		errs = append(errs, errors.New("client port: a number from 0 to 65535 (0: any)"))
	}
	if p.Gateway != "" {
		switch p.TokenSource {
		case TokenPaste:
			if strings.TrimSpace(p.Secret) == "" {
				errs = append(errs, errors.New("paste the token"))
			}
		case TokenURL:
			if p.TokenURL == "" || p.ClientID == "" || p.Secret == "" {
				errs = append(errs, errors.New("a token URL needs the URL, a client id and a client secret"))
			}
		}
	}
	return errors.Join(errs...)
}

// ConnectDialog edits and connects gateway profiles.
type ConnectDialog struct {
	dialog  *dialog.CustomDialog
	form    *widget.Form
	saved   *widget.Select
	name    *DialogEntry
	gateway *DialogEntry
	port    *DialogEntry
	sticky  *widget.Check
	scheme  *widget.Check
	source  *widget.RadioGroup
	account *DialogEntry
	url     *DialogEntry
	client  *DialogEntry
	secret  *DialogEntry
	problem *widget.Label
	byName  map[string]ProfileForm

	connectButton *widget.Button
}

// ShowConnectDialog shows the connection dialog over w with the saved profiles; connect is
// called with the filled-in profile (the dialog stays open with its error if it fails), and
// remove with the name of a profile to forget.
func ShowConnectDialog(w fyne.Window, saved []ProfileForm, connect func(ProfileForm) error, remove func(name string)) *ConnectDialog {
	d := &ConnectDialog{byName: map[string]ProfileForm{}}
	var names []string
	for _, p := range saved {
		d.byName[p.Name] = p
		names = append(names, p.Name)
	}
	d.saved = widget.NewSelect(names, func(name string) { d.load(d.byName[name]) })
	d.saved.PlaceHolder = "(a new profile)"
	d.name = NewDialogEntry()
	d.name.SetPlaceHolder("field-gateway")
	d.gateway = NewDialogEntry()
	d.gateway.SetPlaceHolder("gw.example.net:5683 (empty: no gateway, straight to devices)")
	d.port = NewDialogEntry()
	d.port.SetPlaceHolder("0 (any)")
	d.sticky = widget.NewCheck("Sticky session (follows the account, not the socket)", nil)
	d.scheme = widget.NewCheck("Name targets with Proxy-Scheme and Uri-Host instead of Proxy-Uri", nil)
	d.account = NewDialogEntry()
	d.account.SetText("dev")
	d.url = NewDialogEntry()
	d.url.SetPlaceHolder("https://starfish.example.net/api/tokens")
	d.client = NewDialogEntry()
	d.secret = newPasswordDialogEntry()
	d.secret.SetPlaceHolder("kept in a file only you can read; never shown in the history or the log")
	var labels []string
	for _, t := range tokenSources {
		labels = append(labels, t.label)
	}
	d.source = widget.NewRadioGroup(labels, func(string) { d.showSource() })
	d.source.Required = true
	d.source.SetSelected(tokenSourceLabel(TokenLocal))
	d.problem = widget.NewLabel("")
	d.problem.Importance = widget.DangerImportance
	d.problem.Wrapping = fyne.TextWrapWord
	d.problem.Hide()

	d.form = widget.NewForm()
	d.showSource()
	d.connectButton = widget.NewButton("Save and connect", func() {
		p := d.Form()
		err := p.Check()
		if err == nil {
			err = connect(p)
		}
		if err != nil {
			d.problem.SetText(err.Error())
			d.problem.Show()
			return
		}
		d.dialog.Hide()
	})
	d.connectButton.Importance = widget.HighImportance
	forget := widget.NewButton("Forget profile", func() {
		if name := d.saved.Selected; name != "" {
			remove(name)
			delete(d.byName, name)
			d.saved.Options = removeString(d.saved.Options, name)
			d.saved.ClearSelected()
		}
	})
	cancel := widget.NewButton("Cancel", func() { d.dialog.Hide() })
	d.dialog = dialog.NewCustomWithoutButtons("Connect to a gateway", container.NewVBox(d.form, d.problem), w)
	d.dialog.SetButtons([]fyne.CanvasObject{cancel, forget, d.connectButton})
	d.dialog.Resize(fyne.NewSize(620, 0))
	d.dialog.Show()
	return d
}

func removeString(list []string, s string) []string {
	var out []string
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// showSource shows the fields the chosen token source needs, and only those.
func (d *ConnectDialog) showSource() {
	items := []*widget.FormItem{
		widget.NewFormItem("Saved profiles", d.saved),
		widget.NewFormItem("Name", d.name),
		widget.NewFormItem("Gateway", d.gateway),
		widget.NewFormItem("Client port", d.port),
		widget.NewFormItem("", d.sticky),
		widget.NewFormItem("", d.scheme),
		widget.NewFormItem("Token", d.source),
	}
	switch TokenSourceKey(d.source.Selected) {
	case TokenLocal:
		items = append(items, widget.NewFormItem("Account", d.account))
	case TokenPaste:
		items = append(items, widget.NewFormItem("Token", d.secret))
	case TokenURL:
		items = append(items, widget.NewFormItem("Token URL", d.url), widget.NewFormItem("Client id", d.client), widget.NewFormItem("Client secret", d.secret))
	}
	if d.form == nil {
		return
	}
	d.form.Items = items
	d.form.Refresh()
}

func (d *ConnectDialog) load(p ProfileForm) {
	d.name.SetText(p.Name)
	d.gateway.SetText(p.Gateway)
	d.port.SetText("")
	if p.LocalPort != 0 {
		d.port.SetText(strconv.Itoa(p.LocalPort))
	}
	d.sticky.SetChecked(p.Sticky)
	d.scheme.SetChecked(p.ProxyScheme)
	d.source.SetSelected(tokenSourceLabel(p.TokenSource))
	d.account.SetText(p.Account)
	d.url.SetText(p.TokenURL)
	d.client.SetText(p.ClientID)
	d.secret.SetText(p.Secret)
}

// Form is the profile the dialog's fields describe.
func (d *ConnectDialog) Form() ProfileForm {
	port, err := strconv.Atoi(strings.TrimSpace(d.port.Text))
	if err != nil && strings.TrimSpace(d.port.Text) != "" {
		port = -1
	}
	p := ProfileForm{
		Name: strings.TrimSpace(d.name.Text), Gateway: strings.TrimSpace(d.gateway.Text), LocalPort: port,
		Sticky: d.sticky.Checked, ProxyScheme: d.scheme.Checked, TokenSource: TokenSourceKey(d.source.Selected),
		Account: strings.TrimSpace(d.account.Text), TokenURL: strings.TrimSpace(d.url.Text),
		ClientID: strings.TrimSpace(d.client.Text), Secret: strings.TrimSpace(d.secret.Text),
	}
	// Only what the chosen source uses is kept: no secret is saved for a token signed here.
	switch p.TokenSource {
	case TokenLocal:
		p.TokenURL, p.ClientID, p.Secret = "", "", ""
	case TokenPaste:
		p.Account, p.TokenURL, p.ClientID = "", "", ""
	case TokenURL:
		p.Account = ""
	}
	return p
}
