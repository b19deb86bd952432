package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"text/tabwriter"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/diagnosis"
)

// batchRequest is what diagnose --file was asked.
type batchRequest struct {
	conn        *connectionFlags
	file        string
	domain      string
	concurrency int
	summary     string
	asJSON      bool
	opts        diagnosis.Options
	// misused is set when a single NIC's flags (a MAC, --report, --set-time) came along.
	misused bool
}

// runDiagnoseBatch diagnoses the NICs of a file concurrently, with progress on standard
// error, and ends with a summary table (and the summary CSV when asked).
func runDiagnoseBatch(b batchRequest, stdin io.Reader, stdout, stderr io.Writer) int {
	if b.misused {
		fmt.Fprintln(stderr, "diagnose: --file diagnoses the NICs of the file: drop the MAC, --report and --set-time")
		return ExitUsage
	}
	if b.concurrency < 1 {
		fmt.Fprintln(stderr, "diagnose: --concurrency must be at least 1")
		return ExitUsage
	}
	if b.file == "-" && b.conn.token == "-" {
		fmt.Fprintln(stderr, "diagnose: the list (--file -) and the token (--token -) cannot both come from standard input")
		return ExitUsage
	}
	raw, err := readFileOrStdin(b.file, stdin)
	if err != nil {
		fmt.Fprintln(stderr, "diagnose:", err)
		return ExitUsage
	}
	devices, err := coapengine.ReadDeviceList(bytes.NewReader(raw), b.domain)
	if err != nil {
		fmt.Fprintf(stderr, "diagnose: %s: %v\n", b.file, err)
		return ExitUsage
	}
	if len(devices) == 0 {
		fmt.Fprintf(stderr, "diagnose: %s names no NIC\n", b.file)
		return ExitUsage
	}

	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stopSignals()
	s, exit := b.conn.open(ctx, "diagnose", stdin, stderr)
	if s == nil {
		return exit
	}
	defer s.close("diagnose", stderr)
	b.opts.Decoders = s.wb.Decoders()
	reports := diagnosis.RunBatch(ctx, s.conn, devices, b.concurrency, b.opts, func(p diagnosis.BatchProgress) {
		fmt.Fprintf(stderr, "diagnose: %d of %d: %s %s\n", p.Done, p.Total, p.Report.Device, p.Report.Summary())
	})
	worst, cancelled := diagnosis.Pass, false
	for _, r := range reports {
		cancelled = cancelled || r.Cancelled
		if exitForVerdict(r.Worst) > exitForVerdict(worst) {
			worst = r.Worst
		}
	}
	if b.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		_ = enc.Encode(reports)
	} else {
		printSummary(stdout, reports)
	}
	if b.summary != "" {
		if err := writeSummary(b.summary, reports); err != nil {
			fmt.Fprintln(stderr, "diagnose:", err)
		} else {
			fmt.Fprintf(stderr, "diagnose: summary written to %s\n", b.summary)
		}
	}
	if cancelled {
		fmt.Fprintln(stderr, "diagnose: interrupted: the NICs not diagnosed are marked cancelled")
		return exitInterrupted
	}
	return exitForVerdict(worst)
}

// printSummary writes a table: each NIC, its verdict, and the step that gave it.
func printSummary(w io.Writer, reports []diagnosis.Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DEVICE\tVERDICT\tFAILING STEP\tWHERE\tWHAT TO DO")
	for _, r := range reports {
		s, _ := r.Step(r.FailingStep)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Device, r.Verdict(), orNone(s.Title, "-"), orNone(string(s.Hop), "-"), orNone(s.Action, "-"))
	}
	tw.Flush()
}

func writeSummary(path string, reports []diagnosis.Report) error {
	var buf bytes.Buffer
	if err := diagnosis.WriteSummaryCSV(&buf, reports); err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("the summary was not written: %w", err)
	}
	return nil
}
