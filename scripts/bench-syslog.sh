#!/usr/bin/env bash
# Issue 7 figure: sustained syslog ingest over TCP into storage, with zero loss (messages sent
# against rows stored), and in the same run rsyslog receiving the same stream into a file.
#   N=500000 CONNS=4 scripts/bench-syslog.sh            (SQLite, the default)
#   DATABASE_URL=postgres://… scripts/bench-syslog.sh   (PostgreSQL; the database must be empty)
# Needs rsyslog, sqlite3 (and psql for PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/.cache/onestop-target}"
N="${N:-500000}"
CONNS="${CONNS:-4}"
if [ -z "${BENCH_BIN:-}" ]; then
  cargo build --release -q -p onestop-cli --bin onestop
fi
bin="${BENCH_BIN:-$CARGO_TARGET_DIR/release/onestop}"
work=$(mktemp -d)
pid=""; rpid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; [ -n "$rpid" ] && kill $rpid 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
python3 scripts/syslog_send.py gen "$N" "$work/stream"
echo "stream: $N octet-counted RFC 5424 messages, $(stat -c %s "$work/stream") bytes, $CONNS TCP connections"
now_ms() { date +%s%3N; }

# --- onestop: TCP → decode → route → mine → diagnose → batched INSERT ---------------------
port=$((20000 + RANDOM % 20000))
db_args=(--data-dir "$work/data")
count_sql="SELECT COUNT(*) FROM log_messages"
if [ -n "${DATABASE_URL:-}" ]; then
  db_args=(--database-url "$DATABASE_URL")
  count() { psql "$DATABASE_URL" -Atc "$count_sql"; }
else
  count() { sqlite3 "$work/data/onestop.db" "$count_sql"; }
fi
"$bin" serve "${db_args[@]}" --listen "127.0.0.1:$((port + 1))" --syslog-tcp "127.0.0.1:$port" >/dev/null 2>"$work/serve.log" &
pid=$!
until curl -sf -o /dev/null "http://127.0.0.1:$((port + 1))/readyz"; do
  kill -0 $pid 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 0.05
done
t0=$(now_ms)
send_s=$(python3 scripts/syslog_send.py send "$work/stream" 127.0.0.1 "$port" "$CONNS")
while [ "$(count)" -lt "$N" ]; do sleep 0.1; done
t1=$(now_ms)
stored=$(count)
kill -TERM $pid; wait $pid 2>/dev/null || true; pid=""
ms=$((t1 - t0))
echo "onestop: sent $N, stored $stored (lost $((N - stored))), all stored in ${ms} ms (sending took ${send_s} s): $((N * 1000 / ms)) messages/s into $([ -n "${DATABASE_URL:-}" ] && echo PostgreSQL || echo SQLite)"

# --- rsyslog: imtcp → omfile (the same stream, the same connections) -------------------------
rport=$((port + 2))
mkdir -p "$work/rsyslog"
cat > "$work/rsyslog/rsyslog.conf" <<CONF
global(workDirectory="$work/rsyslog")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$rport")
*.* action(type="omfile" file="$work/rsyslog/out.log")
CONF
rsyslogd -n -f "$work/rsyslog/rsyslog.conf" -i "$work/rsyslog/pid" 2>"$work/rsyslog/err" &
rpid=$!
until (exec 3<>/dev/tcp/127.0.0.1/$rport) 2>/dev/null; do sleep 0.05; done
t0=$(now_ms)
send_s=$(python3 scripts/syslog_send.py send "$work/stream" 127.0.0.1 "$rport" "$CONNS")
lines() { [ -f "$work/rsyslog/out.log" ] && wc -l < "$work/rsyslog/out.log" || echo 0; }
while [ "$(lines)" -lt "$N" ]; do sleep 0.1; done
t1=$(now_ms)
got=$(lines)
kill $rpid; wait $rpid 2>/dev/null || true; rpid=""
ms=$((t1 - t0))
echo "rsyslog: sent $N, written $got (lost $((N - got))), all written in ${ms} ms (sending took ${send_s} s): $((N * 1000 / ms)) messages/s into a file"
