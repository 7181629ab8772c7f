#!/usr/bin/env bash
# Runs every test of the workspace on a fresh machine: installs what the tests use
# from outside Rust (idempotently: pip leaves satisfied pins alone), then the suite.
# The outside-reader tests use Python's deltalake, pyarrow and DuckDB (PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."

# A fresh Debian has no pip: install it (as root; `apt-get update` once first).
if ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get update
    apt-get install -y python3 python3-pip
fi
packages=(deltalake==1.6.6 duckdb==2.0.0 pyarrow==26.0.1)
pip_install() { python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "$@"; }
# Debian's own Python refuses system-wide installs (PEP 668) unless told otherwise.
pip_install "${packages[@]}" || pip_install --break-system-packages "${packages[@]}"

cargo test --workspace --locked
