#!/usr/bin/env bash
# Measures the window while it charts observations: the workbench idle, then 8 observations
# of NICs' power statistics notifying 10 times a second each (instant mesh), with the Observe
# tab and its 8 charts shown. Prints CPU (share of one core over 30 s) for both, then the
# resident memory every minute for MINUTES minutes (default 10).
#   scripts/measure-observe.sh [BINARY] [MINUTES]
set -euo pipefail

binary=${1:-./coap-workbench}
minutes=${2:-10}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

. "$(dirname "$0")/xvfb.sh"
start_xvfb

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
# rssParts: anonymous memory (heap, stacks, the renderer's buffers) and file pages (the
# binary, libraries, and the history file, which bbolt maps and grows as it records).
rssParts() { awk '/RssAnon/ {a = $2} /RssFile/ {f = $2} END {printf "anon %.0f MB, file %.0f MB", a / 1024, f / 1024}' "/proc/$1/status"; }
cpu30() {
  local t0 t1; t0=$(ticks "$1"); sleep 30; t1=$(ticks "$1")
  awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", (b - a) * 100 / hz / 30}'
}
start() { # NAME ARGS...: the window with a home and data directory of its own
  local name=$1; shift
  mkdir -p "$work/$name"
  HOME="$work/$name" XDG_CONFIG_HOME="$work/$name/.config" DISPLAY=":$display" LANG=C.UTF-8 \
    "$binary" gui --data-dir "$work/$name/data" --listen 127.0.0.1:0 --mesh-profile instant "$@" >"$work/$name.log" 2>&1 &
  echo $!
}

observe=()
for host in $("$binary" gateway --data-dir "$work/list" --listen 127.0.0.1:0 --token-listen off --list-devices 2>/dev/null |
  grep -o 'SSN[0-9A-F]*\.sim\.starfish\.test' | head -8); do
  observe+=(--observe "coap://$host:4849/sys/stats?mod=pwr")
done

pid=$(start idle)
sleep 10
echo "workbench idle:                                 CPU $(cpu30 "$pid") %   RSS $(rss "$pid") MB"
kill "$pid"; wait "$pid" 2>/dev/null || true

pid=$(start charts --notify-period 100ms --pprof 127.0.0.1:6071 "${observe[@]}")
# heapInuse: the Go heap in use (the rings, the views), from the runtime's own statistics.
heapInuse() { curl -s "http://127.0.0.1:6071/debug/pprof/heap?debug=1" | awk '/# HeapInuse =/ {printf "%.0f", $4 / 1048576}'; }
sleep 10
echo "8 observations at 10 notifications/s, charted:  CPU $(cpu30 "$pid") %   RSS $(rss "$pid") MB"
for m in $(seq "$minutes"); do
  sleep 60
  echo "  after $m min: RSS $(rss "$pid") MB ($(rssParts "$pid")), Go heap in use $(heapInuse) MB, history $(du -m "$work/charts/data/history.db" | cut -f1) MB"
done
kill "$pid"; wait "$pid" 2>/dev/null || true
