package app

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/coapengine/history"
	"github.com/coap-workbench/coap-workbench/coapengine/payload"
	"github.com/coap-workbench/coap-workbench/gatewaylite"
	"github.com/coap-workbench/coap-workbench/gatewaylite/mesh"
	"github.com/coap-workbench/coap-workbench/internal/coapfmt"
)

const historyUsage = `Usage: coap-workbench history COMMAND [flags]

The history holds every exchange and notification the workbench (GUI or headless commands) sent or
received, in history.db in the data directory.

Commands:
  list     the newest entries first, filtered and paged
  export   the entries as JSON Lines or CSV
  replay   send an entry's request again
  delete   delete entries by ID, or all of them
  prune    keep the newest entries by count and age, then compact the file

Every command takes --help.`

func runHistory(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, historyUsage)
		return ExitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stdout, historyUsage)
		return ExitOK
	case "list":
		return runHistoryList(args[1:], stdout, stderr)
	case "export":
		return runHistoryExport(args[1:], stdout, stderr)
	case "replay":
		return runHistoryReplay(args[1:], stdout, stderr)
	case "delete":
		return runHistoryDelete(args[1:], stdout, stderr)
	case "prune":
		return runHistoryPrune(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "history: unknown command %q\n\n%s\n", args[0], historyUsage)
	return ExitUsage
}

// filterFlags are the history's filters.
type filterFlags struct {
	profile, device, path, method, class, since, until, text string
	noNotifications                                          bool
}

func (f *filterFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.profile, "profile", "", "only this profile's entries")
	fs.StringVar(&f.device, "device", "", "only this device's entries: a host name or a MAC")
	fs.StringVar(&f.path, "path", "", "only entries whose path (and query) contains this")
	fs.StringVar(&f.method, "method", "", "only this method (GET, PUT ...)")
	fs.StringVar(&f.class, "class", "", "only these answers: 2xx, 4xx, 5xx, or none (no answer)")
	fs.StringVar(&f.since, "since", "", "only entries from this time: a date (2026-11-25 12:00:00, RFC 3339) or a time ago (90m)")
	fs.StringVar(&f.until, "until", "", "only entries before this time (as --since)")
	fs.StringVar(&f.text, "text", "", "only entries whose decoded payload contains this text")
	fs.BoolVar(&f.noNotifications, "no-notifications", false, "leave out Observe notifications")
}

func (f *filterFlags) filter(now time.Time) (history.Filter, error) {
	out := history.Filter{Profile: f.profile, PathContains: f.path, Text: f.text, WithoutNotifications: f.noNotifications}
	if f.device != "" {
		host, err := coapengine.DeviceHost(f.device, mesh.DefaultDomain)
		if err != nil {
			return out, fmt.Errorf("--device: %w", err)
		}
		out.Device = host
	}
	if f.method != "" {
		m, err := coapengine.ParseMethod(f.method)
		if err != nil {
			return out, fmt.Errorf("--method: %w", err)
		}
		out.Method = m
	}
	switch strings.ToLower(f.class) {
	case "":
	case "2xx", "2", "success":
		out.Class = history.Success
	case "4xx", "4":
		out.Class = history.ClientError
	case "5xx", "5":
		out.Class = history.ServerError
	case "none":
		out.Class = history.NoResponse
	default:
		return out, fmt.Errorf("--class %q: use 2xx, 4xx, 5xx or none", f.class)
	}
	var err error
	if out.From, err = timeFlag(f.since, now); err != nil {
		return out, fmt.Errorf("--since: %w", err)
	}
	if out.To, err = timeFlag(f.until, now); err != nil {
		return out, fmt.Errorf("--until: %w", err)
	}
	return out, nil
}

// timeFlag reads a date, or a time ago ("90m").
func timeFlag(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return payload.ParseTime(v, now)
}

// openHistory opens the history of a data directory for the history commands.
func openHistory(name, dataDir string, stderr io.Writer) (*history.Store, int) {
	if _, err := os.Stat(dataDir); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "history %s: there is no data directory %s yet: nothing was recorded\n", name, dataDir)
		return nil, ExitFailure
	}
	store, notice, err := history.Open(dataDir, history.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Fprintf(stderr, "history %s: %v\n", name, err)
		return nil, ExitFailure
	}
	if notice != "" {
		fmt.Fprintf(stderr, "history %s: %s\n", name, notice)
	}
	return store, ExitOK
}

