#!/usr/bin/env python3
"""Print the statistics table of a Gatling HTML report as tab-separated values.

Usage: gatling-stats.py REPORT_DIR

One line per request or group: name, total, ok, ko, min, p50, p90, p99, p99.9, max, mean,
in milliseconds. The percentiles are the ones that bench/gatling/src/test/resources/gatling.conf
configures. Gatling 3.15 keeps these figures only in the report's index.html, so this reads
the cells of its statistics table by their column classes.
"""
import html
import re
import sys
from pathlib import Path

# Columns of Gatling's statistics table, by the number in their "col-N" class.
COLUMNS = {2: "total", 3: "ok", 4: "ko", 7: "min", 8: "p50", 9: "p90", 10: "p99", 11: "p999", 12: "max", 13: "mean"}
NAME = re.compile(r'class="ellipsed-name">([^<]*)</span>')
CELL = re.compile(r'<td class="value [a-z]+ col-(\d+)">([^<]*)</td>')


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: gatling-stats.py REPORT_DIR", file=sys.stderr)
        return 2
    index = Path(sys.argv[1]) / "index.html"
    if not index.is_file():
        print(f"{index} does not exist; give the folder of a Gatling report", file=sys.stderr)
        return 1
    rows = 0
    name = None
    cells = {}
    for line in index.read_text(encoding="utf-8").splitlines():
        match = NAME.search(line)
        if match:
            name, cells = html.unescape(match.group(1)), {}
            continue
        match = CELL.search(line)
        if match and name is not None:
            cells[int(match.group(1))] = match.group(2).strip().replace(",", "")
            if all(column in cells for column in COLUMNS):
                print("\t".join([name] + [cells[column] for column in COLUMNS]))
                rows += 1
                name = None
    if rows == 0:
        print(f"found no statistics rows in {index}; the report layout may have changed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
