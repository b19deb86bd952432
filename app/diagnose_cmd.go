package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/diagnosis"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
)

// The exit statuses of diagnose: the worst verdict.
const (
	exitDiagnosisWarn = 1
	exitDiagnosisFail = 2
)

func runDiagnose(args []string, stdout, stderr io.Writer) int {
	return runDiagnoseWith(args, os.Stdin, stdout, stderr)
}

func runDiagnoseWith(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("diagnose [flags] MAC | --file FILE", "Diagnoses a NIC step by step — the gateway, the session, the NIC through the gateway (RTT over\n"+
		"several pings, retransmissions), its resources, its Device IC, the IC's clock, the battery and power\n"+
		"statistics, a short observation of them, recent events — and gives each step a verdict, the hop a\n"+
		"failure lies on, and what to do. MAC is in any common form (00:13:50:05:00:05:E7:D6, 001350050005e7d6,\n"+
		"SSN001350050005E7D6) or the NIC's host name:\n\n"+
		"  coap-workbench diagnose 00:13:50:05:00:05:E7:D6\n"+
		"  coap-workbench diagnose --set-time --report ticket-4711.md SSN001350050005E7D6\n"+
		"  coap-workbench diagnose --file site-7.csv --summary site-7-summary.csv\n\n"+
		"Exit status (the worst of all devices): 0 every step passed; 1 a warning; 2 a failure; 3 usage error;\n"+
		"4 no connection to the gateway could be opened; 130 interrupted (Ctrl+C).")
	var conn connectionFlags
	conn.register(fs)
	domain := fs.String("domain", mesh.DefaultDomain, "domain of the host name made from a MAC")
	asJSON := fs.Bool("json", false, "print the report as JSON instead of text")
	report := fs.String("report", "", "also write the report to this file: Markdown (.md), a self-contained web page with the battery chart (.html), or JSON (.json)")
	setTime := fs.Bool("set-time", false, "when the Device IC's clock is off, set it to this computer's UTC time and check it again")
	pings := fs.Int("pings", 5, "pings of the NIC for its round trip times")
	observeFor := fs.Duration("observe-for", 12*time.Second, "how long the power statistics are observed")
	file := fs.String("file", "", "diagnose the NICs in this file: a MAC or host name a line, or CSV with one in the first column")
	concurrency := fs.Int("concurrency", 4, "with --file: NICs diagnosed at once")
	summary := fs.String("summary", "", "with --file: write the summary (device, verdict, failing step, where, what to do) as CSV to this file")
	positional, exit, stop := parseInterspersed(fs, args, stderr)
	if stop {
		return exit
	}
	// The clock verdicts of earlier diagnoses, the window's too, steady a clock near the limit.
	clocks := newClockVerdicts(conn.dataDir)
	defer func() {
		if err := clocks.Save(); err != nil {
			fmt.Fprintln(stderr, "diagnose:", err)
		}
	}()
	if *file != "" {
		return runDiagnoseBatch(batchRequest{conn: &conn, file: *file, domain: *domain, concurrency: *concurrency, summary: *summary, asJSON: *asJSON,
			opts: diagnosis.Options{Pings: *pings, ObserveFor: *observeFor, ClockMemory: clocks.Memory()}, misused: len(positional) > 0 || *report != "" || *setTime}, stdin, stdout, stderr)
	}
	if *summary != "" {
		fmt.Fprintln(stderr, "diagnose: --summary is for a batch: give --file")
		return ExitUsage
	}
	if len(positional) != 1 {
		fmt.Fprintln(stderr, "diagnose: name one NIC by its MAC or host name, or give --file (--help for more)")
		return ExitUsage
	}
	device, err := coapengine.DeviceHost(positional[0], *domain)
	if err != nil {
		fmt.Fprintln(stderr, "diagnose:", err)
		return ExitUsage
	}
	if ext := strings.ToLower(filepath.Ext(*report)); *report != "" && ext != ".md" && ext != ".json" && ext != ".html" {
		fmt.Fprintf(stderr, "diagnose: --report %s: write a Markdown (.md), web page (.html) or JSON (.json) report\n", *report)
		return ExitUsage
	}
	if *pings < 1 || *observeFor <= 0 {
		fmt.Fprintln(stderr, "diagnose: --pings must be at least 1 and --observe-for positive")
		return ExitUsage
	}

	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stopSignals()
	s, exit := conn.open(ctx, "diagnose", stdin, stderr)
	if s == nil {
		return exit
	}
	defer s.close("diagnose", stderr)
	opts := diagnosis.Options{Pings: *pings, ObserveFor: *observeFor, Decoders: s.wb.Decoders(), ClockMemory: clocks.Memory()}
	progress := func(st diagnosis.Step) {
		if !*asJSON && st.Verdict == "" {
			fmt.Fprintf(stderr, "diagnose: %s…\n", st.Title)
		}
	}
	r := diagnosis.Run(ctx, s.conn, device, opts, progress)
	if clock, ok := r.Step(diagnosis.StepClock); ok && clock.Verdict == diagnosis.Warn && *setTime {
		r = setTimeAndRecheck(ctx, s.conn, device, opts, r, stderr)
	}
	if *asJSON {
		raw, _ := r.JSON()
		fmt.Fprintln(stdout, string(raw))
	} else {
		printReport(stdout, r)
	}
	if *report != "" {
		// A report that could not be written is said, but the exit status stays the NIC's.
		if err := writeReport(*report, r); err != nil {
			fmt.Fprintln(stderr, "diagnose:", err)
		} else {
			fmt.Fprintf(stderr, "diagnose: report written to %s\n", *report)
		}
	}
	if r.Cancelled {
		fmt.Fprintln(stderr, "diagnose: interrupted: the steps that did not run are skipped")
		return exitInterrupted
	}
	return exitForVerdict(r.Worst)
}

