// Package assets holds the workbench's bundled resources: the application icon.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the application icon (512 px PNG; icon.svg is its source).
var Icon = fyne.NewStaticResource("icon.png", iconPNG)
