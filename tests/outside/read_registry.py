#!/usr/bin/env python3
"""Reads a Daryn registry the way an outside analyst would: the current registry
version's pins from DIR/CURRENT and DIR/versions/, each Delta table at its pinned
version through the `deltalake` package (never by globbing Parquet files: files an
overwrite removed stay on disk until vacuum), counted with pyarrow and with DuckDB.
The rows of children, measures and achievements that the duplicate rule gives to
another region (the `conflicts` table: same region and IIN) are stored but not the
registry's: "current" counts them out, as `daryn sql` does.

Usage: read_registry.py REGISTRY_DIR
  -> prints JSON {table: {"pyarrow": n, "duckdb": n, "by_region": {...}, "current": n}}
"""
import json
import pathlib
import sys

import duckdb
from deltalake import DeltaTable


def main() -> None:
    root = pathlib.Path(sys.argv[1])
    current = int((root / "CURRENT").read_text().strip())
    version = json.loads((root / "versions" / f"{current:08d}.json").read_text())
    result = {"version": current}
    pins = version["tables"]
    conflicts = DeltaTable(str(root / "tables" / "conflicts"), version=pins["conflicts"]).to_pyarrow_dataset()
    for table, pinned in sorted(pins.items()):
        delta = DeltaTable(str(root / "tables" / table), version=pinned)
        arrow_table = delta.to_pyarrow_table()
        dataset = delta.to_pyarrow_dataset()
        connection = duckdb.connect()
        connection.register("t", dataset)
        connection.register("conflicts", conflicts)
        duck_rows = connection.execute("SELECT count(*) FROM t").fetchone()[0]
        by_region = dict(connection.execute("SELECT region, count(*) FROM t GROUP BY region ORDER BY region").fetchall())
        result[table] = {"pyarrow": arrow_table.num_rows, "duckdb": duck_rows, "by_region": by_region}
        if table in ("children", "measures", "achievements"):
            result[table]["current"] = connection.execute(
                "SELECT count(*) FROM t WHERE NOT EXISTS "
                "(SELECT 1 FROM conflicts c WHERE c.region = t.region AND c.iin = t.iin)"
            ).fetchone()[0]
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
