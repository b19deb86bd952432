package views

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/coap-workbench/coap-workbench/internal/human"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/history"
)

// exportScope says what an export writes: every entry, or those the filters select (how
// many, when the listing has found them all).
func (t *HistoryTab) exportScope() string {
	switch {
	case t.filter == (history.Filter{}) && t.total == 1:
		return "Export the one exchange in the history"
	case t.filter == (history.Filter{}):
		return fmt.Sprintf("Export all %s exchanges", human.Thousands(t.total))
	case t.ended:
		return "Export " + human.Count(t.rowCount(), "matching exchange", "matching exchanges") + " of " + human.Thousands(t.total)
	}
	return fmt.Sprintf("Export the exchanges matching the filters (%s+ of %s)", human.Thousands(t.rowCount()), human.Thousands(t.total))
}

// chooseExport asks where to export the entries the filters select, saying which.
func (t *HistoryTab) chooseExport() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		switch {
		case err != nil:
			dialog.ShowError(fmt.Errorf("cannot export there: %w", err), t.win)
		case w != nil: // nil: the user cancelled
			t.exportTo(w)
		}
	}, t.win)
	d.SetTitleText(t.exportScope() + " (.jsonl or .csv)")
	d.SetFileName("history.jsonl")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".jsonl", ".csv"}))
	d.Show()
}

// exportFormat is the export format a file name asks for: CSV for .csv, JSON Lines otherwise.
func exportFormat(u fyne.URI) (format, name string) {
	if strings.EqualFold(u.Extension(), ".csv") {
		return history.FormatCSV, "CSV"
	}
	return history.FormatJSONLines, "JSON Lines"
}

// exportTo writes the entries the current query selects to w off the main goroutine, closes
// w, and says how it went in a dialog.
func (t *HistoryTab) exportTo(w fyne.URIWriteCloser) {
	format, formatName := exportFormat(w.URI())
	store, f := t.store, t.filter
	t.exporting = true
	t.showState()
	go func() {
		n, err := store.Export(context.Background(), w, format, f)
		if closeErr := w.Close(); err == nil {
			err = closeErr
		}
		t.opts.do(func() {
			t.exporting = false
			t.showState()
			where := w.URI().Path()
			if err != nil {
				dialog.ShowError(fmt.Errorf("the export to %s stopped after %s: %w", where, human.Count(n, "exchange", "exchanges"), err), t.win)
				return
			}
			dialog.ShowInformation("History exported", fmt.Sprintf("%s written to %s (%s).", human.Count(n, "exchange", "exchanges"), where, formatName), t.win)
		})
	}()
}

// confirmClear counts the entries, then asks before deleting them all.
func (t *HistoryTab) confirmClear() {
	store := t.store
	go func() {
		n, err := store.Count()
		t.opts.do(func() {
			if err != nil {
				t.showProblem(fmt.Sprintf("The history could not be counted: %v.", err))
				return
			}
			if n == 0 {
				dialog.ShowInformation("Clear the history", "The history is already empty.", t.win)
				return
			}
			question := fmt.Sprintf("Delete all %s exchanges from the history? This cannot be undone.", human.Thousands(n))
			if n == 1 {
				question = "Delete the one exchange in the history? This cannot be undone."
			}
			d := dialog.NewConfirm("Clear the history", question, func(ok bool) {
				if ok {
					t.clearAll()
				}
			}, t.win)
			d.SetConfirmText("Delete")
			d.SetDismissText("Keep")
			d.SetConfirmImportance(widget.DangerImportance)
			d.Show()
		})
	}()
}

// clearAll deletes every entry off the main goroutine, then lists again.
func (t *HistoryTab) clearAll() {
	store := t.store
	go func() {
		err := store.DeleteAll()
		t.opts.do(func() {
			if err != nil {
				t.showProblem(fmt.Sprintf("The history could not be cleared: %v.", err))
				return
			}
			t.Reload()
		})
	}()
}

func (t *HistoryTab) rowSelected(id widget.ListItemID) {
	t.selected = id
	if t.shifting {
		return
	}
	t.replay.Enable()
	t.replayHint.SetText("") // the bar owns the hint's place: it drops it when short of room
	if t.onSelect == nil {
		return
	}
	t.selection++
	selection := t.selection
	t.withExchange(t.rowAt(id).id, func(x coapengine.Exchange) {
		if selection == t.selection {
			t.onSelect(x)
		}
	})
}

func (t *HistoryTab) rowUnselected(widget.ListItemID) {
	if t.shifting {
		return
	}
	t.selected = -1
	t.replay.Disable()
	t.replayHint.SetText(historyReplayHint)
}

// clearSelection forgets the selection: the rows under it changed.
func (t *HistoryTab) clearSelection() {
	t.list.UnselectAll()
	t.rowUnselected(-1)
}

func (t *HistoryTab) replaySelected() {
	if t.selected < 0 || t.selected >= t.rowCount() || t.onReplay == nil {
		return
	}
	t.withExchange(t.rowAt(t.selected).id, t.onReplay)
}

// withExchange reads the whole exchange off the main goroutine and hands it to fn on it.
func (t *HistoryTab) withExchange(id uint64, fn func(coapengine.Exchange)) {
	store := t.store
	go func() {
		x, err := store.Get(id)
		t.opts.do(func() {
			switch {
			case errors.Is(err, history.ErrNotFound):
				t.showProblem("That exchange is no longer in the history: it was trimmed or cleared. Press Reload to see what is left.")
			case err != nil:
				t.showProblem(fmt.Sprintf("That exchange could not be read: %v.", err))
			default:
				fn(x)
			}
		})
	}()
}
