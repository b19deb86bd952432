// Package app is the CoAP Workbench application: the Fyne GUI by default, and the headless
// commands (gateway, token, bench) that drive the same engine and the same gateway-lite.
package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// Exit statuses of every command.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 3
)

type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"gateway", "run gateway-lite and its simulated mesh in the foreground", runGateway},
		{"token", "print a signed token for the local gateway", runToken},
		{"bench", "measure the gateway (or another proxy, or the devices) under load", runBench},
		{"request", "send one request through the gateway and print the decoded answer", runRequest},
		{"observe", "observe a resource and print its notifications as they arrive", runObserve},
		{"discover", "crawl devices (or the whole mesh) into resource trees", runDiscover},
		{"diagnose", "diagnose a NIC step by step: a verdict per step and what to do", runDiagnose},
		{"history", "list, export, replay, delete or prune the recorded exchanges", runHistory},
		{"version", "print the version, commit and build date", func([]string, io.Writer, io.Writer) int {
			fmt.Println(Build())
			return ExitOK
		}},
	}
}

// Main runs the workbench with the command-line arguments (without the program name) and
// returns the exit status.
func Main(args []string) int {
	return run(args, os.Stdout, os.Stderr)
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return runGUI(nil, stderr)
	}
	switch args[0] {
	case "--version", "-version", "-v":
		fmt.Fprintln(stdout, Build())
		return ExitOK
	case "--help", "-help", "-h", "help":
		usage(stdout)
		return ExitOK
	case "gui":
		return runGUI(args[1:], stderr)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "coap-workbench: unknown command %q\n\n", args[0])
	usage(stderr)
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "CoAP Workbench: a desktop tool for Starfish CoAP device meshes.")
	fmt.Fprintln(w, "\nUsage:\n  coap-workbench [gui]        open the workbench window (embedded gateway-lite included)")
	for _, c := range commands() {
		fmt.Fprintf(w, "  coap-workbench %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "  coap-workbench --version")
	fmt.Fprintln(w, "\nEvery command takes --help. Exit status: 0 success, 1 failure, 3 usage error.")
}

// parseFlags parses a command's flags; it returns a status to exit with when the command
// must not go on (--help, or a usage error).
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (exit int, stop bool) {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK, true
		}
		return ExitUsage, true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (flags start with --)\n", fs.Name(), fs.Arg(0))
		return ExitUsage, true
	}
	return 0, false
}

// newFlagSet returns a flag set whose --help shows the synopsis first.
func newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: coap-workbench %s\n\n%s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// logFlag adds --log-level and returns a function building the logger.
func logFlag(fs *flag.FlagSet) func(w io.Writer) (*slog.Logger, error) {
	return logFlagDefault(fs, "info")
}

// logFlagDefault adds --log-level with the given default.
func logFlagDefault(fs *flag.FlagSet, def string) func(w io.Writer) (*slog.Logger, error) {
	level := fs.String("log-level", def, "log detail: debug, info, warn or error")
	return func(w io.Writer) (*slog.Logger, error) {
		var l slog.Level
		if err := l.UnmarshalText([]byte(strings.ToUpper(*level))); err != nil {
			return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", *level)
		}
		return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
	}
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ", ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// readFileOrStdin reads a file the user named, or standard input for "-".
func readFileOrStdin(name string, stdin io.Reader) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(name)
}
