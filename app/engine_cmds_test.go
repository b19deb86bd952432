package app

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coap-workbench/coap-workbench/internal/testbed"
)

// engineBed is a gateway-lite on loopback and the flags that reach it: its data directory
// holds its key, so the commands log in with their local issuer.
type engineBed struct {
	*testbed.Bed
	flags []string
}

func startEngineBed(t *testing.T) *engineBed {
	bed := testbed.Start(t, nil)
	return &engineBed{Bed: bed, flags: []string{"--gateway", bed.Gateway.Addr().String(), "--data-dir", bed.Gateway.Config().DataDir}}
}

func (b *engineBed) run(t *testing.T, stdin string, cmd string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	all := append(append([]string{}, b.flags...), args...)
	var code int
	in := strings.NewReader(stdin)
	switch cmd {
	case "request":
		code = runRequestWith(all, in, &stdout, &stderr)
	case "observe":
		code = runObserveWith(all, in, &stdout, &stderr)
	case "discover":
		code = runDiscoverWith(all, in, &stdout, &stderr)
	default:
		code = run(append([]string{cmd}, all...), &stdout, &stderr)
	}
	return code, stdout.String(), stderr.String()
}

func TestRequestPrintsTheDecodedPayloadAndExitsByOutcome(t *testing.T) {
	b := startEngineBed(t)
	code, out, errOut := b.run(t, "", "request", testbed.SeedURI("/sys/stats?mod=pwr"))
	if code != ExitOK || !strings.Contains(out, "bat_voltage") || !strings.Contains(out, "sleep_pct") {
		t.Fatalf("power stats: %d\n%s\n%s", code, out, errOut)
	}
	// Flags after the URI, as coap-client allows.
	code, out, _ = b.run(t, "", "request", testbed.SeedURI("/snsr/sys/info"), "-m", "get", "--raw")
	if code != ExitOK || !bytes.HasPrefix([]byte(out), []byte{0xa3}) { // a CBOR map of 3
		t.Fatalf("--raw: %d %x", code, out)
	}
	code, out, _ = b.run(t, "", "request", "--json", testbed.SeedURI("/.well-known/core"))
	var entry struct {
		Code       string `json:"code"`
		AnsweredBy string `json:"answeredBy"`
		Decoder    string `json:"decoder"`
	}
	if err := json.Unmarshal([]byte(out), &entry); err != nil || code != ExitOK || entry.Code != "2.05 Content" || entry.AnsweredBy != "device" || entry.Decoder != "link-format" {
		t.Fatalf("--json: %d %v %+v", code, err, entry)
	}

	code, out, errOut = b.run(t, "", "request", testbed.SeedURI("/dummy"))
	if code != ExitServerError || out != "" || !strings.Contains(errOut, "5.01 Not Implemented (answered by the device)") {
		t.Fatalf("5.01: %d %q %q", code, out, errOut)
	}
	code, _, errOut = b.run(t, "", "request", "-m", "put", "-e", "x", testbed.SeedURI("/snsr/sys/info"))
	if code != ExitClientError || !strings.Contains(errOut, "4.05") {
		t.Fatalf("4.05: %d %q", code, errOut)
	}
	code, _, errOut = b.run(t, "", "request", "coap://SSN00AA00AA00AA00AA.sim.starfish.test:4849/sys")
	if code != ExitNetwork || !strings.Contains(errOut, "5.02 Bad Gateway (answered by the gateway)") {
		t.Fatalf("unknown device: %d %q", code, errOut)
	}
}