// exitInterrupted is the status of a diagnosis interrupted with Ctrl+C (128 + SIGINT).
const exitInterrupted = 130

// exitForVerdict is the exit status of a verdict: 0 pass, 1 warn, 2 fail.
func exitForVerdict(v diagnosis.Verdict) int {
	switch v {
	case diagnosis.Fail:
		return exitDiagnosisFail
	case diagnosis.Warn:
		return exitDiagnosisWarn
	}
	return ExitOK
}

// setTimeAndRecheck sets the Device IC's clock, checks it again, and puts the re-check in
// the report in place of the first clock step.
func setTimeAndRecheck(ctx context.Context, conn *coapengine.Connection, device string, opts diagnosis.Options, r diagnosis.Report, stderr io.Writer) diagnosis.Report {
	fmt.Fprintln(stderr, "diagnose: setting the Device IC's time…")
	if err := diagnosis.SetTime(ctx, conn, device, time.Now()); err != nil {
		fmt.Fprintln(stderr, "diagnose:", err)
		return r
	}
	opts.Only = []string{diagnosis.StepClock}
	recheck, _ := diagnosis.Run(ctx, conn, device, opts, nil).Step(diagnosis.StepClock)
	recheck.Explanation = "The time was set; checked again: " + recheck.Explanation
	return r.WithStep(recheck)
}

// printReport writes the steps one a line with their verdicts, then what to do.
func printReport(w io.Writer, r diagnosis.Report) {
	fmt.Fprintf(w, "NIC %s (MAC %s) through %s\n\n", r.Device, r.MAC, orNone(r.Gateway, "no gateway"))
	for _, s := range r.Steps {
		fmt.Fprintf(w, "%-7s %-36s %s\n", strings.ToUpper(string(s.Verdict)), s.Title, s.Explanation)
		if s.Verdict == diagnosis.Warn || s.Verdict == diagnosis.Fail {
			if s.Hop != diagnosis.HopNone {
				fmt.Fprintf(w, "%-7s %-36s where: %s\n", "", "", s.Hop)
			}
			if s.Action != "" {
				fmt.Fprintf(w, "%-7s %-36s what to do: %s\n", "", "", s.Action)
			}
		}
	}
	fmt.Fprintf(w, "\n%s\n", r.Summary())
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

// writeReport writes the report as Markdown, HTML or JSON, by the file's extension.
func writeReport(path string, r diagnosis.Report) error {
	data, err := reportAs(filepath.Ext(path), r)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("the report was not written: %w", err)
	}
	return nil
}

// reportAs renders the report for a file of type ext (.json, .html, else Markdown).
func reportAs(ext string, r diagnosis.Report) ([]byte, error) {
	switch strings.ToLower(ext) {
	case ".json":
		raw, err := r.JSON()
		return append(raw, '\n'), err
	case ".html":
		page, err := r.HTML()
		return []byte(page), err
	}
	return []byte(r.Markdown()), nil
}
