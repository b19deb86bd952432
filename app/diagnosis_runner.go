package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/diagnosis"
)

// ReportsDir is the folder of the data directory, beside the history, where the window keeps
// the diagnosis reports.
const ReportsDir = "reports"

// diagnosisRunner runs the Diagnosis tab's diagnoses through the current profile.
type diagnosisRunner struct {
	ctrl    *controller
	dataDir string
	domain  string
	// base are the options every diagnosis starts from (the defaults when zero).
	base diagnosis.Options

	clocksOnce sync.Once
	clocks     *clockVerdicts
}

// clockVerdicts is the clock memory kept in the data directory, shared with the command.
func (d *diagnosisRunner) clockVerdicts() *clockVerdicts {
	d.clocksOnce.Do(func() { d.clocks = newClockVerdicts(d.dataDir) })
	return d.clocks
}

// keepClockVerdicts writes the clock memory after a diagnosis; a failure is only logged: the
// memory steadies verdicts, it is not the diagnosis.
func (d *diagnosisRunner) keepClockVerdicts() {
	if err := d.clockVerdicts().Save(); err != nil {
		slog.Warn("diagnosis", "error", err)
	}
}

func (d *diagnosisRunner) Device(text string) (string, error) {
	return coapengine.DeviceHost(text, d.domain)
}

// connection is the current profile's connection, or why there is none.
func (d *diagnosisRunner) connection() (*coapengine.Connection, error) {
	name := d.ctrl.currentName()
	if name == "" {
		return nil, errors.New("no gateway connected: connect one with Connection > Connect…")
	}
	return d.ctrl.connection(name)
}

func (d *diagnosisRunner) options() diagnosis.Options {
	opts := d.base
	opts.Decoders = d.ctrl.wb.Decoders()
	opts.ClockMemory = d.clockVerdicts().Memory()
	return opts
}

func (d *diagnosisRunner) Diagnose(ctx context.Context, device string, progress func(diagnosis.Step)) (diagnosis.Report, error) {
	conn, err := d.connection()
	if err != nil {
		return diagnosis.Report{}, err
	}
	defer d.keepClockVerdicts()
	return diagnosis.Run(ctx, conn, device, d.options(), progress), nil
}

func (d *diagnosisRunner) SetTime(ctx context.Context, device string) (diagnosis.Step, error) {
	conn, err := d.connection()
	if err != nil {
		return diagnosis.Step{}, err
	}
	if err := diagnosis.SetTime(ctx, conn, device, time.Now()); err != nil {
		return diagnosis.Step{}, err
	}
	defer d.keepClockVerdicts()
	opts := d.options()
	opts.Only = []string{diagnosis.StepClock}
	step, _ := diagnosis.Run(ctx, conn, device, opts, nil).Step(diagnosis.StepClock)
	step.Explanation = "The time was set; checked again: " + step.Explanation
	return step, nil
}

func (d *diagnosisRunner) DiagnoseAll(ctx context.Context, devices []string, progress func(diagnosis.BatchProgress)) ([]diagnosis.Report, error) {
	conn, err := d.connection()
	if err != nil {
		return nil, err
	}
	defer d.keepClockVerdicts()
	return diagnosis.RunBatch(ctx, conn, devices, 4, d.options(), progress), nil
}

func (d *diagnosisRunner) ReadList(r io.Reader) ([]string, error) {
	return coapengine.ReadDeviceList(r, d.domain)
}

// Save writes the report as a web page, Markdown and JSON into the reports folder beside the
// history, and returns the page's path.
func (d *diagnosisRunner) Save(r diagnosis.Report) (string, error) {
	dir := filepath.Join(d.dataDir, ReportsDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("the reports folder %s could not be created: %w", dir, err)
	}
	name := r.MAC
	if name == "" {
		name = strings.NewReplacer("/", "_", ":", "_").Replace(r.Device)
	}
	base := filepath.Join(dir, fmt.Sprintf("%s-%s", name, r.Started.UTC().Format("20060102T150405Z")))
	for _, ext := range []string{".md", ".json", ".html"} {
		if err := writeReport(base+ext, r); err != nil {
			return "", err
		}
	}
	return base + ".html", nil
}
