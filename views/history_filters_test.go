package views

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
)

func TestHistoryTabFiltersNarrowTheListToTheMatchingExchanges(t *testing.T) {
	const n = 300
	store := openTestHistory(t, n)
	h := openHistoryTab(t, store, "")
	bar := &h.tab.filters
	submit := func(e *widget.Entry, text string) {
		e.SetText("")
		test.Type(e, text)
		e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	}
	reset := func() {
		for _, e := range []*widget.Entry{bar.search, bar.device, bar.path} {
			e.SetText("")
		}
		bar.method.SetSelectedIndex(0)
		bar.class.SetSelectedIndex(0)
		bar.hideNotifications.SetChecked(false)
		h.tab.applyFilters()
	}
	for _, c := range []struct {
		name  string
		apply func()
		keep  func(coapengine.Exchange) bool
	}{
		{"device by its short name", func() { submit(bar.device, "ssn0000000000000002") },
			func(x coapengine.Exchange) bool { return x.Device == testDevices[1] }},
		{"device by its full name", func() { submit(bar.device, testDevices[2]) },
			func(x coapengine.Exchange) bool { return x.Device == testDevices[2] }},
		{"client errors", func() { bar.class.SetSelected("4.xx client error") },
			func(x coapengine.Exchange) bool { return x.Response != nil && x.Response.Code == codes.NotFound }},
		{"no answer", func() { bar.class.SetSelected("no answer") },
			func(x coapengine.Exchange) bool { return x.Response == nil }},
		{"method", func() { bar.method.SetSelected("PUT") },
			func(x coapengine.Exchange) bool { return x.Request.Code == codes.PUT }},
		{"path", func() { submit(bar.path, "STATUS") },
			func(x coapengine.Exchange) bool { return strings.HasPrefix(x.Path, "/status") }},
		{"notifications hidden", func() { bar.hideNotifications.SetChecked(true) },
			func(x coapengine.Exchange) bool { return !x.Notification }},
		{"device and class together", func() { bar.class.SetSelected("2.xx success"); submit(bar.device, "SSN0000000000000003") },
			func(x coapengine.Exchange) bool {
				return x.Device == testDevices[2] && x.Response != nil && x.Response.Code>>5 == 2
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.apply()
			h.waitLoaded(t)
			h.loadAll(t)
			want := expectedTimes(n, c.keep)
			if len(want) == 0 || len(want) == n {
				t.Fatalf("the case selects %d of %d exchanges: it cannot tell a filter from none", len(want), n)
			}
			if got := h.times(); !slices.Equal(got, want) {
				t.Fatalf("%d rows shown, want exactly the %d matching exchanges newest first\ngot  %q\nwant %q", len(got), len(want), head(got), head(want))
			}
			if wantCount := fmt.Sprintf("%d of %d match", len(want), n); h.tab.count.Text != wantCount {
				t.Fatalf("count says %q, want %q", h.tab.count.Text, wantCount)
			}
			reset()
			h.waitLoaded(t)
		})
	}
}

func head(s []string) []string { return s[:min(len(s), 5)] }

func TestHistoryTabSearchesTheDecodedResponsesAfterTypingPauses(t *testing.T) {
	const n = 120
	store := openTestHistory(t, n)
	h := openHistoryTab(t, store, "")
	test.Type(h.tab.filters.search, "TEMPERATURE 2")
	want := expectedTimes(n, func(x coapengine.Exchange) bool {
		return x.Response != nil && strings.HasPrefix(string(x.Response.Payload), "Temperature 2")
	})
	h.q.WaitFor(t, "the search to apply", func() bool { return !h.tab.loading && slices.Equal(h.times(), want) })
	if got := h.tab.filter.Text; got != "TEMPERATURE 2" {
		t.Fatalf("query searched %q, want the typed text", got)
	}
	test.Type(h.tab.filters.search, "9 no such text")
	h.q.WaitFor(t, "the empty result", func() bool { return !h.tab.loading && h.tab.list.Length() == 0 })
	if !h.tab.empty.Visible() || h.tab.empty.Text != "No exchange matches these filters." {
		t.Fatalf("empty result says %q (shown %v), want that nothing matches", h.tab.empty.Text, h.tab.empty.Visible())
	}
}
