#!/usr/bin/env bash
# The whole test suite: formatting, lints, Rust tests (unit, golden, CLI, property),
# then the Python package built into a fresh virtual environment and its pytest suite.
# Needs only Rust and Python 3 on the machine; installs everything else itself.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --release -- -D warnings

step "cargo test (release)"
cargo test --release

if [ -f pyproject.toml ]; then
  step "Python: virtual environment, build, pytest"
  PY=${PYTHON:-python3}
  if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "The Python package needs Python 3.10 or newer ($PY is $("$PY" -V 2>&1)); set PYTHON=..." >&2
    exit 1
  fi
  VENV=${CALLSCORE_VENV:-.venv}
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet "maturin>=1.5,<2" pytest pandas mypy
  "$VENV/bin/python" -m pip install --quiet --force-reinstall --no-deps .
  "$VENV/bin/python" -m pytest -q python/tests
fi

step "fuzz: a short run of every target (skipped, saying so, without cargo-fuzz and nightly)"
bash fuzz/run.sh 8
