# Sourced by the scripts that run the window: start_xvfb starts an Xvfb of 1440×900 on a
# display number no other X server uses, sets $display to it, and returns when it is up. The
# caller's EXIT trap stops it (kill $(jobs -p)).
start_xvfb() {
  display=99
  while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
  Xvfb ":$display" -screen 0 1440x900x24 -nolisten tcp >/dev/null 2>&1 &
  for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && return 0; sleep 0.1; done
  echo "Xvfb did not start on :$display" >&2
  return 1
}
