#!/usr/bin/env bash
# The main job: the Discord bot when DISCORD_TOKEN is set (.env or environment), otherwise the console.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh requirements.txt
exec .venv/bin/python bot.py "$@"
