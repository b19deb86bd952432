# Sourced by the scripts that run the window: start_xvfb [WxH] starts an Xvfb of that size
# (1440×900 by default) on a display number no other X server uses, sets $display to it, and
# returns when it is up. The caller's EXIT trap stops it (kill $(jobs -p)).
start_xvfb() {
  local size=${1:-1440x900}
  display=99
  while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
  Xvfb ":$display" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 &
  for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && return 0; sleep 0.1; done
  echo "Xvfb did not start on :$display" >&2
  return 1
}
