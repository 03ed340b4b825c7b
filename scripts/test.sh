#!/usr/bin/env bash
# Install twin with its test extras into .venv with the locked versions (constraints.txt) and run
# the whole test suite (slow tests included).
# Usage: bash scripts/test.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q -c constraints.txt pip
.venv/bin/python -m pip install -q -c constraints.txt -e '.[test]'
set +e
.venv/bin/python -m pytest -p no:cacheprovider "$@"
code=$?
set -e
if [ "$code" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$code"
