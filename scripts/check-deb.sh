#!/usr/bin/env bash
# Installs the .deb on this machine (with apt, so that its dependencies come too), checks that
# the installed workbench prints its version and runs gateway-lite, then removes it.
#   scripts/check-deb.sh PACKAGE.deb
set -euo pipefail

deb=$(realpath "$1")
sudo=""
[ "$(id -u)" -ne 0 ] && sudo=sudo
work=$(mktemp -d)
trap '$sudo apt-get remove -y -qq coap-workbench >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

$sudo apt-get install -y -qq "$deb" >/dev/null
echo "installed: $(dpkg-query -W -f='${Package} ${Version}' coap-workbench)"
test -x /usr/bin/coap-workbench
test -f /usr/share/applications/io.github.coapworkbench.desktop
test -f /usr/share/icons/hicolor/48x48/apps/io.github.coapworkbench.png
/usr/bin/coap-workbench --version | tee "$work/version"
grep -q '^coap-workbench ' "$work/version"

# gateway-lite from the installed binary, and one request through it.
/usr/bin/coap-workbench gateway --data-dir "$work/data" --listen 127.0.0.1:0 --token-listen off --mesh-profile instant >"$work/gateway.log" 2>&1 &
gw=$!
for _ in $(seq 50); do grep -q "listening on udp" "$work/gateway.log" && break; sleep 0.1; done
addr=$(sed -n 's/.*listening on udp \([0-9.:]*\).*/\1/p' "$work/gateway.log" | head -1)
/usr/bin/coap-workbench request --gateway "$addr" --data-dir "$work/data" --no-history \
  "coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/stats?mod=pwr" | grep -q bat_voltage
kill "$gw"
wait "$gw" 2>/dev/null || true
echo "gateway smoke: a request through the installed gateway-lite decoded the power statistics"
