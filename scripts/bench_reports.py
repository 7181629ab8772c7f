"""Times DuckDB on the reports' own SQL (query/reports/*.sql, parameters filled in as
`daryn report` fills them with no options) over the registry version exported to
Parquet by `daryn sql --format parquet`, and prints daryn/DuckDB ratios beside the
daryn timings that bench-reports.sh measured.

Usage: python3 bench_reports.py EXPORT_DIR REPORTS_DIR DARYN_TIMINGS.tsv
"""

import sys
import time

import duckdb

export, reports, timings_file = sys.argv[1], sys.argv[2], sys.argv[3]
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


def connect():
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


daryn = {}
for line in open(timings_file):
    name, cold, warm, query_warm = line.split()
    daryn[name] = (float(cold), float(warm), float(query_warm))

print("daryn cold/warm: whole process; daryn query: the report in an open session (best of 5);")
print("duckdb: the query on a connection with the Parquet views (cold: fresh connection; warm: best of 3)")
print(f"{'report':<14} {'daryn cold':>11} {'daryn warm':>11} {'daryn query':>12} {'duckdb cold':>12} "
      f"{'duckdb warm':>12} {'query/duckdb':>13} {'process/duckdb':>15}")
for name, (daryn_cold, daryn_warm, daryn_query) in daryn.items():
    sql = render(open(f"{reports}/{name}.sql").read())
    duck_cold = timed(connect(), sql)
    db = connect()
    duck_warm = min(timed(db, sql) for _ in range(3))
    print(f"{name:<14} {daryn_cold:>10.3f}s {daryn_warm:>10.3f}s {daryn_query:>11.3f}s {duck_cold:>11.3f}s "
          f"{duck_warm:>11.3f}s {daryn_query / duck_warm:>12.2f}x {daryn_warm / duck_warm:>14.2f}x")
