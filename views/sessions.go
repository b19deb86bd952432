package views

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/internal/human"
)

// SessionRow is one live session of the gateway.
type SessionRow struct {
	Account string
	// Socket is the client's address and port, which the gateway keys the session by.
	Socket string
	// Sticky sessions follow their account across sockets.
	Sticky bool
	// Idle is the time since the session's last traffic.
	Idle time.Duration
	// State is where the session is in its idle life: "active", or "grace" once idle too long.
	State string
	// TokenExpires is when the token the session was opened with expires (zero: never).
	TokenExpires time.Time
}

// noSessions is what the session table says while it is empty.
const noSessions = "No sessions: the workbench logs in when it sends its first request; to log in from a terminal, Copy login and paste the line into a shell."

// sessionColumns are the widths of account, socket, sticky, state and idle; the token's
// expiry takes the rest.
var sessionColumns = []float32{120, 170, 70, 80, 90}

// sessionPanel is the table of the gateway's live sessions.
type sessionPanel struct {
	rows  []SessionRow
	now   func() time.Time
	count *widget.Label
	empty *widget.Label // in place of the list while there is no session
	login *widget.Button
	list  *widget.List
	root  fyne.CanvasObject
}

// newSessionPanel is the session table; its Copy login button copies loginCommand (none:
// the button is off).
func newSessionPanel(now func() time.Time, loginCommand string) *sessionPanel {
	p := &sessionPanel{now: now, count: widget.NewLabel(""), empty: emptyHint(noSessions)}
	p.count.Truncation = fyne.TextTruncateEllipsis
	p.login = widget.NewButtonWithIcon("Copy login", theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(loginCommand)
	})
	if loginCommand == "" {
		p.login.Disable()
	}
	p.list = widget.NewList(
		func() int { return len(p.rows) },
		func() fyne.CanvasObject { return newColumnsRow(sessionColumns, nil) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			r := &p.rows[id]
			setColumns(o, r.Account, r.Socket, yesNo(r.Sticky), r.State, human.Rough(max(r.Idle, 0)), expiresIn(r.TokenExpires, p.now()))
		},
	)
	heads := newColumnHeads(sessionColumns, "Account", "Socket", "Sticky", "State", "Idle", "Token expires")
	bar := container.NewBorder(nil, nil, nil, p.login, p.count)
	p.root = container.NewBorder(bar, nil, nil, nil, compactRows(container.NewBorder(heads, nil, nil, nil, container.NewStack(p.list, p.empty))))
	return p
}

// set shows rows, reusing the panel's storage.
func (p *sessionPanel) set(rows []SessionRow) {
	p.rows = append(p.rows[:0], rows...)
	p.empty.Hidden = len(p.rows) > 0
	p.empty.Refresh()
	if len(p.rows) == 0 {
		p.count.SetText("No sessions")
	} else {
		p.count.SetText(human.Plural(len(p.rows), "live session"))
	}
	p.list.Refresh()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// expiresIn says when a token expiring at expires does, seen at now.
func expiresIn(expires, now time.Time) string {
	switch {
	case expires.IsZero():
		return "never"
	case !expires.After(now):
		return "expired"
	default:
		return "in " + human.Rough(expires.Sub(now))
	}
}
