#!/usr/bin/env bash
# Benchmark of `daryn report` (issue 4): every report on the registry built from the
# generated national set (1,000,000 children by default), cold and warm, beside DuckDB
# running the same reports' SQL over the current version exported to Parquet by
# `daryn sql --format parquet`; prints daryn/DuckDB ratios. Target: every report under
# 1 s warm and a warm ratio of at most 1.5.
#
# What is timed: for daryn, the whole `daryn report NAME --format csv > /dev/null`
# process (opening the registry version's Delta tables, planning, running, writing),
# and the report alone, repeated in one open session (`--repeat`, best run). For
# DuckDB, the query alone in Python. Cold is the first run after the page cache was
# dropped (when this shell may); warm runs interleave the two engines in three rounds.
#
# Usage: scripts/bench-reports.sh [CHILDREN] [WORK_DIR]   (DARYN_BIN=path skips the build)
# Builds the release binary (~26 min from clean on 2 cores; shares CARGO_TARGET_DIR).
set -euo pipefail
# A failed run inside $(...) stops the script too, rather than being timed.
shopt -s inherit_errexit
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

reports=(item1 coverage unsupported overdue funding top-teachers data-quality)
duckdb_time() {
    python3 scripts/bench_reports.py time "$work/export" query/reports "$@"
}

# Cold: the first run after the page cache was dropped, daryn then DuckDB, per report.
cold="$work/cold.tsv"
: > "$cold"
for report in "${reports[@]}"; do
    drop_caches
    daryn_cold=$(seconds "$daryn" report "$report" --registry "$work/registry" --format csv)
    drop_caches
    duck_cold=$(duckdb_time "$report" cold)
    printf '%s\t%s\t%s\n' "$report" "$daryn_cold" "$duck_cold" >> "$cold"
done

# Warm: this machine's speed drifts by a quarter within the hour, so the two engines
# take turns, report by report, for three rounds, and each keeps its best round. Per
# round: daryn's whole process once; daryn's report alone in one open session (best of
# 3); DuckDB's query on one connection (best of 3 after a first run).
warm="$work/warm.tsv"
: > "$warm"
for round in 1 2 3; do
    for report in "${reports[@]}"; do
        process=$(seconds "$daryn" report "$report" --registry "$work/registry" --format csv)
        query=$("$daryn" report "$report" --registry "$work/registry" --format csv --repeat 3 2>&1 > /dev/null \
            | sed -n 's/^run [0-9]*: \([0-9.]*\) s$/\1/p' | sort -n | head -1)
        [ -n "$query" ] || { echo "daryn report $report --repeat 3 printed no run time" >&2; exit 1; }
        duck_warm=$(duckdb_time "$report" warm)
        printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$report" "$process" "$query" "$duck_warm" >> "$warm"
    done
done

du -sh "$work/registry/tables"/* | sed 's/^/store: /'
python3 scripts/bench_reports.py summary "$cold" "$warm"
