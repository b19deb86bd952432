// Command coap-workbench is a desktop workbench for Starfish CoAP device meshes: run without
// arguments it opens the window; "coap-workbench --help" lists the headless commands.
package main

import (
	_ "embed"
	"os"

	"github.com/coap-workbench/coap-workbench/app"
)

// fyneApp is the app's metadata: every build knows its version from it, also one built
// without linker flags (go build, go install, fyne package).
//
//go:embed FyneApp.toml
var fyneApp string

func main() {
	app.SetMetadata(fyneApp)
	os.Exit(app.Main(os.Args[1:]))
}
