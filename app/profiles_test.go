package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/views"
)

func TestProfilesKeepTheirSecretsInAnOwnerOnlyFileAndNowhereElse(t *testing.T) {
	a := test.NewTempApp(t)
	dir := t.TempDir()
	s := newProfileStore(a.Preferences(), dir)
	p := views.ProfileForm{Name: "field", Gateway: "gw.example.net:5683", TokenSource: views.TokenURL, TokenURL: "https://sf.example.net/api/tokens", ClientID: "support", Secret: "s3cr3t-value"}
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(views.ProfileForm{Name: "bench", Gateway: "127.0.0.1:5683", TokenSource: views.TokenLocal, Account: "dev"}); err != nil {
		t.Fatal(err)
	}
	if raw := a.Preferences().String(prefProfiles); strings.Contains(raw, "s3cr3t") || !strings.Contains(raw, "support") {
		t.Fatalf("preferences hold %s", raw)
	}
	info, err := os.Stat(filepath.Join(dir, SecretsFile))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("secrets file mode %v, want 0600", perm)
	}
	list, err := s.List()
	if err != nil || len(list) != 2 || list[0] != p {
		t.Fatalf("listed %+v, %v", list, err)
	}
	ep, err := engineProfile(list[0], dir)
	if err != nil {
		t.Fatal(err)
	}
	if tu, ok := ep.Tokens.(coapengine.TokenURL); !ok || tu.ClientSecret != "s3cr3t-value" || ep.Gateway != p.Gateway {
		t.Fatalf("engine profile %+v", ep)
	}
	// Saving again replaces; removing forgets the secret too.
	p.ClientID = "support2"
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.List(); len(list) != 2 || list[1].ClientID != "support2" {
		t.Fatalf("after replacing: %+v", list)
	}
	if err := s.Remove("field"); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, SecretsFile))
	if strings.Contains(string(raw), "s3cr3t") {
		t.Fatal("a removed profile's secret stayed in the file")
	}
}

func TestADamagedSecretsFileIsReportedAndTheProfilesStay(t *testing.T) {
	a := test.NewTempApp(t)
	dir := t.TempDir()
	s := newProfileStore(a.Preferences(), dir)
	if err := s.Save(views.ProfileForm{Name: "lab", Gateway: "10.0.0.1:5683", TokenSource: views.TokenPaste, Secret: "tok"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, SecretsFile), []byte("{garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	list, err := s.List()
	if err == nil || !strings.Contains(err.Error(), "enter the secrets again") {
		t.Fatalf("damaged secrets: %v", err)
	}
	if len(list) != 1 || list[0].Name != "lab" || list[0].Secret != "" {
		t.Fatalf("profiles after a damaged secrets file: %+v", list)
	}
	if _, err := engineProfile(list[0], dir); err == nil || !strings.Contains(err.Error(), "paste the token") {
		t.Fatalf("a profile without its pasted token connects: %v", err)
	}
}

func TestAProfileFormSaysWhatIsWrong(t *testing.T) {
	for _, tc := range []struct {
		form views.ProfileForm
		want string
	}{
		{views.ProfileForm{Gateway: "gw:5683"}, "give the profile a name"},
		{views.ProfileForm{Name: "x", Gateway: "gw.example.net"}, "HOST:PORT"},
		{views.ProfileForm{Name: "x", Gateway: ":5683"}, "HOST:PORT"},
		{views.ProfileForm{Name: "x", Gateway: "gw:abc"}, "HOST:PORT"},
		{views.ProfileForm{Name: "x", Gateway: "gw:99999"}, "port from 1 to 65535"},
		{views.ProfileForm{Name: "x", Gateway: "gw:5683", LocalPort: 70000}, "client port: a number from 0 to 65535"},
		{views.ProfileForm{Name: "x", Gateway: "gw:5683", TokenSource: views.TokenURL, TokenURL: "https://x"}, "client id"},
	} {
		if err := tc.form.Check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%+v: %v, want %q", tc.form, err, tc.want)
		}
	}
	if err := (views.ProfileForm{Name: "direct"}).Check(); err != nil {
		t.Fatalf("a direct profile: %v", err)
	}
}

func TestDevicesAreAddedByMACHostOrURI(t *testing.T) {
	for in, want := range map[string]string{
		"00:13:50:05:00:05:E7:D6":                        "coap://SSN001350050005E7D6.sim.starfish.test:4849",
		"ssn001350050005e7d6.field.example.net":          "coap://SSN001350050005E7D6.field.example.net:4849",
		"coap://SSN001350050005E7D6.x.example.net:5683/": "coap://SSN001350050005E7D6.x.example.net:5683",
	} {
		d, err := listedDeviceOf(in)
		if err != nil || d.Base != want {
			t.Fatalf("%q: %+v %v, want %s", in, d, err, want)
		}
	}
	if _, err := listedDeviceOf("not-a-device"); err == nil || !strings.Contains(err.Error(), "16 hex digits") {
		t.Fatalf("garbage: %v", err)
	}
}

func TestProfilesSavedWithTheDialogsLabelsStillWork(t *testing.T) {
	a := test.NewTempApp(t)
	dir := t.TempDir()
	s := newProfileStore(a.Preferences(), dir)
	// How the first version saved a pasted-token profile: the source as its label.
	a.Preferences().SetString(prefProfiles, `[{"name":"old","gateway":"gw:5683","tokenSource":"A token I paste"}]`)
	if err := os.WriteFile(filepath.Join(dir, SecretsFile), []byte(`{"old":"tok"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	list, err := s.List()
	if err != nil || len(list) != 1 || list[0].TokenSource != views.TokenPaste {
		t.Fatalf("listed %+v, %v", list, err)
	}
	ep, err := engineProfile(list[0], dir)
	if err != nil || ep.Tokens != coapengine.PastedToken("tok") {
		t.Fatalf("engine profile %+v, %v", ep, err)
	}
	list[0].TokenSource = "carrier pigeon"
	if _, err := engineProfile(list[0], dir); err == nil || !strings.Contains(err.Error(), "unknown token source") {
		t.Fatalf("an unknown token source: %v", err)
	}
}

func TestUnreadableSavedProfilesAreNotOverwritten(t *testing.T) {
	a := test.NewTempApp(t)
	s := newProfileStore(a.Preferences(), t.TempDir())
	a.Preferences().SetString(prefProfiles, `[{"name":"precious"`)
	if err := s.Save(views.ProfileForm{Name: "new", Gateway: "gw:5683", TokenSource: views.TokenLocal}); err == nil {
		t.Fatal("a save replaced unreadable profiles")
	}
	if got := a.Preferences().String(prefProfiles); got != `[{"name":"precious"` {
		t.Fatalf("the saved profiles changed to %q", got)
	}
}
