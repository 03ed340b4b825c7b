#!/usr/bin/env bash
# Install twin with its test extras into .venv with the locked versions (constraints.txt) and run
# the whole test suite (slow tests included).
# Usage: bash scripts/test.sh [extra pytest args]
# The tests run in TWIN_TEST_WORKERS processes (pytest-xdist, default 2: the CI machine's cores;
# 0 runs them in this process), a test file per worker at a time (module fixtures computed once);
# the 25 slowest tests are listed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q -c constraints.txt pip
.venv/bin/python -m pip install -q -c constraints.txt -e '.[test]'
# lint first (configuration: [tool.ruff] in pyproject.toml; ruff pinned in constraints.txt)
.venv/bin/ruff check twin kernels tests benchmarks scripts
set +e
workers="${TWIN_TEST_WORKERS:-2}"
.venv/bin/python -m pytest -p no:cacheprovider -n "$workers" --dist loadfile --durations=25 "$@"
code=$?
set -e
if [ "$code" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$code"
