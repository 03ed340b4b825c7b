#!/usr/bin/env bash
# Install twin into .venv with the locked versions (constraints.txt) and run the main job on the
# embedded default (data_samples/ and the default scenario); results go to results/ (or the folder
# given as first argument).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q -c constraints.txt pip
.venv/bin/python -m pip install -q -c constraints.txt -e '.[plot]'
.venv/bin/twin run -o "${1:-results}"
