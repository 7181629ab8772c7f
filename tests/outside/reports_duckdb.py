"""The cross-check of `daryn report item1`, `coverage` and `top-teachers`: the same
questions asked of DuckDB, written independently of query/reports/*.sql, over the Parquet
files that `daryn sql --format parquet` exported from one registry version (never over
the Delta folders, which still hold removed files).

Usage: python3 reports_duckdb.py EXPORT_DIR YEAR
Prints JSON: {"item1": [...], "coverage": [...], "coverage_year": [...], "top_teachers": [...]}.
"""

import json
import sys

import duckdb

folder, year = sys.argv[1], int(sys.argv[2])
db = duckdb.connect()
for table in ["children", "measures", "achievements", "teachers", "regions", "measure_types", "achievement_weights"]:
    db.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{folder}/{table}.parquet')")


def rows(sql, params=None):
    return [list(row) for row in db.execute(sql, params or []).fetchall()]


item1 = rows(
    """
    SELECT r.region_kato, r.name_kk,
           count(c.iin) FILTER (WHERE c.area_type = 'rural'),
           count(c.iin) FILTER (WHERE c.area_type = 'urban' AND (c.large_family OR c.low_income))
    FROM regions r LEFT JOIN children c ON c.region = r.region
    GROUP BY r.region_kato, r.name_kk
    ORDER BY r.region_kato
    """
)
item1 = [[kato, name, rural, urban, rural + urban] for kato, name, rural, urban in item1]
item1.append([None, "total", sum(r[2] for r in item1), sum(r[3] for r in item1), sum(r[4] for r in item1)])

COVERAGE = """
    WITH items AS (SELECT DISTINCT decree_item AS item FROM measure_types WHERE decree_item IS NOT NULL),
    registered AS (SELECT region, count(*) AS n FROM children GROUP BY region),
    covered AS (
        SELECT region, decree_item AS item, count(DISTINCT iin) AS k
        FROM measures
        WHERE status = 'done' AND ($year IS NULL OR year(completed_on) = $year)
        GROUP BY region, decree_item
    )
    SELECT r.region_kato, items.item, coalesce(covered.k, 0), coalesce(registered.n, 0),
           CASE WHEN coalesce(registered.n, 0) = 0 THEN NULL
                ELSE round(100.0 * coalesce(covered.k, 0) / registered.n, 2) END
    FROM regions r CROSS JOIN items
    LEFT JOIN registered ON registered.region = r.region
    LEFT JOIN covered ON covered.region = r.region AND covered.item = items.item
    ORDER BY r.region_kato, items.item
"""

top_teachers = rows(
    """
    WITH taught AS (
        SELECT a.region, a.iin, a.event_name, a.event_kind, a.discipline, a.event_date, a.level, a.result,
               unnest(a.teacher_ids) AS teacher_id
        FROM achievements a
        JOIN children c ON c.region = a.region AND c.iin = a.iin
        WHERE a.level IN ('republican', 'international')
          AND (c.area_type = 'rural' OR c.large_family OR c.low_income)
    ),
    weighted AS (
        SELECT DISTINCT t.region, t.iin, t.event_name, t.event_kind, t.discipline, t.event_date, t.level, t.result,
               t.teacher_id, w.weight
        FROM taught t JOIN achievement_weights w ON w.level = t.level AND w.result = t.result
        WHERE w.weight > 0
    ),
    scores AS (
        SELECT teacher_id, min(region) AS region, sum(weight) AS score, count(*) AS n
        FROM weighted GROUP BY teacher_id
    )
    SELECT row_number() OVER (ORDER BY s.score DESC, s.teacher_id) AS rank,
           s.teacher_id, te.last_name, te.first_name, r.region_kato, s.score, s.n
    FROM scores s
    JOIN regions r ON r.region = s.region
    LEFT JOIN teachers te ON te.region = s.region AND te.teacher_id = s.teacher_id
    ORDER BY rank
    LIMIT 100
    """
)

print(
    json.dumps(
        {
            "item1": item1,
            "coverage": rows(COVERAGE, {"year": None}),
            "coverage_year": rows(COVERAGE, {"year": year}),
            "top_teachers": top_teachers,
        },
        default=str,
    )
)
