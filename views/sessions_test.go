package views

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// sessionCells are the texts of the session table's row id.
func sessionCells(s *GatewayScreen, id int) []string {
	row := s.sessions.list.CreateItem()
	s.sessions.list.UpdateItem(id, row)
	var out []string
	for _, o := range row.(*fyne.Container).Objects {
		out = append(out, o.(*widget.Label).Text)
	}
	return out
}

func TestSessionTableSaysHowToGetASessionWhileEmpty(t *testing.T) {
	source := &fakeConsole{}
	s, _ := newConsole(t, source)
	s.tabs.SelectIndex(1)
	if !hasLabel(s.Object(), noSessions) || s.sessions.list.Length() != 0 {
		t.Fatal("the empty session table does not say how to log in")
	}
	source.sessions = []SessionRow{{Account: "dev", Socket: "127.0.0.1:40000", State: "active"}}
	s.Refresh()
	if hasLabel(s.Object(), noSessions) || !hasLabel(s.Object(), "1 live session") {
		t.Fatal("the table still says it is empty")
	}
}

func TestSessionTableShowsEachSession(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	source := &fakeConsole{sessions: []SessionRow{
		{Account: "dev", Socket: "127.0.0.1:40000", Sticky: true, Idle: 12*time.Second + 400*time.Millisecond, State: "active", TokenExpires: now.Add(59*time.Minute + 30*time.Second)},
		{Account: "ops", Socket: "[::1]:5000", Idle: 2*time.Hour + 5*time.Minute, State: "grace", TokenExpires: now.Add(-time.Second)},
		{Account: "tool", Socket: "10.0.0.2:6000", Idle: 90 * time.Second, State: "active"},
	}}
	s, _ := newConsole(t, source)
	s.sessions.now = func() time.Time { return now }
	s.Refresh()
	if s.sessionsTab.Text != "Sessions (3)" || s.sessions.count.Text != "3 live sessions" {
		t.Fatalf("tab %q, count %q", s.sessionsTab.Text, s.sessions.count.Text)
	}
	want := [][]string{
		{"dev", "127.0.0.1:40000", "yes", "active", "12 s", "in 59 min"},
		{"ops", "[::1]:5000", "no", "grace", "2 h", "expired"},
		{"tool", "10.0.0.2:6000", "no", "active", "1 min", "never"},
	}
	for id, cells := range want {
		got := sessionCells(s, id)
		for i := range cells {
			if got[i] != cells[i] {
				t.Fatalf("row %d shows %q, want %q", id, got, cells)
			}
		}
	}
}
