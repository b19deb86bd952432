package diagnosis

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/internal/human"
)

// Verdict is the report's verdict as a word: its worst step's, or "cancelled".
func (r Report) Verdict() string {
	if r.Cancelled {
		return "cancelled"
	}
	return string(r.Worst)
}

// Summary is the diagnosis in one line: "FAIL: Battery and power statistics (battery)".
func (r Report) Summary() string {
	skipped := 0
	for _, s := range r.Steps {
		if s.Verdict == Skipped {
			skipped++
		}
	}
	if r.Cancelled {
		return fmt.Sprintf("CANCELLED: %d of %d steps ran, worst %s", len(r.Steps)-skipped, len(r.Steps), r.Worst)
	}
	if r.Worst == Pass {
		if skipped > 0 {
			return fmt.Sprintf("PASS: %d steps passed, %d skipped", len(r.Steps)-skipped, skipped)
		}
		return "PASS: every step passed"
	}
	s, _ := r.Step(r.FailingStep)
	text := fmt.Sprintf("%s: %s", strings.ToUpper(string(r.Worst)), s.Title)
	if s.Hop != HopNone {
		text += " (" + string(s.Hop) + ")"
	}
	return text
}

// Markdown is the report for a ticket: the device, the verdict, then each step with its
// explanation, action and details, and the battery readings.
func (r Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# NIC diagnosis: %s\n\n", r.Device)
	fmt.Fprintf(&b, "- **Verdict:** %s\n", r.Summary())
	fmt.Fprintf(&b, "- **MAC:** %s\n", r.MAC)
	if r.Gateway != "" {
		fmt.Fprintf(&b, "- **Gateway:** %s\n", r.Gateway)
	}
	fmt.Fprintf(&b, "- **Run:** %s, %s\n", r.Started.UTC().Format(time.RFC3339), human.Duration(r.Finished.Sub(r.Started)))
	if r.Rebooted {
		b.WriteString("- **The NIC restarted during the run.**\n")
	}
	b.WriteString("\n| step | verdict | where | what |\n|---|---|---|---|\n")
	for _, s := range r.Steps {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", s.Title, s.Verdict, s.Hop, cell(s.Explanation))
	}
	for _, s := range r.Steps {
		if s.Verdict == Skipped || (s.Action == "" && len(s.Details) == 0) {
			continue
		}
		fmt.Fprintf(&b, "\n## %s: %s\n\n%s\n", s.Title, s.Verdict, s.Explanation)
		if s.Action != "" && s.Verdict != Pass {
			fmt.Fprintf(&b, "\n**What to do:** %s\n", s.Action)
		}
		for _, d := range s.Details {
			fmt.Fprintf(&b, "\n- %s", d)
		}
		if len(s.Details) > 0 {
			b.WriteString("\n")
		}
	}
	if len(r.Power) > 0 {
		b.WriteString("\n## Battery readings\n\n| time (UTC) | battery | asleep |\n|---|---|---|\n")
		for _, p := range r.Power {
			fmt.Fprintf(&b, "| %s | %.3f V | %.1f %% |\n", p.At.UTC().Format("15:04:05.000"), p.BatteryVolts, p.SleepPercent)
		}
	}
	return b.String()
}

// cell keeps a text inside one Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ").Replace(s)
}

// JSON is the report for tools, indented.
func (r Report) JSON() ([]byte, error) {
	return json.MarshalIndent(r, "", "  ")
}
