package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	"github.com/coap-workbench/coap-workbench/internal/testbed"
)

func TestDiagnoseGivesAVerdictPerStepAndExitsByTheWorst(t *testing.T) {
	b := startEngineBed(t)
	report := filepath.Join(t.TempDir(), "ticket.md")
	code, out, errOut := b.run(t, "", "diagnose", "--observe-for", "300ms", "--report", report, "00:13:50:05:00:05:e7:d6")
	if code != ExitOK || !strings.Contains(out, "PASS    Gateway reachable") || !strings.Contains(out, "PASS    Power statistics notifications") ||
		!strings.HasSuffix(out, "PASS: every step passed\n") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	md, err := os.ReadFile(report)
	if err != nil || !strings.HasPrefix(string(md), "# NIC diagnosis: "+testbed.SeedHost) || !strings.Contains(string(md), "| Battery and power statistics | pass |") {
		t.Fatalf("report %v:\n%s", err, md)
	}

	dev, _ := b.Mesh.Lookup(testbed.SeedHost)
	dev.SetBatteryLow(true)
	code, out, _ = b.run(t, "", "diagnose", "--observe-for", "300ms", "--json", "SSN001350050005E7D6")
	var r struct {
		Worst       string `json:"worst"`
		FailingStep string `json:"failingStep"`
		Steps       []struct {
			ID, Verdict, Hop, Action string
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != exitDiagnosisFail || r.Worst != "fail" || r.FailingStep != "power" {
		t.Fatalf("battery low: exit %d, %v, %+v", code, err, r)
	}
}

func TestDiagnoseSetsTheTimeWhenAskedAndChecksAgain(t *testing.T) {
	b := startEngineBed(t)
	dev, _ := b.Mesh.Lookup(testbed.SeedHost)
	dev.SkewClock(time.Hour)
	code, out, _ := b.run(t, "", "diagnose", "--observe-for", "300ms", "001350050005E7D6")
	if code != exitDiagnosisWarn || !strings.Contains(out, "WARN    Device IC clock") || !strings.Contains(out, "1 h ahead of this computer's UTC clock") {
		t.Fatalf("skewed clock:\n%s", out)
	}
	code, out, errOut := b.run(t, "", "diagnose", "--observe-for", "300ms", "--set-time", "001350050005E7D6")
	if code != ExitOK || !strings.Contains(out, "PASS    Device IC clock                      The time was set; checked again") || !strings.Contains(errOut, "setting the Device IC's time") {
		t.Fatalf("--set-time:\n%s\n%s", out, errOut)
	}
}

func TestDiagnoseKeepsAClockVerdictNearTheLimitFromOneRunToTheNext(t *testing.T) {
	b := startEngineBed(t)
	dev, _ := b.Mesh.Lookup(testbed.SeedHost)
	dev.SkewClock(5700 * time.Millisecond)
	args := []string{"--observe-for", "300ms", "--pings", "1", "001350050005E7D6"}
	if code, out, _ := b.run(t, "", "diagnose", args...); code != exitDiagnosisWarn || !strings.Contains(out, "WARN    Device IC clock") {
		t.Fatalf("5.7 s ahead:\n%s", out)
	}
	kept, err := os.ReadFile(filepath.Join(b.Gateway.Config().DataDir, ReportsDir, ClockVerdictsFile))
	if err != nil || !strings.Contains(string(kept), testbed.SeedHost) {
		t.Fatalf("the clock verdicts file: %v %s", err, kept)
	}
	// Back under the limit, but not by a second: the verdict of the last run stands.
	dev.SkewClock(4500 * time.Millisecond)
	if code, out, _ := b.run(t, "", "diagnose", args...); code != exitDiagnosisWarn || !strings.Contains(out, "at the 5.0 s limit, past which the last diagnosis found it") {
		t.Fatalf("4.5 s ahead after a warning:\n%s", out)
	}
	dev.SkewClock(0)
	if code, out, _ := b.run(t, "", "diagnose", args...); code != ExitOK {
		t.Fatalf("a clock set right:\n%s", out)
	}
}

func TestDiagnoseRefusesWhatItCannotUse(t *testing.T) {
	b := startEngineBed(t)
	for _, args := range [][]string{{}, {"00:13:50"}, {"001350050005E7D6", "0013500542642B7A"}, {"--report", "x.pdf", "001350050005E7D6"}, {"--report", "x.txt", "001350050005E7D6"}, {"--pings", "0", "001350050005E7D6"}} {
		if code, _, errOut := b.run(t, "", "diagnose", args...); code != ExitUsage || errOut == "" {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}

func TestDiagnoseABatchFromAFileEndsWithASummary(t *testing.T) {
	b := startEngineBed(t)
	offline := b.Mesh.Devices()[1]
	offline.SetLinkFaults(mesh.LinkFaults{Offline: true})
	dir := t.TempDir()
	list := filepath.Join(dir, "site.csv")
	os.WriteFile(list, []byte("mac,site\n00:13:50:05:00:05:e7:d6,lab\n"+offline.MAC.String()+",roof\n"), 0o600)
	summary := filepath.Join(dir, "summary.csv")
	code, out, errOut := b.run(t, "", "diagnose", "--observe-for", "300ms", "--pings", "2", "--file", list, "--summary", summary)
	if code != exitDiagnosisFail || !strings.Contains(errOut, "2 of 2: ") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], testbed.SeedHost+"  pass") || !strings.Contains(lines[2], "fail     NIC answers through the gateway  gateway↔device") {
		t.Fatalf("summary table:\n%s", out)
	}
	csv, err := os.ReadFile(summary)
	if err != nil || !strings.HasPrefix(string(csv), "device,mac,verdict,failing step,where,what,what to do\n") || strings.Count(string(csv), "\n") != 3 {
		t.Fatalf("summary CSV %v:\n%s", err, csv)
	}
	for _, args := range [][]string{{"--file", list, "001350050005E7D6"}, {"--file", list, "--set-time"}, {"--summary", "x.csv", "001350050005E7D6"}, {"--file", filepath.Join(dir, "missing")}} {
		if code, _, _ := b.run(t, "", "diagnose", args...); code != ExitUsage {
			t.Errorf("%v: exit %d", args, code)
		}
	}
}
