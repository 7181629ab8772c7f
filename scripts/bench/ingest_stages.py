"""Splits an ingest's wall time into its two stages, from its `DARYN_LOG=info` log:
reading, checking and writing the tables (from the first log line to the stage
"indexing for search"), then building the search index (to the last log line).
Prints `TABLES_SECONDS INDEX_SECONDS`."""

import re
import sys
from datetime import datetime

STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)Z")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def stamps(path):
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            line = ANSI.sub("", line)
            found = STAMP.match(line)
            if found:
                yield datetime.fromisoformat(found.group(1)), line


def main(path):
    lines = list(stamps(path))
    if not lines:
        sys.exit(f"{path}: no timestamped log lines (was DARYN_LOG=info set?)")
    start, end = lines[0][0], lines[-1][0]
    index = next((stamp for stamp, line in lines if 'stage="indexing for search"' in line), None)
    if index is None:
        sys.exit(f"{path}: the run never reached the search index")
    print(f"{(index - start).total_seconds():.1f} {(end - index).total_seconds():.1f}")


if __name__ == "__main__":
    main(sys.argv[1])
