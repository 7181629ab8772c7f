"""Reads the stage times of an ingest from its `daryn ingest --report` JSON (`stages`):
reading, checking and writing the tables (`tables`), then building the search index
(`index`). Prints `TABLES_SECONDS INDEX_SECONDS`."""

import json
import sys


def main(path):
    with open(path, encoding="utf-8") as report:
        stages = {stage["stage"]: stage["seconds"] for stage in json.load(report).get("stages", [])}
    missing = [name for name in ("tables", "index") if name not in stages]
    if missing:
        sys.exit(f"{path}: the report has no {' or '.join(missing)} stage (did the run publish?)")
    print(f"{stages['tables']:.1f} {stages['index']:.1f}")


if __name__ == "__main__":
    main(sys.argv[1])
