#!/usr/bin/env bash
# The ingest benchmark of issue 3, in release mode, with DuckDB as the peer on the same
# files in the same run (absolute times drift on shared machines; the ratios less so).
#
#   1. `daryn generate` a national set of CHILDREN children (default 1,000,000) as CSV,
#      and the same set with two regions as XLSX workbooks;
#   2. `daryn ingest` each into a fresh registry: wall time, rows per second, peak RSS;
#   3. re-ingest one unchanged region (target: under 5 s);
#   4. DuckDB converts the same CSV files to Parquet (`read_csv_auto` → `COPY`), and the
#      script prints daryn/DuckDB (target: at most 2);
#   5. the readers' fuzz target runs for FUZZ_SECONDS (default 300) with cargo-fuzz.
#
# Usage: scripts/bench-ingest.sh        (BENCH_DIR, CHILDREN, FUZZ_SECONDS to change)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=${BENCH_DIR:-/var/tmp/daryn-bench}
children=${CHILDREN:-1000000}
fuzz_seconds=${FUZZ_SECONDS:-300}
target=${CARGO_TARGET_DIR:-$root/target}
mkdir -p "$work"

python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore duckdb==2.0.0
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }

cargo build --release --locked --bin daryn
daryn="$target/release/daryn"

# Runs a command, keeps its output in $work/<name>.log, and records
# "seconds peak_kb user_seconds system_seconds".
measure() {
    local name=$1
    shift
    /usr/bin/time -f "%e %M %U %S" -o "$work/$name.time" "$@" >"$work/$name.log" 2>&1 || {
        local code=$?
        # `daryn ingest` exits 2 when it published with rejected rows: still a run.
        [ "$code" -eq 2 ] || { echo "$name failed ($code):"; tail -20 "$work/$name.log"; exit 1; }
    }
}
seconds() { cut -d' ' -f1 "$work/$1.time"; }
peak_mb() { awk '{printf "%.0f", $2 / 1024}' "$work/$1.time"; }
cpu_seconds() { awk '{printf "%.1f", $3 + $4}' "$work/$1.time"; }

day=2026-11-25
marker="$work/generated-$children"
if [ ! -e "$marker" ]; then
    rm -rf "$work/csv" "$work/xlsx" "$work/two-xlsx" "$work"/generated-*
    measure generate-csv "$daryn" generate --out "$work/csv" --children "$children" --seed 7 --date "$day" --format csv
    measure generate-xlsx "$daryn" generate --out "$work/xlsx" --children "$children" --seed 7 --date "$day" --format xlsx
    # The CSV set with two large regions (Almaty oblast, Turkestan) sent as workbooks.
    cp -al "$work/csv" "$work/two-xlsx"
    for region in 19 61; do
        for side in csv xlsx; do
            found=$(find "$work/$side/$day" -maxdepth 1 -name "$region*" | head -1)
            [ -n "$found" ] || { echo "no folder of region $region in $work/$side"; exit 1; }
            eval "${side}_folder=\$found"
        done
        rm -rf "$work/two-xlsx/$day/$(basename "$csv_folder")"
        cp -r "$xlsx_folder" "$work/two-xlsx/$day/"
    done
    touch "$marker"
fi

for set in csv two-xlsx; do
    rm -rf "$work/registry-$set"
    # The report's `stages` split the run into its tables and its search index.
    measure "ingest-$set" "$daryn" ingest --registry "$work/registry-$set" --report "$work/ingest-$set.json" "$work/$set/$day"
done
one_region=$(find "$work/csv/$day" -mindepth 1 -maxdepth 1 -type d -name '35*' | head -1)
measure reingest-one "$daryn" ingest --registry "$work/registry-csv" "$one_region"
grep -q "nothing changed" "$work/reingest-one.log" || { echo "the re-ingest changed something:"; cat "$work/reingest-one.log"; exit 1; }

rm -rf "$work/duckdb-parquet"
python3 scripts/bench/duckdb_convert.py "$work/csv/$day" "$work/duckdb-parquet" >"$work/duckdb.json"
duckdb_seconds=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seconds"])' "$work/duckdb.json")

echo
echo "== ingest benchmark: $children children, $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(date -u +%F)"
for set in csv two-xlsx; do
    summary=$(python3 scripts/bench/ingest_summary.py "$work/ingest-$set.json")
    rows=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["accepted"])' "$summary")
    wall=$(seconds "ingest-$set")
    printf '%-10s %8.1f s  %10.0f rows/s  peak RSS %6s MB  %s\n' "$set" "$wall" \
        "$(python3 -c "print($rows / $wall)")" "$(peak_mb "ingest-$set")" "$summary"
done
printf '%-10s %8.1f s  (one unchanged region re-sent; target < 5 s)\n' "re-ingest" "$(seconds reingest-one)"
printf '%-10s %8.1f s  %s\n' "duckdb" "$duckdb_seconds" "$(cat "$work/duckdb.json")"
printf 'ratio daryn(csv)/duckdb = %.2f  (target <= 2)\n' "$(python3 -c "print($(seconds ingest-csv) / $duckdb_seconds)")"
read -r tables_seconds index_seconds < <(python3 scripts/bench/ingest_stages.py "$work/ingest-csv.json")
printf 'csv stages: tables (read, check, write) %.1f s = %.2f x duckdb; search index %.1f s\n' \
    "$tables_seconds" "$(python3 -c "print($tables_seconds / $duckdb_seconds)")" "$index_seconds"
# CPU time (user + system, all threads) tells how much work each side does rather than
# how well it fills the cores.
duckdb_cpu=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cpu_seconds"])' "$work/duckdb.json")
printf 'cpu: daryn(csv) %.1f s, duckdb %.1f s, ratio %.2f\n' "$(cpu_seconds ingest-csv)" "$duckdb_cpu" \
    "$(python3 -c "print($(cpu_seconds ingest-csv) / $duckdb_cpu)")"

# The fuzz target over the readers, seeded with small generated files of every shape.
if [ "$fuzz_seconds" -gt 0 ]; then
    command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
    corpus="$root/fuzz/corpus/readers"
    mkdir -p "$corpus"
    # Afresh: generate refuses a folder that already holds drops (a run's would mix in).
    rm -rf "$work/seeds"
    "$daryn" generate --out "$work/seeds" --children 40 --seed 3 --date "$day" --format mixed --error-rate 0.1 >/dev/null
    # The fuzz input's first byte picks the file name (see fuzz/fuzz_targets/readers.rs).
    index=0
    for name in children.csv measures.csv achievements.csv teachers.csv roadmap.xlsx children.xlsx roadmap.jsonl children.jsonl; do
        for file in $(find "$work/seeds" -name "$name" | head -3); do
            { printf "\\x$(printf %02x $index)"; cat "$file"; } >"$corpus/seed-$index-$(basename "$(dirname "$file")")"
        done
        index=$((index + 1))
    done
    (cd fuzz && cargo +nightly fuzz run readers -- -max_total_time="$fuzz_seconds" -rss_limit_mb=4096) \
        >"$work/fuzz.log" 2>&1 && fuzz_result=clean || fuzz_result="FOUND A CRASH (see fuzz/artifacts)"
    # libFuzzer ends with "Done N runs in S second(s)" (older ones: "#N DONE ...").
    echo "fuzz: ${fuzz_seconds} s, $(grep -oE 'Done [0-9]+ runs in [0-9]+ second\(s\)|#[0-9]+ *DONE.*' "$work/fuzz.log" | tail -1) — $fuzz_result"
fi
