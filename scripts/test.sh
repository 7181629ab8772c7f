#!/usr/bin/env bash
# Runs every test of the workspace on a fresh machine: installs what the tests use
# from outside Rust (idempotently: pip leaves satisfied pins alone), then the suite.
# The outside-reader tests use Python's deltalake, pyarrow and DuckDB (PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    deltalake==1.6.6 duckdb==2.0.0 pyarrow==26.0.1

cargo test --workspace --locked
