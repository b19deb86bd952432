package views

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/internal/logring"
	"github.com/coap-workbench/coap-workbench/internal/uiqueue"
)

// logAt records a message at a fixed time, as a logger would.
func logAt(ring *logring.Ring, at time.Time, level slog.Level, msg string, attrs ...slog.Attr) {
	r := slog.NewRecord(at, level, msg, 0)
	r.AddAttrs(attrs...)
	if err := ring.Handle(context.Background(), r); err != nil {
		panic(err)
	}
}

// openLogTab shows a Log tab over ring in a test window.
func openLogTab(t *testing.T, ring *logring.Ring) (*LogTab, fyne.Window, *uiqueue.Queue) {
	t.Helper()
	test.NewTempApp(t)
	q := uiqueue.New()
	tab := newLogTab(ring, listTabOptions{do: q.Do, location: time.UTC})
	t.Cleanup(tab.Close)
	w := test.NewWindow(tab.Object())
	t.Cleanup(w.Close)
	w.Resize(fyne.NewSize(1000, 400))
	return tab, w, q
}

// messagesShown is the message column of the rows on screen, top to bottom.
func messagesShown(tab *LogTab) []string {
	var out []string
	for _, row := range screenRows(tab.list) {
		out = append(out, row[2])
	}
	return out
}

// seededRing holds a debug record, two infos, a warning and an error, a second apart.
func seededRing() *logring.Ring {
	ring := logring.New(100, nil)
	at := time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
	logAt(ring, at, slog.LevelInfo, "gateway listening", slog.String("addr", "127.0.0.1:5683"))
	logAt(ring, at.Add(time.Second), slog.LevelDebug, "exchange", slog.String("target", "/sys/stats"))
	logAt(ring, at.Add(2*time.Second), slog.LevelInfo, "profile connected", slog.String("profile", "field"))
	logAt(ring, at.Add(3*time.Second), slog.LevelWarn, "session expired", slog.String("profile", "field"))
	logAt(ring, at.Add(4*time.Second), slog.LevelError, "device did not answer", slog.String("device", "SSN001350050005E7D6"), slog.Duration("after", 5*time.Second))
	return ring
}

func TestLogTabShowsRecordsAtTheChosenLevelNewestFirst(t *testing.T) {
	tab, _, _ := openLogTab(t, seededRing())
	want := []string{"device did not answer", "session expired", "profile connected", "gateway listening"}
	if got := messagesShown(tab); !slices.Equal(got, want) {
		t.Fatalf("at Info: %q, want %q", got, want)
	}
	first := screenRows(tab.list)[0]
	if wantRow := []string{"09:30:04.000", "ERROR", "device did not answer", "device=SSN001350050005E7D6 after=5s"}; !slices.Equal(first, wantRow) {
		t.Fatalf("first row %q, want %q", first, wantRow)
	}
	tab.level.SetSelected("Debug")
	if got := messagesShown(tab); len(got) != 5 || got[3] != "exchange" {
		t.Fatalf("at Debug: %q, want the debug record between the infos", got)
	}
	tab.level.SetSelected("Warn")
	if got, want := messagesShown(tab), []string{"device did not answer", "session expired"}; !slices.Equal(got, want) {
		t.Fatalf("at Warn: %q, want %q", got, want)
	}
	if tab.count.Text != "2 records shown" {
		t.Fatalf("count says %q", tab.count.Text)
	}
}

func TestLogTabFiltersByText(t *testing.T) {
	tab, _, _ := openLogTab(t, seededRing())
	test.Type(tab.search, "FIELD")
	if got, want := messagesShown(tab), []string{"session expired", "profile connected"}; !slices.Equal(got, want) {
		t.Fatalf("filtered on an attribute value: %q, want %q", got, want)
	}
	test.Type(tab.search, " nothing like it")
	if !hasVisibleLabel(tab.Object(), "No record at this level matches the filter.") {
		t.Fatal("a filter that matches nothing does not say so")
	}
}

func TestLogTabSaysWhenNothingWasLogged(t *testing.T) {
	ring := logring.New(10, nil)
	logAt(ring, time.Now(), slog.LevelInfo, "started")
	tab, _, _ := openLogTab(t, ring)
	tab.level.SetSelected("Error")
	if !hasVisibleLabel(tab.Object(), "Nothing logged at this level yet.") {
		t.Fatal("an empty level does not say so")
	}
	tab.level.SetSelected("Info")
	if hasVisibleLabel(tab.Object(), "Nothing logged at this level yet.") {
		t.Fatal("the empty text stays over a record")
	}
}

func TestLogTabFollowsNewRecords(t *testing.T) {
	ring := logring.New(100, nil)
	tab, _, q := openLogTab(t, ring)
	log := slog.New(ring)
	go log.Info("first from elsewhere")
	q.WaitFor(t, "the first record", func() bool { return slices.Equal(messagesShown(tab), []string{"first from elsewhere"}) })
	for range 50 {
		log.Info("burst")
	}
	log.Warn("last of the burst")
	q.WaitFor(t, "the burst", func() bool {
		got := messagesShown(tab)
		return len(got) > 0 && got[0] == "last of the burst" && tab.count.Text == "52 records shown"
	})
	tab.Close()
	tab.Close() // closing twice is harmless
}

func TestLogTabCopiesAllShownRecordsOldestFirst(t *testing.T) {
	tab, _, _ := openLogTab(t, seededRing())
	tab.level.SetSelected("Warn")
	test.Tap(findButton(tab.Object(), "Copy all"))
	want := "2025-03-14 09:30:03.000 WARN session expired profile=field\n" +
		"2025-03-14 09:30:04.000 ERROR device did not answer device=SSN001350050005E7D6 after=5s\n"
	if got := fyne.CurrentApp().Clipboard().Content(); got != want {
		t.Fatalf("clipboard:\n%s\nwant:\n%s", got, want)
	}
}

func TestLogTabColoursLevels(t *testing.T) {
	for level, want := range map[slog.Level]widget.Importance{
		slog.LevelDebug: widget.LowImportance, slog.LevelInfo: widget.MediumImportance, slog.LevelWarn: widget.WarningImportance,
		slog.LevelError: widget.DangerImportance, slog.LevelError + 4: widget.DangerImportance, slog.LevelDebug - 4: widget.LowImportance,
	} {
		if got := logImportance(level); got != want {
			t.Errorf("%v is coloured %v, want %v", level, got, want)
		}
	}
}

func TestLogTabRendersItsLayout(t *testing.T) {
	tab, w, _ := openLogTab(t, seededRing())
	tab.level.SetSelected("Debug")
	w.Content().Refresh()
	test.AssertRendersToMarkup(t, "log_tab.xml", w.Canvas())
}
