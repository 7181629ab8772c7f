"""The peer of the ingest benchmark: DuckDB converts every CSV file of a generated day
to Parquet with `read_csv_auto`, the plain conversion with no validation. Prints the
seconds it took, and the rows it wrote, as JSON.

Usage: duckdb_convert.py DAY_FOLDER OUT_FOLDER
"""

import json
import pathlib
import sys
import time

import duckdb


def encoding_of(path: pathlib.Path) -> str:
    # The generated regions write UTF-8 (with or without BOM) or UTF-16 with a BOM.
    with path.open("rb") as file:
        start = file.read(2)
    return "utf-16" if start in (b"\xff\xfe", b"\xfe\xff") else "utf-8"


def main() -> None:
    day, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    files = sorted(day.glob("*/*.csv"))
    connection = duckdb.connect()
    rows = 0
    started = time.perf_counter()
    for path in files:
        target = out / f"{path.parent.name}-{path.stem}.parquet"
        source = str(path).replace("'", "''")
        written = connection.execute(
            f"COPY (SELECT * FROM read_csv_auto('{source}', encoding='{encoding_of(path)}')) "
            f"TO '{target}' (FORMAT parquet)"
        ).fetchone()
        rows += written[0] if written else 0
    seconds = time.perf_counter() - started
    print(json.dumps({"files": len(files), "rows": rows, "seconds": round(seconds, 2)}))


if __name__ == "__main__":
    main()
