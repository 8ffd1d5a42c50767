#!/usr/bin/env bash
# Mines the Loghub 2k samples with `onestop logs mine` (default configuration, no per-dataset
# option) and scores each against the original and the corrected ground truth.
# Usage: crates/logs/bench/accuracy.sh [DATA_DIR]   (default: ../shared/data/loghub-2k)
# Extra flags for `onestop logs evaluate` can be given in EVAL_FLAGS (e.g. EVAL_FLAGS=--exact).
# With WITH_DRAIN3=1 (and `pip install drain3`), Drain3 with its default configuration is
# scored the same way, on rows marked "drain3".
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
data="${1:-$root/../shared/data/loghub-2k}"
if [ ! -f "$data/formats.tsv" ]; then
  echo "no Loghub data at $data: nothing to measure" >&2
  exit 0
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cargo build -q --release -p onestop-cli --manifest-path "$root/Cargo.toml"
bin="$CARGO_TARGET_DIR/release/onestop"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
printf '%-10s | %-23s | %-23s\n' "" "original" "corrected"
printf '%-10s | %-7s %-7s %-7s | %-7s %-7s %-7s\n' dataset GA FGA PA GA FGA PA
tail -n +2 "$data/formats.tsv" | while IFS=$'\t' read -r name fmt; do
  dir="$data/$name"
  [ -f "$dir/${name}_2k.log" ] || continue
  "$bin" logs mine --log-format "$fmt" "$dir/${name}_2k.log" -o "$out/$name.csv"
  tools="onestop"
  if [ "${WITH_DRAIN3:-0}" = 1 ]; then
    python3 "$(dirname "$0")/drain3_mine.py" "$fmt" "$dir/${name}_2k.log" "$out/$name.drain3.csv"
    tools="onestop drain3"
  fi
  for tool in $tools; do
    parsed="$out/$name.csv"
    label="$name"
    if [ "$tool" = drain3 ]; then parsed="$out/$name.drain3.csv"; label="  drain3"; fi
    row="$(printf '%-10s |' "$label")"
    for truth in "${name}_2k.log_structured.csv" "${name}_2k.log_structured_corrected.csv"; do
      # shellcheck disable=SC2086
      scores="$("$bin" logs evaluate --truth "$dir/$truth" --parsed "$parsed" ${EVAL_FLAGS:-} \
        | awk '{printf "%-7s ", $2}')"
      row="$row $scores|"
    done
    echo "${row%|}"
  done
done
