#!/usr/bin/env bash
# Runs every test of the workspace on a fresh machine. The suite needs only the Rust
# toolchain today; when a test needs an outside tool (psql, DuckDB, Chromium), its
# idempotent install goes here, before the run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked
