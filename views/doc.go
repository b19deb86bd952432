// Package views holds the workbench's Fyne widgets and screens, one file per screen or widget.
// Views take plain data (built by package app from the engine and the gateway) and never talk
// to the network themselves; every update from another goroutine reaches them through fyne.Do.
package views
