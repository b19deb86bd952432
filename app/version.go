package app

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Set at build time: go build -ldflags "-X github.com/coap-workbench/coap-workbench/app.version=…"
var (
	version   = "dev"
	commit    = ""
	buildDate = ""
)

// BuildInfo says which build this is.
type BuildInfo struct {
	Version   string
	Commit    string
	BuildDate string
	GoVersion string
}

// metadataVersion is the Version of the FyneApp.toml the binary was built with ("" if none).
var metadataVersion string

// SetMetadata hands over the project's FyneApp.toml, embedded in the binary: its Version is
// the version of a build made without linker flags.
func SetMetadata(fyneAppTOML string) {
	for _, line := range strings.Split(fyneAppTOML, "\n") {
		key, value, ok := strings.Cut(strings.TrimSpace(line), "=")
		if ok && strings.TrimSpace(key) == "Version" {
			metadataVersion = strings.Trim(strings.TrimSpace(value), `"`)
			return
		}
	}
}

// Build returns the build's version, commit and date: from the linker flags of a release
// build, else from FyneApp.toml and the module's build information (the commit and its time).
func Build() BuildInfo {
	info := BuildInfo{Version: version, Commit: commit, BuildDate: buildDate, GoVersion: runtime.Version()}
	if info.Version == "dev" && metadataVersion != "" {
		info.Version = metadataVersion
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && info.Commit == "":
				info.Commit = s.Value
			case s.Key == "vcs.time" && info.BuildDate == "":
				info.BuildDate = s.Value
			}
		}
		if info.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
	}
	if len(info.Commit) > 12 {
		info.Commit = info.Commit[:12]
	}
	return info
}

// String is the one line --version prints.
func (b BuildInfo) String() string {
	commit, date := b.Commit, b.BuildDate
	if commit == "" {
		commit = "unknown commit"
	}
	if date == "" {
		date = "unknown date"
	}
	return fmt.Sprintf("coap-workbench %s (%s, built %s, %s)", b.Version, commit, date, b.GoVersion)
}
