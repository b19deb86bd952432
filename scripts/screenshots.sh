#!/usr/bin/env bash
# Starts the real workbench under Xvfb, once in the light and once in the dark variant, lets it
# drive itself through its main screens against the embedded mesh (`coap-workbench gui
# --screenshots`), and writes the PNGs to docs/screenshots/.
#   scripts/screenshots.sh [BINARY]
set -euo pipefail

binary=${1:-./coap-workbench}
out=docs/screenshots
mkdir -p "$out"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
. "$(dirname "$0")/xvfb.sh"
start_xvfb

for variant in light dark; do
  # A home and a data directory of its own: no preferences, history or gateway key of the user's
  # is touched, and the embedded gateway takes free ports.
  home="$work/home-$variant"
  mkdir -p "$home"
  echo "screenshots: $variant variant"
  HOME="$home" XDG_CONFIG_HOME="$home/.config" DISPLAY=":$display" LANG=C.UTF-8 FYNE_THEME="$variant" \
    "$binary" gui --data-dir "$home/data" --listen 127.0.0.1:0 --notify-period 1s --screenshots "$out" >"$work/gui-$variant.log" 2>&1 || {
      echo "screenshots: the $variant run failed; its log:" >&2
      cat "$work/gui-$variant.log" >&2
      exit 1
    }
done
ls -1 "$out"
