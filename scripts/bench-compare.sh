#!/usr/bin/env bash
# Measures gateway-lite against the devices (direct) and against libcoap's forward proxy, in one
# run, with the same load generator and the same simulated devices:
#   scripts/bench-compare.sh [--clients 64] [--duration 60s] [other bench flags]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

command -v coap-server-notls >/dev/null || { echo "coap-server-notls not found: install libcoap3-bin" >&2; exit 1; }
go build -tags ci,migrated_fynedo -o /tmp/coap-workbench-bench .

port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# -P ",gw": libcoap forwards every request whose Proxy-Uri host is not "gw" (its own name).
coap-server-notls -A 127.0.0.1 -p "$port" -P ",gw" &
libcoap=$!
trap 'kill $libcoap 2>/dev/null || true' EXIT
sleep 0.5

/tmp/coap-workbench-bench bench --compare --proxy "127.0.0.1:$port" --no-login --clients 64 --duration 60s "$@"
