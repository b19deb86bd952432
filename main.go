// Command coap-workbench is a desktop workbench for Starfish CoAP device meshes: run without
// arguments it opens the window; "coap-workbench --help" lists the headless commands.
package main

import (
	"os"

	"github.com/coap-workbench/coap-workbench/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:]))
}
