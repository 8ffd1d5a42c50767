#!/usr/bin/env bash
# Runs the mining throughput bench and Drain3 on the same generated stream; prints both rates.
# Usage: crates/logs/bench/throughput.sh   (needs `pip install drain3` for the second figure)
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
stream="${ONESTOP_STREAM:-${TMPDIR:-/tmp}/onestop-mine-stream.txt}"
export ONESTOP_STREAM="$stream"
cargo bench -q -p onestop-logs --bench mine --manifest-path "$root/Cargo.toml" 2>/dev/null
python3 "$(dirname "$0")/drain3_rate.py" "$stream"
