package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/coapengine/history"
)

func runObserve(args []string, stdout, stderr io.Writer) int {
	return runObserveWith(args, os.Stdin, stdout, stderr)
}

func runObserveWith(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("observe [flags] URI", "Observes a resource (RFC 7641) through the gateway and prints every notification, decoded, as it\n"+
		"arrives, until -s runs out, --count notifications came, or Ctrl-C; then deregisters at the device and\n"+
		"prints the observation's health (notifications, sequence gaps, reorders, re-registrations):\n\n"+
		"  coap-workbench observe -s 60 'coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/stats?mod=pwr'\n\n"+exitStatusHelp)
	var conn connectionFlags
	var reqFlags requestFlags
	var out outputFlags
	conn.register(fs)
	reqFlags.register(fs, false)
	out.register(fs)
	duration := fs.String("s", "", "observe for this long: seconds as coap-client -s takes them, or a duration (default: until Ctrl-C)")
	count := fs.Int("count", 0, "stop after this many notifications (0: no limit)")
	fromLine := fs.String("coap-client", "", "take the request from a coap-client command line (its -p, -P and -s too)")
	positional, exit, stop := parseInterspersed(fs, args, stderr)
	if stop {
		return exit
	}
	if err := out.check(); err != nil {
		fmt.Fprintln(stderr, "observe:", err)
		return ExitUsage
	}
	var limit time.Duration
	if *duration != "" {
		var err error
		if limit, err = secondsOrDuration(*duration); err != nil {
			fmt.Fprintln(stderr, "observe: -s", err)
			return ExitUsage
		}
	}
	cmd, ok := requestOf("observe", *fromLine, positional, fs, &reqFlags, &conn, stdin, stderr)
	if !ok {
		return ExitUsage
	}
	req := cmd.Request
	if err := coapengine.CheckObservable(req.Method); err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return ExitUsage
	}
	if limit == 0 {
		limit = cmd.Observe
	}

	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stopSignals()
	if limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	s, exit := conn.open(ctx, "observe", stdin, stderr)
	if s == nil {
		return exit
	}
	defer s.close("observe", stderr)

	notifications := make(chan coapengine.Exchange, 64)
	obs, first, err := s.conn.Observe(ctx, req, func(x coapengine.Exchange) {
		select {
		case notifications <- x:
		default: // the terminal cannot keep up: the history still has it
		}
	})
	if err != nil {
		if first.Response != nil || first.Err != "" {
			out.print(stdout, stderr, first, s.wb.Decoders())
		}
		fmt.Fprintln(stderr, "observe:", err)
		if status := exitFor(first, nil); status != ExitOK {
			return status
		}
		return ExitFailure
	}
	printer := notificationPrinter{out: out, stdout: stdout, stderr: stderr, reg: s.wb.Decoders()}
	printer.print(first)
	seen, status := 0, ExitOK
loop:
	for *count == 0 || seen < *count {
		select {
		case x := <-notifications:
			printer.print(x)
			seen++
		case <-obs.Done():
			// The device (or the gateway) ended it: its last word was queued before Done.
			for len(notifications) > 0 {
				x := <-notifications
				printer.print(x)
				status = exitFor(x, nil)
			}
			fmt.Fprintln(stderr, "observe: the observation was ended by the other side")
			break loop
		case <-ctx.Done():
			break loop
		}
	}
	cancelCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cancelErr := obs.Cancel(cancelCtx)
	h := obs.Health()
	fmt.Fprintf(stderr, "observe: %d notifications, %d gaps, %d reorders, %d re-registrations\n", h.Notifications, h.Gaps, h.Reorders, h.Reregistrations)
	if cancelErr != nil {
		fmt.Fprintln(stderr, "observe:", cancelErr)
	}
	return status
}

// notificationPrinter writes notifications one after another.
type notificationPrinter struct {
	out            outputFlags
	stdout, stderr io.Writer
	reg            *decode.Registry
}

func (p notificationPrinter) print(x coapengine.Exchange) {
	switch {
	case p.out.json:
		enc := json.NewEncoder(p.stdout)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(history.NewExportedEntry(x, p.reg))
		return
	case p.out.raw:
		if x.Response != nil {
			_, _ = p.stdout.Write(x.Response.Payload)
		}
		return
	case !x.OK():
		p.out.print(p.stdout, p.stderr, x, p.reg)
		return
	}
	header := x.Start.Add(x.RTT).Local().Format("15:04:05.000")
	if x.Notification {
		header += fmt.Sprintf("  #%d", x.ObserveSeq)
	}
	text := strings.TrimRight(x.Decode(p.reg).Text, "\n")
	if strings.Contains(text, "\n") {
		fmt.Fprintf(p.stdout, "%s\n  %s\n", header, strings.ReplaceAll(text, "\n", "\n  "))
		return
	}
	fmt.Fprintf(p.stdout, "%s  %s\n", header, text)
}
