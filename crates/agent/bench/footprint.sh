#!/usr/bin/env bash
# Run onestop-agent and node_exporter side by side, scraping each every
# INTERVAL seconds for DURATION seconds, then print each one's resident set
# size (VmRSS, VmHWM from /proc/PID/status) and CPU time (utime+stime from
# /proc/PID/stat), and the CPU time extrapolated to one hour.
#
# MODE=listen (default): the agent serves /metrics and is scraped like node_exporter.
# MODE=run: the agent runs `run` (collecting every INTERVAL into a spool in a temp
# state dir, not enrolled, so nothing is shipped) and is not scraped.
#
# Usage: footprint.sh [AGENT_BINARY]   (env: DURATION=120 INTERVAL=10 MODE=listen AGENT_PORT=19101 NE_PORT=19102)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
agent=${1:-$here/../../../target/release/onestop-agent}
duration=${DURATION:-120}
interval=${INTERVAL:-10}
aport=${AGENT_PORT:-19101}
nport=${NE_PORT:-19102}
ne_bin=$(command -v prometheus-node-exporter || command -v node_exporter)
mode=${MODE:-listen}
hz=$(getconf CLK_TCK)
state=$(mktemp -d)
if [ "$mode" = run ]; then
    printf 'interval_secs = %s\nsmart_disabled = true\n' "$interval" >"$state/agent.toml"
    "$agent" run --state-dir "$state" --config "$state/agent.toml" >/dev/null 2>&1 &
else
    "$agent" --listen "127.0.0.1:$aport" --no-smart >/dev/null 2>&1 &
fi
apid=$!
"$ne_bin" --web.listen-address="127.0.0.1:$nport" >/dev/null 2>&1 &
npid=$!
trap 'kill $apid $npid 2>/dev/null; rm -rf "$state"' EXIT
sleep 1
end=$((SECONDS + duration))
scrapes=0
while [ $SECONDS -lt $end ]; do
    [ "$mode" = run ] || curl -sf "http://127.0.0.1:$aport/metrics" >/dev/null
    curl -sf "http://127.0.0.1:$nport/metrics" >/dev/null
    scrapes=$((scrapes + 1))
    sleep "$interval"
done
report() {
    local name=$1 pid=$2
    local rss hwm ticks
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
    hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
    # utime and stime are fields 14 and 15; the command may contain spaces, so cut after ')'.
    ticks=$(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')
    awk -v n="$name" -v r="$rss" -v h="$hwm" -v t="$ticks" -v hz="$hz" -v d="$duration" \
        'BEGIN { cpu = t / hz; printf "%-15s RSS %6.1f MiB (peak %6.1f MiB)  CPU %6.2f s in %d s  => %6.1f s/hour\n", n, r/1024, h/1024, cpu, d, cpu * 3600 / d }'
}
echo "mode $mode: $scrapes rounds, every ${interval}s"
report onestop-agent $apid
report node_exporter $npid
