package views

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestTheConnectDialogShowsTheFieldsOfTheTokenSourceAndConnectsWhatItShows(t *testing.T) {
	test.NewTempApp(t)
	w := showInTestWindow(t, nil, 900, 800)
	saved := []ProfileForm{{Name: "field", Gateway: "gw.example.net:5683", TokenSource: TokenURL, TokenURL: "https://sf.example.net/api/tokens", ClientID: "support", Secret: "s"}}
	var connected []ProfileForm
	d := ShowConnectDialog(w, saved, func(p ProfileForm) error { connected = append(connected, p); return nil }, func(string) {})
	labels := func() []string {
		var out []string
		for _, it := range d.form.Items {
			out = append(out, it.Text)
		}
		return out
	}
	if got := labels(); got[len(got)-1] != "Account" {
		t.Fatalf("a new profile signs tokens here, and asks for the account: %q", got)
	}
	d.saved.SetSelected("field")
	if got := labels(); got[len(got)-1] != "Client secret" || got[len(got)-3] != "Token URL" {
		t.Fatalf("a token-URL profile's fields: %q", got)
	}
	d.name.SetText("")
	test.Tap(d.connectButton)
	if len(connected) != 0 || !d.problem.Visible() || d.problem.Text != "give the profile a name" {
		t.Fatalf("a nameless profile: connected %v, problem %q", connected, d.problem.Text)
	}
	d.name.SetText("field")
	test.Tap(d.connectButton)
	if len(connected) != 1 || connected[0] != saved[0] {
		t.Fatalf("connected %+v, want %+v", connected, saved[0])
	}
}
