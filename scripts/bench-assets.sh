#!/usr/bin/env bash
# Issue 2 figures: 100,000 assets across 1,000 customers in SQLite; p99 of a filtered, sorted
# page of 50 from the API and from the UI (wrk on loopback); time to /readyz on an empty data
# dir; release binary size; idle RSS. Needs wrk (Debian package).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/.cache/onestop-target}"
cargo build --release -q -p onestop-cli --bin onestop
cargo build --release -q -p onestop-store --example seed_assets
bin="$CARGO_TARGET_DIR/release/onestop"
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT

echo "release binary: $(stat -c %s "$bin") bytes"

# Start-up on an empty data dir.
t0=$(date +%s%N)
"$bin" serve --data-dir "$work/empty" --listen 127.0.0.1:18181 >/dev/null 2>&1 &
pid=$!
until curl -sf -o /dev/null http://127.0.0.1:18181/readyz; do sleep 0.005; done
echo "empty data dir → /readyz 200 in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
sleep 2
echo "idle RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
kill $pid; wait $pid 2>/dev/null || true

# 100k assets.
mkdir -p "$work/data"
"$CARGO_TARGET_DIR/release/examples/seed_assets" "sqlite://$work/data/onestop.db" 1000 100
"$bin" serve --data-dir "$work/data" --listen 127.0.0.1:18182 >/dev/null 2>&1 &
pid=$!
until curl -sf -o /dev/null http://127.0.0.1:18182/readyz; do sleep 0.05; done
token=$("$bin" admin token create --data-dir "$work/data" --username admin)
cust=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:18182/api/v1/customers?q=Customer%200500" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
run() {
  echo "== $1"
  wrk -t2 -c8 -d10s --latency -H "Authorization: Bearer $token" "$2" | grep -E "Requests/sec|50%|90%|99%"
}
run "API: kind=server, sorted by name, page 3 of 50 (all customers)" "http://127.0.0.1:18182/api/v1/assets?kind=server&sort=name&page=3&per_page=50"
run "API: status=in_service, sorted by -name, page 20" "http://127.0.0.1:18182/api/v1/assets?status=in_service&sort=-name&page=20&per_page=50"
run "API: kind=server, sorted by -warranty_expiry (index kind, warranty_expiry, id), page 3" "http://127.0.0.1:18182/api/v1/assets?kind=server&sort=-warranty_expiry&page=3&per_page=50"
run "API: one customer's assets, criticality=high, sorted by name" "http://127.0.0.1:18182/api/v1/customers/$cust/assets?criticality=high&sort=name&per_page=50"
run "API: search q=host-0421 sorted by name" "http://127.0.0.1:18182/api/v1/assets?q=host-0421&per_page=50"
run "UI: /assets kind=storage sorted by name, page 10" "http://127.0.0.1:18182/assets?kind=storage&sort=name&page=10"
run "UI: /assets of one customer, sorted by name" "http://127.0.0.1:18182/assets?customer_id=$cust&sort=name"
echo "RSS after load: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