func runHistoryList(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("history list", "Lists the history, newest first, a page at a time: --before the last ID shown gives the next page.")
	dataDir := gatewaylite.DefaultDataDir()
	fs.StringVar(&dataDir, "data-dir", dataDir, "data directory holding history.db")
	var ff filterFlags
	ff.register(fs)
	limit := fs.Int("limit", 50, "entries on a page")
	before := fs.Uint64("before", 0, "list entries older than this ID (the next page)")
	asJSON := fs.Bool("json", false, "print the entries as JSON Lines, with their decoded payloads")
	if exit, stop := parseFlags(fs, args, stderr); stop {
		return exit
	}
	f, err := ff.filter(time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "history list:", err)
		return ExitUsage
	}
	if *limit < 1 {
		fmt.Fprintln(stderr, "history list: --limit must be at least 1")
		return ExitUsage
	}
	store, exit := openHistory("list", dataDir, stderr)
	if store == nil {
		return exit
	}
	defer store.Close()
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stopSignals()
	page, err := store.List(ctx, f, *before, *limit)
	if err != nil {
		fmt.Fprintln(stderr, "history list:", err)
		return ExitFailure
	}
	if page.Skipped > 0 {
		fmt.Fprintf(stderr, "history list: %d damaged entries skipped\n", page.Skipped)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		reg := decode.NewRegistry()
		for _, x := range page.Entries {
			_ = enc.Encode(history.NewExportedEntry(x, reg))
		}
		return ExitOK
	}
	if len(page.Entries) == 0 {
		if *before != 0 {
			fmt.Fprintf(stderr, "history list: no entries older than %d match\n", *before)
		} else {
			fmt.Fprintln(stderr, "history list: no entries match")
		}
		return ExitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME\tPROFILE\tMETHOD\tURI\tANSWER\tRTT")
	for _, x := range page.Entries {
		answer := x.Err
		if x.Response != nil {
			answer = coapfmt.CodeString(x.Code()) + " " + coapengine.CodeName(x.Code())
			if x.AnsweredBy == coapengine.AnsweredByGateway && !x.OK() {
				answer += " (gateway)"
			}
		}
		method := coapengine.MethodName(x.Method())
		if x.Notification {
			method = fmt.Sprintf("notify #%d", x.ObserveSeq)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%v\n", x.ID, x.Start.Local().Format(time.DateTime), x.Profile, method, x.URI, answer, x.RTT.Round(10*time.Microsecond))
	}
	tw.Flush()
	if page.Next != 0 {
		fmt.Fprintf(stderr, "history list: older entries may match: --before %d\n", page.Next)
	}
	return ExitOK
}

func runHistoryExport(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("history export", "Writes the history (newest first, filtered) as JSON Lines (every field, with the decoded payload)\nor CSV (one row an entry).")
	dataDir := gatewaylite.DefaultDataDir()
	fs.StringVar(&dataDir, "data-dir", dataDir, "data directory holding history.db")
	var ff filterFlags
	ff.register(fs)
	format := fs.String("format", history.FormatJSONLines, "jsonl or csv")
	output := fs.String("o", "", "write to this file instead of standard output")
	if exit, stop := parseFlags(fs, args, stderr); stop {
		return exit
	}
	f, err := ff.filter(time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "history export:", err)
		return ExitUsage
	}
	if *format != history.FormatJSONLines && *format != history.FormatCSV {
		fmt.Fprintf(stderr, "history export: --format %q: use jsonl or csv\n", *format)
		return ExitUsage
	}
	store, exit := openHistory("export", dataDir, stderr)
	if store == nil {
		return exit
	}
	defer store.Close()
	w := stdout
	if *output != "" {
		file, err := os.Create(*output)
		if err != nil {
			fmt.Fprintln(stderr, "history export:", err)
			return ExitFailure
		}
		defer file.Close()
		w = file
	}
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stopSignals()
	n, err := store.Export(ctx, w, *format, f)
	if err != nil {
		fmt.Fprintln(stderr, "history export:", err)
		return ExitFailure
	}
	fmt.Fprintf(stderr, "history export: %d entries\n", n)
	return ExitOK
}

