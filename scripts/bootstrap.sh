#!/usr/bin/env bash
# Create (or reuse) .venv and install the pinned requirements file given as $1.
# Re-installs only when the requirements or constraints change, so repeated runs start fast.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements="${1:-requirements.txt}"
python_bin="${PYTHON:-python3.11}"
command -v "$python_bin" >/dev/null 2>&1 || python_bin=python3
if [ ! -x .venv/bin/python ]; then
  "$python_bin" -m venv .venv
fi
stamp=".venv/.installed-$(basename "$requirements")"
wanted="$(cat "$requirements" requirements*.txt constraints.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements" -c constraints.txt
  echo "$wanted" > "$stamp"
fi