func TestRequestLogsInEveryWay(t *testing.T) {
	b := startEngineBed(t)
	raw, _, err := b.IssueToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	gw := b.Gateway.Addr().String()
	elsewhere := t.TempDir() // a data directory without the gateway's key
	uri := testbed.SeedURI("/.well-known/core")
	for name, args := range map[string][]string{
		"pasted token":   {"--token", raw},
		"token on stdin": {"--token", "-"},
		"token URL":      {"--token-url", b.Gateway.TokenEndpoint(), "--client-id", "dev", "--client-secret", b.DevSecret(t)},
	} {
		var stdout, stderr bytes.Buffer
		all := append([]string{"--gateway", gw, "--data-dir", elsewhere}, append(args, uri)...)
		if code := runRequestWith(all, strings.NewReader(raw+"\n"), &stdout, &stderr); code != ExitOK || !strings.Contains(stdout.String(), "/sys/stats?mod=pwr") {
			t.Errorf("%s: %d %s", name, code, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	code := runRequestWith([]string{"--gateway", gw, "--data-dir", elsewhere, uri}, strings.NewReader(""), &stdout, &stderr)
	if code != ExitNetwork || !strings.Contains(stderr.String(), "log in again") {
		t.Fatalf("without a token: %d %q", code, stderr.String())
	}
	stderr.Reset()
	code = runRequestWith([]string{"--gateway", gw, "--token", "not-a-token", uri}, strings.NewReader(""), &stdout, &stderr)
	if code != ExitNetwork || !strings.Contains(stderr.String(), "login refused (4.01)") {
		t.Fatalf("a garbage token: %d %q", code, stderr.String())
	}
}

func TestRequestSpeaksCoapClient(t *testing.T) {
	b := startEngineBed(t)
	gw := b.Gateway.Addr().String()
	uri := testbed.SeedURI("/snsr/sys/time")
	code, out, _ := b.run(t, "", "request", "-m", "put", "-t", "octet-stream", "-O", "ETag,0x0102", "-p", "23456", "--time-set", "2026-11-25T12:00:00Z", "--as-coap-client", uri)
	want := "coap-client -m put -p 23456 -P coap://" + gw + " -t octet-stream -O 4,0x0102 -e "
	if code != ExitOK || !strings.HasPrefix(out, want) || !strings.HasSuffix(strings.TrimSpace(out), uri) {
		t.Fatalf("--as-coap-client: %d\n%s\nwant prefix %s", code, out, want)
	}
	// The line it printed, pasted back, sends the time-set record; the device then reads
	// the time that was set.
	line := strings.TrimSpace(out)
	if code, _, errOut := b.run(t, "", "request", "--coap-client", line); code != ExitOK {
		t.Fatalf("--coap-client: %d %s", code, errOut)
	}
	code, out, _ = b.run(t, "", "request", uri)
	if code != ExitOK || !strings.Contains(out, "2026-11-25T12:00") {
		t.Fatalf("the time after setting it: %d %s", code, out)
	}
	code, _, errOut := b.run(t, "", "request", "--coap-client", "curl http://x")
	if code != ExitUsage || !strings.Contains(errOut, "not a coap-client command line") {
		t.Fatalf("a line that is not coap-client: %d %s", code, errOut)
	}
}

func TestRequestUsageErrors(t *testing.T) {
	b := startEngineBed(t)
	for _, args := range [][]string{
		{},
		{"coap://a/x", "coap://b/y"},
		{"-m", "shout", "coap://a/x"},
		{"-O", "Nonsense,1", "coap://a/x"},
		{"-b", "100", "coap://a/x"},
		{"-e", "x", "-f", "y", "-m", "put", "coap://a/x"},
		{"--raw", "--json", "coap://a/x"},
		{"--direct", "--token", "x", "coap://a/x"},
		{"http://a/x"},
		{"-T", "123456789", "coap://a/x"},
		{"--coap-client", "coap-client coap://a/x", "-m", "put"},
		{"--coap-client", "coap-client -m put -f - coap://a/x", "--token", "-"},
		{"-m", "put", "-f", "-", "--token", "-", "coap://a/x"},
		{"-B", "-5s", "coap://a/x"},
	} {
		if code, _, errOut := b.run(t, "", "request", args...); code != ExitUsage || errOut == "" {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}

func TestObservePrintsNotificationsAndHealth(t *testing.T) {
	b := startEngineBed(t)
	code, out, errOut := b.run(t, "", "observe", "--count", "3", testbed.SeedURI("/sys/stats?mod=pwr"))
	if code != ExitOK || strings.Count(out, "bat_voltage") != 4 || !strings.Contains(out, "#") {
		t.Fatalf("observe: %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "3 notifications, 0 gaps, 0 reorders") {
		t.Fatalf("health: %s", errOut)
	}
	if relays := b.Gateway.Relays(); len(relays) != 0 {
		t.Fatalf("the observation was not deregistered at the gateway: %+v", relays)
	}
	code, out, _ = b.run(t, "", "observe", "--count", "1", "--json", "-s", "10", testbed.SeedURI("/snsr/arduino/temp?sens"))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != ExitOK || len(lines) != 2 || !strings.Contains(lines[1], `"notification":true`) {
		t.Fatalf("--json: %d\n%s", code, out)
	}
	if code, _, errOut := b.run(t, "", "observe", "-m", "put", testbed.SeedURI("/sys/stats?mod=pwr")); code != ExitUsage || !strings.Contains(errOut, "only a GET or a FETCH can observe") {
		t.Fatalf("observe -m put: %d %s", code, errOut)
	}
	if code, _, errOut := b.run(t, "", "observe", testbed.SeedURI("/snsr/sys/info")); code != ExitFailure || !strings.Contains(errOut, "not observable") {
		t.Fatalf("a resource that is not observable: %d %s", code, errOut)
	}
}

func TestDiscoverDevicesAndTheMesh(t *testing.T) {
	b := startEngineBed(t)
	code, out, _ := b.run(t, "", "discover", "001350050005E7D6")
	if code != ExitOK || !strings.Contains(out, testbed.SeedHost+"  14 resources") || !strings.Contains(out, "stats?mod=pwr") || !strings.Contains(out, "obs") {
		t.Fatalf("one device: %d\n%s", code, out)
	}
	code, out, errOut := b.run(t, "", "discover", "--all", "--json")
	var trees []struct {
		Device    string `json:"device"`
		Reachable bool   `json:"reachable"`
	}
	if err := json.Unmarshal([]byte(out), &trees); err != nil || code != ExitOK || len(trees) != 4 {
		t.Fatalf("--all: %d %v %s", code, err, errOut)
	}
	list := filepath.Join(t.TempDir(), "macs.csv")
	os.WriteFile(list, []byte("mac,site\n001350050005E7D6,lab\n00AA00AA00AA00AA,nowhere\n"), 0o600)
	code, out, errOut = b.run(t, "", "discover", "--from-file", list)
	if code != ExitNetwork || !strings.Contains(out, "SSN00AA00AA00AA00AA.sim.starfish.test  unreachable: ") || !strings.Contains(errOut, "2 devices, 1 reachable, 1 unreachable") {
		t.Fatalf("--from-file: %d\n%s\n%s", code, out, errOut)
	}
	for _, args := range [][]string{{}, {"--all", "001350050005E7D6"}, {"not-a-device"}, {"--all", "--concurrency", "0"}, {"--all", "--direct"}, {"--from-file", "-", "--token", "-"}} {
		if code, _, _ := b.run(t, "", "discover", args...); code != ExitUsage {
			t.Errorf("%v: exit %d", args, code)
		}
	}
}

func TestHistoryCommands(t *testing.T) {
	b := startEngineBed(t)
	dataDir := b.Gateway.Config().DataDir
	for _, path := range []string{"/sys/stats?mod=pwr", "/dummy", "/.well-known/core"} {
		b.run(t, "", "request", testbed.SeedURI(path))
	}
	code, out, errOut := runCLI("history", "list", "--data-dir", dataDir, "--path", "dummy")
	if code != ExitOK || strings.Count(out, "\n") != 2 || !strings.Contains(out, "5.01 Not Implemented") {
		t.Fatalf("list --path: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runCLI("history", "list", "--data-dir", dataDir, "--class", "2xx", "--limit", "2")
	if code != ExitOK || strings.Count(out, "\n") != 3 {
		t.Fatalf("list --limit: %d\n%s", code, out)
	}
	_, out, _ = runCLI("history", "list", "--data-dir", dataDir, "--path", "well-known", "--limit", "1")
	newest := strings.Fields(strings.Split(out, "\n")[1])[0]

	code, out, _ = runCLI("history", "export", "--data-dir", dataDir, "--format", "csv", "--device", "001350050005E7D6")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || code != ExitOK || len(rows) != 4 || rows[0][0] != "id" {
		t.Fatalf("export csv: %d %v %d rows", code, err, len(rows))
	}
	exported := filepath.Join(t.TempDir(), "h.jsonl")
	if code, _, errOut := runCLI("history", "export", "--data-dir", dataDir, "-o", exported); code != ExitOK {
		t.Fatalf("export -o: %s", errOut)
	}
	if raw, _ := os.ReadFile(exported); strings.Count(string(raw), "\n") < 9 { // 3 requests, each with a login and a logout
		t.Fatalf("export jsonl:\n%s", raw)
	}

	code, out, errOut = runCLI(append([]string{"history", "replay"}, append(b.flags, newest)...)...)
	if code != ExitOK || !strings.Contains(out, "/sys/stats?mod=pwr") {
		t.Fatalf("replay %s: %d %s %s", newest, code, out, errOut)
	}
	if code, _, _ := runCLI(append([]string{"history", "replay"}, append(b.flags, "99999")...)...); code != ExitUsage {
		t.Fatalf("replay of a missing entry: %d", code)
	}
	code, out, _ = runCLI("history", "delete", "--data-dir", dataDir, newest, "99999")
	if code != ExitOK || !strings.Contains(out, "deleted 1 entries") {
		t.Fatalf("delete: %d %s", code, out)
	}
	code, out, _ = runCLI("history", "prune", "--data-dir", dataDir, "--max-count", "3")
	if code != ExitOK || !strings.Contains(out, "3 left") {
		t.Fatalf("prune: %d %s", code, out)
	}
	code, out, _ = runCLI("history", "delete", "--data-dir", dataDir, "--all")
	if code != ExitOK || !strings.Contains(out, "deleted 3 entries") {
		t.Fatalf("delete --all: %d %s", code, out)
	}
	if code, _, errOut := runCLI("history"); code != ExitUsage || !strings.Contains(errOut, "Usage: coap-workbench history COMMAND") {
		t.Errorf("history without a command: %d %s", code, errOut)
	}
	for _, args := range [][]string{{"history", "frob"}, {"history", "list", "--class", "3xx"}, {"history", "export", "--format", "xml"}, {"history", "delete"}} {
		if code, _, _ := runCLI(append(args, "--data-dir", dataDir)...); code != ExitUsage {
			t.Errorf("%v: exit %d", args, code)
		}
	}
	if code, _, errOut := runCLI("history", "list", "--data-dir", filepath.Join(t.TempDir(), "none")); code != ExitFailure || !strings.Contains(errOut, "nothing was recorded") {
		t.Errorf("list without a data directory: %d %s", code, errOut)
	}
}

func TestEngineCommandsHaveHelp(t *testing.T) {
	for _, cmd := range [][]string{{"request"}, {"observe"}, {"discover"}, {"history", "list"}, {"history", "export"}, {"history", "replay"}, {"history", "delete"}, {"history", "prune"}} {
		code, _, errOut := runCLI(append(cmd, "--help")...)
		if code != ExitOK || !strings.Contains(errOut, "Usage: coap-workbench "+strings.Join(cmd, " ")) {
			t.Errorf("%v --help: %d %q", cmd, code, errOut)
		}
	}
}
