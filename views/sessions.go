package views

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
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
const noSessions = "No sessions: the workbench logs in when it sends its first request; or log in from a terminal with the line above."

// sessionColumns are the widths of account, socket, sticky, state and idle; the token's
// expiry takes the rest.
var sessionColumns = []float32{120, 170, 70, 80, 90}

// sessionPanel is the table of the gateway's live sessions.
type sessionPanel struct {
	rows  []SessionRow
	now   func() time.Time
	count *widget.Label
	list  *widget.List
	root  fyne.CanvasObject
}

func newSessionPanel(now func() time.Time) *sessionPanel {
	p := &sessionPanel{now: now, count: widget.NewLabel(noSessions)}
	p.count.Wrapping = fyne.TextWrapWord
	p.list = widget.NewList(
		func() int { return len(p.rows) },
		func() fyne.CanvasObject { return newColumnsRow(sessionColumns) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			r := &p.rows[id]
			setColumns(o, r.Account, r.Socket, yesNo(r.Sticky), r.State, shortDuration(r.Idle), expiresIn(r.TokenExpires, p.now()))
		},
	)
	heads := newColumnHeads(sessionColumns, "Account", "Socket", "Sticky", "State", "Idle", "Token expires")
	p.root = container.NewBorder(container.NewVBox(p.count, heads), nil, nil, nil, p.list)
	return p
}

// set shows rows, reusing the panel's storage.
func (p *sessionPanel) set(rows []SessionRow) {
	p.rows = append(p.rows[:0], rows...)
	switch len(p.rows) {
	case 0:
		p.count.SetText(noSessions)
	case 1:
		p.count.SetText("1 live session")
	default:
		p.count.SetText(fmt.Sprintf("%d live sessions", len(p.rows)))
	}
	p.list.Refresh()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// shortDuration says d to a person at a glance: "12 s", "4 min", "2 h 5 min".
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", max(d, 0)/time.Second)
	case d < time.Hour:
		return fmt.Sprintf("%d min", d/time.Minute)
	default:
		return fmt.Sprintf("%d h %d min", d/time.Hour, d%time.Hour/time.Minute)
	}
}

// expiresIn says when a token expiring at expires does, seen at now.
func expiresIn(expires, now time.Time) string {
	switch {
	case expires.IsZero():
		return "never"
	case !expires.After(now):
		return "expired"
	default:
		return "in " + shortDuration(expires.Sub(now))
	}
}
