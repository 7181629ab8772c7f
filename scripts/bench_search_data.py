"""Writes the documents and the 1,000 queries of scripts/bench-search.sh.

From the registry's current version (read through the Delta log at the pinned versions,
never by globbing Parquet files) it writes, into WORK:
  docs.csv         one row per current child for PostgreSQL: key, name, body, region,
                   disciplines, levels; the body holds what daryn's document holds
                   (school, locality, interests, achievements, measures, discipline
                   names in kk/ru/en);
  pg_load.sql      the table, COPY, tsvector + GIN, pg_trgm GIN on names;
  queries.tsv      the query mix for `daryn search --queries`;
  pg_queries.sql   the same queries for PostgreSQL, with \\timing.
Usage: python3 scripts/bench_search_data.py REGISTRY WORK
"""
import csv
import json
import pathlib
import random
import sys

import duckdb
from deltalake import DeltaTable

registry, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
root = pathlib.Path(__file__).resolve().parent.parent
current = int((registry / "CURRENT").read_text())
pins = json.loads((registry / "versions" / f"{current:08d}.json").read_text())["tables"]
con = duckdb.connect()
for table in ["children", "achievements", "measures"]:
    dataset = DeltaTable(str(registry / "tables" / table), version=pins[table]).to_pyarrow_dataset()
    con.register(table, dataset)
names = []
with open(root / "registry/data/disciplines.csv", encoding="utf-8") as file:
    for row in csv.DictReader(file):
        names.append((row["code"], f"{row['name_kk']} {row['name_ru']} {row['name_en']}"))
con.execute("CREATE TABLE names(code TEXT, names TEXT)")
con.executemany("INSERT INTO names VALUES (?, ?)", names)
docs = work / "docs.csv"
con.execute(f"""
COPY (
  WITH a AS (SELECT iin, string_agg(event_name, ' ') AS txt, list(DISTINCT level) AS levels
             FROM achievements GROUP BY iin),
       m AS (SELECT iin, string_agg(title, ' ') AS txt FROM measures GROUP BY iin),
       d AS (SELECT iin, string_agg(n.names, ' ') AS txt
             FROM (SELECT iin, unnest(disciplines) AS code FROM children) x JOIN names n USING (code) GROUP BY iin)
  SELECT c.iin,
         c.last_name || ' ' || c.first_name || coalesce(' ' || c.patronymic, ''),
         concat_ws(' ', c.school_name, c.locality, c.interests, a.txt, m.txt, d.txt),
         c.region,
         '{{' || array_to_string(c.disciplines, ',') || '}}',
         '{{' || coalesce(array_to_string(a.levels, ','), '') || '}}'
  FROM children c LEFT JOIN a USING (iin) LEFT JOIN m USING (iin) LEFT JOIN d USING (iin)
) TO '{docs}' (FORMAT CSV, HEADER false)
""")

(work / "pg_load.sql").write_text(f"""\\timing on
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE docs (key text, name text, body text, region text, disciplines text[], levels text[]);
COPY docs FROM '{docs}' (FORMAT csv);
ALTER TABLE docs ADD COLUMN tsv tsvector
  GENERATED ALWAYS AS (to_tsvector('russian', name || ' ' || body)) STORED;
CREATE INDEX docs_tsv ON docs USING gin (tsv);
CREATE INDEX docs_name_trgm ON docs USING gin (name gin_trgm_ops);
CREATE INDEX docs_region ON docs (region);
VACUUM ANALYZE docs;
""")

random.seed(7)
people = con.execute("SELECT last_name, first_name FROM children USING SAMPLE 2000 ROWS").fetchall()
regions = [row[0] for row in con.execute("SELECT DISTINCT region FROM children").fetchall()]
disciplines = ["шахмат", "шахматы", "chess", "математика", "математикадан", "math", "физика", "физикой",
               "домбыра", "football", "футбол", "биология", "химиядан", "робототехника", "informatics",
               "қазақ тілі", "английский язык", "күрес", "бокс", "вокал"]
texts = ["олимпиада жеңімпазы", "республиканская олимпиада", "облыстық олимпиада", "шахмат секциясы",
         "робототехника үйірмесі", "научный проект", "халықаралық байқау", "победитель олимпиады",
         "летняя предметная смена", "технопарк"]


def typo(word):
    letters = list(word)
    if len(letters) >= 5:
        letters[2], letters[3] = letters[3], letters[2]
    return "".join(letters)


def sql(text):
    return "'" + text.replace("'", "''") + "'"


daryn_lines, pg_lines = [], ["\\timing on", "\\o /dev/null"]
for index in range(1000):
    kind = index % 20
    if kind < 6:  # 300 exact names
        last, first = random.choice(people)
        query, pg = f"{last} {first}", None
    elif kind < 9:  # 150 names with a typo
        last, first = random.choice(people)
        query, pg = f"{typo(last)} {first}", None
    elif kind < 14:  # 250 disciplines
        query, pg = random.choice(disciplines), "text"
    elif kind < 17:  # 150 free text
        query, pg = random.choice(texts), "text"
    else:  # 150 filtered
        query, pg = random.choice(disciplines), "filtered"
    if pg is None:
        daryn_lines.append(query)
        pg_lines.append(f"SELECT key FROM docs WHERE name % {sql(query)} "
                        f"ORDER BY similarity(name, {sql(query)}) DESC LIMIT 10;")
    elif pg == "text":
        daryn_lines.append(query)
        pg_lines.append(f"SELECT key FROM docs WHERE tsv @@ plainto_tsquery('russian', {sql(query)}) "
                        f"ORDER BY ts_rank(tsv, plainto_tsquery('russian', {sql(query)})) DESC LIMIT 10;")
    else:
        region = random.choice(regions)
        level = random.random() < 0.5
        daryn_lines.append(f"{query}\tregion={region}" + ("\tlevel=republican" if level else ""))
        extra = " AND levels @> ARRAY['republican']" if level else ""
        pg_lines.append(f"SELECT key FROM docs WHERE tsv @@ plainto_tsquery('russian', {sql(query)}) "
                        f"AND region = {sql(region)}{extra} "
                        f"ORDER BY ts_rank(tsv, plainto_tsquery('russian', {sql(query)})) DESC LIMIT 10;")
(work / "queries.tsv").write_text("\n".join(daryn_lines) + "\n", encoding="utf-8")
(work / "pg_queries.sql").write_text("\n".join(pg_lines) + "\n", encoding="utf-8")
print(f"{len(daryn_lines)} queries; documents in {docs}")
