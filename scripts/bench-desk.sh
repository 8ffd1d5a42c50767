#!/usr/bin/env bash
# Issue 4 figures: with 1,000,000 tickets in SQLite, p99 of queue pages (filtered, sorted, 50
# rows) and of full-text searches, from the API and the UI (wrk on loopback); and tickets
# created per second through POST /api/v1/tickets (SLA computation and audit entry included).
# Needs wrk and sqlite3 (Debian packages). N=… to change the ticket count; ONLY_CREATE=1 skips the reads.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/.cache/onestop-target}"
N="${N:-1000000}"
cargo build --release -q -p onestop-cli --bin onestop
cargo build --release -q -p onestop-store --example seed_tickets
bin="$CARGO_TARGET_DIR/release/onestop"
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/data"
"$CARGO_TARGET_DIR/release/examples/seed_tickets" "sqlite://$work/data/onestop.db" "$N"
echo "database: $(du -h "$work/data/onestop.db" | cut -f1)"
"$bin" serve --data-dir "$work/data" --listen 127.0.0.1:18190 >"$work/log" 2>&1 &
pid=$!
until curl -sf -o /dev/null http://127.0.0.1:18190/readyz; do sleep 0.1; done
admin=$("$bin" admin token create --data-dir "$work/data" --username agent00)
agent=$("$bin" admin token create --data-dir "$work/data" --username agent03)
cust=$(curl -sf -H "Authorization: Bearer $admin" "http://127.0.0.1:18190/api/v1/customers?q=Customer%200500" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
base=http://127.0.0.1:18190
run() {
  local tok="$1" label="$2" url="$3"
  echo "== $label"
  wrk -t2 -c8 -d10s --latency -H "Authorization: Bearer $tok" "$url" | grep -E "Requests/sec|50%|99%|Non-2xx"
}
if [ -z "${ONLY_CREATE:-}" ]; then  # ONLY_CREATE=1: the creation figure alone
run "$agent" "API queue: mine (open, newest change first)" "$base/api/v1/tickets?queue=mine&per_page=50"
run "$agent" "API queue: my teams, sorted by SLA due" "$base/api/v1/tickets?queue=team&sort=sla_due&per_page=50"
run "$agent" "API queue: unassigned" "$base/api/v1/tickets?queue=unassigned&per_page=50"
run "$agent" "API queue: breaching soon" "$base/api/v1/tickets?queue=breaching&per_page=50"
run "$agent" "API queue: open, priority high, sorted -created_at, page 3" "$base/api/v1/tickets?queue=open&priority=high&sort=-created_at&page=3&per_page=50"
run "$agent" "API: one customer's tickets (all 1,000 of them), newest first" "$base/api/v1/tickets?customer_id=$cust&per_page=50"
run "$agent" "API: all tickets, status closed, newest first, page 10" "$base/api/v1/tickets?status=closed&per_page=50&page=10"
run "$agent" "UI: /tickets?queue=open" "$base/tickets?queue=open"
run "$agent" "FTS: 障害 (two-character Japanese word, frequent)" "$base/api/v1/tickets?q=%E9%9A%9C%E5%AE%B3&per_page=50"
run "$agent" "FTS: printer offline (two words)" "$base/api/v1/tickets?q=printer%20offline&per_page=50"
run "$agent" "FTS: 証明書 期限切れ (two Japanese terms)" "$base/api/v1/tickets?q=%E8%A8%BC%E6%98%8E%E6%9B%B8%20%E6%9C%9F%E9%99%90%E5%88%87%E3%82%8C&per_page=50"
run "$agent" "FTS: a ticket number" "$base/api/v1/tickets?q=INC-2025-0123456&per_page=50"
run "$agent" "FTS within one customer: disk" "$base/api/v1/tickets?q=disk&customer_id=$cust&per_page=50"
fi
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"customer_id":"$cust","type":"incident","title":"ベンチ 障害 disk full","description":"created by the benchmark","impact":"high","urgency":"medium","channel":"api"}'
LUA
echo "== POST /api/v1/tickets (create, with SLA and audit)"
# Counted in the database: list totals stop at 1,000 ("1000 or more").
count() { sqlite3 "$work/data/onestop.db" "SELECT COUNT(*) FROM tickets"; }
before=$(count)
wrk -t2 -c8 -d10s --latency -s "$work/post.lua" -H "Authorization: Bearer $agent" "$base/api/v1/tickets" | grep -E "Requests/sec|50%|99%|Non-2xx"
after=$(count)
echo "tickets created: $((after - before)) (in 10 s)"
"$bin" audit verify --data-dir "$work/data" | tail -1
