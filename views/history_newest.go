package views

import (
	"fmt"

	"github.com/coap-workbench/coap-workbench/internal/human"
)

// The newest rows: while the user looks at the top of the list, new exchanges appear there.
// Once the user has scrolled down, they go above the rows in view without moving them, and
// a button over the list ("3 new — show") counts them and scrolls back up to them.

// scrolledAway reports whether the user has scrolled the newest row out of view.
func (t *HistoryTab) scrolledAway() bool {
	return t.list.GetScrollOffset() >= t.rowStep
}

// noteNewest counts n new rows put above the view, or, with gap, n rows (a page) that
// wait unlisted because more arrived than a page holds: showing them lists the history again
// from the newest entry. Every refresh meanwhile finds that page again: it is counted once.
func (t *HistoryTab) noteNewest(n int, gap bool) {
	if gap {
		t.newestGap, t.newestUnlisted = true, n
	} else {
		t.newestWaiting += n
	}
	text := fmt.Sprintf("%s new — show", human.Thousands(t.newestWaiting))
	if t.newestGap {
		text = fmt.Sprintf("%s+ new — show", human.Thousands(t.newestWaiting+t.newestUnlisted))
	}
	t.newestButton.SetText(text)
	t.newestButton.Show()
}

// hideNewest forgets the rows that waited: they are in view.
func (t *HistoryTab) hideNewest() {
	t.newestWaiting, t.newestGap, t.newestUnlisted = 0, false, 0
	t.newestButton.Hide()
}

// showNewest brings the newest rows into view: the button's action.
func (t *HistoryTab) showNewest() {
	if t.newestGap {
		t.Reload()
		return
	}
	t.list.ScrollToOffset(0)
	t.hideNewest()
}

// sawTop is told that the newest row came into view (the list binds it): when the user
// scrolled back up by themselves, nothing waits any more.
func (t *HistoryTab) sawTop() {
	if t.newestWaiting == 0 && !t.newestGap || t.scrolledAway() {
		return
	}
	if t.newestGap {
		// Listing again changes the rows the list is binding now: do it after.
		t.opts.do(func() {
			if t.newestGap && !t.scrolledAway() {
				t.Reload()
			}
		})
		return
	}
	t.hideNewest()
}
