#!/usr/bin/env bash
# Benchmark of `daryn report` (issue 4): every report on the registry built from the
# generated national set (1,000,000 children by default), cold and warm, beside DuckDB
# running the same reports' SQL over the current version exported to Parquet by
# `daryn sql --format parquet`; prints daryn/DuckDB ratios. Target: every report under
# 1 s warm and a warm ratio of at most 1.5.
#
# What is timed: for daryn, the whole `daryn report NAME --format csv > /dev/null`
# process (opening the registry version's Delta tables, planning, running, writing);
# cold is the first run after the data was written (the page cache is dropped first
# when this shell may), warm the best of three runs; and the report alone, repeated in
# one open session (`--repeat 5`, best run). For DuckDB, the query alone in
# Python: cold on a fresh connection, warm the best of three on one connection.
#
# Usage: scripts/bench-reports.sh [CHILDREN] [WORK_DIR]   (DARYN_BIN=path skips the build)
# Builds the release binary (~26 min from clean on 2 cores; shares CARGO_TARGET_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
children="${1:-1000000}"
work="${2:-/tmp/daryn-bench-$children}"
target="${CARGO_TARGET_DIR:-target}"

# DARYN_BIN runs an already built binary instead (e.g. to try the script on a debug build).
if [ -n "${DARYN_BIN:-}" ]; then
    daryn="$DARYN_BIN"
else
    cargo build --release --bin daryn --locked
    daryn="$target/release/daryn"
fi
mkdir -p "$work"

# Runs a step and says how long it took.
timed_step() {
    local name="$1" started
    shift
    started=$(date +%s)
    "$@"
    echo "$name: $(( $(date +%s) - started )) s" >&2
}

if [ ! -f "$work/registry/CURRENT" ]; then
    echo "generating $children children and ingesting them into $work/registry"
    rm -rf "$work/drops" "$work/registry"
    timed_step generate "$daryn" generate --out "$work/drops" --children "$children" \
        --date 2026-11-25 --seed 1 --format csv > /dev/null
    timed_step ingest "$daryn" ingest --registry "$work/registry" "$work/drops/2026-11-25" \
        > "$work/ingest.txt" || [ $? -eq 2 ] # 2: published with rejections
fi

echo "exporting the current version to Parquet"
mkdir -p "$work/export"
for table in children measures achievements teachers drops rejections regions measure_types \
    achievement_weights registry_version; do
    "$daryn" sql --registry "$work/registry" --format parquet -o "$work/export/$table.parquet" "SELECT * FROM $table"
done

drop_caches() {
    sync
    (echo 3 > /proc/sys/vm/drop_caches) 2> /dev/null || true
}

seconds() {
    local started ended
    started=$(date +%s.%N)
    "$@" > /dev/null
    ended=$(date +%s.%N)
    echo "$ended - $started" | bc
}

timings="$work/daryn-timings.tsv"
: > "$timings"
for report in item1 coverage unsupported overdue funding top-teachers data-quality; do
    drop_caches
    cold=$(seconds "$daryn" report "$report" --registry "$work/registry" --format csv)
    best=""
    for _ in 1 2 3; do
        run=$(seconds "$daryn" report "$report" --registry "$work/registry" --format csv)
        if [ -z "$best" ] || [ "$(echo "$run < $best" | bc)" -eq 1 ]; then best="$run"; fi
    done
    # In one session: the best of five runs of the query alone.
    query=$("$daryn" report "$report" --registry "$work/registry" --format csv --repeat 5 2>&1 > /dev/null \
        | sed -n 's/^run [0-9]*: \([0-9.]*\) s$/\1/p' | sort -n | head -1)
    printf '%s\t%s\t%s\t%s\n' "$report" "$cold" "$best" "$query" >> "$timings"
done

du -sh "$work/registry/tables"/* | sed 's/^/store: /'
python3 scripts/bench_reports.py "$work/export" query/reports "$timings"
