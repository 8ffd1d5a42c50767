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
    start = time.perf_counter()
    for line in lines:
        miner.add_log_message(line)
    secs = time.perf_counter() - start
    clusters = len(miner.drain.clusters)
    print(f"drain3 {len(lines)} lines ({clusters} clusters) in {secs:.3f} s = {len(lines) / secs:.0f} lines/s")


if __name__ == "__main__":
    main()
