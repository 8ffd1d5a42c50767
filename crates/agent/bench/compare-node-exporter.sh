#!/usr/bin/env bash
# Compare onestop-agent with node_exporter on this host.
#
# Starts Debian's prometheus-node-exporter on a spare port (unless one already
# answers there), scrapes it and `onestop-agent --once --print` back to back,
# and compares every series both expose for the metric families below:
# exact equality for static values, relative tolerance for values that move
# between the two scrapes. Exit status 1 if any compared series disagrees.
#
# Usage: compare-node-exporter.sh [AGENT_BINARY]   (env: NE_PORT, default 19100)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
agent=${1:-$here/../../../target/release/onestop-agent}
port=${NE_PORT:-19100}
ne_bin=$(command -v prometheus-node-exporter || command -v node_exporter || true)
[ -x "$agent" ] || { echo "agent binary not found: $agent" >&2; exit 2; }
tmp=$(mktemp -d)
ne_pid=
cleanup() { [ -n "$ne_pid" ] && kill "$ne_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
if ! curl -sf "http://127.0.0.1:$port/metrics" >/dev/null 2>&1; then
    [ -n "$ne_bin" ] || { echo "install prometheus-node-exporter (apt-get install prometheus-node-exporter)" >&2; exit 2; }
    "$ne_bin" --web.listen-address="127.0.0.1:$port" >"$tmp/ne.log" 2>&1 &
    ne_pid=$!
    for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/metrics" >/dev/null 2>&1 && break; sleep 0.1; done
fi
curl -sf "http://127.0.0.1:$port/metrics" >"$tmp/ne.txt"
"$agent" --once --print --no-smart >"$tmp/agent.txt"

# family  tolerance(relative; 0 = exact)  absolute slack
python3 - "$tmp/ne.txt" "$tmp/agent.txt" <<'PY'
import re, sys
rules = [
    ("node_memory_MemTotal_bytes", 0, 0),
    ("node_memory_SwapTotal_bytes", 0, 0),
    ("node_memory_MemAvailable_bytes", 0.02, 0),
    ("node_memory_", 0.05, 8 << 20),
    ("node_boot_time_seconds", 0, 1),
    ("node_time_seconds", 0, 5),
    ("node_cpu_seconds_total", 0.01, 2.0),
    ("node_cpu_guest_seconds_total", 0.01, 2.0),
    ("node_load1", 0.5, 1.0), ("node_load5", 0.2, 0.5), ("node_load15", 0.1, 0.3),
    ("node_procs_", 1.0, 20), ("node_forks_total", 0.01, 500),
    ("node_context_switches_total", 0.01, 100000), ("node_intr_total", 0.01, 100000),
    ("node_filesystem_size_bytes", 0, 0), ("node_filesystem_files", 0, 0),
    ("node_filesystem_avail_bytes", 0.001, 64 << 20), ("node_filesystem_free_bytes", 0.001, 64 << 20),
    ("node_filesystem_files_free", 0.001, 10000), ("node_filesystem_readonly", 0, 0),
    ("node_disk_", 0.01, 64 << 20),
    ("node_network_", 0.01, 1 << 20),
    ("node_vmstat_", 0.01, 100000),
    ("node_md_", 0, 0), ("node_edac_", 0, 0), ("node_hwmon_temp", 0.05, 3.0),
]
line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)')
def parse(path):
    out = {}
    for line in open(path):
        if line.startswith('#'):
            continue
        m = line_re.match(line)
        if not m:
            continue
        name, labels, val = m.group(1), m.group(2) or "", m.group(3)
        pairs = tuple(sorted(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', labels)))
        out[(name, pairs)] = float(val)
    return out
ne, ag = parse(sys.argv[1]), parse(sys.argv[2])
def rule(name):
    for prefix, rel, slack in rules:
        if name == prefix or (prefix.endswith('_') and name.startswith(prefix)) or name.startswith(prefix + "{"):
            return rel, slack
    return None
compared = bad = 0
missing = {}
agent_families = {k[0] for k in ag}
for key, nv in sorted(ne.items()):
    r = rule(key[0])
    if r is None:
        continue
    if key not in ag:
        missing.setdefault(key[0], []).append(dict(key[1]))
        continue
    av = ag[key]
    rel, slack = r
    ok = abs(av - nv) <= max(rel * max(abs(nv), abs(av)), slack)
    compared += 1
    if not ok:
        bad += 1
        print(f"DIFF {key[0]}{dict(key[1])}: node_exporter={nv} agent={av}")
covered = sorted({k[0] for k in ne if rule(k[0]) and k in ag})
print(f"compared {compared} series in {len(covered)} families; {bad} disagree")
absent = sorted(n for n in missing if n not in agent_families)
partial = {n: v for n, v in missing.items() if n in agent_families}
if absent:
    print(f"families the agent does not collect ({len(absent)}):", ", ".join(absent))
for n, v in sorted(partial.items()):
    print(f"series only node_exporter has in {n}: {v[:3]}{' ...' if len(v) > 3 else ''}")
def show(name, labels=()):
    k = (name, tuple(sorted(labels)))
    if k in ne and k in ag:
        print(f"  {name}{dict(labels)}: node_exporter={ne[k]:.6g} agent={ag[k]:.6g}")
show("node_memory_MemTotal_bytes")
show("node_memory_MemAvailable_bytes")
show("node_boot_time_seconds")
for k in sorted(ne):
    if k[0] in ("node_filesystem_avail_bytes", "node_network_receive_bytes_total") and k in ag:
        show(k[0], k[1])
for mode in ("user", "system", "idle"):
    show("node_cpu_seconds_total", (("cpu", "0"), ("mode", mode)))
sys.exit(1 if bad else 0)
PY
