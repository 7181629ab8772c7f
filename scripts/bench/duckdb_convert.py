"""The peer of the ingest benchmark: DuckDB converts every CSV file of a generated day
to Parquet with `read_csv_auto`, the plain conversion with no validation. Prints the
seconds it took, the CPU seconds it used (user and system, every thread of this
process), and the rows it wrote, as JSON.

Usage: duckdb_convert.py DAY_FOLDER OUT_FOLDER
"""

import json
import pathlib
import resource
import sys
import time

import duckdb


def encoding_of(path: pathlib.Path) -> str:
    # The generated regions write UTF-8 (with or without BOM) or UTF-16 with a BOM.
    with path.open("rb") as file:
        start = file.read(2)
    return "utf-16" if start in (b"\xff\xfe", b"\xfe\xff") else "utf-8"


def delimiter_of(path: pathlib.Path, encoding: str) -> str:
    # Regions use `,`, `;` or tab. DuckDB's sniffer gives up on some real-looking files
    # (fields spanning lines), so the delimiter is told; types are still inferred.
    with path.open("r", encoding="utf-16" if encoding == "utf-16" else "utf-8-sig") as file:
        header = file.readline()
    return max([",", ";", "\t"], key=header.count)


def main() -> None:
    day, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    files = sorted(day.glob("*/*.csv"))
    connection = duckdb.connect()
    rows = 0
    padded = 0
    started = time.perf_counter()
    used_before = resource.getrusage(resource.RUSAGE_SELF)
    for path in files:
        target = out / f"{path.parent.name}-{path.stem}.parquet"
        source = str(path).replace("'", "''")
        encoding = encoding_of(path)
        delimiter = delimiter_of(path, encoding)
        options = f"encoding='{encoding}', delim=E'{delimiter}', quote='\"', escape='\"', header=true"
        copy = "COPY (SELECT * FROM read_csv_auto('{source}', {options})) TO '{target}' (FORMAT parquet)"
        try:
            written = connection.execute(copy.format(source=source, options=options, target=target)).fetchone()
        except duckdb.Error:
            # Rows shorter than the header (an extra column filled in some rows only, as
            # real exports have) need padding, which DuckDB reads only without parallelism.
            padded += 1
            options += ", null_padding=true, parallel=false"
            written = connection.execute(copy.format(source=source, options=options, target=target)).fetchone()
        rows += written[0] if written else 0
    seconds = time.perf_counter() - started
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = used.ru_utime + used.ru_stime - used_before.ru_utime - used_before.ru_stime
    print(
        json.dumps(
            {
                "files": len(files),
                "rows": rows,
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu_seconds, 2),
                "padded_files": padded,
            }
        )
    )


if __name__ == "__main__":
    main()
