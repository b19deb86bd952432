package diagnosis

import (
	"context"
	"encoding/csv"
	"io"
	"sync"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/internal/workers"
)

// BatchProgress reports a batch as it goes: how many devices are done, and the report of the
// one just finished.
type BatchProgress struct {
	Done, Total int
	Report      Report
}

// RunBatch diagnoses devices through conn, at most concurrency at a time (default 4), and
// returns their reports in the order of devices. progress (when not nil) is called as each
// finishes, one call at a time. Cancelling ctx ends the remaining diagnoses with their steps
// skipped.
func RunBatch(ctx context.Context, conn *coapengine.Connection, devices []string, concurrency int, opts Options, progress func(BatchProgress)) []Report {
	if concurrency < 1 {
		concurrency = 4
	}
	out := make([]Report, len(devices))
	var (
		mu   sync.Mutex
		done int
	)
	diagnose := func(i int) {
		r := Run(ctx, conn, devices[i], opts, nil) // once ctx ends, its steps are skipped
		mu.Lock()
		defer mu.Unlock()
		out[i] = r
		done++
		if progress != nil {
			progress(BatchProgress{Done: done, Total: len(devices), Report: r})
		}
	}
	workers.Run(ctx, len(devices), concurrency, diagnose, diagnose)
	return out
}

// SummaryHeader are the columns of WriteSummaryCSV.
var SummaryHeader = []string{"device", "mac", "verdict", "failing step", "where", "what", "what to do"}

// WriteSummaryCSV writes one row per report: the device, its worst verdict, and the step
// that gave it with its hop, explanation and action.
func WriteSummaryCSV(w io.Writer, reports []Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(SummaryHeader); err != nil {
		return err
	}
	for _, r := range reports {
		s, _ := r.Step(r.FailingStep)
		if err := cw.Write([]string{r.Device, r.MAC, r.Verdict(), s.Title, string(s.Hop), s.Explanation, s.Action}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
