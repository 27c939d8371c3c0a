#!/usr/bin/env bash
# Set up everything, then run every test tier: unit (no Docker), integration (real engine,
# real image) and end to end (boto3 over HTTP against a running emulator).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest -ra "$@" tests
