#!/usr/bin/env bash
# Re-resolve the dependencies and write constraints.txt: the exact versions the tests then run on.
# Run it on purpose (to take new releases), then run `bash scripts/test.sh` and commit both only
# if the tests pass. The README commands and CI install with `-c constraints.txt`.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q --upgrade pip
"$tmp/venv/bin/python" -m pip install -q -e '.[dev]'
{
  echo "# The versions the test suite passed on (Python $("$tmp/venv/bin/python" -c 'import platform; print(platform.python_version())'), $(uname -m), $(date -u +%Y-%m-%d))."
  echo "# Written by scripts/lock.sh; used as pip constraints by scripts/run_default.sh, scripts/test.sh and CI."
  echo "pip==$("$tmp/venv/bin/python" -m pip --version | awk '{print $2}')"
  "$tmp/venv/bin/python" -m pip freeze --exclude-editable | grep -v '^pip==' | sort -f
} > constraints.txt
echo "wrote constraints.txt ($(grep -vc '^#' constraints.txt) pins)"
