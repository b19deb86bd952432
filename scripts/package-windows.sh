#!/usr/bin/env bash
# Cross-builds the Windows release of the workbench on Linux and its installer:
#   - dist/windows/coap-workbench.exe: fyne package with mingw-w64's gcc (cgo), which embeds the
#     icon, a manifest and version information; -trimpath, no symbol tables;
#   - dist/coap-workbench-VERSION-setup.exe: the NSIS installer (per user or per machine, a
#     Start-menu shortcut, an uninstaller).
# Both are unsigned: with a certificate, sign them with osslsigncode (see the README).
#   scripts/package-windows.sh VERSION BUILD
set -euo pipefail

version=$1
build=$2
root=$(pwd)
mkdir -p dist/windows
convert assets/icon.png -define icon:auto-resize=256,64,48,32,16 dist/windows/coap-workbench.ico

# fyne package builds the executable itself (with -H=windowsgui, -s -w in release mode) for
# its -os; the version comes from FyneApp.toml, embedded in the binary, and the commit from
# the build information. CC is mingw-w64's gcc for the cgo parts (GLFW).
# The fyne tool itself is built first, for this machine: mingw's CC is for the app only.
go build -o dist/windows/fyne-tool fyne.io/tools/cmd/fyne
CC=x86_64-w64-mingw32-gcc CGO_ENABLED=1 GOOS=windows GOARCH=amd64 GOFLAGS=-trimpath \
  scripts/keep-fyneapp.sh dist/windows/fyne-tool package -os windows --release --tags migrated_fynedo \
    --name coap-workbench --icon "$root/assets/icon.png" --app-id io.github.coapworkbench \
    --app-version "$version" --app-build "$build"
mv coap-workbench.exe dist/windows/coap-workbench.exe
file dist/windows/coap-workbench.exe

makensis -V2 -DVERSION="$version" -DEXE="$root/dist/windows/coap-workbench.exe" \
  -DICON="$root/dist/windows/coap-workbench.ico" -DOUT="$root/dist/coap-workbench-$version-setup.exe" \
  scripts/windows/installer.nsi
file "dist/coap-workbench-$version-setup.exe"
osslsigncode verify "dist/coap-workbench-$version-setup.exe" 2>&1 | grep -i -m1 "signature" || true
