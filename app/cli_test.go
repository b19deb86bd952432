package app

import (
	"bytes"
	"strings"
	"testing"

	"github.com/coap-workbench/coap-workbench/gatewaylite/auth"
)

func runCLI(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestVersionAndHelp(t *testing.T) {
	code, out, _ := runCLI("--version")
	if code != ExitOK || !strings.HasPrefix(out, "coap-workbench ") {
		t.Fatalf("--version: %d %q", code, out)
	}
	code, out, _ = runCLI("--help")
	for _, cmd := range []string{"gateway", "token", "bench", "request", "observe", "discover", "history", "version"} {
		if !strings.Contains(out, "coap-workbench "+cmd) {
			t.Errorf("--help lacks %s", cmd)
		}
	}
	if code != ExitOK {
		t.Fatalf("--help exit %d", code)
	}
	for _, cmd := range []string{"gateway", "token", "bench"} {
		if code, _, errOut := runCLI(cmd, "--help"); code != ExitOK || !strings.Contains(errOut, "Usage: coap-workbench "+cmd) {
			t.Errorf("%s --help: %d %q", cmd, code, errOut)
		}
	}
}

func TestUsageErrorsExitWith3(t *testing.T) {
	for _, args := range [][]string{{"frobnicate"}, {"gateway", "--no-such-flag"}, {"token", "extra"}, {"gateway", "--list-devices", "--mesh-profile", "lunar"}, {"token", "--ttl", "-5m"}, {"bench", "--clients", "0"}} {
		if code, _, errOut := runCLI(args...); code != ExitUsage || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

func TestListDevices(t *testing.T) {
	code, out, _ := runCLI("gateway", "--list-devices", "--devices", "12", "--domain", "lab.test")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != ExitOK || len(lines) != 12 || !strings.HasPrefix(lines[0], "SSN001350050005E7D6.lab.test") || !strings.HasSuffix(lines[0], "Milli") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestTokenVerifiesWithTheGatewaysKey(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI("token", "--data-dir", dir, "--ttl", "10m")
	if code != ExitOK {
		t.Fatalf("token: %d %s", code, errOut)
	}
	key, err := auth.LoadOrCreateSigningKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := auth.NewTokenAuthority(key, nil).Verify(out)
	if err != nil || claims.Subject != "dev" {
		t.Fatalf("claims %+v %v", claims, err)
	}
	if code, _, errOut := runCLI("token", "--data-dir", dir, "--account", "nobody"); code != ExitFailure || !strings.Contains(errOut, "nobody") {
		t.Fatalf("unknown account: %d %s", code, errOut)
	}
}

func TestBenchMeasuresTheGateway(t *testing.T) {
	code, out, errOut := runCLI("bench", "--clients", "4", "--duration", "2s", "--devices", "3", "--data-dir", t.TempDir(), "--compare", "--quiet")
	if code != ExitOK {
		t.Fatalf("bench: %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"direct to the devices", "through gateway-lite", "req/s", "errors 0", "comparison"} {
		if !strings.Contains(out, want) {
			t.Errorf("bench output lacks %q:\n%s", want, out)
		}
	}
}

func TestTheGUICommandRefusesUnknownFlagsBeforeOpeningAWindow(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := run([]string{"gui", "--no-such-flag"}, &stdout, &stderr); code != ExitUsage {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	if code := run([]string{"gui", "--pprof", "10.1.2.3:6060"}, &stdout, &stderr); code != ExitUsage || !strings.Contains(stderr.String(), "loopback") {
		t.Fatalf("a non-loopback pprof address: exit %d, stderr %q", code, stderr.String())
	}
}

func TestTheVersionComesFromFyneAppTOMLWithoutLinkerFlags(t *testing.T) {
	saved := metadataVersion
	t.Cleanup(func() { metadataVersion = saved })
	SetMetadata("[Details]\n  Name = \"CoAP Workbench\"\n  Version = \"1.2.3\"\n  Build = 7\n")
	if v := Build().Version; version == "dev" && v != "1.2.3" { // without -X app.version
		t.Fatalf("version %q", v)
	}
}
