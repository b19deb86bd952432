package views

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/plgd-dev/go-coap/v3/message"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/payload"
)

// optionRow is one row of the options table. Its problems are marked in place once the user
// has left one of its fields (or pressed Send), not while a new row is still being filled.
type optionRow struct {
	name    *leavingSelectEntry
	format  *widget.Select
	value   *leavingEntry
	problem *widget.Label
	about   *widget.Label
	row     fyne.CanvasObject
	touched bool
}

// leavingEntry is an entry that says when the focus leaves it.
type leavingEntry struct {
	widget.Entry
	onLeave func()
}

func newLeavingEntry() *leavingEntry {
	e := &leavingEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// FocusLost validates the field that was left.
func (e *leavingEntry) FocusLost() {
	e.Entry.FocusLost()
	if e.onLeave != nil {
		e.onLeave()
	}
}

// leavingSelectEntry is a select entry (a box with a list to pick from) that says when the
// focus leaves it.
type leavingSelectEntry struct {
	widget.SelectEntry
	onLeave func()
}

func newLeavingSelectEntry(options []string) *leavingSelectEntry {
	e := &leavingSelectEntry{}
	e.ExtendBaseWidget(e)
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.SetOptions(options)
	return e
}

// FocusLost validates the field that was left.
func (e *leavingSelectEntry) FocusLost() {
	e.SelectEntry.FocusLost()
	if e.onLeave != nil {
		e.onLeave()
	}
}

// optionChoices are the known options as the picker lists them: "ETag (4)".
func optionChoices() []string {
	out := make([]string, 0, len(coapengine.OptionDefs))
	for _, d := range coapengine.OptionDefs {
		out = append(out, fmt.Sprintf("%s (%d)", d.Name, d.Number))
	}
	return out
}

// pickedOption matches a picker choice: a name and its number in brackets.
var pickedOption = regexp.MustCompile(`^\s*[^()]*\((\d+)\)\s*$`)

// lookupOptionField reads the name box: a name, a number, or a picker choice "ETag (4)".
func lookupOptionField(s string) (coapengine.OptionDef, bool) {
	if m := pickedOption.FindStringSubmatch(s); m != nil {
		return coapengine.LookupOption(m[1])
	}
	return coapengine.LookupOption(s)
}

// AddOption adds a filled row to the options table: name is a name or number, format one
// of "text", "uint", "hex". Its problems are marked at once.
func (c *Composer) AddOption(name, format, value string) { c.addRow(name, format, value, true) }

// addRow adds a row; an untouched one (the user's Add option) is not marked until left.
func (c *Composer) addRow(name, format, value string, touched bool) {
	r := &optionRow{name: newLeavingSelectEntry(optionChoices()), value: newLeavingEntry(), touched: touched}
	r.name.SetPlaceHolder("name or number (pick ▾)")
	r.name.SetText(name)
	r.value.SetPlaceHolder("value")
	r.value.SetText(value)
	r.format = widget.NewSelect([]string{valueText, valueUint, valueHex}, func(string) { c.validate() })
	r.format.SetSelected(format)
	r.problem = errorLabel()
	r.about = secondaryLabel("")
	r.about.Hide()
	leave := func() {
		if !r.blank() {
			r.touched = true
		}
		c.validate()
	}
	r.name.onLeave, r.value.onLeave = leave, leave
	r.name.OnChanged = func(s string) {
		// A known option brings its format along.
		if def, ok := lookupOptionField(s); ok && r.value.Text == "" {
			r.format.SetSelected(formatOfDef(def))
		}
		c.validate()
	}
	r.value.OnChanged = func(string) { c.validate() }
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { c.removeRow(r) })
	left := container.NewGridWithColumns(2, r.name, r.format)
	r.row = container.NewVBox(container.NewBorder(nil, nil, left, remove, r.value), r.problem, r.about)
	c.options = append(c.options, r)
	c.optionsBox.Add(r.row)
	c.validate()
}

func (c *Composer) removeRow(r *optionRow) {
	for i, o := range c.options {
		if o == r {
			c.options = append(c.options[:i], c.options[i+1:]...)
			break
		}
	}
	c.optionsBox.Remove(r.row)
	c.validate()
}

func (c *Composer) clearOptions() {
	for _, o := range c.options {
		c.optionsBox.Remove(o.row)
	}
	c.options = nil
}

// blank reports whether the row has neither name nor value: it is not sent.
func (r *optionRow) blank() bool {
	return strings.TrimSpace(r.name.Text) == "" && r.value.Text == ""
}

// readOptions reads the table: the options of its filled rows, marking the problems of the
// touched ones in place (every problem reaches Send's reason).
func (c *Composer) readOptions() []message.Option {
	var opts []message.Option
	var all error
	for i, r := range c.options {
		if r.blank() {
			r.problem.Hide()
			r.describe()
			continue
		}
		opt, err := r.option()
		if err != nil {
			err = fmt.Errorf("option %d: %w", i+1, err)
			all = errors.Join(all, err)
			if r.touched {
				r.problem.SetText(err.Error())
				r.problem.Show()
			} else {
				r.problem.Hide()
			}
			r.describe()
			continue
		}
		r.problem.Hide()
		r.describe()
		opts = append(opts, opt)
	}
	c.optionsError.Hide()
	if all != nil {
		c.problems = append(c.problems, strings.Split(all.Error(), "\n")[0])
	}
	return opts
}

// optionsInvalid reports whether a touched row shows a problem.
func (c *Composer) optionsInvalid() bool {
	for _, r := range c.options {
		if r.problem.Visible() {
			return true
		}
	}
	return false
}

// filledOptions counts the rows that are sent.
func (c *Composer) filledOptions() int {
	n := 0
	for _, r := range c.options {
		if !r.blank() {
			n++
		}
	}
	return n
}

// option reads one row of the options table.
func (r *optionRow) option() (message.Option, error) {
	name := strings.TrimSpace(r.name.Text)
	if name == "" {
		return message.Option{}, errors.New("give the option's name (e.g. ETag) or number")
	}
	def, ok := lookupOptionField(name)
	if !ok {
		return message.Option{}, fmt.Errorf("%q is not an option name the workbench knows; give its number instead", name)
	}
	var value []byte
	switch r.format.Selected {
	case valueUint:
		n, err := strconv.ParseUint(strings.TrimSpace(r.value.Text), 10, 32)
		if err != nil {
			return message.Option{}, fmt.Errorf("%s: %q is not a number from 0 to 4294967295", def.Name, r.value.Text)
		}
		value = coapengine.EncodeUint(uint32(n))
	case valueHex:
		b, err := payload.FromHex(r.value.Text)
		if err != nil {
			return message.Option{}, fmt.Errorf("%s: %w", def.Name, err)
		}
		value = b
	default:
		value = []byte(r.value.Text)
	}
	if len(value) > 1034 {
		return message.Option{}, fmt.Errorf("%s: a value is at most 1034 bytes", def.Name)
	}
	return message.Option{ID: def.Number, Value: value}, nil
}

// describe says under the row what its option is for, once it names a known one.
func (r *optionRow) describe() {
	def, ok := lookupOptionField(r.name.Text)
	if !ok || def.Description == "" || r.problem.Visible() {
		r.about.Hide()
		return
	}
	text := def.Description
	if def.Derived() {
		text += " — the workbench sets it itself; one given here is sent as well"
	}
	if r.about.Text != text {
		r.about.SetText(text)
	}
	r.about.Show()
}
