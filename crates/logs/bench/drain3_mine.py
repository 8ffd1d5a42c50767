#!/usr/bin/env python3
"""Mines a Loghub log with Drain3 (default configuration) and writes the same CSV layout as
`onestop logs mine`, for comparison with `onestop logs evaluate`.

Usage: drain3_mine.py FORMAT INPUT OUTPUT   (needs `pip install drain3`)
The header format is read as Loghub reads it; lines that do not match keep their whole text.
"""
import csv
import re
import sys

from drain3 import TemplateMiner


def format_regex(fmt: str) -> "re.Pattern[str]":
    parts = re.split(r"(<[^<>]+>)", fmt)
    pattern = ""
    for i, part in enumerate(parts):
        if i % 2 == 0:
            pattern += re.sub(" +", r"\\s+", part)
        else:
            pattern += "(?P<%s>.*?)" % part.strip("<>")
    return re.compile("^" + pattern + "$")


def main() -> None:
    fmt, src, dst = sys.argv[1:4]
    regex = format_regex(fmt)
    with open(src, encoding="utf-8", errors="replace", newline="") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    miner = TemplateMiner()
    contents, ids = [], []
    for line in lines:
        line = line.strip()
        m = regex.match(line)
        content = m.group("Content") if m else line
        contents.append(content)
        ids.append(miner.add_log_message(content)["cluster_id"])
    templates = {c.cluster_id: c.get_template() for c in miner.drain.clusters}
    with open(dst, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["LineId", "Content", "EventId", "EventTemplate"])
        for i, (content, cid) in enumerate(zip(contents, ids), 1):
            w.writerow([i, content, f"E{cid}", templates[cid]])


if __name__ == "__main__":
    main()