func runHistoryReplay(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("history replay [flags] ID", "Sends the request of history entry ID again (same method, URI, options and payload; a new token),\n"+
		"through the gateway the flags name, records it and prints the answer as `request` does.\n\n"+exitStatusHelp)
	var conn connectionFlags
	var out outputFlags
	conn.register(fs)
	out.register(fs)
	positional, exit, stop := parseInterspersed(fs, args, stderr)
	if stop {
		return exit
	}
	if len(positional) != 1 {
		fmt.Fprintln(stderr, "history replay: give one entry ID (history list shows them)")
		return ExitUsage
	}
	id, err := strconv.ParseUint(positional[0], 10, 64)
	if err != nil || id == 0 {
		fmt.Fprintf(stderr, "history replay: %q is not an entry ID\n", positional[0])
		return ExitUsage
	}
	if conn.noHistory {
		fmt.Fprintln(stderr, "history replay: replaying needs the history (drop --no-history)")
		return ExitUsage
	}
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stopSignals()
	s, exit := conn.open(ctx, "history replay", os.Stdin, stderr)
	if s == nil {
		return exit
	}
	defer s.close("history replay", stderr)
	if s.wb.History() == nil {
		return ExitFailure // open said why
	}
	x, err := s.wb.Replay(ctx, id, conn.profile)
	if err != nil && x.URI == "" {
		fmt.Fprintln(stderr, "history replay:", err)
		if errors.Is(err, history.ErrNotFound) {
			return ExitUsage
		}
		return ExitNetwork
	}
	out.print(stdout, stderr, x, s.wb.Decoders())
	return exitFor(x, err)
}

func runHistoryDelete(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("history delete [flags] ID... | --all", "Deletes history entries by ID, or every entry with --all.")
	dataDir := gatewaylite.DefaultDataDir()
	fs.StringVar(&dataDir, "data-dir", dataDir, "data directory holding history.db")
	all := fs.Bool("all", false, "delete every entry")
	positional, exit, stop := parseInterspersed(fs, args, stderr)
	if stop {
		return exit
	}
	if *all == (len(positional) > 0) {
		fmt.Fprintln(stderr, "history delete: give entry IDs, or --all")
		return ExitUsage
	}
	var ids []uint64
	for _, p := range positional {
		id, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			fmt.Fprintf(stderr, "history delete: %q is not an entry ID\n", p)
			return ExitUsage
		}
		ids = append(ids, id)
	}
	store, exit := openHistory("delete", dataDir, stderr)
	if store == nil {
		return exit
	}
	defer store.Close()
	if *all {
		n, _ := store.Count()
		if err := store.DeleteAll(); err != nil {
			fmt.Fprintln(stderr, "history delete:", err)
			return ExitFailure
		}
		fmt.Fprintf(stdout, "deleted %d entries\n", n)
		return ExitOK
	}
	n, err := store.Delete(ids...)
	if err != nil {
		fmt.Fprintln(stderr, "history delete:", err)
		return ExitFailure
	}
	fmt.Fprintf(stdout, "deleted %d entries\n", n)
	if n < len(ids) {
		fmt.Fprintf(stderr, "history delete: %d of the IDs were not in the history\n", len(ids)-n)
	}
	return ExitOK
}

func runHistoryPrune(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("history prune", "Deletes the oldest entries beyond --max-count and those older than --max-age, then compacts the\nfile to give the space back.")
	dataDir := gatewaylite.DefaultDataDir()
	fs.StringVar(&dataDir, "data-dir", dataDir, "data directory holding history.db")
	maxCount := fs.Int("max-count", 0, "keep at most this many entries (0: no limit)")
	maxAge := fs.Duration("max-age", 0, "delete entries older than this, e.g. 720h (0: no limit)")
	if exit, stop := parseFlags(fs, args, stderr); stop {
		return exit
	}
	if *maxCount < 0 || *maxAge < 0 {
		fmt.Fprintln(stderr, "history prune: --max-count and --max-age cannot be negative")
		return ExitUsage
	}
	store, exit := openHistory("prune", dataDir, stderr)
	if store == nil {
		return exit
	}
	defer store.Close()
	removed, err := store.Retain(*maxCount, *maxAge, time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "history prune:", err)
		return ExitFailure
	}
	before, after, err := store.Compact()
	if err != nil {
		fmt.Fprintln(stderr, "history prune:", err)
		return ExitFailure
	}
	left, _ := store.Count()
	fmt.Fprintf(stdout, "deleted %d entries, %d left; the file went from %s to %s\n", removed, left, byteSize(before), byteSize(after))
	return ExitOK
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
