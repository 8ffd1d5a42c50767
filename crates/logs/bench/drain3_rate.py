#!/usr/bin/env python3
"""Times Drain3 (default configuration) on a stream file, one message per line.

Usage: drain3_rate.py STREAM_FILE   (the file written by `cargo bench -p onestop-logs --bench mine`)
Needs `pip install drain3`.
"""
import sys
import time

from drain3 import TemplateMiner


def main() -> None:
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    miner = TemplateMiner()
    start, cpu_start = time.perf_counter(), time.thread_time()
    for line in lines:
        miner.add_log_message(line)
    secs, cpu = time.perf_counter() - start, time.thread_time() - cpu_start
    clusters = len(miner.drain.clusters)
    print(
        f"drain3: {len(lines)} lines ({clusters} clusters) in {secs:.3f} s = "
        f"{len(lines) / secs:.0f} lines/s wall, {len(lines) / cpu:.0f} lines/s on-CPU"
    )


if __name__ == "__main__":
    main()
