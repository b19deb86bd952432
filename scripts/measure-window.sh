#!/usr/bin/env bash
# Measures the real window under Xvfb against a bare Fyne window built the same way, in one
# run: the time from process start to the window shown, idle CPU over 30 s, and resident
# memory, with an empty history and with a history of 100 000 exchanges.
#   scripts/measure-window.sh [BINARY]
set -euo pipefail

binary=${1:-./coap-workbench}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -tags migrated_fynedo -o "$work/hellofyne" ./scripts/hellofyne
go run ./scripts/fillhistory -data-dir "$work/data-100k" -n 100000 >/dev/null

. "$(dirname "$0")/xvfb.sh"
start_xvfb

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

# measure NAME COMMAND...: start, wait for "window shown", settle 10 s, then sample CPU for 30 s.
measure() {
  local name=$1; shift
  local home="$work/home-$name"; mkdir -p "$home"
  HOME="$home" XDG_CONFIG_HOME="$home/.config" DISPLAY=":$display" LANG=C.UTF-8 "$@" >"$work/$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 200); do grep -q "window shown" "$work/$name.log" && break; sleep 0.05; done
  local shown; shown=$(grep -o 'after_start=[0-9.]*m\?s' "$work/$name.log" | head -1 | cut -d= -f2)
  sleep 10
  local t0; t0=$(ticks "$pid")
  sleep 30
  local t1; t1=$(ticks "$pid")
  local hz; hz=$(getconf CLK_TCK)
  printf "%-28s window shown after %-8s idle CPU %5.2f %%   RSS %s MB\n" "$name" "$shown" \
    "$(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN {print (b - a) * 100 / hz / 30}')" "$(rss "$pid")"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

measure bare-fyne-window "$work/hellofyne"
measure workbench-empty-history "$binary" gui --data-dir "$work/data-empty" --listen 127.0.0.1:0
measure workbench-100k-history "$binary" gui --data-dir "$work/data-100k" --listen 127.0.0.1:0
