#!/usr/bin/env bash
# The browser suite against the real backend: starts SWITCHBOARD_BIN on a free loopback port with
# a throwaway data directory, serving the built SPA (admin/dist), runs the Playwright tests,
# and stops the server (by its PID) however they end.
#   SWITCHBOARD_BIN   the backend binary (default ../target/debug/switchboard)
#   CHROMIUM          the browser (default /usr/bin/chromium, Debian's package)
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${SWITCHBOARD_BIN:-../target/debug/switchboard}
[ -x "$bin" ] || { echo "e2e: no backend binary at $bin (cargo build --locked -p switchboard)" >&2; exit 1; }
[ -f dist/index.html ] || { echo "e2e: the admin app is not built (npm run build)" >&2; exit 1; }

data=$(mktemp -d)
log="$data/server.log"
mkdir -p e2e-artifacts
pid=""
stop() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  cp "$log" e2e-artifacts/server.log 2>/dev/null || true
  rm -rf "$data"
}
trap stop EXIT

admin_password="e2e-admin-$RANDOM-$RANDOM"
SWITCHBOARD_DATA_DIR="$data" \
SWITCHBOARD_BIND=127.0.0.1:0 \
SWITCHBOARD_ADMIN_USERNAME=admin \
SWITCHBOARD_ADMIN_PASSWORD="$admin_password" \
SWITCHBOARD_WHATSAPP_PROVIDER=mock \
SWITCHBOARD_ADMIN_DIR="$PWD/dist" \
SWITCHBOARD_LOG=warn \
  "$bin" serve >"$log" 2>&1 &
pid=$!

url=""
for _ in $(seq 1 300); do
  url=$(sed -n 's/.*listening on \(http:\/\/[0-9.]*:[0-9]*\).*/\1/p' "$log" | head -n1)
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "e2e: the server exited:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "e2e: the server did not start:" >&2; cat "$log" >&2; exit 1; }
for _ in $(seq 1 100); do
  curl -fsS "$url/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
echo "e2e: backend (pid $pid) on $url"

E2E_BASE_URL="$url" E2E_ADMIN_USERNAME=admin E2E_ADMIN_PASSWORD="$admin_password" \
  npx --no-install vitest run --config vitest.e2e.config.ts "$@"
