#!/usr/bin/env bash
# Benchmark of talent search (issue 5), and the same searches in PostgreSQL full-text search.
#
# Measures, on this machine:
#   - the search index built by `daryn ingest` for a generated registry of $CHILDREN
#     children: build time (from the ingest's `search index built` log line), index size,
#     and the ingest's peak RSS (the whole run: reading, checking, writing, indexing);
#   - query latency p50/p99 in process over 1,000 queries (names, names with a typo,
#     disciplines in kk/ru/en and inflected, free text, filtered), `daryn search --queries`;
#   - PostgreSQL (Debian's package, started here in a scratch cluster) loaded with the same
#     documents: tsvector + GIN for text, pg_trgm (GIN) for names; the same 1,000 queries
#     through psql's \timing; the ratios PostgreSQL / daryn.
#
# Run:   scripts/bench-search.sh                      (release build, 1,000,000 children)
#        CHILDREN=20000 PROFILE=dev scripts/bench-search.sh   (a quick check of the script)
# Needs: the Rust toolchain, python3 with deltalake and duckdb (scripts/test.sh installs
#        them), PostgreSQL 15 from Debian (`apt-get install postgresql`; used if present).
set -euo pipefail

CHILDREN=${CHILDREN:-1000000}
PROFILE=${PROFILE:-release}
WORK=${WORK:-/tmp/daryn-bench-search}
PG_PORT=${PG_PORT:-55432}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/main/target}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

echo "== machine"
echo "cpus: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); memory: $(free -g | awk '/Mem:/{print $2}') GiB"

echo "== build ($PROFILE)"
(cd "$ROOT" && cargo build --locked --profile "$PROFILE" --bin daryn)
rm -rf "$WORK" && mkdir -p "$WORK"
if [ "$PROFILE" = dev ]; then folder=debug; else folder=$PROFILE; fi
# A private copy: other builds sharing the target folder may replace the binary meanwhile.
cp "$CARGO_TARGET_DIR/$folder/daryn" "$WORK/daryn"
DARYN="$WORK/daryn"

echo "== generate $CHILDREN children"
"$DARYN" generate --out "$WORK/drops" --children "$CHILDREN" --date 2026-11-25 --seed 7 --format csv | tail -n 1

echo "== ingest (builds the index)"
NO_COLOR=1 DARYN_LOG=daryn_registry=info /usr/bin/time -v "$DARYN" ingest --registry "$WORK/registry" "$WORK/drops/2026-11-25" \
    >"$WORK/ingest.out" 2>"$WORK/ingest.log" || true
tail -n 1 "$WORK/ingest.out"
generation=$(python3 -c "import json,sys; r='$WORK/registry'; v=int(open(r+'/CURRENT').read()); print(json.load(open(f'{r}/versions/{v:08d}.json'))['index_generation'])")
index_ms=$(sed 's/\x1b\[[0-9;]*m//g' "$WORK/ingest.log" | grep 'search index built' | grep -o 'elapsed_ms=[0-9]*' | tail -n 1 | cut -d= -f2)
index_bytes=$(du -sb "$WORK/registry/index/$generation" | cut -f1)
ingest_rss_kb=$(grep 'Maximum resident set size' "$WORK/ingest.log" | awk '{print $NF}')
ingest_wall=$(grep 'Elapsed (wall clock)' "$WORK/ingest.log" | awk '{print $NF}')
echo "index build: ${index_ms} ms; index size: $((index_bytes / 1048576)) MiB; ingest wall ${ingest_wall}, peak RSS $((ingest_rss_kb / 1024)) MiB"

echo "== documents and queries"
python3 "$ROOT/scripts/bench_search_data.py" "$WORK/registry" "$WORK"

echo "== daryn search, in process"
"$DARYN" search --registry "$WORK/registry" --queries "$WORK/queries.tsv" | tee "$WORK/daryn.json"

echo "== PostgreSQL full-text search"
PGBIN=/usr/lib/postgresql/15/bin
chown -R postgres "$WORK"
runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg" -o "-p $PG_PORT -k $WORK -c shared_buffers=2GB -c work_mem=64MB -c maintenance_work_mem=1GB" -l "$WORK/pg.log" -w start >/dev/null
trap 'runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null 2>&1 || true' EXIT
PSQL=(runuser -u postgres -- psql -h "$WORK" -p "$PG_PORT" -d postgres -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" -f "$WORK/pg_load.sql" | tee "$WORK/pg_load.out"
runuser -u postgres -- psql -h "$WORK" -p "$PG_PORT" -d postgres -q -f "$WORK/pg_queries.sql" >"$WORK/pg_queries.out"
pg_size=$("${PSQL[@]}" -At -c "SELECT pg_total_relation_size('docs')")

python3 - "$WORK" "$pg_size" "$index_bytes" <<'EOF'
import json, math, re, sys
work, pg_size, index_bytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
times = sorted(float(m) for m in re.findall(r"Time: ([0-9.]+) ms", open(f"{work}/pg_queries.out").read()))
daryn = json.load(open(f"{work}/daryn.json"))
def at(share):
    return times[min(len(times), max(1, math.ceil(len(times) * share))) - 1]
load = [float(m) for m in re.findall(r"Time: ([0-9.]+) ms", open(f"{work}/pg_load.out").read())]
print(f"PostgreSQL: {len(times)} queries p50 {at(0.5):.2f} ms p99 {at(0.99):.2f} ms; load+index {sum(load)/1000:.1f} s; size {pg_size/1048576:.0f} MiB")
print(f"daryn:      {daryn['queries']} queries p50 {daryn['p50_ms']:.2f} ms p99 {daryn['p99_ms']:.2f} ms; index {index_bytes/1048576:.0f} MiB")
print(f"ratio PostgreSQL/daryn: p50 {at(0.5)/max(daryn['p50_ms'],1e-3):.1f}x  p99 {at(0.99)/max(daryn['p99_ms'],1e-3):.1f}x")
EOF
