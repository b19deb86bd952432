package views

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/coap-workbench/coap-workbench/coapengine/coapclient"
)

// CoapClientLine is the coap-client command line that sends the composed request, with
// notes on what it cannot express exactly. With CopyLine set it is what the window copies
// (the login first, when the gateway needs one).
func (c *Composer) CoapClientLine() (string, []string) {
	if c.CopyLine != nil {
		return c.CopyLine(c.composed)
	}
	return CoapClientCommand(c.composed, c.Gateway)
}

// CoapClientCommand is the coap-client line of a composed request through the gateway
// gateway names (nil: direct).
func CoapClientCommand(r ComposedRequest, gateway func() (string, int)) (string, []string) {
	cmd := coapclient.Command{Request: r.Request}
	if gateway != nil {
		cmd.Gateway, cmd.LocalPort = gateway()
	}
	var notes []string
	if r.Observe {
		cmd.Observe = r.ObserveFor
		if cmd.Observe <= 0 {
			// coap-client observes for a set time only.
			cmd.Observe = time.Hour
			notes = append(notes, "coap-client observes for a set time: -s 3600 is an hour")
		}
	}
	line, more := coapclient.Render(cmd)
	return line, append(notes, more...)
}

// CopyAsCoapClient puts the coap-client line of the request on the clipboard.
func (c *Composer) CopyAsCoapClient() {
	if !c.valid {
		c.notify("Nothing copied: " + strings.TrimPrefix(c.hint.Text, "Send is disabled: "))
		return
	}
	line, notes := c.CoapClientLine()
	fyne.CurrentApp().Clipboard().SetContent(line)
	msg := "Copied: " + strings.ReplaceAll(line, "\\\n", " ")
	if len(notes) > 0 {
		msg += " (" + strings.Join(notes, "; ") + ")"
	}
	c.notify(msg)
}

func (c *Composer) notify(msg string) {
	if c.Notify != nil {
		c.Notify(msg)
	}
}

// PasteCoapClient reads a coap-client command line into the fields; the error says what in
// the line could not be read.
func (c *Composer) PasteCoapClient(line string) error {
	cmd, notes, err := coapclient.Parse(line)
	if err != nil {
		return err
	}
	if cmd.PayloadFile != "" {
		return fmt.Errorf("the command reads its payload from %q (-f): paste the payload into the editor instead, and drop -f", cmd.PayloadFile)
	}
	r := ComposedRequest{Request: cmd.Request, Observe: cmd.Observe != 0}
	if cmd.Observe > 0 {
		r.ObserveFor = cmd.Observe
	}
	c.SetRequest(r)
	msg := "Pasted the coap-client command"
	if cmd.Gateway != "" {
		msg += " (its gateway -P " + cmd.Gateway + " is not switched to: the current profile sends it)"
	}
	if len(notes) > 0 {
		msg += ": " + strings.Join(notes, "; ")
	}
	c.notify(msg)
	return nil
}

// ShowPasteDialog asks for a coap-client command line and reads it into the fields.
func (c *Composer) ShowPasteDialog() {
	cv := fyne.CurrentApp().Driver().CanvasForObject(c.bar)
	if cv == nil {
		return
	}
	if w := windowOf(cv); w != nil {
		showPasteDialog(w, fyne.CurrentApp().Clipboard().Content(), c.PasteCoapClient)
	}
}
