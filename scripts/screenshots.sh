#!/usr/bin/env bash
# The screenshot tour: starts the real workbench under Xvfb at 1024×700, 1280×800 and
# 1920×1080, each in the light and the dark variant, lets it drive itself through its main
# states against the embedded mesh (`coap-workbench gui --screenshots DIR
# --screenshot-size WxH`), which fails when the window does not keep the size it was given,
# and writes the PNGs to dist/screenshots/WxH/. The 1280×800 ones are the README's: they are
# copied to docs/screenshots/.
#   scripts/screenshots.sh [BINARY] [SIZES...]
set -euo pipefail

binary=${1:-./coap-workbench}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1024x700 1280x800 1920x1080)
out=dist/screenshots
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
. "$(dirname "$0")/xvfb.sh"
start_xvfb 1920x1080

for size in "${sizes[@]}"; do
  mkdir -p "$out/$size"
  for variant in light dark; do
    # A home and a data directory of its own: no preferences, history or gateway key of the
    # user's is touched, and the embedded gateway takes free ports.
    home="$work/home-$size-$variant"
    mkdir -p "$home"
    echo "screenshots: $size, $variant variant"
    HOME="$home" XDG_CONFIG_HOME="$home/.config" DISPLAY=":$display" LANG=C.UTF-8 FYNE_THEME="$variant" \
      "$binary" gui --data-dir "$home/data" --listen 127.0.0.1:0 --notify-period 1s \
        --screenshots "$out/$size" --screenshot-size "$size" >"$work/gui.log" 2>&1 || {
        echo "screenshots: the $size $variant tour failed; its log:" >&2
        cat "$work/gui.log" >&2
        exit 1
      }
    if grep -q "Fyne error" "$work/gui.log"; then
      echo "screenshots: Fyne complained during the $size $variant tour:" >&2
      grep -A2 "Fyne error" "$work/gui.log" >&2
      exit 1
    fi
  done
done
if [ -d "$out/1280x800" ]; then
  mkdir -p docs/screenshots
  cp "$out"/1280x800/*.png docs/screenshots/
fi
ls -1 "$out"/*
