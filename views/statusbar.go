package views

import (
	"fmt"
	"time"

	"github.com/coap-workbench/coap-workbench/internal/human"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// SessionState is what the status bar shows of the current profile.
type SessionState struct {
	Profile string
	// Gateway is host:port, "" for a profile that sends directly.
	Gateway string
	Account string
	// LoggedIn, LastTraffic and TokenExpires describe the session (zero times: unknown).
	LoggedIn     bool
	LastTraffic  time.Time
	TokenExpires time.Time
	// Busy says that a login is under way.
	Busy bool
}

// StatusBar is the window's bottom line: the gateway, the account, the session with the time
// since the last traffic, the token's expiry, a re-login button, and the last message.
type StatusBar struct {
	root    fyne.CanvasObject
	profile *widget.Select
	session *FitLabel
	message *FitLabel
	relogin *widget.Button
	panel   *widget.Button
	texts   *fyne.Container

	// OnProfile is called when the user switches to another connected profile.
	OnProfile func(name string)
	// OnRelogin is called by the re-login button.
	OnRelogin func()
	// OnTogglePanel is called by the bottom panel's button.
	OnTogglePanel func()
}

// NewStatusBar builds a status bar with no profile.
func NewStatusBar() *StatusBar {
	s := &StatusBar{}
	s.profile = widget.NewSelect(nil, func(name string) {
		if s.OnProfile != nil {
			s.OnProfile(name)
		}
	})
	s.profile.PlaceHolder = "no profile"
	s.session = NewFitLabel("No gateway connected: Connection > Connect…")
	s.session.Cut = CutEnd
	s.message = NewFitLabel("")
	s.message.Cut = CutEnd
	s.message.SetImportance(widget.LowImportance)
	s.relogin = widget.NewButtonWithIcon("Log in again", theme.ViewRefreshIcon(), func() {
		if s.OnRelogin != nil {
			s.OnRelogin()
		}
	})
	s.relogin.Disable()
	s.panel = widget.NewButtonWithIcon("Panel", theme.MenuDropDownIcon(), func() {
		if s.OnTogglePanel != nil {
			s.OnTogglePanel()
		}
	})
	s.panel.Importance = widget.LowImportance
	left := container.NewHBox(container.New(fixedWidth{150}, s.profile))
	right := container.NewHBox(s.relogin, s.panel)
	s.texts = container.New(&naturalFirst{share: 0.6}, s.session, s.message)
	s.root = container.NewBorder(widget.NewSeparator(), nil, left, right, s.texts)
	return s
}

// SetPanelShown turns the panel button's arrow: down to fold the panel away, up to bring it.
func (s *StatusBar) SetPanelShown(shown bool) {
	if shown {
		s.panel.SetIcon(theme.MenuDropDownIcon())
	} else {
		s.panel.SetIcon(theme.MenuDropUpIcon())
	}
}

// Object is the status bar.
func (s *StatusBar) Object() fyne.CanvasObject { return s.root }

// SetProfiles lists the connected profiles and marks the current one.
func (s *StatusBar) SetProfiles(names []string, current string) {
	s.profile.Options = names
	s.profile.Selected = current
	s.profile.Refresh()
}

// SetState shows the current profile's session, as of now.
func (s *StatusBar) SetState(st SessionState, now time.Time) {
	// An unchanged text is not set again: every refresh redraws the window.
	text := describeSession(st, now)
	if text != s.session.Text() {
		s.session.SetText(text)
		s.session.Tip = text
		s.texts.Refresh() // the session's share of the line follows its length
	}
	if st.Gateway == "" || st.Busy {
		s.relogin.Disable()
	} else {
		s.relogin.Enable()
	}
}

// SessionText is the session part of the bar as shown (for tests).
func (s *StatusBar) SessionText() string { return s.session.Text() }

// SetMessage shows the latest message (a copy, a login, an error) at the bar's right.
func (s *StatusBar) SetMessage(text string, important bool) {
	s.message.SetText(text)
	s.message.Tip = text
	if important {
		s.message.SetImportance(widget.WarningImportance)
	} else {
		s.message.SetImportance(widget.LowImportance)
	}
}

// Message is the latest message.
func (s *StatusBar) Message() string { return s.message.Text() }

// describeSession is "gateway 127.0.0.1:5683 · account dev · session active, last traffic
// 3 s ago · token expires in 59 min".
func describeSession(st SessionState, now time.Time) string {
	if st.Profile == "" {
		return "No gateway connected: Connection > Connect…"
	}
	if st.Gateway == "" {
		return "direct to devices (no gateway)"
	}
	text := "gateway " + st.Gateway
	if st.Account != "" {
		text += " · account " + st.Account
	}
	switch {
	case st.Busy:
		text += " · logging in…"
	case !st.LoggedIn:
		text += " · no session (it logs in on the first request)"
	case st.LastTraffic.IsZero():
		text += " · session active"
	default:
		text += " · session active, last traffic " + ago(now.Sub(st.LastTraffic))
	}
	if !st.TokenExpires.IsZero() {
		if left := st.TokenExpires.Sub(now); left > 0 {
			text += " · token expires in " + human.Rough(left)
		} else {
			text += " · token expired"
		}
	}
	return text
}

// ago says how long ago something was, in steps coarse enough that the status bar changes
// every 10 s at most in the first minute, and every minute after.
func ago(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%d s ago", int(d.Seconds())/10*10)
	}
	return human.Rough(d) + " ago"
}

// naturalFirst lays two objects out side by side: the first gets the width its text needs,
// up to share of the row, the second the rest.
type naturalFirst struct{ share float32 }

func (n *naturalFirst) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	first := size.Width * n.share
	if l, ok := objects[0].(*FitLabel); ok {
		first = min(first, l.NaturalWidth())
	}
	objects[0].Move(fyne.NewPos(0, 0))
	objects[0].Resize(fyne.NewSize(first, size.Height))
	objects[1].Move(fyne.NewPos(first, 0))
	objects[1].Resize(fyne.NewSize(size.Width-first, size.Height))
}

func (n *naturalFirst) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for _, o := range objects {
		m := o.MinSize()
		w += m.Width
		h = max(h, m.Height)
	}
	return fyne.NewSize(w, h)
}
