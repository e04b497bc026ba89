#!/usr/bin/env bash
# Installs the locked dependencies when they are missing or older than the lock file,
# so both quick-start commands work on a fresh clone and cost nothing when current.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing dependencies (npm ci)…" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
