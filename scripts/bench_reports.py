"""DuckDB's side of bench-reports.sh: times DuckDB on the reports' own SQL
(query/reports/*.sql, parameters filled in as `daryn report` fills them with no options)
over the registry version exported to Parquet by `daryn sql --format parquet`, and
prints the table of both engines' timings with daryn/DuckDB ratios.

Usage: python3 bench_reports.py time EXPORT_DIR REPORTS_DIR REPORT cold|warm
       python3 bench_reports.py summary COLD.tsv WARM.tsv
"""

import sys
import time

import duckdb

TABLES = ["children", "measures", "achievements", "teachers", "drops", "rejections", "regions",
          "measure_types", "achievement_weights", "registry_version"]
# The views of query/src/reference.rs, in DuckDB.
VIEWS = {
    "target_groups": """SELECT region, region_kato, district_kato, iin,
        CASE WHEN area_type = 'rural' THEN 'rural'
             WHEN large_family OR low_income THEN 'urban_large_or_low_income' END AS target_group,
        area_type, large_family, low_income
        FROM children WHERE area_type = 'rural' OR large_family OR low_income""",
}


def connect(export):
    db = duckdb.connect()
    for table in TABLES:
        db.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{export}/{table}.parquet')")
    for name, body in VIEWS.items():
        db.execute(f"CREATE VIEW {name} AS {body}")
    return db


def render(sql):
    return (sql.replace("{{region}}", "CAST(NULL AS VARCHAR)").replace("{{year}}", "CAST(NULL AS BIGINT)")
            .replace("{{limit}}", "100").replace("{{lang}}", "kk"))


def timed(db, sql):
    started = time.perf_counter()
    db.sql(sql).to_arrow_table()
    return time.perf_counter() - started


def time_report(export, reports, name, mode):
    """Seconds of one report: on a fresh connection (cold), or the best of 3 after a
    first run on one connection (warm)."""
    sql = render(open(f"{reports}/{name}.sql").read())
    db = connect(export)
    if mode == "cold":
        return timed(db, sql)
    timed(db, sql)
    return min(timed(db, sql) for _ in range(3))


def summary(cold_file, warm_file):
    cold = {}
    for line in open(cold_file):
        name, daryn_cold, duck_cold = line.split()
        cold[name] = (float(daryn_cold), float(duck_cold))
    best = {}
    for line in open(warm_file):
        _, name, process, query, duck = line.split()
        times = (float(process), float(query), float(duck))
        best[name] = tuple(min(pair) for pair in zip(best.get(name, times), times))
    print("daryn process: the whole `daryn report` process; daryn query: the report in an open session;")
    print("duckdb: the query on a connection with the Parquet views. Warm: best of 3 interleaved rounds.")
    print(f"{'report':<14} {'daryn cold':>11} {'duckdb cold':>12} {'daryn process':>14} {'daryn query':>12} "
          f"{'duckdb warm':>12} {'query/duckdb':>13} {'process/duckdb':>15}")
    for name, (process, query, duck) in best.items():
        daryn_cold, duck_cold = cold[name]
        print(f"{name:<14} {daryn_cold:>10.3f}s {duck_cold:>11.3f}s {process:>13.3f}s {query:>11.3f}s "
              f"{duck:>11.3f}s {query / duck:>12.2f}x {process / duck:>14.2f}x")


if sys.argv[1] == "time":
    print(f"{time_report(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]):.4f}")
else:
    summary(sys.argv[2], sys.argv[3])
