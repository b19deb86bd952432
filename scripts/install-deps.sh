#!/usr/bin/env bash
# Installs the system packages CoAP Workbench needs, when they are missing.
#   scripts/install-deps.sh run    what building and running the workbench needs
#   scripts/install-deps.sh test   that, plus what the tests need (libcoap's coap-client, Xvfb)
#   scripts/install-deps.sh screenshots   that, plus ImageMagick (make screenshots)
#   scripts/install-deps.sh package   what building and run needs, plus dpkg-dev and ImageMagick
#   scripts/install-deps.sh windows   a Windows build from Linux: mingw-w64, NSIS and osslsigncode
# On Debian and Ubuntu it uses apt-get (through sudo when not root); elsewhere it says what to
# install and stops.
set -euo pipefail

mode=${1:-run}
case "$mode" in
  run|test|screenshots|package|windows) ;;
  *) echo "usage: $0 run|test|screenshots|package|windows" >&2; exit 3 ;;
esac

# Fyne's desktop driver compiles GLFW with cgo, for X11 and Wayland.
run_pkgs=(gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev
          libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev wayland-protocols)
# The end-to-end suite drives gateway-lite with libcoap's coap-client; GUI checks use Xvfb.
test_pkgs=(libcoap3-bin xvfb)

pkgs=("${run_pkgs[@]}")
case "$mode" in
  test) pkgs+=("${test_pkgs[@]}") ;;
  screenshots) pkgs+=("${test_pkgs[@]}" imagemagick) ;;
  package) pkgs+=(dpkg-dev imagemagick xz-utils) ;;
  windows) pkgs+=(gcc-mingw-w64-x86-64 nsis osslsigncode imagemagick) ;;
esac

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  cat >&2 <<MSG
This is not a Debian or Ubuntu system, so nothing was installed. Install by hand:
  - Go 1.26 or newer, and a C compiler (gcc or clang)
  - Fyne's build dependencies: OpenGL and X11/Wayland development headers
      Fedora:  sudo dnf install gcc libXcursor-devel libXrandr-devel mesa-libGL-devel libXi-devel libXinerama-devel libXxf86vm-devel wayland-devel libxkbcommon-devel
      Arch:    sudo pacman -S go gcc xorg-server-devel libxcursor libxrandr libxinerama libxi wayland libxkbcommon
      macOS:   xcode-select --install
  - for the tests: libcoap's coap-client (package libcoap or libcoap3) and Xvfb
MSG
  exit 1
fi

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "Missing packages: ${missing[*]}. Install them as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  sudo="sudo"
fi
echo "Installing: ${missing[*]}"
# A new machine's package lists are stale: refresh them first.
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
