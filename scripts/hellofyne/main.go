// Command hellofyne is the baseline of scripts/measure-window.sh: a bare Fyne window with one
// label, built with the same toolchain and tags as the workbench. It logs when its window is
// shown, as the workbench does.
package main

import (
	"fmt"
	"os"
	"time"

	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	start := time.Now()
	a := app.NewWithID("io.github.coapworkbench.hellofyne")
	w := a.NewWindow("hello")
	w.SetContent(widget.NewLabel("hello"))
	a.Lifecycle().SetOnStarted(func() {
		fmt.Fprintf(os.Stderr, "window shown after_start=%dms\n", time.Since(start).Milliseconds())
	})
	w.ShowAndRun()
}
