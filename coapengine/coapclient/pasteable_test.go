package coapclient

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

const powerStats = "coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/stats?mod=pwr"

func powerStatsThrough(gateway string) Command {
	return Command{Request: coapengine.NewRequest(codes.GET, powerStats), Gateway: gateway}
}

func TestPasteableLogsInToTheEmbeddedGatewayFromThePortOfTheRequest(t *testing.T) {
	text, notes := Pasteable{Command: powerStatsThrough("127.0.0.1:5683"), Login: LoginWithWorkbenchToken, WorkbenchPort: 40001}.Render()
	want := "coap-workbench token | coap-client-notls -m post -p 12345 -t text -f - coap://127.0.0.1:5683/sessions && \\\n" +
		"coap-client-notls -m get -p 12345 -P coap://127.0.0.1:5683 'coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/stats?mod=pwr'"
	if text != want || len(notes) != 0 {
		t.Fatalf("got\n%s\nwant\n%s\nnotes %q", text, want, notes)
	}
}

func TestPasteableLogsInToAnotherStarfishGatewayWithTheTokenVariable(t *testing.T) {
	text, notes := Pasteable{Command: powerStatsThrough("gateway.example:5683"), Login: LoginWithTokenVariable, Program: "coap-client"}.Render()
	want := `echo -n "$TOKEN" | coap-client -m post -p 12345 -t text -f - coap://gateway.example:5683/sessions && \` + "\n" +
		"coap-client -m get -p 12345 -P coap://gateway.example:5683 'coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/stats?mod=pwr'"
	if text != want {
		t.Fatalf("got\n%s\nwant\n%s", text, want)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "set it in the shell first") {
		t.Fatalf("notes %q: want one telling to set $TOKEN", notes)
	}
}

func TestPasteableNeverTakesTheWorkbenchsOwnPortNorTheGatewaysPort(t *testing.T) {
	for _, tc := range []struct {
		gateway   string
		workbench int
		want      int
	}{
		{"127.0.0.1:5683", 0, SessionPort},
		{"127.0.0.1:5683", 51234, SessionPort},
		{"127.0.0.1:5683", SessionPort, SessionPort + 1},
		{"127.0.0.1:12346", SessionPort, SessionPort + 2},
		{"[::1]:12345", 0, SessionPort + 1},
	} {
		p := Pasteable{Command: powerStatsThrough(tc.gateway), Login: LoginWithWorkbenchToken, WorkbenchPort: tc.workbench}
		text, _ := p.Render()
		if p.Port() != tc.want || strings.Count(text, "-p "+strconv.Itoa(tc.want)+" ") != 2 {
			t.Errorf("gateway %s, workbench on %d: port %d, want %d in both lines:\n%s", tc.gateway, tc.workbench, p.Port(), tc.want, text)
		}
	}
}

func TestPasteableWithoutASessionIsTheRequestAloneFromAnyPort(t *testing.T) {
	for name, p := range map[string]Pasteable{
		"a plain proxy":             {Command: powerStatsThrough("proxy.example:5683"), WorkbenchPort: 40001},
		"a device reached directly": {Command: Command{Request: coapengine.NewRequest(codes.GET, "coap://[::1]:5683/sys")}, Login: LoginWithWorkbenchToken, WorkbenchPort: 40001},
	} {
		c := p.Command
		c.LocalPort = 40001 // the workbench's own: never written
		p.Command = c
		text, _ := p.Render()
		if strings.Contains(text, "\n") || strings.Contains(text, "-p") || strings.Contains(text, "/sessions") || !strings.HasPrefix(text, DebianProgram+" -m get ") {
			t.Errorf("%s: %s", name, text)
		}
	}
}

func TestPasteableQuotesTheWorkbenchPathAndItsDataDirectory(t *testing.T) {
	p := Pasteable{Command: powerStatsThrough("127.0.0.1:5683"), Login: LoginWithWorkbenchToken,
		Workbench: "/opt/my tools/coap-workbench", DataDir: "/home/a b/.config/coap-workbench/gateway", Program: "/usr/bin/coap-client-notls"}
	want := "'/opt/my tools/coap-workbench' token --data-dir '/home/a b/.config/coap-workbench/gateway' | /usr/bin/coap-client-notls -m post -p 12345 -t text -f - coap://127.0.0.1:5683/sessions"
	if got := p.LoginLine(); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if got := (Pasteable{Command: powerStatsThrough("")}).LoginLine(); got != "" {
		t.Fatalf("without a gateway: %q", got)
	}
}

// TestParseReadsBackWhatPasteableWrites: the request of a pasted login and request is the
// request copied, from the port of the login, and the note says that the login is left out.
func TestParseReadsBackWhatPasteableWrites(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 2000; i++ {
		c := randomCommand(rng)
		p := Pasteable{Command: c, Login: Login(rng.IntN(3)), WorkbenchPort: []int{0, SessionPort, 50000}[rng.IntN(3)],
			Program: []string{"", "coap-client", "/usr/local/bin/coap-client"}[rng.IntN(3)], Workbench: []string{"", "/tmp/x y/cw"}[rng.IntN(2)]}
		text, notes := p.Render()
		if p.Login == LoginWithTokenVariable && p.Gateway != "" {
			notes = notes[:len(notes)-1]
		}
		if len(notes) != 0 {
			t.Fatalf("%s: notes %v", text, notes)
		}
		got, notes, err := Parse(text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		want := c
		want.LocalPort = p.Port()
		if !reflect.DeepEqual(normalised(got), normalised(want)) {
			t.Fatalf("read back\n%s\n got %+v\nwant %+v", text, normalised(got), normalised(want))
		}
		logsIn := strings.Contains(text, "/sessions")
		if logsIn != (len(notes) == 1) || (logsIn && !strings.Contains(notes[0], "login (POST /sessions from port "+strconv.Itoa(p.Port())+") is left out")) {
			t.Fatalf("%s: notes %q", text, notes)
		}
	}
}

func TestInstalledProgramIsTheCoapClientOnThePath(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	if got := InstalledProgram(); got != DebianProgram {
		t.Errorf("with none installed: %q, want %q", got, DebianProgram)
	}
	for _, name := range []string{"coap-client-notls", "coap-client"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		if got := InstalledProgram(); got != name {
			t.Errorf("with %s installed: %q", name, got)
		}
	}
}
